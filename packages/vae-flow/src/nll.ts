/**
 * The importance-sampled test log-likelihood (Burda et al. 2015, §5: "we estimate the log-likelihood
 * using k = 5000 importance samples", the bound L_5000 of eq. 8):
 *
 *   log p(x) ≈ log (1/k) Σ_{i=1..k} w_i,   w_i = p(x, z_i) / q(z_i|x),   z_i ~ q(z|x).
 *
 * The k samples are drawn in chunks (e.g. 500 per image at a time) and their log-mean-exp is
 * accumulated in float64 with a running max-shift, so k = 5000 needs no [5000, n, D] tensor.
 */
import { tf } from '@paperzoo/tensor';

/** Anything that gives importance log-weights: x [n, D], k → log w [k, n] (a {@link Vae}, or a test model). */
export interface ImportanceSampler {
  logWeights(x: tf.Tensor, k: number): tf.Tensor;
}

export interface LogLikelihoodOptions {
  /** k, importance samples per example (Burda et al.: 5000). */
  samples: number;
  /** Samples drawn per forward pass (default 500). */
  chunk?: number;
  /** Examples per forward pass (default 20). */
  batch?: number;
}

/**
 * log p̂(x) for each row of `data` ([count, D], row-major): Float64Array [count]. NLL = −mean. Samples
 * come from the global generator.
 */
export function importanceSampledLogLikelihood(model: ImportanceSampler, data: Float32Array, count: number, options: LogLikelihoodOptions): Float64Array {
  const size = data.length / count;
  if (!Number.isInteger(size)) throw new RangeError(`importanceSampledLogLikelihood: ${data.length} values are not ${count} rows`);
  const chunk = Math.min(options.chunk ?? 500, options.samples);
  const batch = options.batch ?? 20;
  const out = new Float64Array(count);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const x = tf.tensor2d(data.subarray(start * size, (start + n) * size), [n, size]);
    const max = new Float64Array(n).fill(-Infinity);
    const sum = new Float64Array(n); // Σ exp(log w − max)
    try {
      for (let drawn = 0; drawn < options.samples; drawn += chunk) {
        const k = Math.min(chunk, options.samples - drawn);
        const lw = tf.tidy(() => model.logWeights(x, k));
        const values = lw.dataSync(); // [k, n]
        lw.dispose();
        for (let j = 0; j < n; j++) {
          let m = max[j];
          for (let i = 0; i < k; i++) m = Math.max(m, values[i * n + j]);
          if (m > max[j]) {
            sum[j] *= Math.exp(max[j] - m);
            max[j] = m;
          }
          for (let i = 0; i < k; i++) sum[j] += Math.exp(values[i * n + j] - m);
        }
      }
    } finally {
      x.dispose();
    }
    for (let j = 0; j < n; j++) out[start + j] = max[j] + Math.log(sum[j] / options.samples);
  }
  return out;
}
