// Elementwise kernels that must be exact at the edges of float32: square roots, reciprocals and the
// binary arithmetic (Add, Sub, Mul, Div, Maximum, Minimum, SquaredDifference). Compiled WITHOUT
// -ffast-math (binding.gyp): under it GCC replaces √x by x·rsqrt(x) and p/q by p·rcp(q), hardware
// estimates that treat a subnormal as 0 — √(1e-40) came out −Inf instead of 1e-20, 1/1e-40 NaN
// instead of Inf, and an Adam step on a tiny second moment turned a weight to NaN. They still
// vectorise (plain IEEE sqrtps/divps). ew.cc keeps -ffast-math for exp, tanh and log (libmvec).
#include "kernels.h"

#include <cmath>
#include <cstdint>

// erff's vector variants in glibc's libmvec (≥ 2.35), which <math.h> declares only under -ffast-math
// (see transformer.cc): the Erf loop calls _ZGVdN8v_erff and keeps IEEE semantics.
extern "C" __attribute__((__simd__("notinbranch"))) float erff(float) noexcept;
extern "C" __attribute__((__simd__("notinbranch"))) float erfcf(float) noexcept;

namespace pz {

void unaryExact(int op, const float* x, float* y, int64_t n) {
  switch (op) {
    case U_SQRT: ewFor(n, [=](int64_t i) { y[i] = std::sqrt(x[i]); }); break;
    case U_RSQRT: ewFor(n, [=](int64_t i) { y[i] = 1.f / std::sqrt(x[i]); }); break;
    case U_RECIPROCAL: ewFor(n, [=](int64_t i) { y[i] = 1.f / x[i]; }); break;
    // erf from libm(vec) (tfjs' cpu kernel uses Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7). For |x| ≥ 1 as
    // ±(1 − erfc|x|): glibc 2.36's 16-lane erff (AVX-512) was 4 ulps off in the tail (x = −3.65: 2.4e-7, measured
    // over 200,001 points), its erfcf is accurate there and 1 − erfc rounds to within ~½ ulp of erf.
    case U_ERF: ewFor(n, [=](int64_t i) {
      const float v = x[i], a = std::fabs(v), tail = std::copysign(1.f - ::erfcf(a), v);
      y[i] = a < 1.f ? ::erff(v) : tail;  // NaN: a < 1 is false and the tail is NaN
    }); break;
    default: break;
  }
}

// out = a op b over a collapsed broadcast: `rank` dims (outer to inner) of size shape[d], with
// element strides sa[d], sb[d] (0 where that operand is broadcast). The innermost dim is the
// vector loop; the outer dims are flattened and split over the threads.
/** Rows shorter than this are tiled into a block of at least this many elements (binaryLoop). */
constexpr int64_t kTileMin = 256;

/** out[i] for i past the last whole block of binaryLoop's tiled case: `tile` repeats from `start`. */
template <typename T, typename F>
static inline void tiledTail(T* out, const float* full, const float* tile, bool aFull, int64_t start, int64_t i, F f) {
  out[i] = aFull ? f(full[i], tile[i - start]) : f(tile[i - start], full[i]);
}

template <typename T, typename F>
static void binaryLoop(const float* a, const float* b, T* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb, F f) {
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
      T* __restrict po = out + k * len;
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
    T* po = out + o * inner;
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

// Comparisons: here, not in ew.cc, because -ffast-math would let GCC assume no NaN (p < NaN must be false).
void compare(int op, const float* a, const float* b, uint8_t* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb) {
  switch (op) {
    case C_GREATER: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p > q; }); break;
    case C_GREATER_EQUAL: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p >= q; }); break;
    case C_LESS: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p < q; }); break;
    case C_LESS_EQUAL: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p <= q; }); break;
    case C_EQUAL: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p == q; }); break;
    case C_NOT_EQUAL: binaryLoop(a, b, out, rank, shape, sa, sb, [](float p, float q) -> uint8_t { return p != q; }); break;
    default: break;
  }
}

void logicalNot(const uint8_t* x, uint8_t* out, int64_t n) {
  ewFor(n, [=](int64_t i) { out[i] = x[i] ? 0 : 1; });
}

}  // namespace pz
