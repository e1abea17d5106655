/**
 * The fast gradient sign method — I. J. Goodfellow, J. Shlens, C. Szegedy, "Explaining and Harnessing
 * Adversarial Examples", ICLR 2015, §4, eq. (1). https://arxiv.org/abs/1412.6572
 *
 * Linearise the cost J(θ, x, y) around x and take the L∞-bounded step that increases it most:
 *
 *   η = ε · sign(∇ₓ J(θ, x, y)),      x̃ = x + η                                    (untargeted)
 *
 * For a linear score w⊤x this is exact, not an approximation: w⊤x̃ = w⊤x + ε‖w‖₁ is the largest change
 * any ‖η‖∞ ≤ ε can make (§3). The targeted variant (Kurakin, Goodfellow & Bengio, "Adversarial
 * Machine Learning at Scale", ICLR 2017, §2, https://arxiv.org/abs/1611.01236) descends the loss of a
 * chosen target class t instead:
 *
 *   x̃ = x − ε · sign(∇ₓ J(θ, x, t))                                                  (targeted)
 *
 * Clipping to the valid pixel range is an explicit choice (`clip`): the FGSM paper's MNIST results do
 * not clip (ε = 0.25 on pixels in [0, 1] can leave the range); later work usually clips to [0, 1].
 */
import { tf } from '@paperzoo/tensor';
import { clipToRange, inputGradient, type Classifier, type PixelRange } from './classifier.js';

/** The paper FGSM comes from, in the form a reproduction cites it (`defineReproduction({ paper })`). */
export const FGSM_PAPER = {
  title: 'Explaining and Harnessing Adversarial Examples',
  authors: ['I. J. Goodfellow', 'J. Shlens', 'C. Szegedy'],
  year: 2015,
  venue: 'ICLR',
  url: 'https://arxiv.org/abs/1412.6572',
} as const;

export interface FgsmOptions {
  /** L∞ size of the perturbation, in input units (ε = 0.25 for MNIST pixels in [0, 1] in the paper). */
  epsilon: number;
  /** Clip the result into this range, or `null` for no clipping (the FGSM paper). Required: say which. */
  clip: PixelRange | null;
  /** `labels` are target classes to move towards (Kurakin et al. 2017) instead of true classes to move away from. */
  targeted?: boolean;
}

/**
 * One fast-gradient-sign step. `x` [B, ...input]; `labels` int32 [B] — the true classes (untargeted)
 * or the target classes (targeted). Returns x̃, same shape as `x`; the caller disposes it.
 */
export function fgsm(model: Classifier, x: tf.Tensor, labels: tf.Tensor, options: FgsmOptions): tf.Tensor {
  if (!(options.epsilon >= 0)) throw new RangeError(`fgsm: epsilon must be ≥ 0, got ${options.epsilon}`);
  return tf.tidy(() => {
    const grad = inputGradient(model, x, labels); // [B, ...input]
    const direction = options.targeted ? tf.neg(tf.sign(grad)) : tf.sign(grad);
    return clipToRange(tf.add(x, tf.mul(options.epsilon, direction)), options.clip); // [B, ...input]
  });
}
