/**
 * Pictures of a trained {@link Vae}, as PNG bytes (the caller writes them beside result.json):
 * decoder means of prior samples z ~ N(0, I) (Kingma & Welling Fig. 5), and a latent traversal —
 * Fig. 4's learned manifold for a 2-d latent, or, for any J, each of the first units swept over
 * Φ⁻¹ of an even grid in (0, 1) with the others at 0.
 */
import { nextSeed, tf } from '@paperzoo/tensor';
import { imageGridPng } from './image-grid.js';
import type { Vae } from './vae.js';

/** E[x|z] of `count` prior samples (global generator), 28×28 tiles. */
export function priorSamplesPng(model: Vae, count: number, side = 28): Buffer {
  const means = tf.tidy(() => model.decodeMean(tf.randomNormal([count, model.latent], 0, 1, 'float32', nextSeed())).dataSync());
  return imageGridPng(means, count, side, side);
}

/** The inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * A traversal grid of `steps` columns: for J = 2, the steps × steps manifold of Fig. 4 (z = Φ⁻¹ of an
 * even grid); otherwise one row per unit among the first `rows`, that unit swept the same way, the others 0.
 */
export function latentTraversalPng(model: Vae, steps: number, rows = 8, side = 28): Buffer {
  const grid = Array.from({ length: steps }, (_, i) => normalQuantile((i + 0.5) / steps));
  const J = model.latent;
  const z: number[] = [];
  if (J === 2) for (const z1 of grid) for (const z0 of grid) z.push(z0, -z1);
  else
    for (let u = 0; u < Math.min(rows, J); u++)
      for (const v of grid) for (let j = 0; j < J; j++) z.push(j === u ? v : 0);
  const count = z.length / J;
  const means = tf.tidy(() => model.decodeMean(tf.tensor2d(z, [count, J])).dataSync());
  return imageGridPng(means, count, side, side, { cols: steps });
}
