/**
 * The factorised priors p_H(h) = Π_d p_{H_d}(h_d) of NICE (Dinh et al. 2014, §3.4) and RealNVP.
 *
 * - Standard logistic (NICE's choice for MNIST, "it tends to provide a better behaved gradient"):
 *     log p(h_d) = −log(1 + exp(h_d)) − log(1 + exp(−h_d)) = −softplus(h_d) − softplus(−h_d)
 *   sampled as h = log u − log(1 − u), u ~ U(0, 1).
 * - Standard Gaussian (RealNVP): log p(h_d) = −½ h_d² − ½ log 2π.
 *
 * `logProb`: h [batch, …] → Σ_d log p(h_d), [batch]. `sample(shape, temperature)`: temperature·h,
 * drawn from the global generator of @paperzoo/tensor (so a resumed run draws the same samples).
 */
import { tf, randomNormal, randomUniform } from '@paperzoo/tensor';
import { sumPerExample } from './flow.js';

export interface Prior {
  readonly name: 'logistic' | 'gaussian';
  logProb(h: tf.Tensor): tf.Tensor1D;
  sample(shape: number[], temperature?: number): tf.Tensor;
}

export const LOGISTIC_PRIOR: Prior = {
  name: 'logistic',
  logProb: (h) => tf.tidy(() => sumPerExample(tf.neg(tf.add(tf.softplus(h), tf.softplus(tf.neg(h)))))),
  sample: (shape, temperature = 1) =>
    tf.tidy(() => {
      const u = randomUniform(shape, 1e-6, 1 - 1e-6); // keeps log u and log(1 − u) finite in float32
      return tf.mul(tf.sub(tf.log(u), tf.log1p(tf.neg(u))), temperature);
    }),
};

export const GAUSSIAN_PRIOR: Prior = {
  name: 'gaussian',
  logProb: (h) => tf.tidy(() => sumPerExample(tf.sub(tf.mul(-0.5, tf.square(h)), 0.5 * Math.log(2 * Math.PI)))),
  sample: (shape, temperature = 1) => tf.tidy(() => tf.mul(randomNormal(shape), temperature)),
};
