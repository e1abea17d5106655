import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsoleRenderer, discoverApps, findApp, findRepoRoot, formatDelta, formatDuration, formatValue, humanizeMetric, plotCurves, plotSpec, UnknownReproductionError, type Curves } from '../src/index.js';

describe('formatting', () => {
  it('formatValue / formatDelta / humanizeMetric', () => {
    expect(formatValue(0.0097, { format: 'percent' })).toBe('0.97%');
    expect(formatValue(0.0097, { format: 'percent', digits: 1 })).toBe('1.0%');
    expect(formatValue(61706, { format: 'integer' })).toBe('61,706');
    expect(formatValue(3.14159)).toBe('3.142');
    expect(formatValue(1234567)).toBe('1.235e+6');
    expect(formatValue(0.00001234)).toBe('1.234e-5');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(null)).toBe('—');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatDelta(0.003, { format: 'percent' })).toBe('0.30 pp');
    expect(formatDelta(0.5)).toBe('0.5');
    expect(humanizeMetric('test_error')).toBe('test error');
    expect(humanizeMetric('loss/train')).toBe('loss (train)');
    expect(humanizeMetric('testError')).toBe('test error');
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(187)).toBe('3m07s');
    expect(formatDuration(3720)).toBe('1h02m');
  });
});

describe('console renderer (plain mode)', () => {
  it('prints a start line, throttled progress lines, messages and the final line', () => {
    let out = '';
    let t = 0;
    const r = createConsoleRenderer({ stream: { write: (s: string) => (out += s) }, tty: false, intervalMs: 1000, now: () => t });
    r.observer({ type: 'run-start', id: 'lenet5', tier: 'smoke', seed: 0, backend: 'wasm', device: 'CPU', config: {}, resume: false, budget: '60 s' });
    r.observer({ type: 'progress-start', task: 'train', total: 100, unit: 'steps', done: 0 });
    for (let i = 1; i <= 100; i++) {
      t += 50; // 20 steps per second
      r.observer({ type: 'progress', task: 'train', done: i, total: 100, info: { epoch: '1/1', loss: 0.5 } });
    }
    r.observer({ type: 'message', level: 'warn', text: 'careful' });
    r.observer({ type: 'checkpoint', epoch: 1, step: 100, file: 'f', partial: false });
    r.observer({ type: 'progress-end', task: 'train' });
    r.close();
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('▶ lenet5 · smoke tier (60 s) · seed 0 · backend wasm (CPU)');
    expect(lines[1]).toBe('train: 100 steps');
    expect(lines[2]).toBe('train 20% (20/100 steps) · epoch 1/1 · loss 0.5 · 1s elapsed, ~4s left');
    expect(lines.filter((l) => l.startsWith('train ')).length).toBe(5);
    expect(lines).toContain('train 100% (100/100 steps) · epoch 1/1 · loss 0.5 · 5s elapsed');
    expect(lines).toContain('warning: careful');
    expect(lines).toContain('checkpoint after epoch 1 (step 100)');
  });
});

describe('plots', () => {
  const curves: Curves = {
    'loss/train': { step: [10, 20], value: [1, 0.5], epoch: [0.5, 1] },
    'loss/test': { step: [20], value: [0.7], epoch: [1] },
    test_error: { step: [20, 40], value: [0.1, null], epoch: [1, 2] },
    lr: { step: [1, 2], value: [0.1, 0.05], epoch: [null, null] },
  };
  it('one SVG per group; x is the epoch when every point has one', async () => {
    const plots = await plotCurves(curves, { test_error: { format: 'percent' } });
    expect(plots.map((p) => p.file)).toEqual(['loss.svg', 'lr.svg', 'test_error.svg']);
    for (const p of plots) expect(p.svg).toMatch(/^<svg[^>]*>/);
    const loss = plotSpec('loss', curves) as any;
    expect(loss.encoding.x.title).toBe('epoch');
    expect(loss.encoding.color.field).toBe('series');
    expect(loss.data.values).toHaveLength(3);
    expect((plotSpec('lr', curves) as any).encoding.x.title).toBe('step');
    const err = plotSpec('test_error', curves, { format: 'percent' }) as any;
    expect(err.data.values).toHaveLength(1); // null skipped
    expect(err.encoding.y.axis.format).toBe('.1%');
    expect(err.encoding.color).toBeUndefined();
  });
});

describe('discovery', () => {
  it('finds the root, the apps and their ids, with warnings for odd packages', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pz-disc-'));
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ workspaces: ['apps/*/*'] }));
    const app = (area: string, paper: string, pkg: object | null) => {
      const dir = path.join(root, 'apps', area, paper);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'reproduction.ts'), 'export default {};');
      if (pkg) writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    };
    app('cnn-zoo', 'lenet5', { name: '@paperzoo/app-lenet5', type: 'module' });
    app('seq', 'lstm', { name: 'lstm-app', type: 'module' });
    app('gan', 'dcgan', null);
    mkdirSync(path.join(root, 'apps', 'gan', 'no-repro'), { recursive: true });
    expect(findRepoRoot(path.join(root, 'apps', 'cnn-zoo', 'lenet5'))).toBe(root);
    const apps = await discoverApps(root);
    expect(apps.map((a) => [a.id, a.relDir])).toEqual([
      ['dcgan', 'apps/gan/dcgan'],
      ['lenet5', 'apps/cnn-zoo/lenet5'],
      ['lstm', 'apps/seq/lstm'],
    ]);
    expect(apps[0].warnings[0]).toMatch(/no readable package.json/);
    expect(apps[1].warnings).toEqual([]);
    expect(apps[2].warnings[0]).toMatch(/is named 'lstm-app'/);
    expect(findApp(apps, 'lenet5').dir).toBe(path.join(root, 'apps', 'cnn-zoo', 'lenet5'));
    expect(() => findApp(apps, 'lenet')).toThrow(UnknownReproductionError);
    expect(() => findApp(apps, 'lenet')).toThrow("no reproduction with id 'lenet' — did you mean 'lenet5'? (known: dcgan, lenet5, lstm)");
  });
});
