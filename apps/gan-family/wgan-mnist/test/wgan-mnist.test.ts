/**
 * wgan-mnist: the critic schedule of the authors' released code (martinarjovsky/WassersteinGAN main.py:
 * `Diters = 100 if gen_iterations < 25 or gen_iterations % 500 == 0 else 5`), and the presets parse.
 */
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '@paperzoo/repro';
import repro, { criticStepsAt } from '../reproduction.js';

describe('wgan-mnist', () => {
  it('the full preset trains the critic 100 times for the first 25 generator steps and every 500th, else 5', () => {
    const full = resolveRunConfig(repro, { tier: 'full' }).config;
    expect(full).toMatchObject({ width: 64, batchSize: 64, criticSteps: 5, clip: 0.01, warmupCriticSteps: 100, warmupIterations: 25, warmupEvery: 500 });
    const steps = Array.from({ length: 1002 }, (_, i) => criticStepsAt(full, i));
    const warm = steps.flatMap((n, i) => (n === 100 ? [i] : []));
    expect(warm).toEqual([...Array.from({ length: 25 }, (_, i) => i), 500, 1000]);
    expect(steps.filter((n) => n === 5)).toHaveLength(1002 - 27);
  });

  it('warmupIterations = 0 is Algorithm 1 of the paper: n_critic every step (the smoke preset)', () => {
    const smoke = resolveRunConfig(repro, { tier: 'smoke' }).config;
    expect(smoke.warmupIterations).toBe(0);
    expect(Array.from({ length: 1001 }, (_, i) => criticStepsAt(smoke, i)).every((n) => n === smoke.criticSteps)).toBe(true);
  });
});
