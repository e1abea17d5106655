/**
 * gan-mnist: the full preset is the released config (goodfeli/adversarial mnist.yaml) and the Parzen
 * protocol of parzen_ll.py; every preset parses; a tiny end-to-end run (2 iterations, small networks,
 * 50 Parzen centres) writes result.json with finite metrics and the sample PNG.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveRunConfig, runReproduction } from '@paperzoo/repro';
import { GOODFELLOW_MNIST } from '@paperzoo/gan-family';
import repro from '../reproduction.js';

const appDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

describe('gan-mnist', () => {
  it('the full preset is the released config and the parzen_ll.py protocol; the smoke preset parses', () => {
    const full = resolveRunConfig(repro, { tier: 'full' }).config;
    expect(full).toMatchObject({ trainExamples: GOODFELLOW_MNIST.trainExamples, batchSize: GOODFELLOW_MNIST.batchSize, k: 1, generatorHidden: [1200, 1200], discriminatorUnits: [240, 240], pieces: 5 });
    expect(full).toMatchObject({ parzenSamples: 10_000, validationExamples: 1000, testExamples: 10_000, controlCentres: 10_000 });
    expect(resolveRunConfig(repro, { tier: 'smoke' }).config.epochs).toBeGreaterThanOrEqual(2); // a checkpoint before the end, for kill-resume
  });

  it('runs end to end on a tiny configuration and writes result.json and samples.png', async () => {
    const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gan-mnist-'));
    try {
      const set = ['trainExamples=200', 'epochs=1', 'iterations=2', 'generatorHidden=[16]', 'discriminatorUnits=[8]', 'pieces=2', 'parzenSamples=50', 'validationExamples=20', 'testExamples=20', 'controlCentres=50', 'gridSamples=4'];
      const out = await runReproduction(repro, { appDir, tier: 'smoke', set, resultsDir });
      const m = out.result.metrics;
      for (const k of ['parzen_ll', 'control_ll', 'untrained_ll', 'noise_ll', 'd_loss', 'g_loss']) expect(Number.isFinite(m[k])).toBe(true);
      expect(m.noise_ll as number).toBeLessThan(m.control_ll as number);
      expect(fs.existsSync(path.join(resultsDir, 'smoke', 'samples.png'))).toBe(true);
    } finally {
      fs.rmSync(resultsDir, { recursive: true, force: true });
    }
  }, 120_000);
});
