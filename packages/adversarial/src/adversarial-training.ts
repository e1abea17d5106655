/**
 * Adversarial training.
 *
 * The FGSM objective — Goodfellow, Shlens & Szegedy, "Explaining and Harnessing Adversarial
 * Examples", ICLR 2015, §6, https://arxiv.org/abs/1412.6572:
 *
 *   J̃(θ, x, y) = α · J(θ, x, y) + (1 − α) · J(θ, x + ε·sign(∇ₓ J(θ, x, y)), y)        (α = 0.5 in the paper)
 *
 * The adversarial point is regenerated from the current θ at every step ("continually updating the
 * supply of adversarial examples"). The gradient in θ treats x̃ as a constant: sign(·) has zero
 * derivative almost everywhere, so differentiating through the attack would only add zeros.
 *
 * Madry's min-max — Madry et al., "Towards Deep Learning Models Resistant to Adversarial Attacks",
 * ICLR 2018, eq. (2.1), https://arxiv.org/abs/1706.06083:
 *
 *   min_θ E_{(x,y)} [ max_{δ∈S} L(θ, x + δ, y) ]
 *
 * with the inner maximum approximated by PGD (40 steps of 0.01 from a random start at ε = 0.3 on
 * MNIST) and the outer minimum by a gradient step on L(θ, x̃, y) (Danskin's theorem, §2.1).
 *
 * Both craft x̃ *outside* the optimizer's gradient tape: {@link craftAdversarial} returns a constant
 * batch, and the loss functions below only see it as data. {@link adversarialTrainingStep} is one
 * such step; `fitPhases` (./training.ts) runs it inside @paperzoo/repro's `fit` (checkpointed, resumable).
 */
import { tf } from '@paperzoo/tensor';
import { meanLoss, type Classifier } from './classifier.js';
import { fgsm, type FgsmOptions } from './fgsm.js';
import { pgd, type PgdOptions } from './pgd.js';

/** How training examples are perturbed: FGSM (Goodfellow et al.) or PGD (Madry et al.). */
export type TrainingAttack = ({ method: 'fgsm' } & FgsmOptions) | ({ method: 'pgd' } & PgdOptions);

/** x̃ for a training batch under the current weights (a constant; the caller disposes it). */
export function craftAdversarial(model: Classifier, x: tf.Tensor, labels: tf.Tensor, attack: TrainingAttack): tf.Tensor {
  if (attack.method === 'fgsm') return fgsm(model, x, labels, attack);
  return pgd(model, x, labels, attack);
}

/** J̃ = α·J(x) + (1 − α)·J(x̃) — the FGSM adversarial objective of §6 (x̃ crafted beforehand). */
export function fgsmObjective(model: Classifier, x: tf.Tensor, xAdv: tf.Tensor, labels: tf.Tensor, alpha: number): tf.Scalar {
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`fgsmObjective: alpha must be in [0, 1], got ${alpha}`);
  return tf.tidy(() => {
    const clean = alpha > 0 ? tf.mul(alpha, meanLoss(model(x), labels)) : tf.scalar(0);
    const adversarial = alpha < 1 ? tf.mul(1 - alpha, meanLoss(model(xAdv), labels)) : tf.scalar(0);
    return tf.add<tf.Scalar>(clean, adversarial);
  });
}

/** Madry's outer objective L(θ, x̃, y) on the PGD point x̃ (crafted beforehand). */
export function robustObjective(model: Classifier, xAdv: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return meanLoss(model(xAdv), labels);
}

export interface AdversarialStepOptions {
  /** The model as trained (dropout on, if any). Used for the loss and, unless `attackModel` is given, for crafting. */
  model: Classifier;
  /** The model the attack differentiates (default: `model`). */
  attackModel?: Classifier;
  optimizer: tf.Optimizer;
  x: tf.Tensor;
  labels: tf.Tensor;
  attack: TrainingAttack;
  /**
   * Weight of the clean loss: J̃ = α·J(x) + (1 − α)·J(x̃). Goodfellow et al. use 0.5; Madry et al.
   * train on x̃ alone (α = 0, the default for PGD). Default: 0.5 for FGSM, 0 for PGD.
   */
  alpha?: number;
  /** Variables to update (default: all trainable). */
  varList?: tf.Variable[];
}

/** One adversarial training step: craft x̃ with the current weights, then minimise J̃. Returns the loss. */
export function adversarialTrainingStep(o: AdversarialStepOptions): number {
  const alpha = o.alpha ?? (o.attack.method === 'fgsm' ? 0.5 : 0);
  const xAdv = craftAdversarial(o.attackModel ?? o.model, o.x, o.labels, o.attack);
  try {
    const cost = o.optimizer.minimize(() => fgsmObjective(o.model, o.x, xAdv, o.labels, alpha), true, o.varList);
    const value = cost ? cost.dataSync()[0] : Number.NaN;
    cost?.dispose();
    return value;
  } finally {
    xAdv.dispose();
  }
}
