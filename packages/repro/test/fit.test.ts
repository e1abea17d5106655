import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initBackend, randomNormal, seed, tf } from '@paperzoo/tensor';
import { createRunContext, fit, NonFiniteLossError, type FitOptimizer, type NamedTensorLike, readResult, RunAbortedError, runReproduction, crossEntropyWithLogits, type RunEvent } from '../src/index.js';
import { hooks, resetHooks, tiny } from './fixtures/tiny.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
beforeEach(() => {
  resetHooks();
  dir = mkdtempSync(path.join(os.tmpdir(), 'pz-fit-'));
});
afterAll(() => resetHooks());

const run = (extra: Partial<Parameters<typeof runReproduction>[1]> = {}) => runReproduction(tiny, { appDir: dir, tier: 'smoke', backend: 'cpu', seed: 7, ...extra });

describe.each(['cpu', 'wasm'])('checkpoint and resume on %s', (backend) => {
  const run = (extra: Partial<Parameters<typeof runReproduction>[1]> = {}) => runReproduction(tiny, { appDir: dir, tier: 'smoke', backend, seed: 7, ...extra });
  it('3 epochs straight == 2 epochs, crash, resume: identical final weights and metric', async () => {
    const straight = await run();
    const straightWeights = hooks.lastWeights;
    expect(straight.result.metrics.steps).toBe(12);
    expect(straight.result.metrics.resumed).toBe(false);

    const other = mkdtempSync(path.join(os.tmpdir(), 'pz-fit-'));
    hooks.crashAfterEpoch = 2;
    await expect(runReproduction(tiny, { appDir: other, tier: 'smoke', backend, seed: 7 })).rejects.toThrow('simulated crash');
    const [runKey] = readdirSync(path.join(other, 'results', 'smoke', 'runs')); // the run's own folder
    expect(readdirSync(path.join(other, 'results', 'smoke', 'runs', runKey, 'checkpoint'))).toEqual(['checkpoint.pzck']);
    resetHooks();
    const events: RunEvent[] = [];
    const resumed = await runReproduction(tiny, { appDir: other, tier: 'smoke', backend, seed: 7, resume: true, onEvent: (e) => events.push(e) });
    expect(events.some((e) => e.type === 'resume' && e.epoch === 2)).toBe(true);
    expect(resumed.result.metrics.resumed).toBe(true);
    expect(resumed.result.resumed).toMatchObject({ epoch: 2, step: 8 });
    expect(resumed.result.metrics.weights_digest).toBe(straight.result.metrics.weights_digest);
    expect(resumed.result.metrics.train_error).toBe(straight.result.metrics.train_error);
    expect(resumed.result.metrics.final_train_loss).toBe(straight.result.metrics.final_train_loss);
    hooks.lastWeights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(straightWeights[i])));
    // the curves logged before the crash came back from the checkpoint
    expect(resumed.result.curves).toEqual(straight.result.curves);
    // a finished run leaves no checkpoint behind
    expect(readdirSync(path.join(other, 'results', 'smoke')).sort()).toEqual(['loss.svg', 'result.json', 'runs', 'train_error.svg']);
    expect(readdirSync(resumed.runDir).sort()).toEqual(['loss.svg', 'result.json', 'train_error.svg']);
    rmSync(other, { recursive: true, force: true });
  });

  it('SIGINT mid-epoch saves a checkpoint; resuming continues exactly', async () => {
    const straight = await run();
    const other = mkdtempSync(path.join(os.tmpdir(), 'pz-fit-'));
    hooks.controller = new AbortController();
    hooks.abortAtStep = 5; // epoch 2, batch 2: noticed before step 6
    const err = await runReproduction(tiny, { appDir: other, tier: 'smoke', backend, seed: 7, signal: hooks.controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunAbortedError);
    expect(err).toMatchObject({ name: 'RunAbortedError', step: 6, epoch: 1, checkpointSaved: true });
    resetHooks();
    const resumed = await runReproduction(tiny, { appDir: other, tier: 'smoke', backend, seed: 7, resume: true });
    expect(resumed.result.resumed).toMatchObject({ epoch: 1, step: 6 });
    expect(resumed.result.metrics.weights_digest).toBe(straight.result.metrics.weights_digest);
    expect(resumed.result.metrics.train_error).toBe(straight.result.metrics.train_error);
    expect(resumed.result.curves).toEqual(straight.result.curves);
    rmSync(other, { recursive: true, force: true });
  });

  it('refuses a checkpoint made with another seed or config', async () => {
    hooks.crashAfterEpoch = 1;
    await expect(run()).rejects.toThrow('simulated crash');
    resetHooks();
    await expect(run({ resume: true, seed: 8 })).rejects.toThrow(/seed 7, this run uses 8/);
    await expect(run({ resume: true, set: ['batchSize=32'] })).rejects.toThrow(/config differs in batchSize \(16 there, 32 here\)/);
  });

  it('the same seed gives the same digest; another seed a different one', async () => {
    const a = await run();
    const b = await run();
    const c = await run({ seed: 8 });
    expect(a.result.metrics.weights_digest).toBe(b.result.metrics.weights_digest);
    expect(c.result.metrics.weights_digest).not.toBe(a.result.metrics.weights_digest);
  });
});

describe('fit', () => {
  it('stops on a NaN loss with the step and a named error', async () => {
    hooks.nanAtStep = 6;
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect(err).toMatchObject({ name: 'NonFiniteLossError', step: 6, epoch: 1 });
    expect((err as Error).message).toMatch(/training loss became NaN at step 6 \(epoch 2\).*last checkpoint \(epoch 1\) is kept/);
  });

  function tinyProblem() {
    seed(3);
    const w = tf.variable(randomNormal([3, 2]));
    const b = tf.variable(tf.zeros([2]));
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2], [4, 3]);
    const y = tf.tensor1d([0, 1, 1, 0], 'int32');
    return { w, b, x, y, dispose: () => tf.dispose([w, b, x, y]) };
  }

  it('leaks no tensors (SGD: none; Adam: exactly its two slots per variable)', async () => {
    for (const [name, makeOpt, slots] of [['sgd', () => tf.train.sgd(0.1), 0], ['adam', () => tf.train.adam(0.1), 4], ['momentum', () => tf.train.momentum(0.1, 0.9), 2]] as const) {
      const p = tinyProblem();
      const optimizer = makeOpt();
      const ctx = createRunContext({ id: 'leak', tier: 'smoke', seed: 3, config: {}, resultsDir: path.join(dir, name) });
      const before = tf.memory().numTensors;
      await fit({
        ctx,
        variables: [p.w, p.b],
        optimizer,
        epochs: 2,
        stepsPerEpoch: 2,
        learningRate: (t) => 0.1 / (t + 1),
        batches: () => [0, 2].map((s) => ({ x: p.x.slice([s, 0], [2, 3]), y: p.y.slice([s], [2]) })),
        loss: (batch) => crossEntropyWithLogits(tf.add(tf.matMul(batch.x, p.w), p.b), batch.y) as tf.Scalar,
        evaluate: () => ({ dummy: 1 }),
      });
      expect(tf.memory().numTensors - before, name).toBe(slots);
      optimizer.dispose();
      p.dispose();
    }
  });

  it('leaks no tensors when resuming either', async () => {
    const p = tinyProblem();
    const options = (ctx: ReturnType<typeof createRunContext>, optimizer: tf.Optimizer, epochs: number) => ({
      ctx,
      variables: [p.w, p.b],
      optimizer,
      epochs,
      stepsPerEpoch: 2,
      batches: () => [0, 2].map((s) => ({ x: p.x.slice([s, 0], [2, 3]), y: p.y.slice([s], [2]) })),
      loss: (batch: { x: tf.Tensor; y: tf.Tensor }) => crossEntropyWithLogits(tf.add(tf.matMul(batch.x, p.w), p.b), batch.y) as tf.Scalar,
    });
    const first = tf.train.adam(0.1);
    await fit(options(createRunContext({ id: 'r', tier: 'smoke', seed: 3, config: {}, resultsDir: path.join(dir, 'r') }), first, 1));
    first.dispose();
    const second = tf.train.adam(0.1);
    const before = tf.memory().numTensors;
    const res = await fit(options(createRunContext({ id: 'r', tier: 'smoke', seed: 3, config: {}, resultsDir: path.join(dir, 'r'), resume: true }), second, 2));
    expect(res.resumedFrom).toEqual({ epoch: 1, step: 2 });
    expect(res.steps).toBe(4);
    expect(tf.memory().numTensors - before).toBe(4); // Adam's m and v for w and b, loaded from the checkpoint
    second.dispose();
    p.dispose();
  });

  /** Momentum SGD that keeps its slots by variable name, like @paperzoo/core-autograd's optimizers. */
  class NamedMomentum implements FitOptimizer {
    iterations = 0;
    readonly slots = new Map<string, tf.Variable>();
    constructor(
      private readonly lr: number,
      private readonly mu: number,
    ) {}
    minimize(f: () => tf.Scalar, _returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar {
      const { value, grads } = tf.variableGrads(f, varList);
      tf.tidy(() => {
        for (const [name, g] of Object.entries(grads)) {
          const v = tf.engine().registeredVariables[name];
          let slot = this.slots.get(name);
          if (!slot) {
            slot = tf.variable(tf.zerosLike(v), false);
            this.slots.set(name, slot);
          }
          slot.assign(tf.add(tf.mul(slot, this.mu), g));
          v.assign(tf.sub(v, tf.mul(slot, this.lr)));
        }
      });
      tf.dispose(grads);
      this.iterations++;
      return value;
    }
    async getWeights(): Promise<NamedTensorLike[]> {
      return [{ name: 'iter', tensor: tf.scalar(this.iterations, 'int32') }, ...[...this.slots].map(([n, slot]) => ({ name: `${n}/momentum`, tensor: tf.clone(slot) }))];
    }
    async setWeights(weights: NamedTensorLike[]): Promise<void> {
      for (const { name, tensor } of weights) {
        if (name === 'iter') this.iterations = tensor.dataSync()[0];
        else {
          const varName = name.slice(0, name.lastIndexOf('/'));
          this.slots.get(varName)?.dispose();
          this.slots.set(varName, tf.variable(tensor, false));
        }
      }
    }
    dispose(): void {
      for (const slot of this.slots.values()) slot.dispose();
    }
  }

  it('resumes exactly with an optimizer that keys its slots by variable name, whatever the variables are now called', async () => {
    const train = async (resultsDir: string, resume: boolean, crashAfterEpoch?: number) => {
      const p = tinyProblem(); // same values every time, new tfjs names (Variable_<n>) every time
      const optimizer = new NamedMomentum(0.05, 0.9);
      const ctx = createRunContext({ id: 'named', tier: 'smoke', seed: 3, config: {}, resultsDir, resume });
      try {
        await fit({
          ctx,
          variables: { w: p.w, b: p.b },
          optimizer,
          epochs: 3,
          stepsPerEpoch: 2,
          batches: () => [0, 2].map((s) => ({ x: p.x.slice([s, 0], [2, 3]), y: p.y.slice([s], [2]) })),
          loss: (batch) => crossEntropyWithLogits(tf.add(tf.matMul(batch.x, p.w), p.b), batch.y) as tf.Scalar,
          onEpochEnd: (e) => {
            if (e.epoch === crashAfterEpoch) throw new Error('crash');
          },
        });
        return [Array.from(p.w.dataSync()), Array.from(p.b.dataSync())];
      } finally {
        optimizer.dispose();
        p.dispose();
      }
    };
    const straight = await train(path.join(dir, 'a'), false);
    await expect(train(path.join(dir, 'b'), false, 2)).rejects.toThrow('crash');
    expect(await train(path.join(dir, 'b'), true)).toEqual(straight);
  });

  it('reports progress, logs curves and rejects bad options', async () => {
    const p = tinyProblem();
    const events: RunEvent[] = [];
    const ctx = createRunContext({ id: 'p', tier: 'smoke', seed: 3, config: {}, resultsDir: path.join(dir, 'p'), onEvent: (e) => events.push(e) });
    const optimizer = tf.train.sgd(0.1);
    const res = await fit({
      ctx,
      variables: { w: p.w, b: p.b },
      optimizer,
      epochs: 2,
      stepsPerEpoch: 2,
      logEvery: 1,
      batches: async function* () {
        yield { x: p.x.slice([0, 0], [2, 3]), y: p.y.slice([0], [2]) };
        yield { x: p.x.slice([2, 0], [2, 3]), y: p.y.slice([2], [2]) };
      },
      loss: (batch) => crossEntropyWithLogits(tf.add(tf.matMul(batch.x, p.w), p.b), batch.y) as tf.Scalar,
    });
    expect(res.steps).toBe(4);
    expect(res.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(ctx.curves()['loss/train'].step).toEqual([1, 2, 3, 4]);
    expect(ctx.curves()['loss/train'].epoch).toEqual([0.5, 1, 1.5, 2]);
    expect(events.filter((e) => e.type === 'progress').length).toBe(4);
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => (e as { epoch: number }).epoch)).toEqual([1, 2]);
    expect(events.at(-1)).toMatchObject({ type: 'progress-end', task: 'train' });
    await expect(fit({ ...({} as any), ctx, variables: [p.w], optimizer, epochs: 1, stepsPerEpoch: 0, batches: () => [], loss: () => tf.scalar(0) })).rejects.toThrow(/stepsPerEpoch/);
    optimizer.dispose();
    p.dispose();
  });
});

describe('runReproduction', () => {
  it('writes a schema-valid result.json with claims, provenance and curves, and SVG plots', async () => {
    const { resultFile, result, plotFiles } = await run();
    const read = await readResult(resultFile);
    expect(read).toEqual(result);
    expect(read.claims.map((c) => [c.id, c.verdict])).toEqual([['learns', 'pass'], ['steps', 'pass']]);
    expect(read.verdict).toBe('pass');
    expect(read.seed).toBe(7);
    expect(read.backend).toBe('cpu');
    expect(read.versions['@paperzoo/repro']).toBe('0.1.0');
    expect(read.config).toEqual({ epochs: 3, batchSize: 16, learningRate: 0.05, dropout: 0.2, optimizer: 'adam' });
    expect(Date.parse(read.endedAt)).toBeGreaterThanOrEqual(Date.parse(read.startedAt));
    expect(Object.keys(read.curves).sort()).toEqual(['loss/eval', 'loss/train', 'train_error']);
    expect(plotFiles.map((f) => path.basename(f)).sort()).toEqual(['loss.svg', 'train_error.svg']);
    expect(read.plots.sort()).toEqual(['loss.svg', 'train_error.svg']);
  });

  it('applies --set overrides and records them; full tier checks its own claims', async () => {
    const { result } = await run({ tier: 'full', set: ['epochs=2', 'optimizer=sgd'] });
    expect(result.overrides).toEqual({ epochs: 2, optimizer: 'sgd' });
    expect(result.config.epochs).toBe(2);
    expect(result.claims.map((c) => c.id)).toEqual(['learns', 'paper-error']);
    await expect(run({ set: ['epoch=2'] })).rejects.toThrow(/unknown config key 'epoch' of tiny — did you mean 'epochs'\?/);
  });
});
