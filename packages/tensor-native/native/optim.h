// Fused optimizer kernels of the paperzoo native backend: one Adam/AdamW update per variable.
// Plain C++ over float32 arrays; no Node-API here.
#pragma once
#include <cstdint>

namespace pz {

// The float32 scalars of one Adam/AdamW step, each already rounded to float32 as tfjs rounds a JS
// number it multiplies by (see optim.cc).
struct AdamScalars {
  float gradScale;     // global-norm clipping factor (1 without clipping)
  float beta1;         // β₁
  float oneMinusBeta1; // 1 − β₁
  float beta2;         // β₂
  float oneMinusBeta2; // 1 − β₂
  float biasCorr1;     // 1 − β₁^t
  float biasCorr2;     // 1 − β₂^t
  float epsilon;       // ε
  float learningRate;  // η
  float decayFactor;   // θ's multiplier: 1 (Adam) or 1 − ηλ (AdamW)
};

// For n elements: g ← g·scale; m' = m·β₁ + g·(1 − β₁); v' = v·β₂ + g²·(1 − β₂);
// θ' = θ·decay − (m'/(1 − β₁^t))/(√(v'/(1 − β₂^t)) + ε)·η. Writes thetaOut, mOut, vOut.
void adamUpdate(const float* theta, const float* grad, const float* m, const float* v, int64_t n, const AdamScalars& s, float* thetaOut, float* mOut, float* vOut);

}  // namespace pz
