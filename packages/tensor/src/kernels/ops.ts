/**
 * Drop-in replacements for the two tfjs ops whose gradients cannot be fixed by registering a gradient:
 * `tf.logSoftmax` and `tf.losses.softmaxCrossEntropy` are `tf.customGrad` ops whose backward pass reads
 * a value saved inside the op, so a gradient taken *through their gradient* (MAML's meta-gradient,
 * Hessian-vector products, gradient penalties) is silently wrong on every backend (BACKENDS.md).
 *
 * These are written with plain kernels (max, sub, exp, sum, log, mul), whose gradients paperzoo makes
 * differentiable to any order. First-order values and gradients equal tfjs' (same formulas, the same
 * max-shift for stability).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * log softmax(x) along `axis` (default: last) = x − log Σ exp(x) = (x − m) − log Σ exp(x − m), m = max x.
 * Like `tf.logSoftmax`, but differentiable to any order.
 */
export function logSoftmax<T extends tf.Tensor>(logits: T, axis = -1): T {
  return tf.tidy(() => {
    const dim = axis < 0 ? logits.rank + axis : axis;
    // The max only shifts for stability; its gradient contributions cancel exactly.
    const shifted = tf.sub(logits, tf.max(logits, dim, true));
    return tf.sub<T>(shifted, tf.log(tf.sum(tf.exp(shifted), dim, true)));
  });
}

/**
 * Softmax cross-entropy of one-hot (or soft) labels and logits, averaged over all but the last axis:
 * mean_b −Σ_c labels[b, c]·log softmax(logits)[b, c]. The value `tf.losses.softmaxCrossEntropy(labels,
 * logits)` gives with its defaults, but differentiable to any order.
 */
export function softmaxCrossEntropy(onehotLabels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perExample = tf.neg(tf.sum(tf.mul(tf.cast(onehotLabels, 'float32'), logSoftmax(logits)), -1)); // [...batch]
    return tf.mean(perExample);
  });
}
