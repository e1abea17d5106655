/**
 * Mode coverage, "high-quality" samples and reverse KL on a Gaussian mixture — the metrics of VEEGAN
 * (A. Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using Implicit Variational Learning",
 * NeurIPS 2017, https://arxiv.org/abs/1705.07761, §5.1) as PacGAN Table 1 reports them (Lin et al.
 * 2018, https://arxiv.org/abs/1712.04086, §5.1), following the authors' MetricLogger
 * (github.com/fjxmlzn/PacGAN, synthetic_data_experiments/PacGAN/pacgan/extensions.py l. 154–175):
 *
 * - each sample is assigned to its nearest mode by the distance in standard deviations,
 *   d = ‖x − μ_k‖ / σ (l. 157–166), and counts as high quality if d < 3 (`dis_thre = 3`, l. 115, 167);
 * - the histogram c_k counts the high-quality samples of each mode (l. 167–168);
 * - modes covered: the number of k with c_k ≥ 1 (`numpy.nonzero`, l. 171) — `minCount` generalises it;
 * - high-quality fraction: Σ c_k / n (l. 172);
 * - reverse KL: KL(p̂ ‖ u) = Σ_k p̂_k log(K p̂_k) with p̂ = c / Σ c, the histogram of the high-quality
 *   samples only, against the uniform u_k = 1/K; empty modes contribute 0 (0 log 0 = 0). The authors'
 *   released logger writes the Jensen–Shannon divergence of the same p̂ and u (l. 175); Table 1's
 *   reverse KL is taken here on the same normalised histogram. With no high-quality sample p̂ is
 *   undefined and the KL is reported as NaN.
 *
 * PacGAN evaluates 2,500 generator samples (config.py `num_log_figure_sample`). Samples: [n, 2] row-major.
 */
import type { GaussianMixture2d } from './mixtures.js';

export interface ModeMetrics {
  /** Modes with at least `minCount` high-quality samples. */
  modes: number;
  /** Fraction of samples within `threshold` standard deviations of their nearest mode. */
  highQuality: number;
  /** KL(p̂ ‖ uniform) of the high-quality samples' mode histogram (nats); NaN with no high-quality sample. */
  reverseKl: number;
  /** High-quality samples per mode, [K]. */
  counts: number[];
}

export interface ModeMetricOptions {
  /** High quality below this many standard deviations (PacGAN/VEEGAN: 3). */
  threshold?: number;
  /** A mode is covered with at least this many high-quality samples (PacGAN's code: 1). */
  minCount?: number;
}

/** KL(p ‖ uniform) = Σ p_k log(K p_k) of the histogram `counts` normalised (float64); NaN when Σ = 0. */
export function reverseKlToUniform(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return NaN;
  let kl = 0;
  for (const c of counts) if (c > 0) kl += (c / total) * Math.log((counts.length * c) / total);
  return kl;
}

/** The three metrics of `samples` ([n, 2] row-major) on `mixture`. */
export function modeMetrics(samples: ArrayLike<number>, mixture: GaussianMixture2d, options: ModeMetricOptions = {}): ModeMetrics {
  const threshold = options.threshold ?? 3;
  const minCount = options.minCount ?? 1;
  const n = samples.length / 2;
  if (!Number.isInteger(n)) throw new RangeError(`modeMetrics: samples must be [n, 2], got ${samples.length} values`);
  const counts = new Array<number>(mixture.means.length).fill(0);
  for (let i = 0; i < n; i++) {
    const x = samples[2 * i];
    const y = samples[2 * i + 1];
    let best = Infinity;
    let bestK = -1;
    mixture.means.forEach(([mx, my], k) => {
      const d2 = (x - mx) ** 2 + (y - my) ** 2;
      if (d2 < best) [best, bestK] = [d2, k];
    });
    if (Math.sqrt(best) / mixture.std < threshold) counts[bestK]++;
  }
  const good = counts.reduce((a, b) => a + b, 0);
  return { modes: counts.filter((c) => c >= minCount).length, highQuality: n > 0 ? good / n : NaN, reverseKl: reverseKlToUniform(counts), counts };
}
