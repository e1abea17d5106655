/**
 * The optional gpu tier end to end: a run at tier gpu writes results/gpu/result.json; the README table
 * and REPRODUCTIONS.md state its claims as 'not run (GPU-sized)' until a result exists, then judge them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareResults, defineReproduction, readResult, renderReadmeTable, renderReport, runReproduction, z, type AppEntry, type LoadedApp, type Reproduction } from '../src/index.js';
import { tiny } from './fixtures/tiny.js';

/** Zaremba et al.'s three sizes, in miniature: full is the small model, gpu the large one. */
const sizes = defineReproduction({
  id: 'sizes',
  package: '@paperzoo/repro',
  paper: { title: 'Recurrent Neural Network Regularization', authors: ['W. Zaremba', 'I. Sutskever', 'O. Vinyals'], year: 2014, venue: 'arXiv', url: 'https://arxiv.org/abs/1409.2329' },
  claims: [
    { id: 'learns', kind: 'threshold', what: 'test perplexity falls', source: 'Table 1', metric: 'perplexity', threshold: 200, direction: 'below', tiers: ['smoke', 'full'] },
    { id: 'large', kind: 'value', what: 'test perplexity, large regularized LSTM', source: 'Table 1', metric: 'perplexity', published: 78.4, tolerance: 2, tiers: ['gpu'] },
  ],
  config: z.object({
    /** Units per LSTM layer. */
    hiddenSize: z.number().int().min(1).max(4096),
    /** Passes over the training text. */
    epochs: z.number().int().min(1).max(100),
    /** Dropout on the non-recurrent connections. */
    dropout: z.number().min(0).max(0.9),
  }),
  tiers: {
    full: { config: { hiddenSize: 200, epochs: 13, dropout: 0 }, budget: '≈1 h on 2 CPU cores', backend: 'cpu' },
    smoke: { config: { hiddenSize: 20, epochs: 1 }, budget: 'milliseconds', backend: 'cpu' },
    gpu: { config: { hiddenSize: 1500, epochs: 55, dropout: 0.65 }, budget: '55 epochs, ≈1 day on one GPU', backend: 'cpu' },
  },
  run: (cfg, ctx) => {
    ctx.log({ perplexity: 100 }, { step: 1, epoch: 1 });
    return { perplexity: 78 + 1000 / cfg.hiddenSize };
  },
});

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'pz-gpu-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const loaded = (dir: string, repro: Reproduction = sizes): LoadedApp => {
  const entry: AppEntry = { id: repro.id, area: 'demo', paper: repro.id, dir, relDir: `apps/demo/${repro.id}`, file: path.join(dir, 'reproduction.ts'), packageName: null, warnings: [] };
  return { entry, repro };
};

describe('the gpu tier', () => {
  it('a run at tier gpu uses the gpu preset, checks the gpu claims and writes results/gpu/', async () => {
    const dir = fresh();
    const { result, resultFile } = await runReproduction(sizes, { appDir: dir, tier: 'gpu', seed: 0 });
    expect(resultFile).toBe(path.join(dir, 'results', 'gpu', 'result.json'));
    const stored = await readResult(resultFile);
    expect(stored).toEqual(result);
    expect(stored).toMatchObject({ tier: 'gpu', budget: '55 epochs, ≈1 day on one GPU', config: { hiddenSize: 1500, epochs: 55, dropout: 0.65 }, verdict: 'pass' });
    expect(stored.claims.map((c) => c.id)).toEqual(['large']);
    expect(existsSync(path.join(dir, 'results', 'gpu', 'perplexity.svg'))).toBe(true);
    expect(existsSync(path.join(dir, 'results', 'smoke'))).toBe(false);
  });

  it('a reproduction without a gpu tier refuses one, naming the tiers it has', async () => {
    await expect(runReproduction(tiny, { appDir: fresh(), tier: 'gpu', backend: 'cpu' })).rejects.toThrow(/tiny has no gpu tier \(its tiers: smoke, full\)/);
  });

  it('the README table states the gpu claims as not run (GPU-sized) until a result exists, then judges them', async () => {
    const rowsOf = (md: string) => md.split('\n').filter((l) => l.startsWith('| '));
    let rows = rowsOf(renderReadmeTable(sizes, {}));
    expect(rows).toContain('| test perplexity, large regularized LSTM <sub>`large`</sub> | Table 1 | gpu | 78.4 | ±2 | — | not run (GPU-sized) |');
    expect(rows).toContain('| gpu | 55 epochs, ≈1 day on one GPU | not run (GPU-sized): `npx paperzoo run sizes --tier gpu` on a GPU machine | — | — | — |');
    expect(rows.filter((r) => r.includes('| full |') || r.includes('| smoke |')).join('\n')).toMatch(/no committed result/);

    const dir = fresh();
    const { result } = await runReproduction(sizes, { appDir: dir, tier: 'gpu' });
    rows = rowsOf(renderReadmeTable(sizes, { gpu: { status: 'result', result } }));
    expect(rows.find((r) => r.includes('`large`'))).toMatch(/\| gpu \| 78\.4 \| ±2 \| 78\.67 \| ✅ pass \|$/);
    expect(rows.find((r) => r.startsWith('| gpu |'))).toMatch(/^\| gpu \| 55 epochs, ≈1 day on one GPU \| seed 0, ended \d{4}-\d\d-\d\d \|/);
  });

  it('an app without a gpu tier has no gpu rows', () => {
    const md = renderReadmeTable(tiny, {});
    expect(md).not.toMatch(/\| gpu \|/);
    expect(md).not.toMatch(/GPU/);
  });

  it('compare and REPRODUCTIONS.md: gpu rows are missing with a not-run note, and say so in the verdict column', async () => {
    const dir = fresh();
    const summary = await compareResults([loaded(dir), loaded(fresh(), tiny)]);
    const gpuRows = summary.rows.filter((r) => r.tier === 'gpu');
    expect(gpuRows.map((r) => [r.app.repro.id, r.claim.id, r.verdict, r.notRun])).toEqual([['sizes', 'large', 'missing', true]]);
    expect(gpuRows[0].notes).toEqual(['not run (GPU-sized): no gpu result yet — run `paperzoo run sizes --tier gpu` on a GPU machine']);
    expect(summary.rows.filter((r) => r.tier !== 'gpu').every((r) => !r.notRun)).toBe(true);
    const report = renderReport(summary, dir);
    expect(report).toMatch(/\| gpu \| 78\.4 \| — \| ⚪ not run \(GPU-sized\)<br>/);
    expect(report).toMatch(/gpu-tier rows are configurations of the paper sized for a GPU/);
    expect(renderReport(await compareResults([loaded(fresh(), tiny)]), dir)).not.toMatch(/GPU/);

    await runReproduction(sizes, { appDir: dir, tier: 'gpu' });
    const after = await compareResults([loaded(dir)], ['gpu']);
    expect(after.rows.map((r) => [r.claim.id, r.verdict, r.notRun, r.provenance?.tier])).toEqual([['large', 'pass', undefined, 'gpu']]);
  });
});
