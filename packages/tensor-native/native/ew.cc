// Elementwise kernels whose transcendental functions (exp, tanh, log) must vectorise: this file alone
// is compiled with -ffast-math, so glibc's libmvec supplies SIMD expf/tanhf/logf. Everything here is
// a flat loop over float32 arrays, split over the OpenMP threads when the array is large.
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
    case U_SQRT: ewFor(n, [=](int64_t i) { y[i] = std::sqrt(x[i]); }); break;
    case U_RSQRT: ewFor(n, [=](int64_t i) { y[i] = 1.f / std::sqrt(x[i]); }); break;
    case U_SQUARE: ewFor(n, [=](int64_t i) { y[i] = x[i] * x[i]; }); break;
    case U_ABS: ewFor(n, [=](int64_t i) { y[i] = std::fabs(x[i]); }); break;
    case U_RECIPROCAL: ewFor(n, [=](int64_t i) { y[i] = 1.f / x[i]; }); break;
    // Step: 1 for x > 0, alpha otherwise; NaN stays NaN (as in tfjs)
    case U_STEP: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] > 0.f ? 1.f : alpha); }); break;
    case U_ELU: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] >= 0.f ? x[i] : std::exp(x[i]) - 1.f); }); break;
    case U_LEAKYRELU: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] < 0.f ? alpha * x[i] : x[i]); }); break;
    case U_SOFTPLUS: ewFor(n, [=](int64_t i) { y[i] = isNan(x[i]) ? x[i] : (x[i] > 20.f ? x[i] : std::log1p(std::exp(x[i]))); }); break;
    default: break;
  }
}

// out = a op b over a collapsed broadcast: `rank` dims (outer to inner) of size shape[d], with
// element strides sa[d], sb[d] (0 where that operand is broadcast). The innermost dim is the
// vector loop; the outer dims are flattened and split over the threads.
/** Rows shorter than this are tiled into a block of at least this many elements (binaryLoop). */
constexpr int64_t kTileMin = 256;

/** out[i] for i past the last whole block of binaryLoop's tiled case: `tile` repeats from `start`. */
template <typename F>
static inline void tiledTail(float* out, const float* full, const float* tile, bool aFull, int64_t start, int64_t i, F f) {
  out[i] = aFull ? f(full[i], tile[i - start]) : f(tile[i - start], full[i]);
}

template <typename F>
static void binaryLoop(const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, F f) {
  const int64_t inner = shape[rank - 1];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  const int64_t total = outer * inner;
  if (outer == 1 && ia <= 1 && ib <= 1) {
    // One run (operands of the same shape, or one a scalar): split the run itself over the threads.
    if (ia == 1 && ib == 1) ewFor(inner, [=](int64_t i) { out[i] = f(a[i], b[i]); });
    else if (ia == 1) ewFor(inner, [=, vb = b[0]](int64_t i) { out[i] = f(a[i], vb); });
    else if (ib == 1) ewFor(inner, [=, va = a[0]](int64_t i) { out[i] = f(va, b[i]); });
    else out[0] = f(a[0], b[0]);
    return;
  }
  if (rank == 2 && inner < kTileMin && ia == 1 && ib == 1 && ((sa[0] == inner && sb[0] == 0) || (sa[0] == 0 && sb[0] == inner))) {
    // A short row vector against a matrix (a bias added to an [N·H·W, C] activation): rows of a few
    // elements would leave the vector loop almost empty, so repeat the vector g times and run over
    // blocks of g rows (g·inner ≥ kTileMin elements).
    const bool aFull = sa[0] == inner;
    const float* vec = aFull ? b : a;
    const float* full = aFull ? a : b;
    const int64_t g = (kTileMin + inner - 1) / inner, len = g * inner;
    float tile[2 * kTileMin];
    for (int64_t q = 0; q < g; q++) std::memcpy(tile + q * inner, vec, sizeof(float) * inner);
    const int64_t blocks = outer / g;
#pragma omp parallel for schedule(static) if (total >= kParallelMin && blocks > 1)
    for (int64_t k = 0; k < blocks; k++) {
      const float* __restrict pf = full + k * len;
      float* __restrict po = out + k * len;
      if (aFull) {
#pragma omp simd
        for (int64_t i = 0; i < len; i++) po[i] = f(pf[i], tile[i]);
      } else {
#pragma omp simd
        for (int64_t i = 0; i < len; i++) po[i] = f(tile[i], pf[i]);
      }
    }
    for (int64_t i = blocks * len; i < total; i++) tiledTail(out, full, tile, aFull, blocks * len, i, f);
    return;
  }
#pragma omp parallel for schedule(static) if (total >= kParallelMin && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    int64_t offA = 0, offB = 0;
    if (rank == 2) {
      offA = o * sa[0];
      offB = o * sb[0];
    } else {
      int64_t rest = o;
      for (int d = rank - 2; d >= 0; d--) {
        const int64_t coord = rest % shape[d];
        rest /= shape[d];
        offA += coord * sa[d];
        offB += coord * sb[d];
      }
    }
    const float* pa = a + offA;
    const float* pb = b + offB;
    float* po = out + o * inner;
    if (ia == 1 && ib == 1) {
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) po[i] = f(pa[i], pb[i]);
    } else if (ia == 1 && ib == 0) {
      const float vb = pb[0];
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) po[i] = f(pa[i], vb);
    } else if (ia == 0 && ib == 1) {
      const float va = pa[0];
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) po[i] = f(va, pb[i]);
    } else {
      for (int64_t i = 0; i < inner; i++) po[i] = f(pa[i * ia], pb[i * ib]);
    }
  }
}

void binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
  switch (op) {
    case B_ADD: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return p + q; }); break;
    case B_SUB: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return p - q; }); break;
    case B_MUL: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return p * q; }); break;
    case B_DIV: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return p / q; }); break;
    case B_MAX: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return isNan(p) ? p : isNan(q) ? q : (p > q ? p : q); }); break;
    case B_MIN: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return isNan(p) ? p : isNan(q) ? q : (p < q ? p : q); }); break;
    case B_SQDIFF: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) { return (p - q) * (p - q); }); break;
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
