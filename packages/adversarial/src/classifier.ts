/**
 * What every attack in this package needs of a model, and the loss it differentiates.
 *
 * A model is any function from a batch of inputs to logits — the attacks never look inside it, so a
 * tfjs-layers model (`(x) => model.predict(x)`), a hand-written network (`(x) => net.apply(x)`), or a
 * closure with dropout switched on all qualify:
 *
 *   Classifier: x [batch, ...input] → logits [batch, classes]      (multi-class, softmax)
 *               x [batch, ...input] → logits [batch, 1] or [batch] (binary, logistic: P(y=1|x) = σ(z))
 */
import { tf } from '@paperzoo/tensor';

/** A model as a function from a batch to logits ([B, C] softmax, or [B, 1] / [B] logistic). */
export type Classifier = (x: tf.Tensor) => tf.Tensor;

/**
 * The valid input range. Attacks clip their output into it only when one is given: `clip: null` leaves
 * pixels free to leave the range — as in Goodfellow et al. (2015), whose MNIST numbers (ε = 0.25 on
 * pixels in [0, 1]) are for unclipped examples.
 */
export interface PixelRange {
  min: number;
  max: number;
}

/** The usual range of images scaled to [0, 1]. */
export const UNIT_RANGE: Readonly<PixelRange> = Object.freeze({ min: 0, max: 1 });

/** Logits of a binary (logistic) model: shape [B] or [B, 1]. */
export function isBinary(logits: tf.Tensor): boolean {
  return logits.rank === 1 || (logits.rank === 2 && logits.shape[1] === 1);
}

/**
 * Per-example cross-entropy J(θ, x, y) from logits, [B]:
 * - softmax: J = −log softmax(z)_y = logΣ_c exp z_c − z_y;
 * - logistic (labels 0/1): J = softplus(z) − y·z = −log σ(z) for y = 1, −log(1 − σ(z)) for y = 0.
 * `labels` are int class indices [B].
 */
export function perExampleLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (isBinary(logits)) {
      const z = logits.reshape([-1]); // [B]
      return tf.sub(tf.softplus(z), tf.mul(tf.cast(labels, 'float32'), z)) as tf.Tensor1D;
    }
    const classes = logits.shape[logits.rank - 1];
    const logProbs = tf.logSoftmax(logits as tf.Tensor2D, -1); // [B, C]
    return tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes), logProbs), -1)) as tf.Tensor1D;
  });
}

/** Mean cross-entropy over the batch (the training objective J). */
export function meanLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(perExampleLoss(logits, labels)) as tf.Scalar);
}

/** Predicted class per example, int32 [B] (binary models: 1 when z > 0). */
export function predictedClass(logits: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => (isBinary(logits) ? tf.cast(tf.greater(logits.reshape([-1]), 0), 'int32') : tf.argMax(logits, -1)) as tf.Tensor1D);
}

/** Probability the model gives its predicted class, [B] (binary models: max(σ(z), 1 − σ(z))). */
export function predictedConfidence(logits: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (isBinary(logits)) {
      const p = tf.sigmoid(logits.reshape([-1]));
      return tf.maximum(p, tf.sub(1, p)) as tf.Tensor1D;
    }
    return tf.max(tf.softmax(logits as tf.Tensor2D, -1), -1) as tf.Tensor1D;
  });
}

/**
 * ∇ₓ Σ_b J(θ, x_b, y_b): the input gradient of the summed per-example loss, so that each example's
 * gradient is its own (not divided by the batch size).
 */
export function inputGradient(model: Classifier, x: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.grad((xi: tf.Tensor) => tf.sum(perExampleLoss(model(xi), labels)))(x);
}

/** Clip into the range when one is given; otherwise return a copy (callers own their result). */
export function clipToRange(x: tf.Tensor, clip: PixelRange | null): tf.Tensor {
  return clip ? tf.clipByValue(x, clip.min, clip.max) : x.clone();
}
