/**
 * WGAN-GP's gradient penalty — I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS
 * 2017, https://arxiv.org/abs/1704.00028, Alg. 1 lines 4–7 and eq. 3:
 *
 *   x̂ = ε x + (1 − ε) x̃,  ε ~ U[0, 1] per example,
 *   L = D(x̃) − D(x) + λ (‖∇_x̂ D(x̂)‖₂ − 1)²,  λ = 10.
 *
 * The penalty differentiates the critic's input gradient with respect to the critic's parameters: a
 * second-order gradient through every critic kernel (it needs @paperzoo/tensor's second-order
 * gradients). The critic must not use batch norm (§4: the penalty is per example; they use layer norm
 * or none).
 *
 * Shapes: x, fake [n, ...]; epsilon [n] (drawn by the caller's seeded RNG so runs are exact).
 */
import { tf } from '@paperzoo/tensor';

/** Interpolates x̂ = ε x + (1 − ε) x̃ between real and fake examples, ε [n] broadcast over each example. */
export function interpolate(x: tf.Tensor, fake: tf.Tensor, epsilon: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const e = tf.reshape(epsilon, [x.shape[0], ...x.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(e, x), tf.mul(tf.sub(1, e), fake));
  });
}

/** ‖∇_x̂ Σ_i D(x̂_i)‖₂ per example: [n]. Differentiable with respect to the critic's parameters. */
export function criticGradientNorms(critic: (x: tf.Tensor) => tf.Tensor, xHat: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const g = tf.grad((v: tf.Tensor) => tf.sum(critic(v)))(xHat);
    const flat = tf.reshape(g, [g.shape[0], -1]);
    // the 1e-12 keeps the norm's gradient finite at g = 0
    return tf.sqrt(tf.add(tf.sum(tf.square(flat), 1), 1e-12));
  });
}

/** λ · mean_i (‖∇D(x̂_i)‖₂ − 1)² on the interpolates of x and fake (Gulrajani et al. Alg. 1), a scalar. */
export function gradientPenalty(critic: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, fake: tf.Tensor, epsilon: tf.Tensor, lambda = 10): tf.Scalar {
  return tf.tidy(() => {
    const norms = criticGradientNorms(critic, interpolate(x, fake, epsilon));
    return tf.mul<tf.Scalar>(lambda, tf.mean(tf.square(tf.sub(norms, 1))));
  });
}
