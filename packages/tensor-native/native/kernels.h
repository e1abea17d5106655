// The kernels of the paperzoo native backend (plain C++ over float32 arrays; no Node-API here).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pz {

/**
 * Below this many elements a loop runs on one thread: waking the other costs more than it saves. The
 * wake-up is a few µs on an idle machine but up to a scheduler tick when the other core is busy (an add
 * of 40,000 floats: 10–20 µs on one thread, ~800 µs split while a test ran on the other core; MAML's
 * per-task weights [25, 40, 40] are that size), so the cut is where one thread takes ~40 µs.
 */
constexpr int64_t kParallelMin = 1 << 17;

/**
 * Runs f(i) for i in [0, n) as a vector loop, split over the OpenMP threads when n ≥ kParallelMin.
 * Not `#pragma omp parallel for simd if (n >= kParallelMin)`: GCC 12 runs that loop unvectorised
 * when the condition is false (scalar tanhf: 147 µs for tanh of 7 680 elements, 19 ns each, against
 * 12 µs for 32 768 elements split over two threads).
 */
template <typename F>
inline void ewFor(int64_t n, F f) {
  if (n >= kParallelMin) {
#pragma omp parallel
    {
      // Each thread's own copy: read through the shared one, the captured pointers are reloaded on
      // every iteration (a store to the output may alias them) and the loop does not vectorise
      // (relu's gradient on 2M elements: 5.2 ms instead of 0.37).
      const F local = f;
#pragma omp for simd schedule(static)
      for (int64_t i = 0; i < n; i++) local(i);
    }
  } else {
#pragma omp simd
    for (int64_t i = 0; i < n; i++) f(i);
  }
}

/**
 * NaN test on the bits. -ffast-math (ew.cc, lstm.cc) lets the compiler assume there are no NaNs, so a
 * comparison like `x > 0` may fold a NaN into either branch; this cannot be folded away. Clamping ops
 * pass a NaN through unchanged, as tfjs's cpu and wasm backends do (a NaN loss must stay visible).
 */
inline bool isNan(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return (u & 0x7fffffffu) > 0x7f800000u;
}

/**
 * σ(x) = 1/(1 + e^(−x)); in the -ffast-math files (ew.cc, lstm.cc) the exp vectorises. The exponent is
 * clamped at 88 (e^88 ≈ 1.7·10³⁸, still finite): under -ffast-math 1/(1 + ∞) came out NaN, not 0, so every
 * x below about −88 gave σ(x) = NaN (found 2026-12-07: the 2014 GAN's sigmoid output layer turned NaN after
 * ~1,000 iterations). A NaN input stays NaN.
 */
inline float sigmoid(float x) { return isNan(x) ? x : 1.f / (1.f + std::exp(std::min(-x, 88.f))); }


enum Unary { U_RELU, U_RELU6, U_TANH, U_SIGMOID, U_EXP, U_LOG, U_NEG, U_SQRT, U_RSQRT, U_SQUARE, U_ABS, U_RECIPROCAL, U_STEP, U_ELU, U_LEAKYRELU, U_SOFTPLUS, U_ERF };
enum Binary { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF };
enum Activation { A_LINEAR, A_RELU, A_RELU6, A_ELU, A_LEAKYRELU, A_SIGMOID, A_TANH };
enum Reduce { R_SUM, R_MAX, R_MIN };

void unary(int op, const float* x, float* y, int64_t n, float alpha);
/** Sqrt, Rsqrt, Reciprocal without reciprocal estimates, and Erf as libm's erff (ew-exact.cc). */
void unaryExact(int op, const float* x, float* y, int64_t n);
void binary(int op, const float* a, const float* b, float* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb);
enum Compare { C_GREATER, C_GREATER_EQUAL, C_LESS, C_LESS_EQUAL, C_EQUAL, C_NOT_EQUAL };
/** out = a op b as bool (1/0) over the same collapsed broadcast as binary; IEEE comparisons (NaN: false, NotEqual true). */
void compare(int op, const float* a, const float* b, uint8_t* out, int rank, const int64_t* shape, const int64_t* sa, const int64_t* sb);
/** out = !x for bool x. */
void logicalNot(const uint8_t* x, uint8_t* out, int64_t n);
void batchNorm(const float* x, const float* mean, const float* var, const float* offset, const float* scale, float* y, int64_t rows, int64_t c, float eps);
void softmax(const float* x, float* y, int64_t rows, int64_t cols, bool logSoftmax);
void biasActivation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha);

}  // namespace pz
