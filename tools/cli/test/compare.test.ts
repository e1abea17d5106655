import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ComparisonRow, type Reproduction } from '@paperzoo/repro';
import { runCli } from '../src/index.js';
import { compareTable, MAX_WIDTH } from '../src/table.js';
import { fakeCli, writeFakeResult, type FakeCli, type FakeRepo } from './fake-repo.js';

let repo: FakeRepo;
let repros: Record<string, Reproduction>;
let cli: FakeCli['cli'];
beforeAll(async () => {
  ({ repo, repros, cli } = await fakeCli(runCli));
});
afterAll(() => repo.cleanup());

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const widest = (s: string) => Math.max(...stripAnsi(s).split('\n').map((l) => [...l].length));

describe('compare --results merges shard artifacts', () => {
  it('reads result.json files from several folders, at any depth, and prints one table', async () => {
    const shard1 = path.join(repo.root, 'artifacts/results-shard-1');
    const shard2 = path.join(repo.root, 'artifacts/results-shard-2');
    await writeFakeResult(path.join(shard1, 'apps/demo/demo/results/smoke/result.json'), repros.demo, 'smoke', { answer: 42, loss: 1, distance: 0.5 });
    await writeFakeResult(path.join(shard2, 'deeper/still/other-smoke/result.json'), repros.other, 'smoke', { answer: 42, loss: 1, distance: 0.5 });
    const r = await cli('compare', '--tier', 'smoke', '--results', 'artifacts/results-shard-1', '--results', shard2);
    expect(r.stderr).toMatch(/2 result file\(s\)/);
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toBe('3 claims: 3 pass, 0 fail, 0 missing');
    expect(r.stdout).toMatch(/2025-01-02 · 0123456 · cpu \(Test CPU\)/);
    expect(widest(r.stdout)).toBeLessThanOrEqual(MAX_WIDTH);
  });

  it('a reproduction missing from every folder still fails', async () => {
    const r = await cli('compare', '--tier', 'smoke', '--results', 'artifacts/results-shard-1');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no smoke result in the given results folders — run `paperzoo run other --tier smoke`/);
    expect(lastLine(r.stdout)).toBe('3 claims: 2 pass, 0 fail, 1 missing');
    // the apps' own results/ folders are not read when --results is given
    const full = await cli('compare', '--tier', 'full', '--results', 'artifacts');
    expect(full.code).toBe(1);
    expect(lastLine(full.stdout)).toBe('2 claims: 0 pass, 0 fail, 2 missing');
  });

  it('a failing result fails; duplicates and stray files are warned about', async () => {
    const shard3 = path.join(repo.root, 'artifacts/results-shard-3');
    await writeFakeResult(path.join(shard3, 'other/result.json'), repros.other, 'smoke', { answer: 42, loss: 1, distance: 5 });
    mkdirSync(path.join(shard3, 'junk'), { recursive: true });
    writeFileSync(path.join(shard3, 'junk/result.json'), '{"not": "a result"}');
    const r = await cli('compare', '--tier', 'smoke', '--results', 'artifacts/results-shard-3', '--results', 'artifacts/results-shard-1', '--results', 'artifacts/results-shard-2');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning: two other\/smoke results: using artifacts\/results-shard-3\/other\/result\.json, not artifacts\/results-shard-2\//);
    expect(r.stderr).toMatch(/junk\/result\.json is not a result file/);
    expect(lastLine(r.stdout)).toBe('3 claims: 2 pass, 1 fail, 0 missing');
  });

  it('a --results folder that does not exist is a usage error', async () => {
    const r = await cli('compare', '--results', 'nowhere');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--results nowhere: no such folder/);
  });
});

describe('the compare table fits 120 columns', () => {
  const long = 'a claim stated at great length, the way a paper would put it when it wants to be very precise about the setting, the data, the metric and the schedule';
  const row = (i: number, verdict: 'pass' | 'fail' | 'missing'): ComparisonRow =>
    ({
      app: { repro: { id: `a-rather-long-reproduction-id-number-${i}` }, entry: {} },
      tier: 'full',
      claim: { id: `c${i}`, kind: 'value', what: long + ` (#${i})`, setting: 'no data augmentation, single crop, the authors’ own preprocessing', source: 'Table 6 and Fig. 3 (right), §4.2 of the appendix', metric: 'test_error', published: 0.0875, tolerance: { absolute: 0.005, relative: 0.05 }, tiers: ['full'], format: 'percent' },
      evaluated:
        verdict === 'missing'
          ? null
          : { id: `c${i}`, what: long, source: 's', kind: 'value', metric: 'test_error', published: 0.0875, measured: 0.0911, verdict, tolerance: '±(0.50 pp + 5% of published) or lower', detail: '', line: '' },
      verdict,
      provenance: verdict === 'missing' ? null : { tier: 'full', date: '2025-11-21T10:00:00.000Z', sha: 'a763c2e0000000000000000000000000000000ff', dirty: true, backend: 'tensorflow', device: 'NVIDIA H100 80GB HBM3 with a rather long device description string', seed: 0 },
      notes: verdict === 'missing' ? ['no full result yet — run `paperzoo run a-rather-long-reproduction-id-number-3 --tier full`'] : ['run with --set experiments=["logreg","bow","mlp"] --set epochs=200 --set batchSize=128 --set learningRate=0.001'],
      resultFile: '',
      plots: [],
    }) as unknown as ComparisonRow;

  it('wraps long claims, notes and provenance: no line is wider than 120 columns', () => {
    const text = compareTable([row(1, 'pass'), row(2, 'fail'), row(3, 'missing')]);
    const lines = stripAnsi(text).split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(MAX_WIDTH);
    // nothing of the claim is lost: it wraps instead of being cut
    const flat = lines.map((l) => l.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ').trim()).join(' ').replace(/\s+/g, ' ');
    expect(flat).toContain('the metric and the schedule (#2) (no data augmentation, single crop');
    expect(flat).toContain('experiments=["logreg","bow","mlp"]');
  });
});
