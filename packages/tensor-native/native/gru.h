// The fused GRU cell (forward and backward) in PyTorch's "reset after" variant, gate order r, z, n.
// Plain C++ over float32 arrays; no Node-API here.
#pragma once
#include <cstdint>

namespace pz {

// GRU cell over `rows` independent rows of `units` cells. xGates = x·W_ih + b_ih and
// hGates = h·W_hh + b_hh, both [rows, 3·units]; h [rows, units] the previous state.
// r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), hNext = (1 − z)·n + z·h.
void gruCell(const float* xGates, const float* hGates, const float* h, float* hNext, int64_t rows, int64_t units);

// The cell's backward pass from the same inputs (activations recomputed) and the incoming gradient
// dhNext [rows, units]: dxGates, dhGates [rows, 3·units] and dh [rows, units].
void gruCellGrad(const float* xGates, const float* hGates, const float* h, const float* dhNext, float* dxGates, float* dhGates, float* dh, int64_t rows, int64_t units);

}  // namespace pz
