/**
 * The adversarial objectives, as functions of the discriminator's (critic's) raw outputs — logits for
 * the probabilistic GANs, unbounded scores for LSGAN and WGAN. Each returns the scalar that its player
 * *minimises*; a training step differentiates it with respect to that player's parameters only.
 *
 * - minimax — I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014,
 *   https://arxiv.org/abs/1406.2661, eq. 1 / Alg. 1: D maximises log D(x) + log(1 − D(G(z))), G
 *   minimises log(1 − D(G(z))). With D = σ(l): −log σ(l) = softplus(−l), −log(1 − σ(l)) = softplus(l).
 * - non-saturating — the same paper, §3: G maximises log D(G(z)) instead ("provides much stronger
 *   gradients early in learning"); the D loss is unchanged.
 * - lsgan — X. Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017,
 *   https://arxiv.org/abs/1611.04076, eq. 2: min_D ½E[(D(x) − b)²] + ½E[(D(G(z)) − a)²],
 *   min_G ½E[(D(G(z)) − c)²]. §3.2.2 gives a = −1, b = 1, c = 0 (Pearson χ², eq. 8) and the 0-1 coding
 *   a = 0, b = c = 1 (eq. 9) that its experiments use; the default here is the latter.
 * - wgan — M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017,
 *   https://arxiv.org/abs/1701.07875, Alg. 1: the critic maximises E[f(x)] − E[f(G(z))] (it minimises
 *   the negative), G minimises −E[f(G(z))]. The critic's E[f(x)] − E[f(G(z))] is the Wasserstein
 *   estimate (up to the Lipschitz constant), see `wassersteinEstimate`.
 *
 * Shapes: `real` and `fake` are [n] or [n, 1] (any shape: every element is one example's output).
 */
import { tf } from '@paperzoo/tensor';

export type GanLossKind = 'minimax' | 'non-saturating' | 'lsgan' | 'wgan';
export const GAN_LOSS_KINDS: readonly GanLossKind[] = ['minimax', 'non-saturating', 'lsgan', 'wgan'];

/** LSGAN's targets (Mao et al. eq. 2): a for fake, b for real in D's loss, c for fake in G's loss. */
export interface LsganCoding { a: number; b: number; c: number }
/** The 0-1 coding of Mao et al. eq. 9 (their experiments). */
export const LSGAN_01: LsganCoding = { a: 0, b: 1, c: 1 };
/** The coding that minimises the Pearson χ² divergence (Mao et al. eq. 8). */
export const LSGAN_PEARSON: LsganCoding = { a: -1, b: 1, c: 0 };

/** The discriminator's (critic's) loss on a batch of real and a batch of fake outputs, a scalar to minimise. */
export function discriminatorLoss(kind: GanLossKind, real: tf.Tensor, fake: tf.Tensor, coding: LsganCoding = LSGAN_01): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'minimax':
      case 'non-saturating':
        // −E[log D(x)] − E[log(1 − D(G(z)))]
        return tf.add<tf.Scalar>(tf.mean(tf.softplus(tf.neg(real))), tf.mean(tf.softplus(fake)));
      case 'lsgan':
        return tf.mul<tf.Scalar>(0.5, tf.add(tf.mean(tf.square(tf.sub(real, coding.b))), tf.mean(tf.square(tf.sub(fake, coding.a)))));
      case 'wgan':
        return tf.sub<tf.Scalar>(tf.mean(fake), tf.mean(real));
    }
  });
}

/** The generator's loss on the discriminator's outputs for a batch of fakes, a scalar to minimise. */
export function generatorLoss(kind: GanLossKind, fake: tf.Tensor, coding: LsganCoding = LSGAN_01): tf.Scalar {
  return tf.tidy(() => {
    switch (kind) {
      case 'minimax':
        // E[log(1 − D(G(z)))] = −E[softplus(l)]
        return tf.neg(tf.mean<tf.Scalar>(tf.softplus(fake)));
      case 'non-saturating':
        // −E[log D(G(z))]
        return tf.mean<tf.Scalar>(tf.softplus(tf.neg(fake)));
      case 'lsgan':
        return tf.mul<tf.Scalar>(0.5, tf.mean(tf.square(tf.sub(fake, coding.c))));
      case 'wgan':
        return tf.neg(tf.mean<tf.Scalar>(fake));
    }
  });
}

/** WGAN's estimate of W(P_r, P_g) from the critic (Arjovsky et al. §3, Alg. 1): E[f(x)] − E[f(G(z))], a number. */
export function wassersteinEstimate(real: tf.Tensor, fake: tf.Tensor): number {
  return tf.tidy(() => tf.sub(tf.mean(real), tf.mean(fake)).arraySync() as number);
}
