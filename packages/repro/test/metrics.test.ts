import { describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { accuracy, batchRanges, countCorrect, errorRate, evaluateClassifier, crossEntropyWithLogits } from '../src/index.js';

/** Reference cross-entropy in float64: −log softmax(z)_y. */
function reference(logits: number[][], labels: number[]): number[] {
  return logits.map((z, i) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    return lse - z[labels[i]];
  });
}

const LOGITS = [
  [2, 1, 0.1],
  [0.5, 2.5, -1],
  [-1, 0, 3],
  [1, 1, 1],
];
const LABELS = [0, 1, 1, 2];

describe.each(['cpu', 'wasm'])('losses and metrics on %s', (backend) => {
  it('softmax cross-entropy matches the closed form for index and one-hot labels', async () => {
    await initBackend({ backend });
    const ref = reference(LOGITS, LABELS);
    await assertNoLeaks(() => {
      const logits = tf.tensor2d(LOGITS);
      const idx = tf.tensor1d(LABELS, 'int32');
      const oneHot = tf.oneHot(idx, 3);
      const none = crossEntropyWithLogits(logits, idx, 'none');
      const mean = crossEntropyWithLogits(logits, oneHot);
      const floatLabels = tf.cast(idx, 'float32');
      const sum = crossEntropyWithLogits(logits, floatLabels, 'sum');
      Array.from(none.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
      expect(mean.dataSync()[0]).toBeCloseTo(ref.reduce((a, b) => a + b) / 4, 5);
      expect(sum.dataSync()[0]).toBeCloseTo(ref.reduce((a, b) => a + b), 5);
      tf.dispose([logits, idx, oneHot, floatLabels, none, mean, sum]);
    });
  });

  it('is stable for huge logits and has the softmax − onehot gradient', async () => {
    await initBackend({ backend });
    const big = tf.tensor2d([[1000, 0, -1000], [-1000, 1000, 0]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const loss = crossEntropyWithLogits(big, labels, 'none');
    const [a, b] = Array.from(loss.dataSync());
    expect(a).toBeCloseTo(0, 5);
    expect(b).toBeCloseTo(1000, 2);
    const logits = tf.tensor2d(LOGITS);
    const sparse = tf.tensor1d(LABELS, 'int32');
    const grad = tf.grad((z: tf.Tensor) => crossEntropyWithLogits(z, sparse, 'sum'))(logits);
    const g = grad.arraySync() as number[][];
    LOGITS.forEach((z, i) => {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((x, y) => x + y);
      z.forEach((_, k) => expect(g[i][k]).toBeCloseTo(e[k] / s - (k === LABELS[i] ? 1 : 0), 5));
    });
    tf.dispose([big, labels, loss, logits, sparse, grad]);
  });

  it('accuracy, error rate and countCorrect', async () => {
    await initBackend({ backend });
    const logits = tf.tensor2d(LOGITS);
    const labels = tf.tensor1d([0, 1, 1, 0], 'int32'); // rows 0, 1 right; row 2 wrong; row 3 ties → argmax 0 right
    expect(accuracy(logits, labels)).toBe(0.75);
    const oneHot = tf.oneHot(labels, 3);
    expect(errorRate(logits, oneHot)).toBe(0.25);
    const c = countCorrect(logits, labels);
    expect(c.dataSync()[0]).toBe(3);
    tf.dispose([logits, labels, oneHot, c]);
  });

  it('evaluateClassifier sums exactly over uneven batches and leaks nothing', async () => {
    await initBackend({ backend });
    const x = tf.tensor2d(LOGITS);
    const y = tf.tensor1d(LABELS, 'int32');
    const batches = batchRanges(4, 3).map(([s, e]) => ({ x: x.slice([s, 0], [e - s, 3]), y: y.slice([s], [e - s]) }));
    const r = await assertNoLeaks(() => evaluateClassifier((t) => tf.mul(t, 1), batches), { allow: -4 }); // the 4 batch tensors are disposed
    const ref = reference(LOGITS, LABELS);
    expect(r.count).toBe(4);
    expect(r.loss).toBeCloseTo(ref.reduce((a, b) => a + b) / 4, 5);
    expect(r.accuracy).toBe(0.5);
    expect(r.error).toBe(0.5);
    const kept = await evaluateClassifier((t) => tf.mul(t, 1), [{ x, y }], { keepBatches: true });
    expect(kept.count).toBe(4);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y]);
  });
});

describe('batchRanges', () => {
  it('splits into ranges, the last one short', () => {
    expect(batchRanges(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(batchRanges(0, 4)).toEqual([]);
    expect(() => batchRanges(10, 0)).toThrow(RangeError);
  });
});
