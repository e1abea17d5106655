// Fused kernels of transformer training (GPT, BERT): layer normalisation over the last axis and the
// exact GELU, forward and backward. Plain C++ over float32 arrays; no Node-API here.
#pragma once
#include <cstdint>

namespace pz {

// Layer norm of each row of x [rows, c] (Ba et al. 2016, eq. 4; PyTorch nn.LayerNorm: biased variance,
// ε inside the square root): μ, σ² of the row, rstd = 1/√(σ² + ε), y = (x − μ)·rstd·γ + β. gamma and
// beta [c] may be null (1 and 0). Writes y [rows, c], mean [rows] and rstd [rows] (saved for backward).
void layerNorm(const float* x, const float* gamma, const float* beta, float eps, int64_t rows, int64_t c, float* y, float* mean, float* rstd);

// Its gradient from the saved mean and rstd and the upstream dy [rows, c]: dx [rows, c] and, where not
// null, dgamma = Σ_rows dy·x̂ and dbeta = Σ_rows dy [c].
void layerNormGrad(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy, int64_t rows, int64_t c, float* dx, float* dgamma, float* dbeta);

// GELU(x) = x·Φ(x) (Hendrycks & Gimpel 2016) over n elements, Φ from erfc (exact in both tails).
void gelu(const float* x, float* y, int64_t n);

// dx = dy·(Φ(x) + x·φ(x)), φ(x) = exp(−x²/2)/√(2π).
void geluGrad(const float* x, const float* dy, float* dx, int64_t n);

// dx = y·(dy − Σ_j dy·y) per row of [rows, cols]: the gradient of a softmax over the last axis from its output y.
void softmaxGrad(const float* y, const float* dy, float* dx, int64_t rows, int64_t cols);

// out[i] = cond[i] ? a[i] : b[i] (tf.where of same-shaped operands; cond is a bool tensor's bytes).
void select(const uint8_t* cond, const float* a, const float* b, float* out, int64_t n);

}  // namespace pz
