/**
 * Deterministic shuffles, mini-batches and the train/validation splits papers use.
 *
 * All randomness comes from seedrandom's ARC4 generator seeded with a string built from `(seed, epoch)` or
 * `(seed, 'split')`, so the same seed gives the same order on every machine and every run, and epochs differ
 * from one another.
 */
import seedrandom from 'seedrandom';
import { DatasetError } from './errors.js';

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new DatasetError('BAD_ARGUMENT', `${what} must be a non-negative integer`, { actual: n, remedy: `Pass a valid ${what}.` });
}

/** A random permutation of `0 … n−1` from `rng` (Fisher–Yates, from the end). */
function permutation(n: number, rng: () => number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/**
 * The permutation of `0 … n−1` for `(seed, epoch)`: the same arguments always give the same order.
 *
 * @example `seededShuffledIndices(5, { seed: 1, epoch: 0 })` is pinned by the tests
 */
export function seededShuffledIndices(n: number, opts: { seed?: number | string; epoch?: number } = {}): Int32Array {
  checkCount(n, 'n');
  const rng = seedrandom(`paperzoo:${opts.seed ?? 0}:epoch:${opts.epoch ?? 0}`);
  return permutation(n, rng);
}

/** Options of {@link batchIndices}. */
export interface BatchOptions {
  /** Seed of the shuffle (default 0). */
  seed?: number | string;
  /** Epoch number: each epoch has its own order (default 0). */
  epoch?: number;
  /** Shuffle (default true); false gives 0, 1, 2, … in order. */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/** Number of batches {@link batchIndices} yields. */
export function numBatches(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Yields the index arrays of one epoch's mini-batches over `n` items.
 *
 * @example
 * ```ts
 * for (let epoch = 0; epoch < 10; epoch++)
 *   for (const idx of batchIndices(train.count, 128, { seed: 42, epoch, dropLast: true }))
 *     step(takeBatch(train, idx));
 * ```
 */
export function* batchIndices(n: number, batchSize: number, opts: BatchOptions = {}): Generator<Int32Array, void, undefined> {
  checkCount(n, 'n');
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DatasetError('BAD_ARGUMENT', 'batchSize must be a positive integer', { actual: batchSize, remedy: 'Pass e.g. 128.' });
  }
  let order: Int32Array;
  if (opts.shuffle ?? true) order = seededShuffledIndices(n, opts);
  else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const count = numBatches(n, batchSize, opts.dropLast ?? false);
  for (let b = 0; b < count; b++) yield order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
}

/** Which items go to validation. */
export type SplitMode = 'first' | 'last' | 'random';

/** Options of {@link trainValSplit}. */
export interface SplitOptions {
  /** Number of validation items. */
  valSize: number;
  /** `first` / `last`: a contiguous block at the start / end; `random`: a seeded random subset (default). */
  mode?: SplitMode;
  /** Seed of a random split (default 0). */
  seed?: number | string;
}

/** Index sets of a train/validation split, each sorted ascending. */
export interface TrainValSplit {
  /** Training indices. */
  train: Int32Array;
  /** Validation indices. */
  val: Int32Array;
}

/**
 * Splits `0 … n−1` into training and validation indices, deterministically.
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` when `valSize` is not in `[0, n]`
 */
export function trainValSplit(n: number, opts: SplitOptions): TrainValSplit {
  checkCount(n, 'n');
  const { valSize } = opts;
  if (!Number.isInteger(valSize) || valSize < 0 || valSize > n) {
    throw new DatasetError('BAD_ARGUMENT', 'valSize must be an integer between 0 and n', { expected: `0 ≤ valSize ≤ ${n}`, actual: valSize, remedy: 'Pass a smaller valSize.' });
  }
  const mode = opts.mode ?? 'random';
  const range = (from: number, to: number): Int32Array => Int32Array.from({ length: to - from }, (_, i) => from + i);
  if (mode === 'first') return { val: range(0, valSize), train: range(valSize, n) };
  if (mode === 'last') return { train: range(0, n - valSize), val: range(n - valSize, n) };
  const perm = permutation(n, seedrandom(`paperzoo:${opts.seed ?? 0}:split`));
  const isVal = new Uint8Array(n);
  for (let i = 0; i < valSize; i++) isVal[perm[i]] = 1;
  const train = new Int32Array(n - valSize);
  const val = new Int32Array(valSize);
  let t = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (isVal[i]) val[v++] = i;
    else train[t++] = i;
  }
  return { train, val };
}

/** A named split used by a paper or a reference implementation. */
export interface PaperSplit {
  /** Size of the full training set it applies to. */
  n: number;
  /** Split options. */
  options: SplitOptions;
  /** Where it comes from. */
  source: string;
}

/**
 * The train/validation splits of the papers and reference code the reproductions follow.
 * Use with {@link paperSplit}.
 */
export const PAPER_SPLITS = {
  /** MNIST 55k/5k: TensorFlow's `input_data.read_data_sets` (validation_size=5000) keeps the first 5000 for validation. */
  'mnist-55k-5k': { n: 60000, options: { valSize: 5000, mode: 'first' }, source: 'TensorFlow MNIST tutorial input_data.py (validation = first 5000 training images)' },
  /** MNIST 50k/10k: the deeplearning.net `mnist.pkl.gz` split (validation = last 10000 training images). */
  'mnist-50k-10k': { n: 60000, options: { valSize: 10000, mode: 'last' }, source: 'deeplearning.net mnist.pkl.gz (train = first 50000, valid = last 10000)' },
  /** CIFAR-10 45k/5k: He et al. 2016, §4.2 ("a 45k/5k train/val split"); the paper does not say which 5k, so a seeded random subset. */
  'cifar10-45k-5k': { n: 50000, options: { valSize: 5000, mode: 'random', seed: 0 }, source: 'He et al., Deep Residual Learning for Image Recognition, CVPR 2016, §4.2' },
} as const satisfies Record<string, PaperSplit>;

/** Names of {@link PAPER_SPLITS}. */
export type PaperSplitName = keyof typeof PAPER_SPLITS;

/**
 * A paper's train/validation split by name; `seed` overrides the seed of a random split.
 *
 * @example `const { train, val } = paperSplit('cifar10-45k-5k');`
 */
export function paperSplit(name: PaperSplitName, seed?: number | string): TrainValSplit {
  const s: PaperSplit = PAPER_SPLITS[name];
  return trainValSplit(s.n, seed === undefined ? s.options : { ...s.options, seed });
}
