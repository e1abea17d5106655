// Fused kernels of recurrent language models: the LSTM cell (forward and backward) and softmax
// cross-entropy (forward and backward). Plain C++ over float32 arrays; no Node-API here.
#pragma once
#include <cstdint>

namespace pz {

// LSTM cell over `rows` independent rows of `units` cells. gates [rows, 4·units] are the
// pre-activations in gate order i, f, g, o; c [rows, units] the previous cell state.
// cNext = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(cNext).
void lstmCell(const float* gates, const float* c, float* h, float* cNext, int64_t rows, int64_t units);

// The cell's backward pass from the same inputs (activations recomputed) and the incoming gradients
// dh, dcNext [rows, units]: dgates [rows, 4·units] and dc [rows, units].
void lstmCellGrad(const float* gates, const float* c, const float* dh, const float* dcNext, float* dgates, float* dc, int64_t rows, int64_t units);

// Softmax cross-entropy per row of logits x and labels l, both [rows, cols]:
// loss[r] = −Σ_j l[r, j]·log softmax(x[r])_j, computed as log s·Σl − Σ l·(x − m) with m = max x[r],
// s = Σ exp(x[r] − m). stats [rows, 3] keeps (m, log s, Σl) for the backward pass.
void softmaxCrossEntropy(const float* x, const float* l, float* loss, float* stats, int64_t rows, int64_t cols);

// Backward of the above for the per-row gradient dy [rows]:
// part 0 (logits): out = dy·(softmax(x)·Σl − l); part 1 (labels): out = −dy·log softmax(x).
void softmaxCrossEntropyGrad(const float* x, const float* l, const float* stats, const float* dy, float* out, int64_t rows, int64_t cols, int part);

}  // namespace pz
