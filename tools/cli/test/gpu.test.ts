import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README_MARKERS, readResult } from '@paperzoo/repro';
import { runCli } from '../src/index.js';
import { fakeCli, type FakeCli, type FakeRepo } from './fake-repo.js';

// demo has a gpu tier with one claim; other has none
let repo: FakeRepo;
let cli: FakeCli['cli'];
beforeAll(async () => {
  ({ repo, cli } = await fakeCli(runCli, { gpu: true }));
  for (const app of ['demo', 'other']) writeFileSync(readme(app), `# ${app}\n\n${README_MARKERS.start}\n${README_MARKERS.end}\n`);
});
afterAll(() => repo.cleanup());

const readme = (app: string) => path.join(repo.root, 'apps/demo', app, 'README.md');
const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

describe('the gpu tier in the CLI', () => {
  it('before a gpu run: list, compare and report state the gpu claim as not run (GPU-sized)', async () => {
    let r = await cli('list');
    expect(r.stdout).toMatch(/demo\s*│.*│\s*3 \(smoke 2, full 1, gpu 1\)/);
    expect(r.stdout).toMatch(/gpu: not run/);
    expect(r.stdout).toMatch(/other\s*│.*│\s*1 \(smoke 1, full 1\)\s/);

    r = await cli('compare', '--tier', 'gpu');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not run \(GPU-sized\): no gpu result yet — run `paperzoo run demo --tier gpu` on a GPU machine/);
    expect(lastLine(r.stdout)).toBe('1 claim: 0 pass, 0 fail, 1 missing');

    r = await cli('report');
    expect(r.code).toBe(0);
    const md = readFileSync(readme('demo'), 'utf8');
    expect(md).toMatch(/\| the answer, asked of a bigger computer <sub>`answer-gpu`<\/sub> \| Ch\. 28 \| gpu \| 43 \| ±0\.5 \| — \| not run \(GPU-sized\) \|/);
    expect(md).toMatch(/\| gpu \| GPU-sized milliseconds \| not run \(GPU-sized\): `npx paperzoo run demo --tier gpu` on a GPU machine \|/);
    expect(readFileSync(readme('other'), 'utf8')).not.toMatch(/gpu/);
    expect(readFileSync(path.join(repo.root, 'REPRODUCTIONS.md'), 'utf8')).toMatch(/\| gpu \| 43 \| — \| ⚪ not run \(GPU-sized\)/);
    expect((await cli('report', '--check')).code).toBe(0);
  });

  it('run <id> --tier gpu: an app without a gpu tier is a usage error naming its tiers', async () => {
    const r = await cli('run', 'other', '--tier', 'gpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: other has no gpu tier \(its tiers: smoke, full\)/);
  });

  it('run --all --tier gpu runs the apps with a gpu tier into results/gpu/ and skips the others visibly', async () => {
    const r = await cli('run', '--all', '--tier', 'gpu');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skip other: no gpu tier/);
    expect(r.stdout).toMatch(/demo · gpu: apps\/demo\/demo\/results\/gpu\/result\.json/);
    expect(lastLine(r.stdout)).toBe('1 reproductions (gpu): 1 pass, 0 fail, 0 missing, 0 errors; 1 skipped (no gpu tier)');
    const result = await readResult(path.join(repo.root, 'apps/demo/demo/results/gpu/result.json'));
    expect(result).toMatchObject({ id: 'demo', tier: 'gpu', verdict: 'pass', budget: 'GPU-sized milliseconds', config: { answer: 43, epochs: 4 } });
    expect(result.claims.map((c) => c.id)).toEqual(['answer-gpu']);
  });

  it('after the run: compare passes, report judges the gpu claim and --check notices the change', async () => {
    let r = await cli('compare', '--tier', 'gpu');
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toBe('1 claim: 1 pass, 0 fail, 0 missing');
    expect((await cli('report', '--check')).stdout).toMatch(/stale: apps\/demo\/demo\/README\.md/);
    r = await cli('report');
    expect(readFileSync(readme('demo'), 'utf8')).toMatch(/\| gpu \| 43 \| ±0\.5 \| 43 \| ✅ pass \|/);
    expect((await cli('report', '--check')).code).toBe(0);
    expect((await cli('list')).stdout).toMatch(/gpu: ✓ pass 1\/1/);
  });
});
