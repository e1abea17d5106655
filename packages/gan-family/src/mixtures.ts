/**
 * The 2-D Gaussian mixtures of the mode-collapse literature, as PacGAN trains on them — Z. Lin, A.
 * Khetan, G. Fanti, S. Oh, "PacGAN: The power of two samples in generative adversarial networks",
 * NeurIPS 2018, https://arxiv.org/abs/1712.04086, §5.1 and Table 1 (after VEEGAN, Srivastava et al.
 * 2017, §5.1). The numbers are those of the authors' code (github.com/fjxmlzn/PacGAN,
 * synthetic_data_experiments/):
 *
 * - 2-D ring (2DRing_GAN&PacGAN/config.py l. 6–7): 8 equally weighted components with means
 *   (cos 2πk/8, sin 2πk/8), k = 0 … 7 (radius 1) and isotropic standard deviation 0.01;
 * - 2-D grid (2DGrid_GAN&PacGAN/config.py l. 5–7): 25 components with means (i, j),
 *   i, j ∈ {−4, −2, 0, 2, 4}, standard deviation 0.05.
 *
 * Samples are drawn from a caller's uniform generator (default: @paperzoo/tensor's global one, so a
 * run's seed fixes them and a resumed run replays them): a component uniformly, then Box–Muller.
 * Shapes: samples are row-major [n, 2] Float32Arrays.
 */
import { random } from '@paperzoo/tensor';

/** An equally weighted mixture of isotropic 2-D Gaussians with a common standard deviation. */
export interface GaussianMixture2d {
  name: string;
  /** Component means, [K] of [x, y]. */
  means: readonly (readonly [number, number])[];
  /** The common standard deviation σ of every component (per coordinate). */
  std: number;
}

/** `modes` components on a circle of `radius`, the k-th at angle 2πk/modes (PacGAN's 2-D ring: 8, 1, 0.01). */
export function ringMixture(modes = 8, radius = 1, std = 0.01): GaussianMixture2d {
  const means = Array.from({ length: modes }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / modes), radius * Math.sin((2 * Math.PI * k) / modes)] as const);
  return { name: `ring${modes}`, means, std };
}

/** side × side components at (i, j)·spacing centred on 0 (PacGAN's 2-D grid: 5, 2, 0.05 → means −4 … 4). */
export function gridMixture(side = 5, spacing = 2, std = 0.05): GaussianMixture2d {
  const offset = ((side - 1) * spacing) / 2;
  const means: (readonly [number, number])[] = [];
  for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) means.push([i * spacing - offset, j * spacing - offset]);
  return { name: `grid${side * side}`, means, std };
}

/** The named mixtures of PacGAN Table 1. */
export function paperMixture(name: 'ring' | 'grid'): GaussianMixture2d {
  return name === 'ring' ? ringMixture() : gridMixture();
}

/** n samples [n, 2] (row-major), component uniform, then the component's Gaussian (Box–Muller). */
export function sampleMixture(mixture: GaussianMixture2d, n: number, uniform: () => number = random): Float32Array {
  const out = new Float32Array(2 * n);
  const k = mixture.means.length;
  for (let i = 0; i < n; i++) {
    const [mx, my] = mixture.means[Math.min(k - 1, Math.floor(uniform() * k))];
    const r = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 − u ∈ (0, 1]: finite
    const t = 2 * Math.PI * uniform();
    out[2 * i] = mx + mixture.std * r * Math.cos(t);
    out[2 * i + 1] = my + mixture.std * r * Math.sin(t);
  }
  return out;
}

/** n standard normal values (Box–Muller pairs) from `uniform`: the generator's noise z. */
export function standardNormal(n: number, uniform: () => number = random): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/**
 * A 2-D histogram of samples ([n, 2] row-major) over the square [−extent, extent]², `bins` × `bins`,
 * as grey levels in [0, 1] (row 0 at the top, y up): log(1 + count) / log(1 + max count), so sparse
 * strays stay visible beside dense modes. For a PNG through @paperzoo/vae-flow's `imageGridPng`.
 */
export function densityImage(samples: ArrayLike<number>, extent: number, bins = 64): Float32Array {
  const counts = new Float32Array(bins * bins);
  for (let i = 0; i + 1 < samples.length; i += 2) {
    const col = Math.floor(((samples[i] + extent) / (2 * extent)) * bins);
    const row = bins - 1 - Math.floor(((samples[i + 1] + extent) / (2 * extent)) * bins);
    if (col >= 0 && col < bins && row >= 0 && row < bins) counts[row * bins + col]++;
  }
  const top = Math.log1p(counts.reduce((a, b) => Math.max(a, b), 0));
  return counts.map((c) => (top > 0 ? Math.log1p(c) / top : 0));
}

/** Half-width of a square that holds the mixture with a margin: max |coordinate of a mean| + 10σ, times 1.25. */
export function mixtureExtent(mixture: GaussianMixture2d): number {
  return 1.25 * (Math.max(...mixture.means.flat().map(Math.abs)) + 10 * mixture.std);
}
