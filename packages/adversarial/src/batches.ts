/**
 * Labelled batches: an image set (MNIST, from @paperzoo/datasets) as the tensors this package's
 * attacks and meters take — the inputs, the labels as an int32 tensor (what {@link fgsm}, {@link pgd}
 * and the training steps differentiate against) and the same labels as a JS array (what
 * {@link ErrorMeter} counts against) — so the three never drift apart.
 *
 * Two input shapes, because the papers' models take two:
 *
 *   'vector': x [B, H·W·C]     (softmax / logistic regression, maxout and RBF networks: [B, 784])
 *   'image':  x [B, H, W, C]   (Madry et al.'s CNN: [B, 28, 28, 1])
 *
 * Pixels are x / 255 ∈ [0, 1] (`takeBatch`'s default), the range every attack here is stated in.
 */
import { tf } from '@paperzoo/tensor';
import { batchIndices, takeBatch, type ImageDataset } from '@paperzoo/datasets';

/** A batch the attacks and {@link ErrorMeter} can use as it is. */
export interface LabelledBatch<X extends tf.Tensor = tf.Tensor> {
  /** Inputs, [B, H·W·C] or [B, H, W, C], pixels in [0, 1]. */
  x: X;
  /** Labels, int32 [B]. */
  y: tf.Tensor1D;
  /** The same labels, read back: `labels[i]` is the class of example i. */
  labels: Int32Array;
}

/** How inputs are laid out: flat vectors [B, H·W·C] or images [B, H, W, C]. */
export type InputShape = 'vector' | 'image';

/** The input tensor {@link labelledBatch} returns for an {@link InputShape}. */
export type InputTensor<S extends InputShape> = S extends 'image' ? tf.Tensor4D : tf.Tensor2D;

export interface LabelledBatchOptions<S extends InputShape> {
  /** 'vector' ([B, H·W·C]) or 'image' ([B, H, W, C]). */
  input: S;
  /** Maps each dataset label to the label the model is trained on (e.g. 3 → 0 and 7 → 1 for a 3-vs-7 task). Default: unchanged. */
  relabel?: (label: number) => number;
}

/**
 * The examples at `indices` of `ds` as one {@link LabelledBatch}. The caller owns (and disposes) `x`
 * and `y`; {@link disposeBatch} does both.
 */
export function labelledBatch<S extends InputShape>(ds: ImageDataset, indices: ArrayLike<number>, options: LabelledBatchOptions<S>): LabelledBatch<InputTensor<S>> {
  const b = takeBatch(ds, indices); // x: [n, H, W, C] in [0, 1]; y: int32 [n]
  const labels = options.relabel ? Int32Array.from(b.y, options.relabel) : b.y;
  const x = options.input === 'image' ? tf.tensor4d(b.x, b.shape) : tf.tensor2d(b.x, [indices.length, ds.height * ds.width * ds.channels]);
  return { x: x as InputTensor<S>, y: tf.tensor1d(labels, 'int32'), labels };
}

/** Dispose a batch's tensors. */
export function disposeBatch(batch: LabelledBatch): void {
  tf.dispose([batch.x, batch.y]);
}

/** The indices start, start + 1, …, start + count − 1. */
export function indexRange(start: number, count: number): Int32Array {
  return Int32Array.from({ length: Math.max(0, count) }, (_, i) => start + i);
}

/**
 * The first `count` examples of `ds`, in order, `batchSize` at a time (the last batch may be smaller):
 * the usual way to walk a test set. Each batch is made when it is asked for; the caller disposes it
 * (as {@link evaluateAttacks} does).
 */
export function* datasetBatches<S extends InputShape>(
  ds: ImageDataset,
  options: LabelledBatchOptions<S> & { count: number; batchSize: number },
): Generator<LabelledBatch<InputTensor<S>>, void, undefined> {
  if (!(options.batchSize >= 1)) throw new RangeError(`datasetBatches: batchSize must be ≥ 1, got ${options.batchSize}`);
  for (const indices of batchIndices(Math.min(options.count, ds.count), options.batchSize, { shuffle: false })) yield labelledBatch(ds, indices, options);
}

/**
 * Consecutive slices of a batch already in memory (a whole test split as tensors), `batchSize`
 * examples at a time. Each slice is a new batch the caller disposes; `whole` is left as it is.
 */
export function* sliceBatches<X extends tf.Tensor>(whole: LabelledBatch<X>, batchSize: number): Generator<LabelledBatch<X>, void, undefined> {
  if (!(batchSize >= 1)) throw new RangeError(`sliceBatches: batchSize must be ≥ 1, got ${batchSize}`);
  const n = whole.labels.length;
  for (let s = 0; s < n; s += batchSize) {
    const size = Math.min(batchSize, n - s);
    yield { x: whole.x.slice(s, size), y: whole.y.slice(s, size), labels: whole.labels.subarray(s, s + size) };
  }
}
