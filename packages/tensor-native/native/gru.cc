// The fused GRU cell of native/gru.h. Compiled with -ffast-math (like ew.cc and lstm.cc) so that the
// exp/tanh in the `omp simd` loops become glibc libmvec vector calls. Threads as in lstm.cc: rows are
// split over the OpenMP threads only when the cell is large (each row is computed by one thread, so
// the result does not depend on the thread count).
#include "gru.h"
#include "kernels.h"

#include <cmath>
#include <cstdint>

namespace pz {
namespace {

// Row r of xGates and hGates [rows, 3u]: the six [u] slices x_r, x_z, x_n, h_r, h_z, h_n.
struct GateRow {
  const float *xr, *xz, *xn, *hr, *hz, *hn;
  GateRow(const float* xGates, const float* hGates, int64_t r, int64_t u)
      : xr(xGates + r * 3 * u), xz(xr + u), xn(xr + 2 * u), hr(hGates + r * 3 * u), hz(hr + u), hn(hr + 2 * u) {}
};

// r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n) of unit j.
struct Gates {
  float r, z, n;
};
inline Gates activations(const GateRow& g, int64_t j) {
  const float r = sigmoid(g.xr[j] + g.hr[j]);
  return {r, sigmoid(g.xz[j] + g.hz[j]), std::tanh(g.xn[j] + r * g.hn[j])};
}

}  // namespace

void gruCell(const float* xGates, const float* hGates, const float* h, float* hNext, int64_t rows, int64_t units) {
  const int64_t u = units;
#pragma omp parallel for schedule(static) if (rows * u >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const GateRow g(xGates, hGates, r, u);
    const float* ph = h + r * u;
    float* po = hNext + r * u;
#pragma omp simd
    for (int64_t j = 0; j < u; j++) {
      const Gates a = activations(g, j);
      po[j] = a.n + a.z * (ph[j] - a.n);  // (1 − z)·n + z·h
    }
  }
}

// With r, z, n as above and a_n = x_n + r·h_n:
//   da_n = dy·(1 − z)·(1 − n²),  da_r = da_n·h_n·r(1 − r),  da_z = dy·(h − n)·z(1 − z)
//   dxGates = [da_r, da_z, da_n],  dhGates = [da_r, da_z, da_n·r],  dh = dy·z
void gruCellGrad(const float* xGates, const float* hGates, const float* h, const float* dhNext, float* dxGates, float* dhGates, float* dh, int64_t rows, int64_t units) {
  const int64_t u = units;
#pragma omp parallel for schedule(static) if (rows * u >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const GateRow g(xGates, hGates, r, u);
    const float* ph = h + r * u;
    const float* pdy = dhNext + r * u;
    float* dx = dxGates + r * 3 * u;  // [da_r | da_z | da_n]
    float* dhg = dhGates + r * 3 * u;  // [da_r | da_z | da_n·r]
    float* pdh = dh + r * u;
#pragma omp simd
    for (int64_t j = 0; j < u; j++) {
      const Gates a = activations(g, j);
      const float dy = pdy[j];
      const float dan = dy * (1.f - a.z) * (1.f - a.n * a.n);
      const float dar = dan * g.hn[j] * a.r * (1.f - a.r);
      const float daz = dy * (ph[j] - a.n) * a.z * (1.f - a.z);
      dx[j] = dhg[j] = dar;
      dx[u + j] = dhg[u + j] = daz;
      dx[2 * u + j] = dan;
      dhg[2 * u + j] = dan * a.r;
      pdh[j] = dy * a.z;
    }
  }
}

}  // namespace pz
