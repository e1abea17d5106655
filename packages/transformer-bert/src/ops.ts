/**
 * The two element-wise ops these models add to tfjs, composed from tfjs ops (differentiable to any order).
 * TODO(#15): replaced by @paperzoo/tensor's fused native kernels.
 */
import { tf } from '@paperzoo/tensor';

/** LayerNorm over the last axis (./layer-norm.ts has the equation): x [..., C], γ, β [C] → [..., C]. */
export function layerNorm(x: tf.Tensor, gamma?: tf.Tensor, beta?: tf.Tensor, epsilon = 1e-5): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    if (gamma) y = tf.mul(y, gamma);
    if (beta) y = tf.add(y, beta);
    return y;
  });
}

/** GELU, x·Φ(x) = x/2·(1 + erf(x/√2)) (Hendrycks & Gimpel 2016, arXiv:1606.08415; PyTorch's exact `nn.GELU()`). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}
