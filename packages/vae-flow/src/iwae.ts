/**
 * The importance-weighted bound — Y. Burda, R. Grosse, R. Salakhutdinov, "Importance Weighted
 * Autoencoders", ICLR 2016, https://arxiv.org/abs/1509.00519, eq. 8:
 *
 *   L_k(x) = E_{z_1..z_k ~ q(z|x)} [ log (1/k) Σ_i p(x, z_i) / q(z_i|x) ].
 *
 * Its estimate from k reparameterised samples is a log-mean-exp of the log-weights over the sample
 * axis; its gradient (eq. 14) is what autodiff of that estimate gives. L_1 is the VAE's bound (with a
 * Monte-Carlo KL), and L_k ≤ L_{k+1} ≤ log p(x) (Theorem 1).
 */
import { tf } from '@paperzoo/tensor';
import type { Vae } from './vae.js';

/** log (1/k) Σ_i exp(logW_i) over axis 0, max-shifted: [k, n] → [n]. */
export function logMeanExp(logWeights: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.logSumExp(logWeights, 0), Math.log(logWeights.shape[0])));
}

/** The k-sample bound L_k(x) (eq. 8) of each example: x [n, D] → [n]. */
export function iwaeBound(model: Vae, x: tf.Tensor, k: number, epsilon?: tf.Tensor): tf.Tensor {
  return tf.tidy(() => logMeanExp(model.logWeights(x, k, epsilon)));
}

/** The training loss: −mean_n L_k(x_n), a scalar (k = 1 is the VAE with a sampled KL, as Burda et al. train it). */
export function iwaeLoss(model: Vae, x: tf.Tensor, k: number): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(iwaeBound(model, x, k))) as tf.Scalar);
}
