/**
 * High-level loaders: fetch (mirror → cache → download, verified) and parse one dataset split into typed
 * arrays. Every loader takes the {@link FetchOptions} as well (mirror, cacheDir, onProgress, ...).
 */
import fs from 'node:fs/promises';
import { CIFAR10_CLASSES, CIFAR_IMAGE_BYTES, parseCifarBatch } from './cifar.js';
import { DatasetError } from './errors.js';
import { fetchFile, type FetchOptions } from './fetch.js';
import { gunzipBytes } from './gzip.js';
import { parseIdxImages, parseIdxLabels } from './idx.js';
import { channelStats, takeBatch, type ImageBatch, type ImageDataset } from './images.js';
import { parseOmniglotZip, type OmniglotSet } from './omniglot.js';
import { registry, type DatasetName } from './registry.js';
import { parseNumericTable, parseParallelText, parseTsv, standardizeColumns, type NumericTable } from './tabular.js';
import { buildCharCorpus, buildWordCorpus, splitSequence, type CharCorpus, type WordCorpus } from './text.js';

/** @internal The bytes of a file (shared by the loaders). */
export async function readBytes(p: string): Promise<Uint8Array> {
  const b = await fs.readFile(p);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** @internal A dataset text file (gunzipped when it ends in `.gz`), fetched and verified. */
export async function readText(dataset: DatasetName, file: string, opts: FetchOptions): Promise<string> {
  const p = await fetchFile(dataset, file, opts);
  const bytes = await readBytes(p);
  const raw = file.endsWith('.gz') ? await gunzipBytes(bytes, p) : bytes;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
}

/** @internal The `BAD_ARGUMENT` error of an unknown split name. */
export function badSplit(dataset: string, split: unknown, allowed: readonly string[]): DatasetError {
  return new DatasetError('BAD_ARGUMENT', `unknown split for ${dataset}`, { expected: allowed.join(' | '), actual: String(split), remedy: `Pass split: ${allowed.map((s) => `'${s}'`).join(' or ')}.` });
}

/** @internal The `COUNT_MISMATCH` error when a parsed file does not have the registry's record count. */
export function checkCount(file: string, what: string, expected: number, actual: number): void {
  if (expected !== actual) {
    throw new DatasetError('COUNT_MISMATCH', `wrong number of ${what}`, { file, expected, actual, remedy: `Delete ${file} and rerun so a verified copy is fetched.` });
  }
}

// ---------------------------------------------------------------------------------------------------------
// MNIST and Fashion-MNIST

/** A split of an image dataset. */
export type ImageSplit = 'train' | 'test';

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface MnistOptions extends FetchOptions {
  /** `train` (60000 images) or `test` (10000). Default `train`. */
  split?: ImageSplit;
}

/** The 10 Fashion-MNIST class names, indexed by label. */
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
/** The MNIST class names ('0' … '9'). */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

async function loadIdxPair(dataset: 'mnist' | 'fashion-mnist', opts: MnistOptions, classNames: readonly string[]): Promise<ImageDataset> {
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw badSplit(dataset, split, ['train', 'test']);
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesFile = `${prefix}-images-idx3-ubyte.gz`;
  const labelsFile = `${prefix}-labels-idx1-ubyte.gz`;
  const imagesPath = await fetchFile(dataset, imagesFile, opts);
  const labelsPath = await fetchFile(dataset, labelsFile, opts);
  const images = parseIdxImages(await gunzipBytes(await readBytes(imagesPath), imagesPath), imagesPath);
  const labels = parseIdxLabels(await gunzipBytes(await readBytes(labelsPath), labelsPath), labelsPath);
  if (images.count !== labels.count) {
    throw new DatasetError('COUNT_MISMATCH', 'the image and label files have different counts', {
      file: `${imagesPath} / ${labelsPath}`,
      expected: `${images.count} labels`,
      actual: `${labels.count} labels`,
      remedy: 'Delete both files and rerun so verified copies are fetched.',
    });
  }
  checkCount(imagesPath, 'images', registry[dataset].files[imagesFile].records!, images.count);
  for (let i = 0; i < labels.count; i++) {
    if (labels.labels[i] >= classNames.length) {
      throw new DatasetError('BAD_FORMAT', `label ${labels.labels[i]} at position ${i}`, { file: labelsPath, expected: `0–${classNames.length - 1}`, actual: labels.labels[i], remedy: `Delete ${labelsPath} and rerun.` });
    }
  }
  return { count: images.count, height: images.rows, width: images.cols, channels: 1, layout: 'NHWC', pixels: images.pixels, labels: labels.labels, numClasses: classNames.length, classNames };
}

/**
 * MNIST (LeCun et al. 1998): 28×28 grayscale digits, 60000 train / 10000 test. The files are committed in
 * the repository, so this works with no network.
 *
 * @returns uint8 pixels `[count, 28, 28, 1]` (0 = background) and labels 0–9; use `takeBatch` / `toFloat32`
 *   for normalised floats
 * @example
 * ```ts
 * const train = await loadMnist({ split: 'train' });
 * const { train: tr, val } = paperSplit('mnist-55k-5k');
 * ```
 */
export function loadMnist(opts: MnistOptions = {}): Promise<ImageDataset> {
  return loadIdxPair('mnist', opts, MNIST_CLASSES);
}

/**
 * Fashion-MNIST (Xiao et al. 2017): 28×28 grayscale clothing images in the MNIST format and sizes.
 * Class names are in {@link FASHION_MNIST_CLASSES}.
 */
export function loadFashionMnist(opts: MnistOptions = {}): Promise<ImageDataset> {
  return loadIdxPair('fashion-mnist', opts, FASHION_MNIST_CLASSES);
}

// ---------------------------------------------------------------------------------------------------------
// CIFAR-10

/** Options of {@link loadCifar10}. */
export interface Cifar10Options extends FetchOptions {
  /** `train` (data_batch_1..5, 50000 images) or `test` (test_batch, 10000). Default `train`. */
  split?: ImageSplit;
  /** For `train`: which of the five batches (1–5) to load, in order. Default all. */
  batches?: readonly number[];
}

/**
 * CIFAR-10 (Krizhevsky 2009), binary version: 32×32 RGB images of 10 classes.
 *
 * @returns uint8 pixels in `NCHW` layout (as stored in the `.bin` files) with labels 0–9; `takeBatch(ds, idx)`
 *   and `imageToFloat32(ds, i)` give NHWC / HWC floats
 */
export async function loadCifar10(opts: Cifar10Options = {}): Promise<ImageDataset> {
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'test') throw badSplit('cifar-10', split, ['train', 'test']);
  let files: string[];
  if (split === 'test') files = ['test_batch.bin'];
  else {
    const batches = opts.batches ?? [1, 2, 3, 4, 5];
    for (const b of batches) {
      if (![1, 2, 3, 4, 5].includes(b)) {
        throw new DatasetError('BAD_ARGUMENT', 'CIFAR-10 training batches are numbered 1–5', { expected: '1 | 2 | 3 | 4 | 5', actual: b, remedy: 'Pass e.g. batches: [1].' });
      }
    }
    files = batches.map((b) => `data_batch_${b}.bin`);
  }
  const per = 10000;
  const count = files.length * per;
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * CIFAR_IMAGE_BYTES);
  for (let k = 0; k < files.length; k++) {
    const p = await fetchFile('cifar-10', files[k], opts);
    parseCifarBatch(await readBytes(p), p, registry['cifar-10'].files[files[k]].records, { labels, pixels, offset: k * per });
  }
  return { count, height: 32, width: 32, channels: 3, layout: 'NCHW', pixels, labels, numClasses: 10, classNames: CIFAR10_CLASSES };
}

/** What {@link loadCifar10Normalized} returns. */
export interface Cifar10Normalized {
  /** The first `trainExamples` training images, NHWC floats [n, 32, 32, 3], and their labels. */
  train: ImageBatch;
  /** The first `testExamples` test images, normalised with the training images' statistics. */
  test: ImageBatch;
  /** Per-channel mean and standard deviation of those training images (in [0, 1] pixel units). */
  stats: { mean: number[]; std: number[] };
}

/**
 * The first `trainExamples` CIFAR-10 training images (reading only the batch files they are in) and the
 * first `testExamples` test images, as NHWC floats standardised per channel with the mean and standard
 * deviation of those training images: the usual preprocessing of the CIFAR papers, at a chosen size.
 */
export async function loadCifar10Normalized(opts: FetchOptions & { trainExamples: number; testExamples: number }): Promise<Cifar10Normalized> {
  const files = Math.ceil(opts.trainExamples / 10000);
  const [trainSet, testSet] = await Promise.all([
    loadCifar10({ ...opts, split: 'train', batches: Array.from({ length: files }, (_, i) => i + 1) }),
    loadCifar10({ ...opts, split: 'test' }),
  ]);
  const first = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const n = Math.min(opts.trainExamples, trainSet.count);
  const stats = channelStats(trainSet, first(n));
  return {
    train: takeBatch(trainSet, first(n), { normalize: stats }), // [n, 32, 32, 3]
    test: takeBatch(testSet, first(Math.min(opts.testExamples, testSet.count)), { normalize: stats }),
    stats,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Word-level language modelling

/**
 * Penn Treebank, word level (Mikolov's preprocessing; 10000-word vocabulary including `<eos>`), tokenised as
 * pytorch/examples `word_language_model`: `line.split() + ['<eos>']`, vocabulary grown over train, valid, test.
 *
 * @example
 * ```ts
 * const ptb = await loadPtb();
 * const train = batchify(ptb.train, 20); // Zaremba et al. 2014: batch 20, bptt 35
 * ```
 */
export async function loadPtb(opts: FetchOptions = {}): Promise<WordCorpus> {
  return buildWordCorpus({
    train: await readText('ptb', 'ptb.train.txt', opts),
    valid: await readText('ptb', 'ptb.valid.txt', opts),
    test: await readText('ptb', 'ptb.test.txt', opts),
  });
}

/**
 * WikiText-2 (Merity et al. 2016), tokenised v1 (`wiki.*.tokens`), tokenised as pytorch/examples
 * `word_language_model` (33278-word vocabulary; 2088628 / 217646 / 245569 tokens).
 */
export async function loadWikiText2(opts: FetchOptions = {}): Promise<WordCorpus> {
  return buildWordCorpus({
    train: await readText('wikitext-2', 'train.txt', opts),
    valid: await readText('wikitext-2', 'valid.txt', opts),
    test: await readText('wikitext-2', 'test.txt', opts),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Character level

/** Options of {@link loadTinyShakespeare}. */
export interface TinyShakespeareOptions extends FetchOptions {
  /** Fraction of the characters used for training; the rest is validation. Default 0.9 (nanoGPT). */
  trainFraction?: number;
}

/** A character corpus with its train/validation split. */
export interface CharCorpusSplit extends CharCorpus {
  /** The first `trainFraction` of the ids. */
  train: Int32Array;
  /** The rest. */
  val: Int32Array;
}

/** Tiny Shakespeare (char-rnn): 1115394 characters, 65-symbol vocabulary, split 90/10 as nanoGPT. */
export async function loadTinyShakespeare(opts: TinyShakespeareOptions = {}): Promise<CharCorpusSplit> {
  const corpus = buildCharCorpus(await readText('tiny-shakespeare', 'input.txt', opts));
  return { ...corpus, ...splitSequence(corpus.ids, opts.trainFraction ?? 0.9) };
}

// ---------------------------------------------------------------------------------------------------------
// Omniglot

/** The Omniglot zips. */
export type OmniglotSetName = 'background' | 'evaluation' | 'background_small1' | 'background_small2';

/** Options of {@link loadOmniglot}. */
export interface OmniglotOptions extends FetchOptions {
  /** Which zip: `background` (30 alphabets, 964 characters; default), `evaluation` (20, 659), or a small background subset. */
  set?: OmniglotSetName;
  /** Only these alphabets (default all). */
  alphabets?: readonly string[];
  /** Strokes 255 on 0 (default false: 0 on 255, as stored). */
  invert?: boolean;
}

/** Omniglot (Lake et al. 2015): 105×105 drawings, 20 per character; labels are character indices. */
export async function loadOmniglot(opts: OmniglotOptions = {}): Promise<OmniglotSet> {
  const set = opts.set ?? 'background';
  const allowed: readonly OmniglotSetName[] = ['background', 'evaluation', 'background_small1', 'background_small2'];
  if (!allowed.includes(set)) throw badSplit('omniglot', set, allowed);
  const file = `images_${set}.zip`;
  const p = await fetchFile('omniglot', file, opts);
  const result = parseOmniglotZip(await readBytes(p), { file: p, alphabets: opts.alphabets, invert: opts.invert });
  const expected = registry.omniglot.files[file].records;
  if (expected !== undefined && !opts.alphabets) checkCount(p, 'drawings', expected, result.count);
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// SST-2

/** A split of SST-2. */
export type Sst2Split = 'train' | 'dev' | 'test';

/** SST-2 sentences with binary sentiment labels. */
export interface Sst2Data {
  /** The split. */
  split: Sst2Split;
  /** Lower-cased, PTB-tokenised sentences (GLUE formatting kept, including trailing spaces). */
  sentences: string[];
  /** 0 = negative, 1 = positive; null for the unlabelled GLUE test split. */
  labels: Uint8Array | null;
}

/** SST-2 as in GLUE (Socher et al. 2013; Wang et al. 2018): train 67349, dev 872, test 1821 (unlabelled). */
export async function loadSst2(opts: FetchOptions & { split?: Sst2Split } = {}): Promise<Sst2Data> {
  const split = opts.split ?? 'train';
  if (split !== 'train' && split !== 'dev' && split !== 'test') throw badSplit('sst-2', split, ['train', 'dev', 'test']);
  const file = `${split}.tsv`;
  const text = await readText('sst-2', file, opts);
  const label = `sst-2/${file}`;
  if (split === 'test') {
    const t = parseTsv(text, label, ['index', 'sentence']);
    return { split, sentences: t.rows.map((r) => r[1]), labels: null };
  }
  const t = parseTsv(text, label, ['sentence', 'label']);
  const labels = new Uint8Array(t.rows.length);
  t.rows.forEach((r, i) => {
    if (r[1] !== '0' && r[1] !== '1') {
      throw new DatasetError('BAD_TSV', `row ${i + 2} has label ${JSON.stringify(r[1])}`, { file: label, expected: '0 or 1', actual: r[1], remedy: 'Delete the file and rerun.' });
    }
    labels[i] = r[1] === '1' ? 1 : 0;
  });
  return { split, sentences: t.rows.map((r) => r[0]), labels };
}

// ---------------------------------------------------------------------------------------------------------
// Multi30k

/** A split of Multi30k (torchtext names; files train / val / test_2016_flickr). */
export type Multi30kSplit = 'train' | 'valid' | 'test';

/** Multi30k sentence pairs. */
export interface Multi30kData {
  /** The split. */
  split: Multi30kSplit;
  /** Source language. */
  sourceLang: 'de' | 'en';
  /** Target language. */
  targetLang: 'de' | 'en';
  /** Source sentences (raw, untokenised). */
  source: string[];
  /** Target sentences, aligned by index. */
  target: string[];
}

/** Multi30k task 1 (Elliott et al. 2016): 29000 / 1014 / 1000 German–English pairs. Default direction de → en. */
export async function loadMulti30k(opts: FetchOptions & { split?: Multi30kSplit; sourceLang?: 'de' | 'en' } = {}): Promise<Multi30kData> {
  const split = opts.split ?? 'train';
  const stem = { train: 'train', valid: 'val', test: 'test_2016_flickr' }[split];
  if (!stem) throw badSplit('multi30k', split, ['train', 'valid', 'test']);
  const sourceLang = opts.sourceLang ?? 'de';
  const targetLang = sourceLang === 'de' ? 'en' : 'de';
  const sf = `${stem}.${sourceLang}.gz`;
  const tf = `${stem}.${targetLang}.gz`;
  const pair = parseParallelText(await readText('multi30k', sf, opts), await readText('multi30k', tf, opts), { source: `multi30k/${sf}`, target: `multi30k/${tf}` });
  checkCount(`multi30k/${sf}`, 'sentence pairs', registry.multi30k.files[sf].records!, pair.source.length);
  return { split, sourceLang, targetLang, ...pair };
}

// ---------------------------------------------------------------------------------------------------------
// Airfoil

/** The airfoil self-noise columns, in file order; the last one is the regression target. */
export const AIRFOIL_COLUMNS: readonly string[] = ['frequency_hz', 'angle_of_attack_deg', 'chord_length_m', 'free_stream_velocity_m_s', 'suction_side_displacement_thickness_m', 'scaled_sound_pressure_db'];

/** The airfoil table. */
export interface AirfoilData {
  /** The raw `[1503, 6]` table. */
  table: NumericTable;
  /** Column names. */
  columns: readonly string[];
  /** `[rows, 5]` float32 inputs (standardised unless `standardize: false`). */
  features: Float32Array;
  /** `[rows]` float32 target: scaled sound pressure (standardised unless `standardize: false`). */
  targets: Float32Array;
  /** Per-column mean and population std used for standardisation (null when not standardised). */
  stats: { mean: number[]; std: number[] } | null;
}

/**
 * NASA airfoil self-noise (Brooks et al. 1989, UCI): 1503 rows × 6 columns. By default each column is
 * standardised to zero mean and unit variance, as in Dive into Deep Learning's optimisation chapter
 * (which then uses the first 1500 rows).
 */
export async function loadAirfoil(opts: FetchOptions & { standardize?: boolean } = {}): Promise<AirfoilData> {
  const text = await readText('airfoil', 'airfoil_self_noise.dat', opts);
  const table = parseNumericTable(text, 6, 'airfoil/airfoil_self_noise.dat');
  checkCount('airfoil/airfoil_self_noise.dat', 'rows', registry.airfoil.files['airfoil_self_noise.dat'].records!, table.rows);
  const standardize = opts.standardize ?? true;
  let values: ArrayLike<number> = table.data;
  let stats: AirfoilData['stats'] = null;
  if (standardize) {
    const s = standardizeColumns(table);
    values = s.data;
    stats = { mean: s.mean, std: s.std };
  }
  const features = new Float32Array(table.rows * 5);
  const targets = new Float32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    for (let c = 0; c < 5; c++) features[r * 5 + c] = values[r * 6 + c];
    targets[r] = values[r * 6 + 5];
  }
  return { table, columns: AIRFOIL_COLUMNS, features, targets, stats };
}
