import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@paperzoo/tensor';
import { applyConfigDiff, checkpointPolicyFromEnv, defineReproduction, NonFiniteLossError, numericFields, ReproductionDefinitionError, runReproduction, z, type Reproduction } from '../src/index.js';
import { configSchema, twoPlayer, twoPlayerHooks, twoPlayerSweep } from './fixtures/two-player.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'pz-kit2-'));
  dirs.push(d);
  return d;
};
const reset = () => {
  twoPlayerHooks.throwAtStep = null;
  twoPlayerHooks.throwIn = null;
  twoPlayerHooks.nanAtStep = null;
  twoPlayerHooks.memberRuns = [];
};
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});
afterEach(() => {
  reset();
  delete process.env.PAPERZOO_CHECKPOINT_EVERY;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

 
const run = (repro: Reproduction<any>, appDir: string, extra: Partial<Parameters<typeof runReproduction>[1]> = {}) => runReproduction(repro, { appDir, tier: 'smoke', backend: 'cpu', seed: 3, ...extra });

describe('fit with a custom step (two models, two optimizers, a schedule on one)', () => {
  it('a crash inside an epoch resumes from the step checkpoint to bit-identical weights and curves', async () => {
    const straight = await run(twoPlayer, fresh());
    expect(straight.result.metrics.steps).toBe(12);
    expect(Object.keys(straight.result.curves)).toEqual(expect.arrayContaining(['loss/discriminator', 'loss/generator']));

    process.env.PAPERZOO_CHECKPOINT_EVERY = '3';
    const dir = fresh();
    twoPlayerHooks.throwAtStep = 7; // epoch 2: checkpoints at steps 3, 4 (epoch end) and 7 (mid-epoch), then the crash
    await expect(run(twoPlayer, dir)).rejects.toThrow('simulated crash');
    reset();
    const resumed = await run(twoPlayer, dir, { resume: true });
    expect(resumed.result.resumed).toMatchObject({ step: 7, epoch: 1 });
    expect(resumed.result.metrics.resumed).toBe(true);
    expect(resumed.result.metrics.digest).toBe(straight.result.metrics.digest);
    expect(resumed.result.metrics.d_loss).toBe(straight.result.metrics.d_loss);
    expect(resumed.result.curves).toEqual(straight.result.curves);
  });

  it('a non-finite quantity stops the run naming the step and the quantity', async () => {
    twoPlayerHooks.nanAtStep = 5;
    const err = await run(twoPlayer, fresh()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/'loss\/discriminator' became NaN at step 5 \(epoch 2\)/);
  });

  it('disposes what the run owns when it throws (no tensors leak)', async () => {
    await run(twoPlayer, fresh()); // warm-up: tfjs keeps some scalars for good
    const before = tf.memory().numTensors;
    await run(twoPlayer, fresh());
    const leakedByStockMomentum = 1; // tf.train.momentum's dispose() keeps its momentum scalar (tfjs 4.22)
    expect(tf.memory().numTensors - before).toBe(leakedByStockMomentum);
    const mid = tf.memory().numTensors;
    twoPlayerHooks.throwAtStep = 2;
    await expect(run(twoPlayer, fresh())).rejects.toThrow('simulated crash');
    expect(tf.memory().numTensors - mid).toBe(leakedByStockMomentum);
  });
});

describe('sweep', () => {
  it('records finished members and resumes inside the running one, with the uninterrupted results', async () => {
    const straight = await run(twoPlayerSweep, fresh());
    expect(twoPlayerHooks.memberRuns).toEqual(['seed=0', 'seed=1', 'seed=2']);
    reset();

    process.env.PAPERZOO_CHECKPOINT_EVERY = '3';
    const dir = fresh();
    twoPlayerHooks.throwAtStep = 5; // inside the first member
    await expect(run(twoPlayerSweep, dir)).rejects.toThrow('simulated crash');
    reset();
    // second attempt: crash inside member 2 (member 1 resumes mid-way and finishes)
    twoPlayerHooks.throwAtStep = 6;
    twoPlayerHooks.throwIn = 'seed=1';
    twoPlayerHooks.memberRuns = [];
    await expect(run(twoPlayerSweep, dir, { resume: true })).rejects.toThrow('simulated crash');
    expect(twoPlayerHooks.memberRuns).toEqual(['seed=0', 'seed=1']);
    reset();
    const resumed = await run(twoPlayerSweep, dir, { resume: true });
    expect(twoPlayerHooks.memberRuns).toEqual(['seed=1', 'seed=2']); // seed=0 is not rerun
    // the sweep's step count: seed=0's 8 steps + seed=1's last checkpoint (its epoch end, step 4)
    expect(resumed.result.resumed).toMatchObject({ step: 12 });
    expect(resumed.result.metrics.digests).toBe(straight.result.metrics.digests);
    expect(resumed.result.curves).toEqual(straight.result.curves);
  });
});

describe('defineReproduction v2', () => {
  it('applies the smoke diff to the full preset', () => {
    expect(twoPlayer.tiers.smoke.config).toEqual({ epochs: 3, steps: 4, seeds: [0], learningRate: 0.05 });
    expect(applyConfigDiff({ a: 1, o: { b: 2, c: [1, 2] } }, { o: { c: [3] } })).toEqual({ a: 1, o: { b: 2, c: [3] } });
    expect(() => applyConfigDiff<{ a: number; b?: number }>({ a: 1 }, { b: 2 })).toThrow(ReproductionDefinitionError);
  });

  it('lists numeric fields with their bounds, and rejects a schema with an unbounded one', () => {
    expect(numericFields(configSchema)).toEqual([
      { path: 'epochs', min: 1, max: 100, integer: true },
      { path: 'steps', min: 1, max: 1000, integer: true },
      { path: 'seeds[]', min: 0, max: 1000, integer: true },
      { path: 'learningRate', min: 0, max: 1, integer: false },
    ]);
    const def = {
      id: 'x',
      package: '@paperzoo/repro',
      paper: { title: 'T', authors: ['A'], year: 2024, venue: 'V', url: 'https://example.org' },
      config: z.object({ epochs: z.number().int().positive() }),
      claims: [{ id: 'c', kind: 'exact', what: 'w', source: 's', metric: 'm', expected: 1, tiers: ['smoke', 'full'] }],
      tiers: { full: { config: { epochs: 2 }, budget: 'b' }, smoke: { config: { epochs: 1 }, budget: 'b' } },
      run: () => ({ m: 1 }),
    } as const;
    expect(() => defineReproduction(def)).toThrow(/config\.epochs: a numeric config field needs both bounds/);
  });

  it('type-checks claim metric names against what run returns', () => {
    const base = {
      id: 'typed',
      package: '@paperzoo/repro',
      paper: { title: 'T', authors: ['A'], year: 2024, venue: 'V', url: 'https://example.org' },
      config: z.object({ epochs: z.number().int().min(1).max(9) }),
      tiers: { full: { config: { epochs: 2 }, budget: 'b' }, smoke: { config: {}, budget: 'b' } },
    };
    const ok = defineReproduction({ ...base, claims: [{ id: 'c', kind: 'threshold', what: 'w', source: 's', metric: 'test_error', threshold: 1, direction: 'below', tiers: ['smoke', 'full'] }], run: () => ({ test_error: 0.5 }) });
    expect(ok.id).toBe('typed');
    const misspelt = () =>
      defineReproduction({
        ...base,
        claims: [
          // @ts-expect-error 'test_eror' is not a metric run returns
          { id: 'c', kind: 'threshold', what: 'w', source: 's', metric: 'test_eror', threshold: 1, direction: 'below', tiers: ['smoke', 'full'] },
        ],
        run: () => ({ test_error: 0.5 }),
      });
    expect(misspelt).not.toThrow(); // a type error, not a run-time one: tsc fails on this file without the directive
  });
});

describe('checkpoint policy', () => {
  it('reads PAPERZOO_CHECKPOINT_EVERY as steps or seconds and names a bad value', () => {
    expect(checkpointPolicyFromEnv({})).toEqual({ seconds: 600 });
    expect(checkpointPolicyFromEnv({ PAPERZOO_CHECKPOINT_EVERY: '200' })).toEqual({ steps: 200 });
    expect(checkpointPolicyFromEnv({ PAPERZOO_CHECKPOINT_EVERY: '90s' })).toEqual({ seconds: 90 });
    expect(() => checkpointPolicyFromEnv({ PAPERZOO_CHECKPOINT_EVERY: 'often' })).toThrow(/PAPERZOO_CHECKPOINT_EVERY='often'/);
  });
});
