// Column sums over [rows, c] arrays, shared by the reductions (dense.cc) and batch norm (train.cc).
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels.h"

namespace pz {

/**
 * Per-channel sums of K quantities over the rows of [rows, c]: out[q·c + j] = Σ_r f_q(r, j). The
 * threads split the rows; `rowTerms(r, acc)` adds row r's terms into float accumulators acc[K·c],
 * which are flushed into double every kBlock rows (float sums of 32 terms, vectorised; double across
 * blocks and threads).
 */
constexpr int64_t kBlock = 32;
template <int K, typename F>
void columnSums(int64_t rows, int64_t c, double* out, F rowTerms) {
  const int threads = rows * c >= kParallelMin && !omp_in_parallel() ? omp_get_max_threads() : 1;
  std::vector<double> partial((size_t)threads * K * c, 0.0);
#pragma omp parallel num_threads(threads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    double* acc = partial.data() + (size_t)t * K * c;
    std::vector<float> block((size_t)K * c);
    const int64_t from = rows * t / nt, to = rows * (t + 1) / nt;
    for (int64_t r0 = from; r0 < to; r0 += kBlock) {
      std::fill(block.begin(), block.end(), 0.f);
      const int64_t r1 = std::min(to, r0 + kBlock);
      for (int64_t r = r0; r < r1; r++) rowTerms(r, block.data());
      for (int64_t q = 0; q < (int64_t)K * c; q++) acc[q] += block[q];
    }
  }
  for (int64_t q = 0; q < (int64_t)K * c; q++) {
    double s = 0.0;
    for (int t = 0; t < threads; t++) s += partial[(size_t)t * K * c + q];
    out[q] = s;
  }
}

}  // namespace pz
