import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@paperzoo/tensor';
import { comparison, compareOptimizers, type CheckpointStore, type FitContext } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A context whose checkpoint store keeps the last save in memory (a fresh run: nothing to load). */
function memoryContext(): { ctx: FitContext; saves: () => number } {
  let saves = 0;
  const store: CheckpointStore = { resume: false, file: '/mem.pzck', lastSavedEpoch: null, exists: () => Promise.resolve(false), save: () => Promise.resolve(void saves++), load: () => Promise.resolve(null), clear: () => Promise.resolve() };
  const ctx: FitContext = { progress: { start: () => ({ update: () => {}, tick: () => {}, end: () => {} }) }, signal: new AbortController().signal, info: () => {}, log: () => {}, checkpoint: store };
  return { ctx, saves: () => saves };
}

describe('compareOptimizers', () => {
  it('tunes each optimizer on seed 1 (a diverged rate counts as worst), runs the other seeds at the chosen rate, and records every run', async () => {
    const { ctx, saves } = memoryContext();
    const seen: number[] = []; // the learning rate of every run, in order
    // Minimise (w − 3)² from w = 0 in 5 steps of plain gradient descent: lr 0.1 is better than 0.01; lr 1e6 diverges.
    const { quad: c } = await compareOptimizers(
      ctx,
      [comparison({
        name: 'quad',
        epochs: 1,
        stepsPerEpoch: 5,
        batches: () => Array.from({ length: 5 }, () => 0),
        build: (seed) => {
          const w = tf.variable(tf.scalar(0));
          return { variables: { w }, loss: () => tf.square(tf.sub(w, 3)) as tf.Scalar, cost: () => (w.dataSync()[0] - 3) ** 2 * (1 + seed / 1e6), dispose: () => w.dispose() };
        },
      },
      { sgd: { learningRates: [0.01, 0.1, 1e6], make: (lr) => (seen.push(lr), tf.train.sgd(lr)) } })],
      [11, 22, 33],
    );
    expect(c.learningRate.sgd).toBe(0.1);
    expect(seen).toEqual([0.01, 0.1, 1e6, 0.1, 0.1]);
    expect(c.grid.sgd.map((g) => g.learningRate)).toEqual([0.01, 0.1, 1e6]);
    expect(Number.isNaN(c.grid.sgd[2].cost)).toBe(true);
    expect(c.costs.sgd).toHaveLength(3);
    expect(c.costs.sgd[0]).toBe(c.grid.sgd[1].cost);
    expect(saves()).toBeGreaterThanOrEqual(5); // every finished run is recorded
  });
});
