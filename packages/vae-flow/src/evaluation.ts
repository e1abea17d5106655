/**
 * The test-set numbers Burda et al.'s Table 1 reports for a trained model: the importance-sampled NLL
 * (k = 5000, nll.ts), the number of active units (active-units.ts), and the single-sample bound −L_1 with
 * the analytic KL (Kingma & Welling eq. 10), all on the same binary test digits.
 */
import { tf } from '@paperzoo/tensor';
import { activeUnits, posteriorMeans } from './active-units.js';
import { importanceSampledLogLikelihood } from './nll.js';
import type { Vae } from './vae.js';

export interface VaeEvaluation {
  /** −mean log p̂(x), nats. */
  nll: number;
  /** −mean L(x) with the analytic KL (one sample), nats. */
  negativeBound: number;
  /** Active latent units (Burda §5.2) and the variance of each. */
  activeUnits: number;
  unitVariances: number[];
}

/** Evaluate on `data` [count, D] of 0/1 (samples from the global generator). */
export function evaluateVae(model: Vae, data: Float32Array, count: number, options: { samples: number; chunk?: number }): VaeEvaluation {
  const size = data.length / count;
  const logLik = importanceSampledLogLikelihood(model, data, count, { samples: options.samples, chunk: options.chunk });
  let bound = 0;
  for (let s = 0; s < count; s += 1000) {
    const n = Math.min(1000, count - s);
    bound += tf.tidy(() => tf.sum(model.elbo(tf.tensor2d(data.subarray(s * size, (s + n) * size), [n, size]))).dataSync()[0]);
  }
  const units = activeUnits(posteriorMeans((x) => model.encode(x), data, count), count);
  return { nll: -logLik.reduce((a, v) => a + v, 0) / count, negativeBound: -bound / count, activeUnits: units.count, unitVariances: units.variances };
}
