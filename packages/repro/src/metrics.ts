/**
 * Losses and evaluation helpers shared by the reproductions.
 */
import { tf, softmaxCrossEntropyPerExample } from '@paperzoo/tensor';

/**
 * Softmax cross-entropy from logits, numerically stable:
 *
 *   log softmax(z)_k = (z_k − m) − log Σ_j exp(z_j − m),  m = max_j z_j
 *   L = −Σ_k y_k · log softmax(z)_k
 *
 * `logits` [batch, classes]; `labels` either class indices [batch] (int32 or float) or one-hot /
 * soft targets [batch, classes]. `reduction`: 'mean' over the batch (default), 'sum', or 'none'
 * (per-example losses [batch]).
 */
export function crossEntropyWithLogits(logits: tf.Tensor, labels: tf.Tensor, reduction: 'mean' | 'sum' | 'none' = 'mean'): tf.Tensor {
  if (logits.rank !== 2) throw new RangeError(`crossEntropyWithLogits: logits must be [batch, classes], got shape [${logits.shape.join(', ')}]`);
  const [batch, classes] = logits.shape;
  const sparse = labels.rank === 1;
  if (sparse ? labels.shape[0] !== batch : labels.shape.join(',') !== logits.shape.join(',')) {
    throw new RangeError(`crossEntropyWithLogits: labels must be [${batch}] class indices or [${batch}, ${classes}] one-hot, got [${labels.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const targets = sparse ? tf.oneHot(tf.cast(labels, 'int32'), classes) : labels; // [batch, classes]
    // @paperzoo/tensor's op: the max-shifted formula above, differentiable to any order, and one fused
    // kernel each way on the native backend
    const perExample = softmaxCrossEntropyPerExample(targets, logits); // [batch]
    if (reduction === 'none') return perExample;
    if (reduction === 'sum') return tf.sum(perExample);
    return tf.mean(perExample);
  });
}

function classIndices(labels: tf.Tensor): tf.Tensor {
  return labels.rank === 2 ? tf.argMax(labels, -1) : tf.cast(labels, 'int32');
}

/** Number of correct predictions (argmax of `scores` [batch, classes] vs labels), as an int32 scalar. */
export function countCorrect(scores: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(scores, -1), classIndices(labels)), 'int32')));
}

/** Fraction of correct predictions. */
export function accuracy(scores: tf.Tensor, labels: tf.Tensor): number {
  const n = scores.shape[0];
  if (!n) return NaN;
  const c = countCorrect(scores, labels);
  const v = c.dataSync()[0];
  c.dispose();
  return v / n;
}

/** Fraction of wrong predictions: 1 − accuracy. */
export function errorRate(scores: tf.Tensor, labels: tf.Tensor): number {
  return 1 - accuracy(scores, labels);
}

/** A labelled batch for {@link evaluateClassifier}. */
export interface LabelledBatch {
  /** Inputs, [batch, ...]. */
  x: tf.Tensor;
  /** Class indices [batch] or one-hot [batch, classes]. */
  y: tf.Tensor;
}

export interface ClassifierEvaluation {
  /** Mean cross-entropy over all examples. */
  loss: number;
  accuracy: number;
  /** 1 − accuracy. */
  error: number;
  /** Examples seen. */
  count: number;
}

/**
 * Evaluate a classifier over batches: exact totals (not a mean of batch means), no tensors left
 * behind. `predict` maps inputs to logits [batch, classes]. Batch tensors are disposed after use
 * unless `keepBatches` is set (for a test set held in memory across epochs).
 */
export async function evaluateClassifier(
  predict: (x: tf.Tensor) => tf.Tensor,
  batches: Iterable<LabelledBatch> | AsyncIterable<LabelledBatch>,
  options: { keepBatches?: boolean } = {},
): Promise<ClassifierEvaluation> {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for await (const batch of batches) {
    const [l, c] = tf.tidy(() => {
      const logits = predict(batch.x);
      return [crossEntropyWithLogits(logits, batch.y, 'sum'), countCorrect(logits, batch.y)];
    });
    lossSum += (await l.data())[0];
    correct += (await c.data())[0];
    count += batch.x.shape[0];
    l.dispose();
    c.dispose();
    if (!options.keepBatches) tf.dispose([batch.x, batch.y]);
  }
  const acc = count ? correct / count : NaN;
  return { loss: count ? lossSum / count : NaN, accuracy: acc, error: 1 - acc, count };
}

/** Split `n` examples into batches of `batchSize` index ranges [start, end) (the last may be short). */
export function batchRanges(n: number, batchSize: number): [number, number][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += batchSize) out.push([s, Math.min(n, s + batchSize)]);
  return out;
}
