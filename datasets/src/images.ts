/**
 * Image datasets as flat uint8 arrays, and the helpers that turn them into float32 batches for a model:
 * normalisation, layout conversion (CIFAR's CHW records → NHWC, the tfjs default), one-hot labels, subsets.
 */
import { DatasetError } from './errors.js';

/** Memory layout of an image array: N images of H × W pixels with C channels. */
export type ImageLayout = 'NHWC' | 'NCHW';

/**
 * An image classification set held as raw bytes.
 *
 * `pixels[i * H * W * C ...]` is image i in {@link ImageDataset.layout}. For one channel both layouts are the same.
 */
export interface ImageDataset {
  /** Number of images. */
  count: number;
  /** Image height H. */
  height: number;
  /** Image width W. */
  width: number;
  /** Channels C (1 for MNIST, 3 for CIFAR-10). */
  channels: number;
  /** Layout of {@link ImageDataset.pixels}. */
  layout: ImageLayout;
  /** `count × H × W × C` uint8 pixels (0–255). */
  pixels: Uint8Array;
  /** One label per image, `0 ≤ label < numClasses`. */
  labels: Uint8Array;
  /** Number of classes. */
  numClasses: number;
  /** Class names, indexed by label. */
  classNames: readonly string[];
}

/**
 * How bytes become floats:
 * - `'unit'`: x / 255 ∈ [0, 1] (default),
 * - `'none'`: x as a float in [0, 255],
 * - `'symmetric'`: x / 127.5 − 1 ∈ [−1, 1] (GAN papers),
 * - `{ mean, std }`: (x / 255 − mean[c]) / std[c], per channel (a single number applies to all channels).
 */
export type Normalization = 'unit' | 'none' | 'symmetric' | { mean: number | readonly number[]; std: number | readonly number[] };

/** Options of {@link takeBatch} and {@link imageToFloat32}. */
export interface FloatImageOptions {
  /** Pixel normalisation (default `'unit'`). */
  normalize?: Normalization;
  /** Output layout (default `'NHWC'`, as tfjs expects). */
  layout?: ImageLayout;
}

/** A float32 batch ready for `tf.tensor4d(x, shape)`. */
export interface ImageBatch {
  /** Pixels in the requested layout. */
  x: Float32Array;
  /** Labels as int32. */
  y: Int32Array;
  /** `[batch, H, W, C]` for NHWC, `[batch, C, H, W]` for NCHW. */
  shape: [number, number, number, number];
}

function channelAffine(norm: Normalization, channels: number): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    if (norm === 'unit') scale[c] = 1 / 255;
    else if (norm === 'none') scale[c] = 1;
    else if (norm === 'symmetric') {
      scale[c] = 1 / 127.5;
      shift[c] = -1;
    } else {
      const mean = typeof norm.mean === 'number' ? norm.mean : norm.mean[c];
      const std = typeof norm.std === 'number' ? norm.std : norm.std[c];
      if (mean === undefined || std === undefined || !(std > 0)) {
        throw new DatasetError('BAD_ARGUMENT', `normalisation needs a mean and a positive std for each of the ${channels} channels`, {
          expected: `${channels} values`,
          actual: JSON.stringify(norm),
          remedy: 'Pass numbers, or arrays with one value per channel.',
        });
      }
      scale[c] = 1 / (255 * std);
      shift[c] = -mean / std;
    }
  }
  return { scale, shift };
}

/**
 * Converts raw bytes to float32 with a single affine map: x · scale + shift (default x / 255).
 *
 * @example `toFloat32(mnist.pixels)` → Float32Array in [0, 1], same layout
 */
export function toFloat32(pixels: Uint8Array, scale = 1 / 255, shift = 0): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] * scale + shift;
  return out;
}

function checkIndex(ds: ImageDataset, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= ds.count) {
    throw new DatasetError('BAD_ARGUMENT', `image index ${index} is out of range`, { expected: `0 ≤ index < ${ds.count}`, actual: index, remedy: 'Pass a valid index.' });
  }
}

/** Writes image `index` of `ds` as floats into `out` at `offset`, in HWC (`'NHWC'`) or CHW (`'NCHW'`) order. */
function writeImage(ds: ImageDataset, index: number, out: Float32Array, offset: number, layout: ImageLayout, scale: Float32Array, shift: Float32Array): void {
  const C = ds.channels;
  const HW = ds.height * ds.width;
  const base = index * HW * C;
  const px = ds.pixels;
  if (C === 1) {
    const s = scale[0];
    const t = shift[0];
    for (let i = 0; i < HW; i++) out[offset + i] = px[base + i] * s + t;
    return;
  }
  if (ds.layout === layout) {
    if (layout === 'NCHW') {
      for (let c = 0; c < C; c++) for (let i = 0; i < HW; i++) out[offset + c * HW + i] = px[base + c * HW + i] * scale[c] + shift[c];
    } else {
      for (let i = 0; i < HW; i++) for (let c = 0; c < C; c++) out[offset + i * C + c] = px[base + i * C + c] * scale[c] + shift[c];
    }
  } else if (ds.layout === 'NCHW') {
    // CHW → HWC: out[h, w, c] = in[c, h, w]
    for (let c = 0; c < C; c++) for (let i = 0; i < HW; i++) out[offset + i * C + c] = px[base + c * HW + i] * scale[c] + shift[c];
  } else {
    // HWC → CHW
    for (let i = 0; i < HW; i++) for (let c = 0; c < C; c++) out[offset + c * HW + i] = px[base + i * C + c] * scale[c] + shift[c];
  }
}

/**
 * One image as float32, `[H, W, C]` (default) or `[C, H, W]`.
 *
 * For CIFAR-10 (stored CHW as in the binary files) the default gives the HWC accessor:
 * `imageToFloat32(cifar, i)[(h * 32 + w) * 3 + c]` is channel c of pixel (h, w), in [0, 1].
 */
export function imageToFloat32(ds: ImageDataset, index: number, opts: FloatImageOptions = {}): Float32Array {
  checkIndex(ds, index);
  const { scale, shift } = channelAffine(opts.normalize ?? 'unit', ds.channels);
  const out = new Float32Array(ds.height * ds.width * ds.channels);
  writeImage(ds, index, out, 0, opts.layout ?? 'NHWC', scale, shift);
  return out;
}

/**
 * Gathers the images at `indices` into one float32 batch (default NHWC, [0, 1]) with int32 labels.
 *
 * @example
 * ```ts
 * for (const idx of batchIndices(train.count, 128, { seed, epoch })) {
 *   const { x, y, shape } = takeBatch(train, idx);
 *   const xs = tf.tensor4d(x, shape); // [128, 28, 28, 1]
 * }
 * ```
 */
export function takeBatch(ds: ImageDataset, indices: ArrayLike<number>, opts: FloatImageOptions = {}): ImageBatch {
  const layout = opts.layout ?? 'NHWC';
  const { scale, shift } = channelAffine(opts.normalize ?? 'unit', ds.channels);
  const size = ds.height * ds.width * ds.channels;
  const n = indices.length;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    checkIndex(ds, i);
    writeImage(ds, i, x, b * size, layout, scale, shift);
    y[b] = ds.labels[i];
  }
  const shape: [number, number, number, number] = layout === 'NHWC' ? [n, ds.height, ds.width, ds.channels] : [n, ds.channels, ds.height, ds.width];
  return { x, y, shape };
}

/** The whole set as one float32 array (see {@link takeBatch}); 60000 MNIST images take 188 MB. */
export function allToFloat32(ds: ImageDataset, opts: FloatImageOptions = {}): ImageBatch {
  const idx = new Int32Array(ds.count);
  for (let i = 0; i < ds.count; i++) idx[i] = i;
  return takeBatch(ds, idx, opts);
}

/** One-hot encodes labels: `[n, numClasses]` row-major float32. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
      throw new DatasetError('BAD_ARGUMENT', `label ${l} at position ${i} is out of range`, { expected: `0 ≤ label < ${numClasses}`, actual: l, remedy: 'Check numClasses.' });
    }
    out[i * numClasses + l] = 1;
  }
  return out;
}

/** A new dataset holding copies of the images at `indices` (e.g. the train part of a {@link trainValSplit}). */
export function subset(ds: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = ds.height * ds.width * ds.channels;
  const pixels = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b];
    checkIndex(ds, i);
    pixels.set(ds.pixels.subarray(i * size, (i + 1) * size), b * size);
    labels[b] = ds.labels[i];
  }
  return { ...ds, count: indices.length, pixels, labels };
}

/**
 * Per-channel mean and standard deviation of the pixels scaled to [0, 1] (over all images, or those at
 * `indices`), for `{ mean, std }` normalisation computed on the training split only.
 */
export function channelStats(ds: ImageDataset, indices?: ArrayLike<number>): { mean: number[]; std: number[] } {
  const C = ds.channels;
  const HW = ds.height * ds.width;
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  const n = indices ? indices.length : ds.count;
  const px = ds.pixels;
  for (let b = 0; b < n; b++) {
    const i = indices ? indices[b] : b;
    const base = i * HW * C;
    for (let c = 0; c < C; c++) {
      let s = 0;
      let s2 = 0;
      if (ds.layout === 'NCHW' || C === 1) {
        for (let k = base + c * HW, end = k + HW; k < end; k++) {
          s += px[k];
          s2 += px[k] * px[k];
        }
      } else {
        for (let k = base + c, end = base + HW * C; k < end; k += C) {
          s += px[k];
          s2 += px[k] * px[k];
        }
      }
      sum[c] += s / 255;
      sumSq[c] += s2 / (255 * 255);
    }
  }
  const count = n * HW;
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(0, s / count - mean[c] * mean[c])));
  return { mean, std };
}
