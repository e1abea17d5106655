// Training-time fused kernels of the paperzoo native backend: batch normalisation with batch
// statistics (forward and backward in two passes each) and the gradients of relu, tanh and sigmoid.
#pragma once
#include <cstdint>

namespace pz {

enum ActGrad { G_RELU, G_TANH, G_SIGMOID, G_LEAKYRELU };

/** dx from dy and v (relu: the input x; tanh, sigmoid: the output y); n elements. */
void activationGrad(int op, const float* dy, const float* v, float* dx, int64_t n, float alpha);

/** y = (x − μ)/√(σ² + ε)·scale + offset over [rows, c] with μ, σ² (biased) of x's columns, written to mean/var. */
void batchNormTrain(const float* x, const float* scale, const float* offset, float eps, int64_t rows, int64_t c, float* y, float* mean, float* var);

/** The gradient of batchNormTrain: dx, dscale, doffset from dy [rows, c] and the outputs' gradients dmean, dvar [c] (may be null). */
void batchNormTrainGrad(const float* x, const float* scale, const float* mean, const float* var, const float* dy, const float* dmean, const float* dvar, float eps,
                        int64_t rows, int64_t c, float* dx, float* dscale, float* doffset);

}  // namespace pz
