// Fused training kernels (see train.h). Channels-last [rows, c] arrays; per-channel sums accumulate in
// double per thread, the threads splitting the rows; OpenMP only when the array is large enough.
//
// Batch normalisation, Ioffe & Szegedy 2015, Algorithm 1, with m = rows values per channel:
//   μ = (1/m) Σ x,  σ² = (1/m) Σ (x − μ)²,  x̂ = (x − μ)·inv, inv = 1/√(σ² + ε),  y = γ·x̂ + β
// and its gradient (the paper's §3 backward pass, collapsed), for upstream dy and the gradients dμ, dσ²
// reaching the statistics directly (zero unless the caller differentiates through them):
//   dβ = Σ dy,  dγ = Σ dy·x̂,
//   dx = γ·inv·(dy − dβ/m − x̂·dγ/m) + dμ/m + dσ²·2(x − μ)/m
#include "train.h"
#include "kernels.h"
#include "sums.h"

#include <omp.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <vector>

namespace pz {

void activationGrad(int op, const float* dy, const float* v, float* dx, int64_t n, float alpha) {
  switch (op) {
    // relu′(x) = step(x): 1 for x > 0, else 0; a NaN input gives NaN (tfjs: dy·step(x), step(NaN) = NaN)
    case G_RELU:
      ewFor(n, [=](int64_t i) { dx[i] = isNan(v[i]) ? v[i] : (v[i] > 0.f ? dy[i] : 0.f * dy[i]); });
      break;
    // tanh′ = 1 − y²
    case G_TANH:
      ewFor(n, [=](int64_t i) { dx[i] = dy[i] * (1.f - v[i] * v[i]); });
      break;
    // σ′ = y·(1 − y)
    case G_SIGMOID:
      ewFor(n, [=](int64_t i) { dx[i] = dy[i] * (v[i] * (1.f - v[i])); });
      break;
    // leakyRelu′(x) = 1 for x > 0, else α (NaN included), as tfjs: where(x > 0, dy, dy·α)
    case G_LEAKYRELU:
      ewFor(n, [=](int64_t i) { dx[i] = v[i] > 0.f ? dy[i] : dy[i] * alpha; });
      break;
    default: break;
  }
}

void batchNormTrain(const float* x, const float* scale, const float* offset, float eps, int64_t rows, int64_t c, float* y, float* mean, float* var) {
  // One pass for Σ(x − k) and Σ(x − k)² with k = the first row (a shift that keeps E[x²] − E[x]² from
  // cancelling when |μ| ≫ σ), then one pass writing y.
  std::vector<double> sums(2 * (size_t)c);
  const float* k = x;
  columnSums<2>(rows, c, sums.data(), [&](int64_t r, float* __restrict acc) {
    const float* __restrict px = x + r * c;
    float* __restrict acc2 = acc + c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      const float d = px[j] - k[j];
      acc[j] += d;
      acc2[j] += d * d;
    }
  });
  for (int64_t j = 0; j < c; j++) {
    const double m = sums[j] / rows;
    mean[j] = (float)(m + k[j]);
    var[j] = (float)std::max(0.0, sums[c + j] / rows - m * m);
  }
  // y = (x − μ)·γ/√(σ² + ε) + β: the inference kernel, with these statistics (ew.cc)
  batchNorm(x, mean, var, offset, scale, y, rows, c, eps);
}

void batchNormTrainGrad(const float* x, const float* scale, const float* mean, const float* var, const float* dy, const float* dmean, const float* dvar, float eps,
                        int64_t rows, int64_t c, float* dx, float* dscale, float* doffset) {
  std::vector<float> inv(c);
  for (int64_t j = 0; j < c; j++) inv[j] = (float)(1.0 / std::sqrt((double)var[j] + eps));
  // pass 1: Σ dy and Σ dy·(x − μ)
  std::vector<double> sums(2 * (size_t)c);
  columnSums<2>(rows, c, sums.data(), [&](int64_t r, float* __restrict acc) {
    const float* __restrict px = x + r * c;
    const float* __restrict pdy = dy + r * c;
    float* __restrict acc2 = acc + c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) {
      acc[j] += pdy[j];
      acc2[j] += pdy[j] * (px[j] - mean[j]);
    }
  });
  // dx = a·dy + b·(x − μ) + d per channel, with
  //   a = γ·inv,  b = −γ·inv³·Σdy(x − μ)/m + 2dσ²/m,  d = −γ·inv·Σdy/m + dμ/m
  std::vector<float> a(c), b(c), d(c);
  for (int64_t j = 0; j < c; j++) {
    const double s = scale ? scale[j] : 1.0;
    const double iv = inv[j];
    const double sdy = sums[j], sdyx = sums[c + j];
    doffset[j] = (float)sdy;
    dscale[j] = (float)(sdyx * iv);
    a[j] = (float)(s * iv);
    b[j] = (float)(-s * iv * iv * iv * sdyx / rows + (dvar ? 2.0 * dvar[j] / rows : 0.0));
    d[j] = (float)(-s * iv * sdy / rows + (dmean ? dmean[j] / (double)rows : 0.0));
  }
  const float *pa = a.data(), *pb = b.data(), *pd = d.data();
#pragma omp parallel for schedule(static) if (rows * c >= kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float* px = x + r * c;
    const float* pdy = dy + r * c;
    float* pdx = dx + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; j++) pdx[j] = pa[j] * pdy[j] + pb[j] * (px[j] - mean[j]) + pd[j];
  }
}

}  // namespace pz
