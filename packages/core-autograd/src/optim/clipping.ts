/**
 * Gradient clipping, by value and by global norm.
 *
 * R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural networks",
 * ICML 2013, https://arxiv.org/abs/1211.5063, §3.2, Algorithm 1 (norm clipping over all parameters):
 *
 *   ‖g‖ = √(Σ_i ‖g_i‖²);   if ‖g‖ > c:  g_i ← g_i · c/‖g‖          (clipByGlobalNorm)
 *
 * and elementwise clipping (T. Mikolov's PhD thesis, 2012, the form Pascanu et al. compare against):
 *
 *   g ← min(max(g, −c), c)                                          (clipByValue)
 */
import { tf } from '@paperzoo/tensor';

function checkThreshold(c: number, what: string): void {
  if (!Number.isFinite(c) || c <= 0) throw new RangeError(`${what} must be a finite number > 0, got ${c}`);
}

/** √(Σ_i ‖g_i‖²) over a list of tensors, as a scalar tensor. */
export function globalNorm(grads: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/** Clip every element of every tensor to [−c, c]; returns new tensors (the caller disposes them). */
export function clipByValue(grads: readonly tf.Tensor[], c: number): tf.Tensor[] {
  checkThreshold(c, 'clipValue');
  return grads.map((g) => tf.clipByValue(g, -c, c));
}

/**
 * Scale all tensors together by min(1, c/‖g‖) so their global norm is at most `c`. Returns new tensors
 * and the norm before clipping (the caller disposes all of them).
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], c: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const { scale, norm } = globalNormScale(grads, c);
  const clipped = tf.tidy(() => grads.map((g) => tf.mul(g, scale)));
  scale.dispose();
  return { grads: clipped, norm };
}

/**
 * The factor of {@link clipByGlobalNorm}, min(1, c/‖g‖), not yet applied (g_i · scale is the clipped
 * g_i), and the norm before clipping; the caller disposes both.
 */
export function globalNormScale(grads: readonly tf.Tensor[], c: number): { scale: tf.Scalar; norm: tf.Scalar } {
  checkThreshold(c, 'clipNorm');
  const norm = globalNorm(grads);
  const scale = tf.tidy(() => tf.minimum<tf.Scalar>(1, tf.div(c, norm))); // 1 when ‖g‖ ≤ c (also when ‖g‖ = 0: c/0 = ∞)
  return { scale, norm };
}
