// Elementwise kernels whose transcendental functions (exp, tanh, log) must vectorise: this file alone
// is compiled with -ffast-math, so glibc's libmvec supplies SIMD expf/tanhf/logf. Everything here is
// a flat loop over float32 arrays, split over the OpenMP threads when the array is large. Square roots,
// reciprocals and the binary arithmetic live in ew-exact.cc, compiled without -ffast-math: under it GCC
// computes √x as x·rsqrt(x) and 1/x from rcp(x), estimates that flush a subnormal x to 0, giving
// √(1e-40) = −Inf and 1/1e-40 = NaN (test/nan.test.ts).
#include "kernels.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace pz {



void unary(int op, const float* x, float* y, int64_t n, float alpha) {
  switch (op) {
    case U_RELU: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] < 0.f ? 0.f : x[i]); }); break;
    case U_RELU6: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : std::fmin(std::fmax(x[i], 0.f), 6.f); }); break;
    case U_TANH: ewFor(n, [=](int64_t i) { y[i] = std::tanh(x[i]); }); break;
    case U_SIGMOID: ewFor(n, [=](int64_t i) { y[i] = sigmoid(x[i]); }); break;
    case U_EXP: ewFor(n, [=](int64_t i) { y[i] = std::exp(x[i]); }); break;
    case U_LOG: ewFor(n, [=](int64_t i) { y[i] = std::log(x[i]); }); break;
    case U_NEG: ewFor(n, [=](int64_t i) { y[i] = -x[i]; }); break;
    case U_SQRT:
    case U_RSQRT:
    case U_RECIPROCAL:
    case U_ERF: unaryExact(op, x, y, n); break; // ew-exact.cc: no reciprocal estimates
    case U_SQUARE: ewFor(n, [=](int64_t i) { y[i] = x[i] * x[i]; }); break;
    case U_ABS: ewFor(n, [=](int64_t i) { y[i] = std::fabs(x[i]); }); break;
    // Step: 1 for x > 0, alpha otherwise; NaN stays NaN (as in tfjs)
    case U_STEP: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] > 0.f ? 1.f : alpha); }); break;
    case U_ELU: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] >= 0.f ? x[i] : std::exp(x[i]) - 1.f); }); break;
    case U_LEAKYRELU: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] < 0.f ? alpha * x[i] : x[i]); }); break;
    case U_SOFTPLUS: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] > 20.f ? x[i] : std::log1p(std::exp(x[i]))); }); break;
    default: break;
  }
}

// y = (x − mean)·scale/√(var + ε) + offset, channels last: x is [rows, c], the rest [c].
void batchNorm(const float* x, const float* mean, const float* var, const float* offset, const float* scale, float* y, int64_t rows, int64_t c, float eps) {
  float* mul = new float[c];
  float* add = new float[c];
  for (int64_t j = 0; j < c; j++) {
    const float s = (scale ? scale[j] : 1.f) / std::sqrt(var[j] + eps);
    mul[j] = s;
    add[j] = (offset ? offset[j] : 0.f) - mean[j] * s;
  }
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* px = x + r * c;
    float* py = y + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) py[j] = px[j] * mul[j] + add[j];
  }
  delete[] mul;
  delete[] add;
}

// Softmax over the last axis of [rows, cols], max-shifted.
void softmax(const float* x, float* y, int64_t rows, int64_t cols, bool logSoftmax) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* px = x + r * cols;
    float* py = y + r * cols;
    float m = -INFINITY;
    for (int64_t j = 0; j < cols; j++) m = px[j] > m ? px[j] : m;
    float s = 0.f;
    if (logSoftmax) {
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < cols; j++) s += std::exp(px[j] - m);
      const float ls = std::log(s) + m;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) py[j] = px[j] - ls;
    } else {
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < cols; j++) {
        py[j] = std::exp(px[j] - m);
        s += py[j];
      }
      const float inv = 1.f / s;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) py[j] *= inv;
    }
  }
}

// Bias (broadcast along the last axis) and a fused activation, in place on [rows, cols].
void biasActivation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha) {
  if (bias) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin)
    for (int64_t r = 0; r < rows; r++) {
      float* py = y + r * cols;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) py[j] += bias[j];
    }
  }
  const int64_t n = rows * cols;
  switch (act) {
    case A_RELU: unary(U_RELU, y, y, n, 0.f); break;
    case A_RELU6: unary(U_RELU6, y, y, n, 0.f); break;
    case A_ELU: unary(U_ELU, y, y, n, 0.f); break;
    case A_LEAKYRELU: unary(U_LEAKYRELU, y, y, n, alpha); break;
    case A_SIGMOID: unary(U_SIGMOID, y, y, n, 0.f); break;
    case A_TANH: unary(U_TANH, y, y, n, 0.f); break;
    default: break;
  }
}

}  // namespace pz
