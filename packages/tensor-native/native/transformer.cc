// Transformer kernels (see transformer.h). Compiled WITHOUT -ffast-math (binding.gyp, like
// ew-exact.cc and train.cc): GELU's erfc must be the exact libm function, and NaN/±Inf must follow IEEE
// rules, so that the fused op gives the composed op's specials (GELU(−∞) = −∞·0 = NaN as on cpu).
// Rows are split over the OpenMP threads, each row computed by one thread from start to end, so the
// result does not depend on the thread count (the column sums of the gradient use sums.h, which is
// thread-count independent too).
//
// Layer norm, per row of c values (Ba et al. 2016, eq. 4):
//   μ = (1/c) Σ x,  σ² = (1/c) Σ (x − μ)²,  rstd = 1/√(σ² + ε),  x̂ = (x − μ)·rstd,  y = γ·x̂ + β
// and its gradient, with g = dy·γ:
//   dx = rstd·(g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ_rows dy·x̂,  dβ = Σ_rows dy
#include "transformer.h"
#include "kernels.h"
#include "sums.h"

#include <cmath>
#include <cstdint>
#include <vector>

// glibc's vector math library (libmvec, glibc ≥ 2.35) has erfcf and expf for 4, 8 and 16 lanes, but
// <math.h> only declares them as such under -ffast-math. Declared here with the same attribute,
// GCC's `omp simd` loops call the vector variants (_ZGVdN8v_erfcf: libm-accurate to a few ulp, with
// IEEE special cases) while this file keeps IEEE semantics: GELU's gradient went from ~11 to ~1 ns an
// element. (Where libmvec lacks them the loops stay scalar, which is only slower.)
extern "C" {
__attribute__((__simd__("notinbranch"))) float erfcf(float) noexcept;
__attribute__((__simd__("notinbranch"))) float expf(float) noexcept;
}

namespace pz {

void layerNorm(const float* x, const float* gamma, const float* beta, float eps, int64_t rows, int64_t c, float* y, float* mean, float* rstd) {
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict px = x + r * c;
    float* __restrict py = y + r * c;
    // two passes over the row (it is in L1 after the first): the mean, then Σ(x − μ)², in double, so
    // that a row far from zero (|μ| ≫ σ) does not cancel
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < c; j++) s += px[j];
    const double m = s / (double)c;
    double ss = 0.0;
#pragma omp simd reduction(+ : ss)
    for (int64_t j = 0; j < c; j++) {
      const double d = (double)px[j] - m;
      ss += d * d;
    }
    const float mf = (float)m;
    const float inv = (float)(1.0 / std::sqrt(ss / (double)c + (double)eps));
    mean[r] = mf;
    rstd[r] = inv;
    if (gamma != nullptr && beta != nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) py[j] = (px[j] - mf) * inv * gamma[j] + beta[j];
    } else if (gamma != nullptr) {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) py[j] = (px[j] - mf) * inv * gamma[j];
    } else {
#pragma omp simd
      for (int64_t j = 0; j < c; j++) py[j] = (px[j] - mf) * inv + (beta != nullptr ? beta[j] : 0.f);
    }
  }
}

void layerNormGrad(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy, int64_t rows, int64_t c, float* dx, float* dgamma, float* dbeta) {
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict px = x + r * c;
    const float* __restrict pdy = dy + r * c;
    float* __restrict pdx = dx + r * c;
    const float m = mean[r], inv = rstd[r];
    // mean(g) and mean(g·x̂) of the row, g = dy·γ
    double sg = 0.0, sgx = 0.0;
#pragma omp simd reduction(+ : sg, sgx)
    for (int64_t j = 0; j < c; j++) {
      const float g = gamma != nullptr ? pdy[j] * gamma[j] : pdy[j];
      sg += g;
      sgx += g * ((px[j] - m) * inv);
    }
    const float a = (float)(sg / (double)c), b = (float)(sgx / (double)c);
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      const float g = gamma != nullptr ? pdy[j] * gamma[j] : pdy[j];
      pdx[j] = inv * (g - a - (px[j] - m) * inv * b);
    }
  }
  if (dgamma == nullptr && dbeta == nullptr) return;
  // dγ = Σ dy·x̂ and dβ = Σ dy over the rows (per-channel sums, thread-count independent)
  std::vector<double> sums(2 * (size_t)c);
  columnSums<2>(rows, c, sums.data(), [&](int64_t r, float* __restrict acc) {
    const float* __restrict px = x + r * c;
    const float* __restrict pdy = dy + r * c;
    float* __restrict acc2 = acc + c;
    const float m = mean[r], inv = rstd[r];
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      acc[j] += pdy[j] * ((px[j] - m) * inv);
      acc2[j] += pdy[j];
    }
  });
  for (int64_t j = 0; j < c; j++) {
    if (dgamma != nullptr) dgamma[j] = (float)sums[j];
    if (dbeta != nullptr) dbeta[j] = (float)sums[c + j];
  }
}

namespace {
constexpr float kRsqrt2 = 0.70710678118654752440f;     // 1/√2
constexpr float kRsqrt2Pi = 0.39894228040143267794f;   // 1/√(2π)
// Φ(x) = ½·erfc(−x/√2): exact in the lower tail too, where ½(1 + erf(x/√2)) is 0 below x ≈ −5.9
inline float normalCdf(float x) { return 0.5f * ::erfcf(-x * kRsqrt2); }
}  // namespace

void gelu(const float* x, float* y, int64_t n) {
  ewFor(n, [=](int64_t i) { y[i] = x[i] * normalCdf(x[i]); });
}

void geluGrad(const float* x, const float* dy, float* dx, int64_t n) {
  ewFor(n, [=](int64_t i) {
    const float v = x[i];
    dx[i] = dy[i] * (normalCdf(v) + v * kRsqrt2Pi * ::expf(-0.5f * v * v));
  });
}

void softmaxGrad(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict py = y + r * cols;
    const float* __restrict pdy = dy + r * cols;
    float* __restrict pdx = dx + r * cols;
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < cols; j++) s += pdy[j] * py[j];
    const float sf = (float)s;
#pragma omp simd
    for (int64_t j = 0; j < cols; j++) pdx[j] = py[j] * (pdy[j] - sf);
  }
}

void select(const uint8_t* cond, const float* a, const float* b, float* out, int64_t n) {
  ewFor(n, [=](int64_t i) { out[i] = cond[i] ? a[i] : b[i]; });
}

}  // namespace pz
