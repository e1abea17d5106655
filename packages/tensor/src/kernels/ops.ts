/**
 * Drop-in replacements for the two tfjs ops whose gradients cannot be fixed by registering a gradient:
 * `tf.logSoftmax` and `tf.losses.softmaxCrossEntropy` are `tf.customGrad` ops whose backward pass reads
 * a value saved inside the op, so a gradient taken *through their gradient* (MAML's meta-gradient,
 * Hessian-vector products, gradient penalties) is silently wrong on every backend (docs/backends.md).
 *
 * These are written with plain kernels (max, sub, exp, sum, log, mul), whose gradients paperzoo makes
 * differentiable to any order. First-order values and gradients equal tfjs' (same formulas, the same
 * max-shift for stability).
 *
 * softmaxCrossEntropy has a fused fast path: on a backend with the kernel `PaperzooSoftmaxCrossEntropy`
 * (native) the per-row loss is one kernel, and its registered gradient one more
 * (`PaperzooSoftmaxCrossEntropyGrad`) for a first-order backward pass — instead of ~10 kernels over
 * the [rows, classes] logits each way. A gradient of that gradient takes differentiable tf ops (see
 * {@link softmaxCrossEntropyGradConfig}), so the op stays differentiable to any order.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { fusedBackward, fusedKernel } from './fused.js';

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
 * Per-example softmax cross-entropy −Σ_c labels[..., c]·log softmax(logits)[..., c] of one-hot (or
 * soft) labels and logits of the same shape [...batch, classes] → [...batch]. One kernel each way on a
 * backend with `PaperzooSoftmaxCrossEntropy` (native); elsewhere max, sub, exp, sum, log, mul.
 * Differentiable to any order (with respect to logits and labels).
 */
export function softmaxCrossEntropyPerExample(onehotLabels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const labels = tf.cast(onehotLabels, 'float32');
    const fusable = logits.rank > 0 && logits.shape[logits.rank - 1] > 0 && tf.util.arraysEqual(labels.shape, logits.shape);
    const fused = fusable ? fusedKernel<Tensor[]>('PaperzooSoftmaxCrossEntropy', { logits, labels }) : null;
    return fused?.[0] ?? tf.neg(tf.sum(tf.mul(labels, logSoftmax(logits)), -1)); // [...batch]; the fused kernel's stats output is dropped
  });
}

/**
 * Softmax cross-entropy of one-hot (or soft) labels and logits, averaged over all but the last axis:
 * mean_b −Σ_c labels[b, c]·log softmax(logits)[b, c]. The value `tf.losses.softmaxCrossEntropy(labels,
 * logits)` gives with its defaults, but differentiable to any order (and fused on native).
 */
export function softmaxCrossEntropy(onehotLabels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(softmaxCrossEntropyPerExample(onehotLabels, logits)));
}

/**
 * The gradient of the fused per-row loss ℓ = −Σ_c labels·log softmax(logits), for the per-row
 * gradient dy [...batch] (the stats output is internal, so its gradient is always zero):
 *   ∂ℓ/∂logits = dy·(softmax(logits)·Σ_c labels − labels)   (= dy·(softmax − labels) for one-hot rows)
 *   ∂ℓ/∂labels = −dy·log softmax(logits)
 * exactly what the composed op's gradient gives. A first-order backward pass on a backend with
 * `PaperzooSoftmaxCrossEntropyGrad` runs it once per input that needs a gradient (reading the saved
 * per-row stats, not a saved softmax); otherwise the same formulas in differentiable tf ops.
 */
export const softmaxCrossEntropyGradConfig: GradConfig = {
  kernelName: 'PaperzooSoftmaxCrossEntropy',
  inputsToSave: ['logits', 'labels'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const dy = (dys as Tensor[])[0];
    const [logits, labels, stats] = saved;
    // part 0: ∂/∂logits, 1: ∂/∂labels
    const fused = (part: number): Tensor | null => fusedBackward<Tensor>('PaperzooSoftmaxCrossEntropyGrad', { logits, labels, stats, dy }, { part });
    const dyColumn = (): Tensor => tf.expandDims(dy, -1); // [...batch, 1]
    return {
      logits: () => fused(0) ?? tf.mul(dyColumn(), tf.sub(tf.mul(tf.exp(logSoftmax(logits)), tf.sum(labels, -1, true)), labels)),
      labels: () => fused(1) ?? tf.neg(tf.mul(dyColumn(), logSoftmax(logits))),
    };
  },
};
