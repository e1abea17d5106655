// Column sums over [rows, c] arrays, shared by the reductions (dense.cc) and batch norm (train.cc).
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels.h"

namespace pz {

/**
 * Per-channel sums of K quantities over the rows of [rows, c]: out[q·c + j] = Σ_r f_q(r, j).
 * `rowTerms(r, acc)` adds row r's terms into float accumulators acc[K·c], which are flushed into
 * double every kBlock rows (float sums of 32 terms, vectorised; double across blocks and chunks).
 *
 * The result does not depend on the thread count: the rows are cut into at most kChunks chunks whose
 * bounds depend only on `rows` (multiples of kBlock), each chunk is summed into its own double
 * accumulators by whichever thread takes it, and the chunks are added in order at the end. (Splitting
 * the rows per thread, as before, moved the float blocks' bounds and the order of the double additions
 * with the thread count: 1 and 2 threads gave different last bits for a bias gradient.)
 */
constexpr int64_t kBlock = 32;
constexpr int64_t kChunks = 16;
template <int K, typename F>
void columnSums(int64_t rows, int64_t c, double* out, F rowTerms) {
  const int64_t perChunk = std::max<int64_t>(kBlock, ((rows + kChunks - 1) / kChunks + kBlock - 1) / kBlock * kBlock);
  const int64_t chunks = rows > 0 ? (rows + perChunk - 1) / perChunk : 0;
  const int threads = rows * c >= kParallelMin && !omp_in_parallel() ? (int)std::min<int64_t>(omp_get_max_threads(), chunks) : 1;
  // The same chunks and order on one thread, without a parallel region or heap buffers: a batch of small
  // sums (MAML's bias gradients over [25, 10, 40]: 25 calls) paid ~3 µs each for those.
  thread_local std::vector<double> partial;
  partial.assign((size_t)std::max<int64_t>(chunks, 1) * K * c, 0.0);
  double* const shared = partial.data();  // thread_local: a team thread reaches the caller's buffer through this
  auto chunk = [=, &rowTerms](int64_t ch, float* block) {
    double* acc = shared + (size_t)ch * K * c;
    const int64_t from = ch * perChunk, to = std::min(rows, from + perChunk);
    for (int64_t r0 = from; r0 < to; r0 += kBlock) {
      std::fill(block, block + K * c, 0.f);
      const int64_t r1 = std::min(to, r0 + kBlock);
      for (int64_t r = r0; r < r1; r++) rowTerms(r, block);
      for (int64_t q = 0; q < (int64_t)K * c; q++) acc[q] += block[q];
    }
  };
  if (threads <= 1) {
    thread_local std::vector<float> block;
    block.resize((size_t)K * c);
    for (int64_t ch = 0; ch < chunks; ch++) chunk(ch, block.data());
  } else {
#pragma omp parallel num_threads(threads)
    {
      std::vector<float> block((size_t)K * c);
#pragma omp for schedule(static)
      for (int64_t ch = 0; ch < chunks; ch++) chunk(ch, block.data());
    }
  }
  for (int64_t q = 0; q < (int64_t)K * c; q++) {
    double s = 0.0;
    for (int64_t ch = 0; ch < chunks; ch++) s += partial[(size_t)ch * K * c + q];
    out[q] = s;
  }
}

}  // namespace pz
