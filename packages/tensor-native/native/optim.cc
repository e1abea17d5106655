// Fused Adam/AdamW update (see optim.h). Compiled WITHOUT -ffast-math, with -ffp-contract=off and
// -fno-math-errno (binding.gyp's paperzoo_optim target): GCC contracts a·b + c into one fused
// multiply-add by default in C++, which rounds once where the composed tfjs ops round twice; without
// errno, √ vectorises (vsqrtps, still IEEE: √ of a negative is NaN). Here every operation is one IEEE
// float32 +, −, ×, ÷ or √ in the order of the composed ops of @paperzoo/core-autograd's Adam and AdamW
// (tf.mul, tf.add, tf.square, tf.div, tf.sqrt, tf.sub, each rounding to float32), so the result is the
// cpu backend's bit for bit: tfjs computes each of those ops in double and rounds to float32, which for
// +, −, ×, ÷ and √ of float32 operands equals the float32 operation (double has > 2·24 + 2 bits).
// Elements are independent, so the result does not depend on the thread count either.
#include "optim.h"
#include "kernels.h"

#include <cmath>
#include <cstdint>

namespace pz {

void adamUpdate(const float* theta, const float* grad, const float* m, const float* v, int64_t n, const AdamScalars& s, float* thetaOut, float* mOut, float* vOut) {
  const AdamScalars c = s;  // by value: the lambda captures floats, not a reference
  ewFor(n, [=](int64_t i) {
    const float g = grad[i] * c.gradScale;
    const float m1 = m[i] * c.beta1 + g * c.oneMinusBeta1;
    const float v1 = v[i] * c.beta2 + (g * g) * c.oneMinusBeta2;
    const float mHat = m1 / c.biasCorr1;
    const float vHat = v1 / c.biasCorr2;
    const float d = mHat / (std::sqrt(vHat) + c.epsilon);
    mOut[i] = m1;
    vOut[i] = v1;
    thetaOut[i] = theta[i] * c.decayFactor - d * c.learningRate;
  });
}

}  // namespace pz
