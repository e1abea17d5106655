// The fused LSTM cell and softmax cross-entropy of native/lstm.h. Compiled with -ffast-math (like
// ew.cc) so that the exp/tanh/log in the `omp simd` loops become glibc libmvec vector calls.
//
// One LSTM step of the benchmark's language model is [20, 800] gates: far below the size where a
// second OpenMP thread pays, so the cell loops run on the calling thread unless the batch is large.
// Cross-entropy over a 10 000-word vocabulary is [400, 10 000]: split by rows over the threads.
#include "lstm.h"
#include "kernels.h"

#include <cmath>
#include <cstdint>

namespace pz {

void lstmCell(const float* gates, const float* c, float* h, float* cNext, int64_t rows, int64_t units) {
  const int64_t u = units;
#pragma omp parallel for schedule(static) if (rows * u >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* gi = gates + r * 4 * u;  // [u] each: i, f, g, o
    const float* gf = gi + u;
    const float* gg = gi + 2 * u;
    const float* go = gi + 3 * u;
    const float* pc = c + r * u;
    float* ph = h + r * u;
    float* pn = cNext + r * u;
#pragma omp simd
    for (int64_t j = 0; j < u; j++) {
      const float cn = sigmoid(gf[j]) * pc[j] + sigmoid(gi[j]) * std::tanh(gg[j]);
      pn[j] = cn;
      ph[j] = sigmoid(go[j]) * std::tanh(cn);
    }
  }
}

// With si = σ(i), sf = σ(f), tg = tanh(g), so = σ(o), tc = tanh(cNext):
//   dcN = dcNext + dh·so·(1 − tc²)          (cNext reaches the loss directly and through h)
//   di = dcN·tg·si(1 − si),  df = dcN·c·sf(1 − sf),  dg = dcN·si·(1 − tg²),  do = dh·tc·so(1 − so)
//   dc = dcN·sf
void lstmCellGrad(const float* gates, const float* c, const float* dh, const float* dcNext, float* dgates, float* dc, int64_t rows, int64_t units) {
  const int64_t u = units;
#pragma omp parallel for schedule(static) if (rows * u >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* gi = gates + r * 4 * u;
    const float* gf = gi + u;
    const float* gg = gi + 2 * u;
    const float* go = gi + 3 * u;
    const float* pc = c + r * u;
    const float* pdh = dh + r * u;
    const float* pdn = dcNext + r * u;
    float* di = dgates + r * 4 * u;
    float* df = di + u;
    float* dg = di + 2 * u;
    float* dout = di + 3 * u;
    float* pdc = dc + r * u;
#pragma omp simd
    for (int64_t j = 0; j < u; j++) {
      const float si = sigmoid(gi[j]), sf = sigmoid(gf[j]), tg = std::tanh(gg[j]), so = sigmoid(go[j]);
      const float tc = std::tanh(sf * pc[j] + si * tg);
      const float dcn = pdn[j] + pdh[j] * so * (1.f - tc * tc);
      di[j] = dcn * tg * si * (1.f - si);
      df[j] = dcn * pc[j] * sf * (1.f - sf);
      dg[j] = dcn * si * (1.f - tg * tg);
      dout[j] = pdh[j] * tc * so * (1.f - so);
      pdc[j] = dcn * sf;
    }
  }
}

void softmaxCrossEntropy(const float* x, const float* l, float* loss, float* stats, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* px = x + r * cols;
    const float* pl = l + r * cols;
    float m = px[0];
    for (int64_t j = 1; j < cols; j++) m = px[j] > m ? px[j] : m;
    float s = 0.f, sl = 0.f, slx = 0.f;
#pragma omp simd reduction(+ : s, sl, slx)
    for (int64_t j = 0; j < cols; j++) {
      const float shifted = px[j] - m;
      s += std::exp(shifted);
      sl += pl[j];
      slx += pl[j] * shifted;
    }
    const float logs = std::log(s);
    loss[r] = logs * sl - slx;  // −Σ l·((x − m) − log s)
    stats[3 * r] = m;
    stats[3 * r + 1] = logs;
    stats[3 * r + 2] = sl;
  }
}

void softmaxCrossEntropyGrad(const float* x, const float* l, const float* stats, const float* dy, float* out, int64_t rows, int64_t cols, int part) {
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMin && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* px = x + r * cols;
    const float* pl = l + r * cols;
    float* po = out + r * cols;
    const float m = stats[3 * r], logs = stats[3 * r + 1], sl = stats[3 * r + 2], d = dy[r];
    if (part == 0) {
      const float k = d * sl;
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) po[j] = k * std::exp(px[j] - m - logs) - d * pl[j];
    } else {
#pragma omp simd
      for (int64_t j = 0; j < cols; j++) po[j] = -d * (px[j] - m - logs);
    }
  }
}

}  // namespace pz
