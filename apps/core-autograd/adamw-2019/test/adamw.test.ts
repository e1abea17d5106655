import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend } from '@paperzoo/tensor';
import { runReproduction } from '@paperzoo/repro';
import { Adam, AdamW } from '@paperzoo/core-autograd';
import repro, { transferRegret, zeroGradientRatios } from '../reproduction.js';

const appDir = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'adamw-2019-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('zero-gradient decay', () => {
  it('AdamW: every weight is multiplied by (1 − ηλ) per step', async () => {
    const ratios = await assertNoLeaks(() => zeroGradientRatios(new AdamW({ learningRate: 0.05, weightDecay: 0.2 }), 7));
    for (const r of ratios) expect(r).toBeCloseTo((1 - 0.05 * 0.2) ** 7, 6);
  });

  it('Adam + L2: λθ/√v̂ ≈ sign θ, so every weight moves by about η per step whatever its size', async () => {
    const ratios = await assertNoLeaks(() => zeroGradientRatios(new Adam({ learningRate: 1e-3, l2: 0.1 }), 3));
    // θ_0 = [1e-3, 0.1, 1, −5]. The large weights each move by ≈ η = 1e-3 per step (ratio ≈ 1 − 3η/|θ_0|),
    // the smallest is pushed through zero: no common factor.
    expect(ratios[1]).toBeCloseTo(1 - 3e-3 / 0.1, 3);
    expect(ratios[2]).toBeCloseTo(1 - 3e-3 / 1, 4);
    expect(ratios[3]).toBeCloseTo(1 - 3e-3 / 5, 5);
    expect(ratios[0]).toBeLessThan(0);
  });
});

describe('transferRegret', () => {
  it('is 0 when the best λ is the same at every α', () => {
    expect(transferRegret([[0.3, 0.2, 0.25], [0.5, 0.1, 0.4], [0.9, 0.8, 0.85]])).toBe(0);
  });

  it('averages, over ordered pairs of α, what keeping the other α\'s best λ costs', () => {
    // best λ index: row 0 → 0, row 1 → 1. Keeping 0 at α₁ costs 0.5 − 0.1; keeping 1 at α₀ costs 0.3 − 0.2.
    expect(transferRegret([[0.2, 0.3], [0.5, 0.1]])).toBeCloseTo((0.4 + 0.1) / 2, 12);
  });
});

const hasMirror = Boolean(process.env.PAPERZOO_DATA_MIRROR);
describe('the grid', () => {
  if (!hasMirror) it.skip('end to end on Fashion-MNIST: needs PAPERZOO_DATA_MIRROR', () => {});
  else
    it('runs end to end without leaking tensors; the same seed gives the same landscape', async () => {
      const set = ['trainExamples=200', 'validationExamples=200', 'epochs=2', 'hidden=8'];
      const a = await assertNoLeaks(() => runReproduction(repro, { appDir, tier: 'smoke', seed: 5, backend: 'wasm', set, resultsDir: path.join(tmp, 'a') }));
      const b = await runReproduction(repro, { appDir, tier: 'smoke', seed: 5, backend: 'wasm', set, resultsDir: path.join(tmp, 'b') });
      expect(a.result.metrics).toEqual(b.result.metrics);
      expect(a.result.metrics.adamw_shrinks_by_common_factor).toBe(true);
      expect(a.result.metrics.adam_l2_shrinks_by_common_factor).toBe(false);
      expect(String(a.result.metrics.adamw_error_grid).split('|')).toHaveLength(2); // two learning rates
    });
});
