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
 * The log-margin L per example, [B]: the quantity cross-entropy is a smooth, increasing function of.
 * - softmax: L = log Σ_{c≠y} exp(z_c − z_y)     (J = −log softmax(z)_y = softplus(L))
 * - logistic (labels 0/1): L = s·z, s = 1 − 2y  (J = −log P(y | x) = softplus(L))
 * `labels` are int class indices [B].
 */
export function logMargin(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (isBinary(logits)) {
      const z = logits.reshape([-1]); // [B]
      return tf.mul<tf.Tensor1D>(tf.sub(1, tf.mul(2, tf.cast(labels, 'float32'))), z); // +z for y = 0, −z for y = 1
    }
    const classes = logits.shape[logits.rank - 1];
    const onehot = tf.oneHot(tf.cast(labels, 'int32'), classes); // [B, C]
    const zy = tf.sum(tf.mul(onehot, logits), -1, true); // [B, 1]
    const margins = tf.sub(tf.sub(logits, zy), tf.mul(onehot, 1e9)); // z_c − z_y, the true class pushed to −∞: [B, C]
    return tf.logSumExp<tf.Tensor1D>(margins, -1); // [B]
  });
}

/**
 * Per-example cross-entropy J(θ, x, y) = softplus(L) from logits, [B] (see {@link logMargin}):
 * −log softmax(z)_y for softmax models, −log σ(z) / −log(1 − σ(z)) for logistic ones.
 */
export function perExampleLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.softplus<tf.Tensor1D>(logMargin(logits, labels)));
}

/** Mean cross-entropy over the batch (the training objective J). */
export function meanLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean<tf.Scalar>(perExampleLoss(logits, labels)));
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
      return tf.maximum<tf.Tensor1D>(p, tf.sub(1, p));
    }
    return tf.max<tf.Tensor1D>(tf.softmax(logits as tf.Tensor2D, -1), -1);
  });
}

/**
 * The direction of ∇ₓ J(θ, x_b, y_b) for every example of a batch, [B, ...input]: computed as
 * ∇ₓ Σ_b L_b (the log-margin of {@link logMargin}). Since J = softplus(L), ∇ₓJ = σ(L)·∇ₓL with
 * σ(L) > 0 per example, so the sign (FGSM, BIM, L∞ PGD) and the per-example normalised direction
 * (L2 PGD) are exactly those of ∇ₓJ. Differentiating J itself would give the same signs in exact
 * arithmetic but not in float32: on confidently classified examples σ(L) underflows (and through
 * log-softmax, ∂J/∂z_y = p_y − 1 rounds to 0 once p_y > 1 − 6e-8), so the gradient — and the
 * attack — vanishes on exactly the examples a worst-case attack should move. Each example's gradient
 * is its own (the batch is summed, not averaged).
 */
export function inputGradient(model: Classifier, x: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.grad((xi: tf.Tensor) => tf.sum(logMargin(model(xi), labels)))(x);
}

/** Clip into the range when one is given; otherwise return a copy (callers own their result). */
export function clipToRange(x: tf.Tensor, clip: PixelRange | null): tf.Tensor {
  return clip ? tf.clipByValue(x, clip.min, clip.max) : x.clone();
}
