/**
 * N-way K-shot episodes: the task distribution of few-shot classification (Vinyals et al. 2016, "Matching
 * Networks for One Shot Learning", https://arxiv.org/abs/1606.04080, §2.2), which Prototypical Networks
 * (Snell et al. 2017, §2.2, Algorithm 1) and MAML (Finn et al. 2017, §3.2) train and test on.
 *
 * An episode draws N (`ways`) classes of a split without replacement, then for each class K + Q
 * (`shots` + `queries`) distinct drawings without replacement: the first K form the support set S_k,
 * the other Q the query set, as `extract_episode` in jakesnell/prototypical-networks (a random
 * permutation of the class's 20 drawings, cut after K). Labels are the episode's own 0 … N-1, in the
 * order the classes were drawn.
 */
import type { OmniglotFewShot } from '@paperzoo/datasets';
import { randomInt, tf } from '@paperzoo/tensor';

/** The shape of an episode: N-way, K-shot, Q queries per class. */
export interface EpisodeSpec {
  /** N: classes per episode. */
  ways: number;
  /** K: labelled examples per class (the support set). */
  shots: number;
  /** Q: examples per class to classify (the query set). */
  queries: number;
}

/** One episode. Its tensors are the caller's to dispose ({@link disposeEpisode}). */
export interface Episode {
  /** `[ways·shots, size, size, 1]` float32 in [0, 1], class-major: class 0's shots first. */
  support: tf.Tensor4D;
  /** `[ways·shots]` int32 labels 0 … ways-1. */
  supportLabels: tf.Tensor1D;
  /** `[ways·queries, size, size, 1]` float32 in [0, 1], class-major. */
  query: tf.Tensor4D;
  /** `[ways·queries]` int32 labels 0 … ways-1. */
  queryLabels: tf.Tensor1D;
  /** The split's class indices that episode labels 0 … ways-1 stand for. */
  classes: number[];
}

/** A uniform draw from 0 … n-1: `random` when given, else @paperzoo/tensor's global generator (`seed(n)`). */
function drawBelow(n: number, random?: () => number): number {
  return random ? Math.floor(random() * n) : randomInt(n);
}

/** `count` distinct numbers from 0 … n-1, in draw order (the first `count` steps of a Fisher–Yates shuffle). */
function drawDistinct(n: number, count: number, random?: () => number): number[] {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + drawBelow(n - i, random);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return Array.from(pool.subarray(0, count));
}

function checkSpec(data: OmniglotFewShot, spec: EpisodeSpec): void {
  const classes = data.classes.length;
  for (const key of ['ways', 'shots', 'queries'] as const) {
    const v = spec[key];
    if (!Number.isInteger(v) || v < (key === 'queries' ? 0 : 1)) throw new RangeError(`${key} must be an integer ≥ ${key === 'queries' ? 0 : 1}, got ${v}`);
  }
  if (spec.ways > classes) throw new RangeError(`ways = ${spec.ways} is more than the ${classes} classes of the ${data.split} split`);
  if (spec.shots + spec.queries > data.drawings) {
    throw new RangeError(`shots + queries = ${spec.shots} + ${spec.queries} = ${spec.shots + spec.queries} is more than the ${data.drawings} drawings of a class`);
  }
}

/**
 * The drawings `drawingIndices` (0–19, drawer order) of class `classIndex`, as float32 pixels / 255:
 * `[drawingIndices.length, size, size]` row-major. Writes into `out` at `offset` when given.
 */
export function episodeImages(data: OmniglotFewShot, classIndex: number, drawingIndices: readonly number[], out?: Float32Array, offset = 0): Float32Array {
  const per = data.size * data.size;
  const target = out ?? new Float32Array(drawingIndices.length * per);
  drawingIndices.forEach((d, k) => {
    const from = (classIndex * data.drawings + d) * per;
    const at = offset + k * per;
    for (let p = 0; p < per; p++) target[at + p] = data.images[from + p] / 255;
  });
  return target;
}

/**
 * Samples one N-way K-shot episode from a few-shot split (see the file comment).
 *
 * Randomness comes from @paperzoo/tensor's global generator (so `seed(n)` fixes the episode stream), or
 * from `random` (uniform in [0, 1)) when given: N class draws, then K + Q drawing draws per class.
 *
 * @throws RangeError when ways, shots or queries are not integers (≥ 1, ≥ 1, ≥ 0), ways exceeds the
 *   split's classes or shots + queries exceeds the 20 drawings of a class
 * @example
 * ```ts
 * seed(0);
 * const ep = sampleEpisode(await loadOmniglotFewShot({ split: 'test' }), { ways: 5, shots: 1, queries: 15 });
 * ep.support.shape; // [5, 28, 28, 1]
 * disposeEpisode(ep);
 * ```
 */
export function sampleEpisode(data: OmniglotFewShot, spec: EpisodeSpec, random?: () => number): Episode {
  checkSpec(data, spec);
  const { ways, shots, queries } = spec;
  const per = data.size * data.size;
  const classes = drawDistinct(data.classes.length, ways, random);
  const support = new Float32Array(ways * shots * per);
  const query = new Float32Array(ways * queries * per);
  classes.forEach((c, k) => {
    const drawings = drawDistinct(data.drawings, shots + queries, random);
    episodeImages(data, c, drawings.slice(0, shots), support, k * shots * per);
    episodeImages(data, c, drawings.slice(shots), query, k * queries * per);
  });
  const labels = (n: number): Int32Array => Int32Array.from({ length: ways * n }, (_, i) => Math.floor(i / n));
  return {
    support: tf.tensor4d(support, [ways * shots, data.size, data.size, 1], 'float32'),
    supportLabels: tf.tensor1d(labels(shots), 'int32'),
    query: tf.tensor4d(query, [ways * queries, data.size, data.size, 1], 'float32'),
    queryLabels: tf.tensor1d(labels(queries), 'int32'),
    classes,
  };
}

/** Disposes the four tensors of an episode. */
export function disposeEpisode(episode: Episode): void {
  tf.dispose([episode.support, episode.supportLabels, episode.query, episode.queryLabels]);
}

/**
 * The pixel-space baseline: each query image gets the label of its nearest support image (squared
 * Euclidean distance over the pixels, float64; ties go to the lower support index). Returns the fraction
 * of queries labelled correctly (NaN for an episode without queries): the 1-nearest-neighbour baseline
 * that learned metrics such as Prototypical Networks are compared with.
 */
export function pixelNearestNeighbour(episode: Episode): number {
  const support = episode.support.dataSync();
  const query = episode.query.dataSync();
  const supportLabels = episode.supportLabels.dataSync();
  const queryLabels = episode.queryLabels.dataSync();
  const n = supportLabels.length;
  const m = queryLabels.length;
  if (m === 0) return NaN;
  const dim = support.length / n;
  let correct = 0;
  for (let q = 0; q < m; q++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let s = 0; s < n; s++) {
      let distance = 0;
      for (let p = 0; p < dim; p++) {
        const d = query[q * dim + p] - support[s * dim + p];
        distance += d * d;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = s;
      }
    }
    if (supportLabels[best] === queryLabels[q]) correct++;
  }
  return correct / m;
}
