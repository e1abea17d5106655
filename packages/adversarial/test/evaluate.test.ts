import { describe, expect, it, beforeAll } from 'vitest';
import { tf, initBackend, assertNoLeaks, assertNoLeaksSync } from '@paperzoo/tensor';
import type { ImageDataset } from '@paperzoo/datasets';
import {
  labelledBatch, datasetBatches, sliceBatches, disposeBatch, indexRange, evaluateAttacks, fgsm, type Classifier, type LabelledBatch,
} from '../src/index.js';

/** A tiny 2×3 one-channel image set: image i has pixels 10·i + p (p = 0…5) and label (i mod 3). */
function tinySet(count: number): ImageDataset {
  const pixels = Uint8Array.from({ length: count * 6 }, (_, k) => 10 * Math.floor(k / 6) + (k % 6));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  return { count, height: 2, width: 3, channels: 1, layout: 'NHWC', pixels, labels, numClasses: 3, classNames: ['a', 'b', 'c'] };
}

/** What image i of {@link tinySet} is, as floats in [0, 1]. */
const tinyImage = (i: number) => Array.from({ length: 6 }, (_, p) => (10 * i + p) / 255);

/** Element-wise equality up to float32 rounding. */
function expectClose(got: ArrayLike<number>, want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 6);
}

/** Softmax over a row of logits (float64), and its largest entry. */
function maxSoftmax(z: number[]): number {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  return Math.max(...e) / e.reduce((a, v) => a + v, 0);
}

describe.each(['cpu', 'wasm'] as const)('labelled batches and attack evaluation on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('labelledBatch: pixels / 255 in the order asked, as vectors or images, labels as tensor and array (relabelled)', () => {
    const ds = tinySet(5);
    assertNoLeaksSync(() => {
      const v = labelledBatch(ds, [4, 1, 3], { input: 'vector' });
      expect(v.x.shape).toEqual([3, 6]);
      expectClose(v.x.dataSync(), [4, 1, 3].flatMap(tinyImage));
      expect(Array.from(v.labels)).toEqual([1, 1, 0]);
      expect(Array.from(v.y.dataSync())).toEqual([1, 1, 0]);
      expect(v.y.dtype).toBe('int32');
      disposeBatch(v);

      const im = labelledBatch(ds, indexRange(2, 2), { input: 'image', relabel: (l) => (l === 2 ? 1 : 0) });
      expect(im.x.shape).toEqual([2, 2, 3, 1]);
      expectClose(im.x.dataSync(), [...tinyImage(2), ...tinyImage(3)]);
      expect(Array.from(im.labels)).toEqual([1, 0]); // labels 2, 0 relabelled
      expect(Array.from(im.y.dataSync())).toEqual([1, 0]);
      disposeBatch(im);
    });
  });

  it('datasetBatches walks the first `count` examples in order (count capped at the set), the last batch short', () => {
    const ds = tinySet(7);
    assertNoLeaksSync(() => {
      const sizes: number[] = [];
      const labels: number[] = [];
      const firstPixels: number[] = [];
      for (const b of datasetBatches(ds, { input: 'vector', count: 5, batchSize: 2 })) {
        sizes.push(b.labels.length);
        labels.push(...b.labels);
        firstPixels.push(...b.x.arraySync().map((row) => row[0]));
        disposeBatch(b);
      }
      expect(sizes).toEqual([2, 2, 1]);
      expect(labels).toEqual([0, 1, 2, 0, 1]);
      expectClose(firstPixels, [0, 1, 2, 3, 4].map((i) => tinyImage(i)[0]));
      const images = [...datasetBatches(ds, { input: 'image', count: 100, batchSize: 4 })];
      expect(images.map((b) => b.x.shape)).toEqual([[4, 2, 3, 1], [3, 2, 3, 1]]);
      images.forEach(disposeBatch);
    });
    expect(() => datasetBatches(ds, { input: 'vector', count: 5, batchSize: 0 }).next()).toThrow(RangeError);
  });

  it('sliceBatches cuts a batch in memory into consecutive slices and leaves it intact', () => {
    const whole = labelledBatch(tinySet(5), indexRange(0, 5), { input: 'vector' });
    assertNoLeaksSync(() => {
      const parts = [...sliceBatches(whole, 2)];
      expect(parts.map((p) => p.x.shape[0])).toEqual([2, 2, 1]);
      expect(parts.flatMap((p) => Array.from(p.labels))).toEqual(Array.from(whole.labels));
      expect(parts.flatMap((p) => Array.from(p.y.dataSync()))).toEqual(Array.from(whole.labels));
      expect(parts.flatMap((p) => Array.from(p.x.dataSync()))).toEqual(Array.from(whole.x.dataSync()));
      parts.forEach(disposeBatch);
    });
    expect(whole.x.isDisposed).toBe(false);
    disposeBatch(whole);
  });

  it('evaluateAttacks counts each meter (model × input) as predict would, calls craft and onBatch in batch order, and leaks nothing', async () => {
    // Model A: logits = x; model B: logits = reversed x. The crafted input 'swapped' is x reversed, so
    // A on 'swapped' predicts what B predicts on clean inputs, and B on 'swapped' what A does on clean.
    const xs = [[2, 0, 1], [0, 3, 1], [1, 0, 4], [5, 1, 0], [0, 0.5, 2]];
    const labels = [0, 0, 2, 1, 2];
    const modelA: Classifier = (x) => x.clone();
    const modelB: Classifier = (x) => tf.reverse(x, -1);
    const argmax = (z: number[]) => z.indexOf(Math.max(...z));
    const expected = (rows: number[][]) => {
      const wrong = rows.map((z, i) => argmax(z) !== labels[i]);
      const conf = rows.map(maxSoftmax).filter((_, i) => wrong[i]);
      return { error: wrong.filter(Boolean).length / rows.length, confidence: conf.reduce((a, v) => a + v, 0) / conf.length };
    };
    const reversed = xs.map((r) => [...r].reverse());

    const whole: LabelledBatch = { x: tf.tensor2d(xs), y: tf.tensor1d(labels, 'int32'), labels: Int32Array.from(labels) };
    const crafted: number[] = [];
    const seen: { index: number; a: number[]; bSwapped: number[] }[] = [];
    const meters = await assertNoLeaks(() =>
      evaluateAttacks({
        batches: sliceBatches(whole, 2),
        craft: (b) => {
          crafted.push(b.labels.length);
          return { swapped: tf.reverse(b.x, -1) };
        },
        measure: {
          aClean: { model: modelA, input: 'clean' },
          bClean: { model: modelB, input: 'clean' },
          aSwapped: { model: modelA, input: 'swapped' },
          bSwapped: { model: modelB, input: 'swapped' },
        },
        onBatch: ({ index, batch, crafted: inputs, predictions }) => {
          expect(batch.x.isDisposed).toBe(false);
          expect(inputs.swapped.isDisposed).toBe(false);
          seen.push({ index, a: Array.from(predictions.aClean), bSwapped: Array.from(predictions.bSwapped) });
        },
      }),
    );
    disposeBatch(whole);

    expect(crafted).toEqual([2, 2, 1]);
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(seen.flatMap((s) => s.a)).toEqual(xs.map(argmax));
    expect(seen.flatMap((s) => s.bSwapped)).toEqual(xs.map(argmax)); // reversing twice
    const clean = expected(xs);
    const swapped = expected(reversed);
    for (const [name, want] of [['aClean', clean], ['bSwapped', clean], ['bClean', swapped], ['aSwapped', swapped]] as const) {
      expect(meters[name].count).toBe(5);
      expect(meters[name].error).toBeCloseTo(want.error, 10);
      expect(meters[name].meanConfidenceOnErrors).toBeCloseTo(want.confidence, 5);
    }
    expect(clean.error).not.toBe(swapped.error); // the test tells the meters apart
  });

  it('evaluateAttacks with FGSM on logistic regression: the error is the share of examples with |z| < ε‖w‖₁', async () => {
    // z = w·x + b; FGSM moves every logit by exactly ε‖w‖₁ towards the wrong side, so an example ends
    // up misclassified iff its margin (signed, positive when correct) is below ε‖w‖₁.
    const w = [0.5, -1, 0.25];
    const bias = 0.1;
    const epsilon = 0.3;
    const l1 = w.reduce((a, v) => a + Math.abs(v), 0); // 1.75 → shift 0.525
    const xs = [[1, 0, 0], [0, 1, 0], [0.2, 0.1, 0.4], [1, -1, 1], [0, 0.3, 0], [-1, 0, 0], [0.4, 0.8, 0.2]];
    const labels = [1, 0, 1, 1, 0, 0, 1];
    const zs = xs.map((x) => x.reduce((a, v, i) => a + v * w[i], bias));
    const margin = zs.map((z, i) => (labels[i] === 1 ? z : -z));
    const expectedError = margin.filter((m) => m < epsilon * l1).length / xs.length;
    const cleanError = margin.filter((m) => m < 0).length / xs.length;
    expect(expectedError).toBeGreaterThan(cleanError); // the attack does something here

    const W = tf.tensor2d(w.map((v) => [v]));
    const B = tf.scalar(bias);
    const model: Classifier = (x) => tf.add(tf.matMul(x as tf.Tensor2D, W), B); // [B, 1]
    const whole: LabelledBatch = { x: tf.tensor2d(xs), y: tf.tensor1d(labels, 'int32'), labels: Int32Array.from(labels) };
    const m = await assertNoLeaks(() =>
      evaluateAttacks({
        batches: sliceBatches(whole, 3),
        craft: (b) => ({ fgsm: fgsm(model, b.x, b.y, { epsilon, clip: null }) }),
        measure: { clean: { model, input: 'clean' }, fgsm: { model, input: 'fgsm' } },
      }),
    );
    expect(m.clean.error).toBeCloseTo(cleanError, 10);
    expect(m.fgsm.error).toBeCloseTo(expectedError, 10);
    tf.dispose([W, B]);
    disposeBatch(whole);
  });

  it('evaluateAttacks rejects a meter on an input craft did not make, or a crafted input called "clean", without leaking', async () => {
    const whole: LabelledBatch = { x: tf.tensor2d([[1, 0], [0, 1]]), y: tf.tensor1d([0, 1], 'int32'), labels: Int32Array.from([0, 1]) };
    const model: Classifier = (x) => x.clone();
    await assertNoLeaks(() => {
      // Input names only known at run time (string), so the compiler cannot catch the typo.
      expect(() =>
        evaluateAttacks<string, 'bad'>({
          batches: sliceBatches(whole, 1),
          craft: (b) => ({ noise: tf.add(b.x, 0.1) }),
          measure: { bad: { model, input: 'nosie' } },
        }),
      ).toThrow(/'nosie'/);
      expect(() =>
        evaluateAttacks({
          batches: sliceBatches(whole, 1),
          craft: (b) => ({ clean: b.x.clone() }),
          measure: { clean: { model, input: 'clean' } },
        }),
      ).toThrow(/'clean' names the batch's own inputs/);
    });
    disposeBatch(whole);
  });
});
