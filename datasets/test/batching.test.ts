/**
 * Deterministic shuffles and splits: the same seed gives the same order (pinned values, so a change of the
 * generator or of the seeding scheme is caught), epochs differ, and the paper splits have the right sizes.
 */
import { describe, expect, it } from 'vitest';
import { DatasetError, PAPER_SPLITS, batchIndices, numBatches, paperSplit, seededShuffledIndices, trainValSplit } from '../src/index.js';

describe('shuffles and batches', () => {
  it('pins the permutation for (seed, epoch)', () => {
    expect(Array.from(seededShuffledIndices(10, { seed: 1, epoch: 0 }))).toEqual([3, 8, 1, 6, 0, 4, 9, 5, 2, 7]);
    expect(Array.from(seededShuffledIndices(10, { seed: 1, epoch: 1 }))).toEqual([9, 7, 8, 1, 6, 0, 3, 4, 5, 2]);
    expect(Array.from(seededShuffledIndices(10, { seed: 2, epoch: 0 }))).toEqual([8, 3, 7, 1, 5, 0, 2, 6, 4, 9]);
  });

  it('same seed and epoch → same batches; another epoch → another order; every index once', () => {
    const run = (epoch: number): number[][] => [...batchIndices(1000, 64, { seed: 7, epoch })].map((b) => Array.from(b));
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    const flat = run(0).flat();
    expect(flat).toHaveLength(1000);
    expect(new Set(flat).size).toBe(1000);
    expect([...batchIndices(7, 3, { seed: 42 })].map((b) => Array.from(b))).toEqual([[2, 3, 4], [5, 6, 1], [0]]);
  });

  it('dropLast, shuffle: false, and argument checks', () => {
    expect([...batchIndices(7, 3, { dropLast: true })].map((b) => b.length)).toEqual([3, 3]);
    expect([...batchIndices(5, 2, { shuffle: false })].map((b) => Array.from(b))).toEqual([[0, 1], [2, 3], [4]]);
    expect(numBatches(7, 3)).toBe(3);
    expect(numBatches(7, 3, true)).toBe(2);
    expect(() => [...batchIndices(5, 0)]).toThrow(DatasetError);
  });
});

describe('train/validation splits', () => {
  it('first / last / random modes are deterministic and disjoint', () => {
    expect(trainValSplit(5, { valSize: 2, mode: 'first' })).toEqual({ val: Int32Array.from([0, 1]), train: Int32Array.from([2, 3, 4]) });
    expect(trainValSplit(5, { valSize: 2, mode: 'last' })).toEqual({ train: Int32Array.from([0, 1, 2]), val: Int32Array.from([3, 4]) });
    const r = trainValSplit(10, { valSize: 3, seed: 0 });
    expect(Array.from(r.val)).toEqual([0, 7, 9]);
    expect(Array.from(r.train)).toEqual([1, 2, 3, 4, 5, 6, 8]);
    expect(trainValSplit(10, { valSize: 3, seed: 1 }).val).not.toEqual(r.val);
    expect(() => trainValSplit(10, { valSize: 11 })).toThrow(/valSize/);
  });

  it('paper splits: MNIST 55k/5k and 50k/10k, CIFAR-10 45k/5k', () => {
    const tf = paperSplit('mnist-55k-5k');
    expect([tf.train.length, tf.val.length, tf.val[0], tf.train[0]]).toEqual([55000, 5000, 0, 5000]);
    const theano = paperSplit('mnist-50k-10k');
    expect([theano.train.length, theano.val.length, theano.val[0]]).toEqual([50000, 10000, 50000]);
    const he = paperSplit('cifar10-45k-5k');
    expect([he.train.length, he.val.length]).toEqual([45000, 5000]);
    expect(Array.from(he.val.subarray(0, 8))).toEqual([2, 6, 7, 11, 27, 31, 38, 46]);
    expect(paperSplit('cifar10-45k-5k', 1).val).not.toEqual(he.val);
    expect(PAPER_SPLITS['cifar10-45k-5k'].source).toMatch(/He et al/);
  });
});
