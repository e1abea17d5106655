import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { fit, sampleMean, sampleStandardDeviation, sweepContext, type CheckpointStore, type FitContext, type LogPosition } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

/** A run context that records what reaches it; its checkpoint store fails on any use (a resumable run with a checkpoint on disk). */
function recordingContext() {
  const calls = { checkpoint: [] as string[], log: [] as Array<[Record<string, number>, LogPosition]>, info: [] as string[], progress: [] as string[] };
  const refuse = (what: string) => () => {
    calls.checkpoint.push(what);
    return Promise.reject(new Error(`the run's checkpoint store was used: ${what}`));
  };
  const store: CheckpointStore = { resume: true, file: '/run/checkpoint.pzck', lastSavedEpoch: 2, exists: refuse('exists'), save: refuse('save'), load: refuse('load'), clear: refuse('clear') };
  const ctx: FitContext = {
    progress: {
      start: (task) => {
        calls.progress.push(task);
        return { update: () => {}, tick: () => {}, end: () => {} };
      },
    },
    signal: new AbortController().signal,
    info: (text) => calls.info.push(text),
    log: (values, at) => calls.log.push([values, at]),
    checkpoint: store,
  };
  return { ctx, calls };
}

/** Two epochs of two steps on (w − 3)², with an epoch-end message. */
async function fitOnce(ctx: FitContext): Promise<number> {
  const w = tf.tidy(() => tf.variable(tf.scalar(0))); // the initial scalar is freed, the variable keeps its value
  const optimizer = tf.train.sgd(0.1);
  try {
    await fit({
      ctx,
      variables: { w },
      optimizer,
      epochs: 2,
      stepsPerEpoch: 2,
      label: 'member',
      logEvery: 1,
      *batches() {
        yield tf.scalar(3);
        yield tf.scalar(3);
      },
      loss: (target) => tf.square(tf.sub(w, target)) as tf.Scalar,
      onEpochEnd: ({ epoch }) => ctx.info(`epoch ${epoch}`),
    });
    return w.dataSync()[0];
  } finally {
    optimizer.dispose();
    w.dispose();
  }
}

describe('sweepContext', () => {
  it("a fit through it never touches the run's checkpoints (the run's own context would resume from them)", async () => {
    const { ctx, calls } = recordingContext();
    await expect(fitOnce(ctx)).rejects.toThrow(/checkpoint store was used: load/);
    calls.checkpoint.length = 0;
    const w = await assertNoLeaks(() => fitOnce(sweepContext(ctx)));
    expect(calls.checkpoint).toEqual([]);
    expect(w).toBeCloseTo(3 - 3 * 0.8 ** 4, 5); // four SGD steps of w ← w − 0.1·2(w − 3) from 0
    expect(sweepContext(ctx).checkpoint).toMatchObject({ resume: false, file: '/run/checkpoint.pzck', lastSavedEpoch: null });
  });

  it('passes progress and messages through; curves only with logCurves', async () => {
    const quiet = recordingContext();
    await fitOnce(sweepContext(quiet.ctx));
    expect(quiet.calls.log).toEqual([]);
    expect(quiet.calls.progress).toEqual(['member']);
    expect(quiet.calls.info).toEqual(['epoch 1', 'epoch 2']);

    const drawn = recordingContext();
    await fitOnce(sweepContext(drawn.ctx, { logCurves: true }));
    expect(drawn.calls.log.length).toBeGreaterThan(0);
    expect(drawn.calls.log.every(([values]) => 'loss/train' in values)).toBe(true);
  });
});

describe('replicate summaries', () => {
  it('mean and sample standard deviation (n − 1)', () => {
    expect(sampleMean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleStandardDeviation([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 15); // Σ(x − 2.5)² = 5, n − 1 = 3
    expect(sampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 15);
    expect(sampleStandardDeviation([0.25])).toBe(0);
    expect(sampleStandardDeviation([])).toBe(0);
    expect(sampleMean([])).toBeNaN();
  });
});
