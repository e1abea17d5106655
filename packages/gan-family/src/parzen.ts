/**
 * The Parzen-window (Gaussian kernel density) log-likelihood that the 2014 GAN paper reports —
 * I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014, https://arxiv.org/abs/1406.2661,
 * §5 and Table 1 ("We estimate probability of the test set data under p_g by fitting a Gaussian Parzen
 * window to the samples generated with G and reporting the log-likelihood under this distribution. The
 * σ parameter of the Gaussians was obtained by cross validation on the validation set"; after Breuleux,
 * Bengio & Vincent 2011). As in the authors' `parzen_ll.py` (goodfeli/adversarial, credited there to
 * Y. Dauphin): for centres μ_1 … μ_m (generator samples) and a test point x ∈ ℝ^d,
 *
 *   log p̂(x) = log (1/m) Σ_j N(x; μ_j, σ²I) = logmeanexp_j(−‖x − μ_j‖² / 2σ²) − d·log(σ√(2π)),
 *
 * the mean over test points reported ± the standard error std/√n (numpy's std, ddof 0); σ is the point of
 * a log-spaced grid (`numpy.logspace(-1, 0, 10)`: 10 values on [0.1, 1]) with the highest mean
 * log-likelihood on a validation set (the first 1,000 of MNIST's training digits 50,000–60,000).
 *
 * Here the squared distances come from one float32 matmul per batch of rows, ‖x‖² + ‖μ‖² − 2x·μ (the
 * norms in float64), and the log-mean-exp over the m centres runs in float64 — one distance matrix
 * serves every σ of the grid. Theis, van den Oord & Bethge (ICLR 2016, §3.2) show these estimates can be
 * far from the true log-likelihood in high dimension (a k-means-like set of centres beats the true
 * model's samples); report them as the papers' protocol, not as likelihoods.
 *
 * Shapes: `points` [n, d], `centres` [m, d] (tf tensors, float32).
 */
import { tf } from '@paperzoo/tensor';

/** `numpy.logspace(start, end, num)`: num values 10^t, t evenly spaced on [start, end] (the authors' grid: −1, 0, 10). */
export function logspace(start: number, end: number, num: number): number[] {
  if (num === 1) return [10 ** start];
  return Array.from({ length: num }, (_, i) => 10 ** (start + ((end - start) * i) / (num - 1)));
}

/** The σ grid of `parzen_ll.py`: 10 log-spaced values on [0.1, 1]. */
export const PARZEN_SIGMAS: readonly number[] = logspace(-1, 0, 10);

export interface ParzenOptions {
  /** Rows of `points` per distance matmul (default 100, as `parzen_ll.py`'s batch). */
  batchSize?: number;
}

function rowNorms(t: tf.Tensor2D): Float64Array {
  const v = t.dataSync();
  const [n, d] = t.shape;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += v[i * d + k] * v[i * d + k];
    out[i] = s;
  }
  return out;
}

/**
 * log p̂(x_i) for every point and every σ: one Float64Array of n values per σ (in the order of `sigmas`).
 */
export function parzenLogLikelihoods(points: tf.Tensor2D, centres: tf.Tensor2D, sigmas: readonly number[], options: ParzenOptions = {}): Float64Array[] {
  const d = points.shape[1];
  const dc = centres.shape[1];
  if (d !== dc) throw new RangeError(`parzenLogLikelihoods: points have ${d} dimensions, centres ${dc}`);
  if (sigmas.some((s) => !(s > 0))) throw new RangeError('parzenLogLikelihoods: every σ must be positive');
  const batch = options.batchSize ?? 100;
  // distances are unchanged by a common shift: centre both sets on the centres' mean, which shrinks the
  // norms whose float32 cancellation (‖x‖² + ‖μ‖² − 2x·μ) limits the precision
  const shift = tf.tidy(() => tf.mean(centres, 0, true));
  const c = tf.sub<tf.Tensor2D>(centres, shift);
  const x = tf.sub<tf.Tensor2D>(points, shift);
  try {
    return parzenCentred(x, c, sigmas, batch);
  } finally {
    tf.dispose([shift, c, x]);
  }
}

function parzenCentred(points: tf.Tensor2D, centres: tf.Tensor2D, sigmas: readonly number[], batch: number): Float64Array[] {
  const [n, d] = points.shape;
  const m = centres.shape[0];
  const cNorm = rowNorms(centres);
  const xNorm = rowNorms(points);
  const out = sigmas.map(() => new Float64Array(n));
  const logZ = sigmas.map((s) => d * Math.log(s * Math.sqrt(2 * Math.PI)));
  const d2 = new Float64Array(m);
  for (let start = 0; start < n; start += batch) {
    const b = Math.min(batch, n - start);
    // [b, m] x·μ; read outside tf.tidy (tidy walks a returned typed array element by element: seconds)
    const dotsTensor = tf.tidy(() => tf.matMul(points.slice([start, 0], [b, d]), centres, false, true));
    const dots = dotsTensor.dataSync() as Float32Array;
    dotsTensor.dispose();
    for (let i = 0; i < b; i++) logMeanExpRow(dots, i * m, xNorm[start + i], cNorm, d2, sigmas, logZ, out, start + i);
  }
  return out;
}

/** One point's log p̂ for every σ from its row of dot products (float64): d2_j = ‖x‖² + ‖μ_j‖² − 2x·μ_j, then logmeanexp. */
function logMeanExpRow(dots: Float32Array, offset: number, xNorm: number, cNorm: Float64Array, d2: Float64Array, sigmas: readonly number[], logZ: number[], out: Float64Array[], row: number): void {
  const m = cNorm.length;
  let min = Infinity;
  for (let j = 0; j < m; j++) {
    const v = Math.max(0, xNorm + cNorm[j] - 2 * dots[offset + j]);
    d2[j] = v;
    if (v < min) min = v;
  }
  for (let k = 0; k < sigmas.length; k++) {
    const inv = 1 / (2 * sigmas[k] * sigmas[k]);
    // logmeanexp of a_j = −d2_j/2σ², shifted by its max −min/2σ² (that term is 1, so the sum is ≥ 1);
    // terms below e^−50 are skipped (no exp): together < m·2·10⁻²² of the sum
    const cut = min + 50 / inv;
    let sum = 0;
    for (let j = 0; j < m; j++) if (d2[j] < cut) sum += Math.exp(-(d2[j] - min) * inv);
    out[k][row] = -min * inv + Math.log(sum / m) - logZ[k];
  }
}

/** Mean and standard error (std / √n, ddof 0, as `parzen_ll.py`) of per-example values. */
export function meanAndStandardError(values: ArrayLike<number>): { mean: number; standardError: number } {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - mean) ** 2;
  return { mean, standardError: Math.sqrt(v / n) / Math.sqrt(n) };
}

/** σ of the grid with the highest mean log-likelihood of `validation` (the first on ties, as numpy.argmax), and the means. */
export function selectParzenSigma(centres: tf.Tensor2D, validation: tf.Tensor2D, sigmas: readonly number[] = PARZEN_SIGMAS, options: ParzenOptions = {}): { sigma: number; validationMeans: number[] } {
  const validationMeans = parzenLogLikelihoods(validation, centres, sigmas, options).map((v) => meanAndStandardError(v).mean);
  let best = 0;
  validationMeans.forEach((v, i) => {
    if (v > validationMeans[best]) best = i;
  });
  return { sigma: sigmas[best], validationMeans };
}

export interface ParzenResult {
  /** σ chosen on the validation set. */
  sigma: number;
  /** Mean log-likelihood of the test points (nats) and its standard error over examples. */
  mean: number;
  standardError: number;
  /** The validation means along the σ grid. */
  validationMeans: number[];
}

/** The whole protocol: σ from the grid on `validation`, then the mean test log-likelihood ± s.e. under that σ. */
export function parzenEstimate(centres: tf.Tensor2D, validation: tf.Tensor2D, test: tf.Tensor2D, sigmas: readonly number[] = PARZEN_SIGMAS, options: ParzenOptions = {}): ParzenResult {
  const { sigma, validationMeans } = selectParzenSigma(centres, validation, sigmas, options);
  const [ll] = parzenLogLikelihoods(test, centres, [sigma], options);
  return { sigma, ...meanAndStandardError(ll), validationMeans };
}
