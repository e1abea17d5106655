/**
 * dcgan-mnist: the presets parse; the LeNet-FID reference digits and the held-out real digits are disjoint
 * halves of the test set at most (a full tier of 10,000 made them the same digits: real-vs-real FID 0).
 */
import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from '@paperzoo/repro';
import repro from '../reproduction.js';

describe('dcgan-mnist', () => {
  it('the full preset is w = 64, batch 128, 5 passes over 60,000 digits, 5,000 samples; the smoke preset parses', () => {
    expect(resolveRunConfig(repro, { tier: 'full' }).config).toMatchObject({ width: 64, batchSize: 128, epochs: 5, trainExamples: 60_000, evalSamples: 5_000 });
    expect(resolveRunConfig(repro, { tier: 'smoke' }).config.evalSamples).toBe(1000);
  });

  it('rejects more evaluated samples than half the test digits (reference and held-out sets must not overlap)', () => {
    const full = resolveRunConfig(repro, { tier: 'full' }).config;
    expect(repro.configSchema!.safeParse({ ...full, evalSamples: 5_000 }).success).toBe(true);
    expect(repro.configSchema!.safeParse({ ...full, evalSamples: 5_001 }).success).toBe(false);
  });
});
