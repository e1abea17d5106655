/**
 * The image-batch glue of the CIFAR-10 reproductions: evaluation batches in order, training batches
 * in the order and with the augmentation draws a hand-written reference takes from the same seed
 * (that order is what makes a seeded run, and its `--resume`, reproducible), no leaks; and, with the
 * dataset mirror, CIFAR-10 standardised at 32×32 and then box-filtered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, seed, random, shuffledIndicesFromGlobalRng, assertNoLeaks } from '@paperzoo/tensor';
import { loadCifar10Normalized, resolveFetchConfig, type ImageBatch } from '@paperzoo/datasets';
import { downsample, evaluationBatches, loadCifar10AtSize, padCropFlip, shuffledTrainingBatches, type ImageTensorBatch } from '../src/index.js';

// 7 images of 8×8×2; every float of image j is 1000·j + (its position in the image), so a batch's
// contents say exactly which images it holds.
const N = 7;
const SHAPE = [N, 8, 8, 2] as const;
const PER = 8 * 8 * 2;
const images: ImageBatch = {
  x: Float32Array.from({ length: N * PER }, (_, i) => 1000 * Math.floor(i / PER) + (i % PER)),
  y: Int32Array.from({ length: N }, (_, j) => (3 * j) % 10),
  shape: [...SHAPE],
};

/** The floats and labels of images `idx`, stacked: what a batch of them must hold. */
function gathered(idx: ArrayLike<number>): { x: Float32Array; y: number[] } {
  const x = new Float32Array(idx.length * PER);
  Array.from(idx).forEach((j, i) => x.set(images.x.subarray(j * PER, (j + 1) * PER), i * PER));
  return { x, y: Array.from(idx, (j) => images.y[j]) };
}

function read(batches: ImageTensorBatch[]): { shape: number[]; x: Float32Array; y: number[] }[] {
  const out = batches.map((b) => ({ shape: b.x.shape, x: b.x.dataSync() as Float32Array, y: Array.from(b.y.dataSync()) }));
  tf.dispose(batches.flatMap((b) => [b.x, b.y]));
  return out;
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

describe('evaluationBatches', () => {
  it('splits the first count images, in order, into batches of batchSize (the last shorter)', async () => {
    const batches = await assertNoLeaks(() => read(evaluationBatches(images, { batchSize: 3 })));
    expect(batches.map((b) => b.shape)).toEqual([[3, 8, 8, 2], [3, 8, 8, 2], [1, 8, 8, 2]]);
    [[0, 1, 2], [3, 4, 5], [6]].forEach((idx, k) => {
      expect(batches[k].x).toEqual(gathered(idx).x);
      expect(batches[k].y).toEqual(gathered(idx).y);
    });
    const first5 = read(evaluationBatches(images, { count: 5, batchSize: 3 }));
    expect(first5.map((b) => b.y)).toEqual([gathered([0, 1, 2]).y, gathered([3, 4]).y]);
    expect(read(evaluationBatches(images)).map((b) => b.shape)).toEqual([[7, 8, 8, 2]]); // default batch 500
  });

  it('copies the images (later changes to the arrays do not reach the tensors) and rejects bad counts', () => {
    const own: ImageBatch = { x: images.x.slice(), y: images.y.slice(), shape: [...SHAPE] };
    const batches = evaluationBatches(own, { batchSize: 4 });
    own.x.fill(-1);
    own.y.fill(-1);
    expect(read(batches)[0]).toMatchObject({ x: gathered([0, 1, 2, 3]).x, y: gathered([0, 1, 2, 3]).y });
    expect(() => evaluationBatches(images, { count: N + 1 })).toThrow(RangeError);
    expect(() => evaluationBatches(images, { batchSize: 0 })).toThrow(RangeError);
  });
});

describe('shuffledTrainingBatches', () => {
  it('takes batches from shuffled passes of the global generator, a new pass when one cannot fill a batch', async () => {
    seed(5);
    const passes = [shuffledIndicesFromGlobalRng(N), shuffledIndicesFromGlobalRng(N), shuffledIndicesFromGlobalRng(N)];
    // 3 + 3 of each pass of 7; the 7th image of a pass is skipped.
    const expected = [passes[0].subarray(0, 3), passes[0].subarray(3, 6), passes[1].subarray(0, 3), passes[1].subarray(3, 6), passes[2].subarray(0, 3)].map(gathered);
    seed(5);
    const got = await assertNoLeaks(() => read([...shuffledTrainingBatches(images, { batchSize: 3, steps: 5 })]));
    expect(got.map((b) => b.shape)).toEqual(Array(5).fill([3, 8, 8, 2]));
    got.forEach((b, k) => {
      expect(b.x).toEqual(expected[k].x);
      expect(b.y).toEqual(expected[k].y);
    });
    // A pass that exactly fills its batches is used to the end before the next one is drawn.
    seed(5);
    const whole = read([...shuffledTrainingBatches(images, { batchSize: N, steps: 2 })]);
    expect(whole.map((b) => b.x)).toEqual([gathered(passes[0]).x, gathered(passes[1]).x]);
    // Each call (a fit epoch) starts a fresh permutation: the same seed gives the same first batch.
    seed(5);
    expect(read([...shuffledTrainingBatches(images, { batchSize: 3, steps: 1 })])[0].x).toEqual(expected[0].x);
  });

  it('augments each batch with padCropFlip (pad = height/8), drawing after the permutation', () => {
    seed(9);
    const order = shuffledIndicesFromGlobalRng(N);
    const shape = [2, 8, 8, 2] as const;
    const first = padCropFlip(gathered(order.subarray(0, 2)).x, shape, 1, random);
    const second = padCropFlip(gathered(order.subarray(2, 4)).x, shape, 1, random);
    seed(9);
    const got = read([...shuffledTrainingBatches(images, { batchSize: 2, steps: 2, augment: true })]);
    expect(got[0].x).toEqual(first);
    expect(got[1].x).toEqual(second);
    expect(got[0].y).toEqual(gathered(order.subarray(0, 2)).y);
    expect(got[0].x).not.toEqual(gathered(order.subarray(0, 2)).x); // something was cropped or flipped
  });

  it('rejects a batch larger than the images, bad step counts and augmentation of heights not divisible by 8', () => {
    expect(() => [...shuffledTrainingBatches(images, { batchSize: N + 1, steps: 1 })]).toThrow(RangeError);
    expect(() => [...shuffledTrainingBatches(images, { batchSize: 2, steps: 1.5 })]).toThrow(RangeError);
    const odd: ImageBatch = { x: new Float32Array(N * 12 * 12), y: images.y, shape: [N, 12, 12, 1] };
    expect(() => [...shuffledTrainingBatches(odd, { batchSize: 2, steps: 1, augment: true })]).toThrow(/multiple of 8/);
    expect(read([...shuffledTrainingBatches(odd, { batchSize: 2, steps: 1 })])[0].shape).toEqual([2, 12, 12, 1]);
  });
});

const mirror = resolveFetchConfig().mirror;
const noMirror = mirror === null || !fs.existsSync(mirror);
if (noMirror) console.warn('PAPERZOO_DATA_MIRROR is not set (or missing): the loadCifar10AtSize test is skipped.');

describe('loadCifar10AtSize', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-cifar-'));
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('rejects sizes that do not divide 32 before reading anything', async () => {
    await expect(loadCifar10AtSize({ trainExamples: 100, testExamples: 100, imageSize: 12, offline: true, mirror: cacheDir, cacheDir })).rejects.toThrow(RangeError);
  });

  it.skipIf(noMirror)('standardises at 32×32 with the training images’ statistics, then box-filters to the size asked', async () => {
    const opts = { mirror: mirror!, cacheDir, offline: true, trainExamples: 100, testExamples: 50 };
    const full = await loadCifar10Normalized(opts);
    const small = await loadCifar10AtSize({ ...opts, imageSize: 16 });
    expect(small.train.shape).toEqual([100, 16, 16, 3]);
    expect(small.test.shape).toEqual([50, 16, 16, 3]);
    expect(small.stats).toEqual(full.stats);
    expect(small.train.y).toEqual(full.train.y);
    // In this order exactly (standardise, then average 2×2 blocks): the smoke tiers' numbers depend on it.
    expect(small.train.x).toEqual(downsample(full.train.x, full.train.shape, 2).x);
    expect(small.test.x).toEqual(downsample(full.test.x, full.test.shape, 2).x);
    const c = 1; // pixel (0, 0), channel 1 of training image 0: the mean of the 2×2 block at the top left
    const at = (r: number, col: number) => full.train.x[(r * 32 + col) * 3 + c];
    expect(small.train.x[c]).toBeCloseTo((at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4, 5);
    const same = await loadCifar10AtSize({ ...opts, imageSize: 32 });
    expect(same.train.x).toEqual(full.train.x);
  });
});
