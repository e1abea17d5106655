import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '@paperzoo/repro';
import { runCli } from '../src/index.js';
import { makeFakeRepo, REPO, type FakeRepo } from './fake-repo.js';

let repo: FakeRepo;
beforeAll(() => {
  repo = makeFakeRepo();
});
afterAll(() => repo.cleanup());

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd: repo.root,
  });
  return { code, stdout, stderr };
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);

describe('argument errors', () => {
  it('unknown command → exit 2 with a suggestion', async () => {
    const r = await cli('lst');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'lst'/);
    expect(r.stderr).toMatch(/Did you mean list\?/);
  });

  it('unknown option → exit 2 with a suggestion', async () => {
    const r = await cli('run', 'demo', '--tierr', 'smoke');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--tierr'/);
    expect(r.stderr).toMatch(/Did you mean --tier\?/);
  });

  it('bad tier, backend and seed values', async () => {
    let r = await cli('run', 'demo', '--tier', 'ful');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'ful' is not one of smoke, full, gpu — did you mean 'full'\?/);
    r = await cli('run', 'demo', '--backend', 'wsam');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean 'wasm'\?/);
    r = await cli('run', 'demo', '--seed', '1.5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seed must be an integer/);
    r = await cli('compare', '--tier', 'smok');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean 'smoke'\?/);
  });

  it('unknown reproduction id → suggestion', async () => {
    const r = await cli('run', 'dmeo');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no reproduction with id 'dmeo' — did you mean 'demo'\? \(known: demo, other\)/);
  });

  it('unknown or mistyped config keys → suggestion; wrong types → error', async () => {
    let r = await cli('run', 'demo', '--set', 'epoch=3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown config key 'epoch' of demo — did you mean 'epochs'\?/);
    r = await cli('run', 'demo', '--set', 'epochs=three');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/epochs is a number, and 'three' is not a finite number/);
    r = await cli('run', 'demo', '--set', 'epochs');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected key=value/);
  });

  it('run needs exactly one of <id> and --all; --set does not go with --all', async () => {
    expect((await cli('run')).stderr).toMatch(/say which reproduction to run.*known: demo, other/);
    expect((await cli('run', 'demo', '--all')).code).toBe(2);
    const r = await cli('run', '--all', '--set', 'epochs=1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--set applies to one reproduction/);
    expect((await cli('run', 'demo', 'extra')).code).toBe(2);
  });

  it('--shard: bad forms name the flag and the form; it needs --all', async () => {
    for (const bad of ['2', '0/4', '5/4', 'a/b']) {
      const r = await cli('run', '--all', '--shard', bad);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--shard/);
      expect(r.stderr).toMatch(/i\/n, with 1 ≤ i ≤ n \(e\.g\. 2\/4\)/);
    }
    const r = await cli('run', 'demo', '--shard', '1/2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard i\/n splits --all/);
    expect((await cli('list', '--shard', '3/2')).code).toBe(2);
  });

  it('--help and --version exit 0', async () => {
    expect((await cli('--help')).code).toBe(0);
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe('0.1.0');
  });
});

describe('list · run · compare · report against a fake repo', () => {
  it('compare before any run: every claim is missing → exit 1', async () => {
    const r = await cli('compare');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no smoke result yet — run `paperzoo run demo --tier smoke`/);
    expect(lastLine(r.stdout)).toBe('5 claims: 0 pass, 0 fail, 5 missing');
  });

  it('list shows every reproduction with paper, year, package, claims and last result', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo\s*│\s*The Hitchhiker Guide\s*│\s*1979\s*│\s*@paperzoo\/repro\s*│\s*2 \(smoke 2, full 1\)/);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/other/);
    expect(r.stdout).toMatch(/smoke: —/);
  });

  it('list --shard shows one shard; run --all --shard runs only it', async () => {
    let r = await cli('list', '--shard', '2/2');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('shard 2/2: other\n');
    expect(r.stdout).toMatch(/other/);
    expect(r.stdout).not.toMatch(/demo/);
    r = await cli('run', '--all', '--shard', '3/3');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shard 3\/3 has no reproductions/);
  });

  it('run writes a schema-valid result.json and SVGs, and ends with the verdict line', async () => {
    const r = await cli('run', 'demo', '--seed', '3');
    expect(r.stderr).toContain('▶ demo · smoke tier (milliseconds) · seed 3 · backend cpu');
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toBe('✓ answer 42 — paper 42 (deep thought) — within tolerance (±0.5)');
    expect(r.stdout).toMatch(/\n✓ loss [\d.]+ — below the 10 threshold\n/);
    const dir = path.join(repo.root, 'apps/demo/demo/results/smoke');
    const result = await readResult(path.join(dir, 'result.json'));
    expect(result).toMatchObject({ id: 'demo', tier: 'smoke', seed: 3, backend: 'cpu', verdict: 'pass' });
    expect(result.versions['@paperzoo/app-demo']).toBe('0.0.1');
    expect(result.git.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(readFileSync(path.join(dir, 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(path.join(dir, 'distance.svg'))).toBe(true);
    expect(existsSync(path.join(dir, 'checkpoint'))).toBe(false);
  });

  it('a failing claim makes run and compare exit 1', async () => {
    let r = await cli('run', 'other');
    expect(r.code).toBe(0);
    r = await cli('compare', '--tier', 'smoke');
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toBe('3 claims: 3 pass, 0 fail, 0 missing');
    expect(r.stdout).toMatch(/smoke · \d{4}-\d\d-\d\d|\d{4}-\d\d-\d\d · [0-9a-f]{7}/);

    r = await cli('run', 'demo', '--set', 'answer=50');
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toBe('✗ answer 50 — paper 42 (deep thought) — outside tolerance (±0.5): 8 higher');
    r = await cli('compare', '--tier', 'smoke');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/run with --set answer=50/);
    expect(lastLine(r.stdout)).toBe('3 claims: 2 pass, 1 fail, 0 missing');
  });

  it('compare exits 1 when the full-tier result is missing', async () => {
    const r = await cli('compare', '--tier', 'full');
    expect(r.code).toBe(1);
    expect(lastLine(r.stdout)).toBe('2 claims: 0 pass, 0 fail, 2 missing');
  });

  it('report writes REPRODUCTIONS.md with one row per claim, README and plot links', async () => {
    await cli('run', 'demo');
    const r = await cli('report');
    expect(r.code).toBe(0);
    const md = readFileSync(path.join(repo.root, 'REPRODUCTIONS.md'), 'utf8');
    const rows = md.split('\n').filter((l) => l.startsWith('| [') || l.startsWith('| The'));
    expect(rows).toHaveLength(5);
    expect(md).toMatch(/\[The Hitchhiker Guide\]\(apps\/demo\/demo\/README\.md\) \(Adams et al\. 1979\)/);
    expect(md).toMatch(/\[loss\]\(apps\/demo\/demo\/results\/smoke\/loss\.svg\)/);
    expect(md).toMatch(/✅ pass/);
    expect(md).toMatch(/⚪ missing/);
  });

  it('list shows the last result per tier', async () => {
    const r = await cli('list');
    expect(r.stdout).toMatch(/smoke: ✓ pass 2\/2 \(\d{4}-\d\d-\d\d\)/);
  });
});

describe('bin/paperzoo.js', () => {
  const bin = path.join(REPO, 'tools/cli/bin/paperzoo.js');
  const spawnBin = (args: string[]) => spawn(process.execPath, [bin, ...args], { cwd: repo.root, stdio: ['ignore', 'pipe', 'pipe'] });

  it('runs the sources under tsx and forwards the exit code', async () => {
    const child = spawnBin(['compare', '--tier', 'full']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(out).toMatch(/2 claims: 0 pass, 0 fail, 2 missing/);
    expect(code).toBe(1);
  });

  it('SIGINT during a run saves a checkpoint (exit 130); --resume finishes it', async () => {
    const child = spawnBin(['run', 'other', '--set', 'stepDelayMs=100', '--set', 'epochs=12']);
    let err = '';
    const saw = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (/checkpoint after epoch 1/.test(err)) resolve();
      });
      child.on('exit', () => reject(new Error(`exited before its first checkpoint:\n${err}`)));
    });
    await saw;
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(err).toMatch(/run interrupted at step \d+ \(epoch \d+\); a checkpoint was saved/);
    expect(err).toMatch(/resume with: npx paperzoo run other --tier smoke --set stepDelayMs=100 --set epochs=12 --resume/);
    expect(code).toBe(130);
    const r = await cli('run', 'other', '--set', 'stepDelayMs=0', '--set', 'epochs=12', '--resume');
    // another config: the checkpoint is refused with a clear message
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CheckpointMismatchError: cannot resume .* config differs in stepDelayMs \(100 there, 0 here\)/);
    const ok = await cli('run', 'other', '--set', 'stepDelayMs=100', '--set', 'epochs=12', '--resume');
    expect(ok.stderr).toMatch(/resuming from the checkpoint of .*: epoch \d+, step \d+/);
    expect(ok.code).toBe(0);
  }, 60_000);
});
