/**
 * Images held in memory as NHWC floats, fed to @paperzoo/repro's `fit` and `evaluateClassifier`: the
 * data glue the CIFAR-10 reproductions (NiN, ResNet, DenseNet) share.
 *
 * - {@link loadCifar10AtSize}: the first N CIFAR-10 training and test images, standardised per channel
 *   with the training images' statistics (`loadCifar10Normalized`), then box-filtered to the run's
 *   size (32 = the papers; 16 for scaled-down smoke runs).
 * - {@link evaluationBatches}: a fixed, in-order split of an image set into tensor batches, built once
 *   and evaluated after every epoch (`evaluateClassifier(…, { keepBatches: true })`).
 * - {@link shuffledTrainingBatches}: one `fit` epoch's batches, drawn from shuffled passes over the
 *   images, optionally with the "C10+" pad-crop-flip augmentation (He et al. 2016, §4.2).
 * - {@link trainCifar10} / {@link cifar10TrainingFields}: the training run and config fields NiN and
 *   DenseNet share (`trainClassifier` on the above).
 *
 * Randomness (shuffles, crops, flips) comes from @paperzoo/tensor's global generator, in a fixed order
 * per batch, so a seeded run is reproducible and `fit`'s `--resume` replays an interrupted epoch exactly.
 */
import { tf, random, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { loadCifar10Normalized, type Cifar10Normalized, type FetchOptions, type ImageBatch } from '@paperzoo/datasets';
import { trainClassifier, z, type ClassifierModel, type ClassifierRun, type FitContext, type FitOptimizer } from '@paperzoo/repro';
import { downsample, padCropFlip } from './augment.js';

/** One batch of images and their class indices as tensors. */
export interface ImageTensorBatch {
  /** [batch, height, width, channels] */
  x: tf.Tensor4D;
  /** [batch] int32 class indices */
  y: tf.Tensor1D;
}

/** Options of {@link loadCifar10AtSize}. */
export interface Cifar10AtSizeOptions extends FetchOptions {
  /** Training images: the first N of 50,000 (only the batch files they are in are read). */
  trainExamples: number;
  /** Test images: the first N of 10,000. */
  testExamples: number;
  /** Side of the images returned: 32 (as stored) or a divisor of 32 (2×2 box filter at 16, …). */
  imageSize: number;
}

/** Floats per image of an NHWC set (h · w · c). */
function imageLength(images: ImageBatch): number {
  const [, height, width, channels] = images.shape;
  return height * width * channels;
}

/** The first `count` images of an NHWC set, checked. */
function checkedCount(images: ImageBatch, count: number | undefined, what: string): number {
  const n = images.shape[0];
  const c = count ?? n;
  if (!Number.isInteger(c) || c < 0 || c > n) throw new RangeError(`${what}: count must be an integer in [0, ${n}] (the images held), got ${c}`);
  return c;
}

/**
 * The first `trainExamples` CIFAR-10 training images and the first `testExamples` test images,
 * standardised per channel with the training images' mean and standard deviation (at 32×32), then,
 * when `imageSize` < 32, box-filtered to `imageSize`×`imageSize` ({@link downsample}).
 *
 * @returns `train` and `test` as NHWC floats `[n, imageSize, imageSize, 3]` with int32 labels, and the
 *   channel statistics used
 */
export async function loadCifar10AtSize(options: Cifar10AtSizeOptions): Promise<Cifar10Normalized> {
  const { imageSize, ...load } = options;
  if (!Number.isInteger(imageSize) || imageSize < 1 || 32 % imageSize !== 0) throw new RangeError(`loadCifar10AtSize: imageSize must divide 32 (32, 16, 8, …), got ${imageSize}`);
  const cifar = await loadCifar10Normalized(load); // [n, 32, 32, 3]
  const atSize = (b: ImageBatch): ImageBatch => (imageSize === 32 ? b : { ...downsample(b.x, b.shape, 32 / imageSize), y: b.y }); // [n, imageSize, imageSize, 3]
  return { train: atSize(cifar.train), test: atSize(cifar.test), stats: cifar.stats };
}

/**
 * The first `count` images (default all) of an NHWC set, in order, as tensor batches of `batchSize`
 * (default 500; the last may be shorter). The tensors are copies; the caller disposes them (typically
 * after the last `evaluateClassifier(predict, batches, { keepBatches: true })`).
 */
export function evaluationBatches(images: ImageBatch, options: { count?: number; batchSize?: number } = {}): ImageTensorBatch[] {
  const count = checkedCount(images, options.count, 'evaluationBatches');
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`evaluationBatches: batchSize must be a positive integer, got ${batchSize}`);
  const [, height, width, channels] = images.shape;
  const per = imageLength(images);
  const out: ImageTensorBatch[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    out.push({
      x: tf.tensor4d(images.x.slice(start * per, end * per), [end - start, height, width, channels]), // [end − start, h, w, c]
      y: tf.tensor1d(images.y.slice(start, end), 'int32'), // [end − start]
    });
  }
  return out;
}

/** Options of {@link shuffledTrainingBatches}. */
export interface ShuffledBatchOptions {
  /** Images per batch (at most the number of images). */
  batchSize: number;
  /** Batches to yield: one `fit` epoch (e.g. the iterations between two evaluations). */
  steps: number;
  /**
   * "C10+" augmentation ({@link padCropFlip}): zero-pad each image by height/8 pixels (4 at 32×32,
   * 2 at 16×16), crop it back at a random offset, flip it horizontally with probability ½.
   */
  augment?: boolean;
}

/**
 * `steps` training batches of `batchSize` images for one `fit` epoch. The images are visited in a
 * random order: a fresh permutation when the call starts (each epoch), and a new one whenever what
 * is left of the current one cannot fill a batch (the remainder is skipped), so a batch never holds
 * an image twice.
 *
 * Per batch, randomness is drawn from the global generator in this order: the new permutation (when
 * one begins), then the crop offsets and flip of each image in the batch (`augment`). `fit` owns the
 * yielded tensors and disposes them after each step.
 *
 * @example
 * ```ts
 * await fit({ …, epochs: iterations / evalEvery, stepsPerEpoch: evalEvery,
 *   batches: () => shuffledTrainingBatches(train, { batchSize: 128, steps: evalEvery, augment: true }) });
 * ```
 */
export function* shuffledTrainingBatches(images: ImageBatch, options: ShuffledBatchOptions): Generator<ImageTensorBatch, void, undefined> {
  const { batchSize, steps, augment = false } = options;
  const [n, height, width, channels] = images.shape;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > n) throw new RangeError(`shuffledTrainingBatches: batchSize must be an integer in [1, ${n}] (the images held), got ${batchSize}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`shuffledTrainingBatches: steps must be a non-negative integer, got ${steps}`);
  if (augment && height % 8 !== 0) throw new RangeError(`shuffledTrainingBatches: augment pads by height/8 pixels, so the height must be a multiple of 8, got ${height}`);
  const shape: [number, number, number, number] = [batchSize, height, width, channels];
  const per = imageLength(images);
  let order = shuffledIndicesFromGlobalRng(n);
  let pos = 0;
  for (let step = 0; step < steps; step++) {
    if (pos + batchSize > n) {
      order = shuffledIndicesFromGlobalRng(n);
      pos = 0;
    }
    const x = new Float32Array(batchSize * per); // [batchSize, h, w, c]
    const y = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) {
      const j = order[pos + i];
      x.set(images.x.subarray(j * per, (j + 1) * per), i * per);
      y[i] = images.y[j];
    }
    pos += batchSize;
    yield { x: tf.tensor4d(augment ? padCropFlip(x, shape, height / 8, random) : x, shape), y: tf.tensor1d(y, 'int32') };
  }
}

/**
 * The config fields every CIFAR-10 reproduction of the package shares (spread them into the app's
 * `z.object({ ... })`): data size, iterations in evaluation intervals, batch, step-decay schedule.
 */
export const cifar10TrainingFields = {
  /** Input size: 32 (the paper) or 16 (2×2 box-filtered, smoke). */
  imageSize: z.union([z.literal(32), z.literal(16)]),
  /** Training images, the first N of 50,000. */
  trainExamples: z.number().int().min(100).max(50000),
  /** SGD iterations. */
  iterations: z.number().int().min(1).max(10_000_000),
  /** Iterations between test evaluations (one `fit` epoch and checkpoint); divides `iterations`. */
  evalEvery: z.number().int().min(1).max(10_000_000),
  batchSize: z.number().int().min(2).max(50000),
  /** Initial learning rate. */
  learningRate: z.number().positive().max(10),
  /** Iterations at which the learning rate is divided by 10. */
  lrBoundaries: z.array(z.number().int().min(0).max(10_000_000)),
  /** L2 weight decay λ (gradient + λθ). */
  weightDecay: z.number().min(0).max(1),
  /** Test images, the first N of 10,000. */
  testExamples: z.number().int().min(100).max(10000),
};

/** What {@link trainCifar10} reads of a run's config. */
export interface Cifar10TrainingConfig {
  imageSize: number;
  trainExamples: number;
  testExamples: number;
  iterations: number;
  evalEvery: number;
  batchSize: number;
  /** "C10+" pad-crop-flip augmentation (default false). */
  augment?: boolean;
}

/**
 * Train `model` on the first `trainExamples` CIFAR-10 images at `imageSize` ({@link loadCifar10AtSize})
 * with @paperzoo/repro's `trainClassifier`: `iterations / evalEvery` epochs of {@link shuffledTrainingBatches},
 * the test error after each. The model and optimizer are disposed when it returns or throws.
 */
export async function trainCifar10(o: { ctx: FitContext; cfg: Cifar10TrainingConfig; model: ClassifierModel; optimizer: FitOptimizer; label: string }): Promise<ClassifierRun> {
  const { cfg } = o;
  if (cfg.iterations % cfg.evalEvery !== 0) throw new RangeError(`iterations (${cfg.iterations}) must be a multiple of evalEvery (${cfg.evalEvery})`);
  const { train, test } = await loadCifar10AtSize({ trainExamples: cfg.trainExamples, testExamples: cfg.testExamples, imageSize: cfg.imageSize }); // [n, imageSize, imageSize, 3]
  return trainClassifier({
    ...o,
    epochs: cfg.iterations / cfg.evalEvery,
    stepsPerEpoch: cfg.evalEvery,
    test: evaluationBatches(test),
    batches: () => shuffledTrainingBatches(train, { batchSize: cfg.batchSize, steps: cfg.evalEvery, augment: cfg.augment }),
  });
}
