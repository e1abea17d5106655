/**
 * Active units (Burda et al. 2015, §5.2): a latent unit u is active when the variance over the data of
 * its posterior mean exceeds 10⁻²,
 *
 *   A_u = Cov_x( E_{u ~ q(u|x)}[u] ) > 10⁻².
 *
 * Inactive units carry no information about x: their posterior stays at the prior. Table 1 reports
 * their number next to each NLL.
 */
import { tf } from '@paperzoo/tensor';

/** Per-unit variance over examples of the posterior means [n, J] (float64, two-pass), and how many exceed `threshold`. */
export function activeUnits(means: Float32Array | Float64Array, count: number, threshold = 1e-2): { count: number; variances: number[] } {
  const units = means.length / count;
  if (!Number.isInteger(units)) throw new RangeError(`activeUnits: ${means.length} values are not ${count} rows`);
  const variances: number[] = [];
  for (let u = 0; u < units; u++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += means[i * units + u];
    mean /= count;
    let v = 0;
    for (let i = 0; i < count; i++) v += (means[i * units + u] - mean) ** 2;
    variances.push(v / count);
  }
  return { count: variances.filter((v) => v > threshold).length, variances };
}

/** The posterior means of an encoder over `data` [count, D], in batches: Float32Array [count, J]. */
export function posteriorMeans(encode: (x: tf.Tensor) => { mean: tf.Tensor; logVar: tf.Tensor }, data: Float32Array, count: number, batch = 1000): Float32Array {
  const size = data.length / count;
  const parts: Float32Array[] = [];
  for (let s = 0; s < count; s += batch) {
    const n = Math.min(batch, count - s);
    const mean = tf.tidy(() => encode(tf.tensor2d(data.subarray(s * size, (s + n) * size), [n, size])).mean); // [n, J]
    parts.push(mean.dataSync() as Float32Array);
    mean.dispose();
  }
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
