/**
 * Checkpoint and resume through @paperzoo/repro's `fit` with batch-normalised models: the running
 * statistics are non-trainable variables that change in training, so they must travel in the
 * checkpoint (`extraVariables: net.stateVariables`). Interrupting after one epoch and resuming in a
 * freshly built model ends bit-identical to an uninterrupted run; leaving the statistics out does not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, seed, shuffledIndicesFromGlobalRng, makeRng, assertNoLeaks } from '@paperzoo/tensor';
import { createRunContext, fit } from '@paperzoo/repro';
import { Momentum } from '@paperzoo/core-autograd';
import { ResNet, resnetCifarConfig } from '../src/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-zoo-fit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const N = 24;
const BATCH = 8;
const rng = makeRng('fit-resume-data');
const images = Float32Array.from({ length: N * 8 * 8 * 3 }, () => rng() * 2 - 1);
const labels = Int32Array.from({ length: N }, (_, i) => i % 10);

interface Outcome {
  weights: Float32Array;
  runningMean: Float32Array;
  trainLoss: number | null;
}

async function train(dir: string, epochs: number, opts: { resume?: boolean; withStats?: boolean } = {}): Promise<Outcome> {
  seed(11); // the harness seeds before every run
  const ctx = createRunContext({ id: 'cnn-zoo-test', tier: 'smoke', seed: 11, config: { test: 'fit-resume' }, resultsDir: dir, resume: opts.resume ?? false });
  const net = new ResNet(resnetCifarConfig(1, { widths: [4, 8, 8], inputShape: [8, 8, 3] }), { seed: 3 });
  const optimizer = new Momentum({ learningRate: 0.05, momentum: 0.9 });
  try {
    const result = await fit({
      ctx,
      variables: net.variables,
      ...(opts.withStats === false ? {} : { extraVariables: net.stateVariables }),
      optimizer,
      epochs,
      stepsPerEpoch: N / BATCH,
      *batches() {
        const order = shuffledIndicesFromGlobalRng(N);
        for (let s = 0; s < N; s += BATCH) {
          const idx = Array.from(order.subarray(s, s + BATCH));
          const x = new Float32Array(BATCH * 192);
          idx.forEach((j, r) => x.set(images.subarray(j * 192, (j + 1) * 192), r * 192));
          yield { x: tf.tensor4d(x, [BATCH, 8, 8, 3]), y: tf.tensor1d(idx.map((j) => labels[j]), 'int32') };
        }
      },
      loss: (b) => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(tf.oneHot(b.y, 10), net.apply(b.x, { training: true })),
    });
    return {
      weights: net.variables['stage2/block1/conv2/kernel'].dataSync().slice() as Float32Array,
      runningMean: net.stateVariables['stage3/block1/conv2/bn/moving_mean'].dataSync().slice() as Float32Array,
      trainLoss: result.trainLoss,
    };
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}

describe('fit checkpoints batch-norm statistics (wasm)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('an interrupted run resumed in a fresh model ends exactly as an uninterrupted one', async () => {
    const straight = await assertNoLeaks(() => train(path.join(tmp, 'straight'), 3));

    const dir = path.join(tmp, 'interrupted');
    await train(dir, 1); // "killed" after epoch 1: its checkpoint stays (the run did not finish its 3 epochs)
    const resumed = await train(dir, 3, { resume: true });
    expect(Array.from(resumed.weights)).toEqual(Array.from(straight.weights));
    expect(Array.from(resumed.runningMean)).toEqual(Array.from(straight.runningMean));
    expect(resumed.trainLoss).toBe(straight.trainLoss);

    // Without the statistics in the checkpoint the resumed model restarts them from 0/1.
    const bare = path.join(tmp, 'without-stats');
    await train(bare, 1, { withStats: false });
    const lost = await train(bare, 3, { resume: true, withStats: false });
    expect(Array.from(lost.runningMean)).not.toEqual(Array.from(straight.runningMean));
  });
});
