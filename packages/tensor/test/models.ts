/**
 * Small models for the training tests and bench/tensor.ts. Not paperzoo's LeNet-5 (that is
 * @paperzoo/cnn-zoo, a layer above); just the same shapes and ops: the workload docs/backends.md measured.
 */
import { tf, randomNormal, nextSeed, shuffledIndicesFromGlobalRng, dropout } from '../src/index.js';

export type Params = Record<string, tf.Variable>;

/**
 * LeNet-5-sized CNN: [B, 32, 32, 1] → conv 6@5×5 → tanh → max-pool 2 → conv 16@5×5 → tanh → max-pool 2
 * → dense 120 → tanh → dense 84 → tanh → dense 10 (logits). Weights ~ N(0, 1/fan-in) from the global
 * seed (call seed(n) first).
 */
export function lenet5Params(): Params {
  // tf.variable keeps its initial tensor alive; tidy disposes it (variables themselves are kept).
  const w = (shape: number[], fanIn: number): tf.Variable => tf.tidy(() => tf.variable(randomNormal(shape, 0, 1 / Math.sqrt(fanIn))));
  const b = (n: number): tf.Variable => tf.tidy(() => tf.variable(tf.zeros([n])));
  return {
    c1: w([5, 5, 1, 6], 25), c1b: b(6),
    c3: w([5, 5, 6, 16], 150), c3b: b(16),
    f5: w([400, 120], 400), f5b: b(120),
    f6: w([120, 84], 120), f6b: b(84),
    out: w([84, 10], 84), outb: b(10),
  };
}

export function lenet5Logits(p: Params, x: tf.Tensor4D): tf.Tensor2D {
  const batch = x.shape[0];
  const c1 = tf.tanh(tf.add(tf.conv2d(x, p.c1 as tf.Tensor4D, 1, 'valid'), p.c1b)) as tf.Tensor4D; // [B, 28, 28, 6]
  const s2 = tf.maxPool(c1, 2, 2, 'valid'); // [B, 14, 14, 6]
  const c3 = tf.tanh(tf.add(tf.conv2d(s2, p.c3 as tf.Tensor4D, 1, 'valid'), p.c3b)) as tf.Tensor4D; // [B, 10, 10, 16]
  const s4 = tf.maxPool(c3, 2, 2, 'valid'); // [B, 5, 5, 16]
  const f5 = tf.tanh(tf.add(tf.matMul(tf.reshape(s4, [batch, 400]), p.f5), p.f5b)); // [B, 120]
  const f6 = tf.tanh(tf.add(tf.matMul(f5, p.f6), p.f6b)); // [B, 84]
  return tf.add<tf.Tensor2D>(tf.matMul(f6, p.out), p.outb); // [B, 10]
}

/** Fixed inputs [B, 32, 32, 1] (28×28 content, zero border as in LeNet) and one-hot labels i mod 10. */
export function digitsLikeBatch(batch: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const content = randomNormal([batch, 28, 28, 1]);
    const x = tf.pad(content, [[0, 0], [2, 2], [2, 2], [0, 0]]) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10) as tf.Tensor2D;
    return { x, y };
  });
}

/** One SGD step on softmax cross-entropy; returns the loss before the step. */
export function sgdStep(optimizer: tf.Optimizer, p: Params, x: tf.Tensor4D, y: tf.Tensor2D, logits = lenet5Logits): number {
  const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(y, logits(p, x)), true, Object.values(p));
  const value = loss!.dataSync()[0];
  loss!.dispose();
  return value;
}

/** {@link sgdStep} reading the loss with `await data()`: webgpu under Node has no synchronous reads. */
export async function sgdStepAsync(optimizer: tf.Optimizer, p: Params, x: tf.Tensor4D, y: tf.Tensor2D, logits = lenet5Logits): Promise<number> {
  const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor2D, tf.Scalar>(y, logits(p, x)), true, Object.values(p));
  const value = (await loss!.data())[0];
  loss!.dispose();
  return value;
}

/**
 * A small CNN that uses every kind of randomness a run has: seeded init, seeded dropout and a seeded
 * shuffle of the data each epoch. [B, 12, 12, 1] → conv 4@3×3 → tanh → max-pool 2 → dropout 0.25 → dense 10.
 */
export function smallCnnRun(steps: number): number[] {
  const p: Params = tf.tidy(() => ({
    c: tf.variable(randomNormal([3, 3, 1, 4], 0, 1 / 3)),
    cb: tf.variable(tf.zeros([4])),
    d: tf.variable(randomNormal([100, 10], 0, 0.1)),
    db: tf.variable(tf.zeros([10])),
  }));
  const data = tf.tidy(() => ({
    x: randomNormal([32, 12, 12, 1]) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => (i * 7) % 10), 'int32'), 10),
  }));
  const optimizer = tf.train.sgd(0.1);
  const logits = (q: Params, x: tf.Tensor4D): tf.Tensor2D => {
    const h = tf.maxPool(tf.tanh(tf.add(tf.conv2d(x, q.c as tf.Tensor4D, 1, 'same'), q.cb)) as tf.Tensor4D, 2, 2, 'valid'); // [B, 6, 6, 4]
    const flat = tf.reshape(h, [x.shape[0], 144]).slice([0, 0], [x.shape[0], 100]);
    return tf.add<tf.Tensor2D>(tf.matMul(dropout(flat, 0.25), q.d), q.db);
  };
  const losses: number[] = [];
  let order = shuffledIndicesFromGlobalRng(32);
  for (let step = 0; step < steps; step++) {
    if (step % 4 === 0 && step > 0) order = shuffledIndicesFromGlobalRng(32);
    const batchIdx = tf.tensor1d(order.slice((step % 4) * 8, (step % 4) * 8 + 8), 'int32');
    const x = tf.gather<tf.Tensor4D>(data.x, batchIdx);
    const y = tf.gather(data.y, batchIdx) as tf.Tensor2D;
    losses.push(sgdStep(optimizer, p, x, y, logits));
    tf.dispose([batchIdx, x, y]);
  }
  // Consume one more seed so a run's RNG use is visible in the stream (and the test reads it).
  nextSeed();
  optimizer.dispose();
  tf.dispose([data.x, data.y, ...Object.values(p)]);
  return losses;
}
