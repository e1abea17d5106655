/**
 * Runs side by side: each run has its own folder (lock, checkpoint, outputs) under
 * results/<tier>/runs/, and publishes to results/<tier>/ atomically under a lock. The runs are separate
 * processes (test/fixtures/run-tiny.ts), as two `paperzoo run` commands would be.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@paperzoo/tensor';
import { readResult, resolveRunConfig, RunLockedError, runDirFor, runReproduction, tierResultsDir, type RunEvent } from '../src/index.js';
import { acquireLock } from '../src/fsutil.js';
import { tiny } from './fixtures/tiny.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const CHILD = path.join(HERE, 'fixtures', 'run-tiny.ts');

interface ChildOutcome {
  code: number | null;
  lines: Record<string, unknown>[];
  final: { ok: boolean; name?: string; message?: string; resultFile?: string; runDir?: string; seed?: number };
}

function runChild(appDir: string, seed: number, holdMs: number | string = 0, onLine?: (l: Record<string, unknown>) => void): Promise<ChildOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=paperzoo-source', CHILD, appDir, String(seed), String(holdMs)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const lines: Record<string, unknown>[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        onLine?.(parsed);
      } catch {
        /* not ours */
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const final = lines.find((l) => 'ok' in l);
      if (!final) reject(new Error(`child exited ${code} without a result:\n${err}`));
      else resolve({ code, lines, final: final as ChildOutcome['final'] });
    }),
  );
}

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'pz-conc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tierDir = () => tierResultsDir(dir, 'smoke');
const runDirOf = (seed: number) => runDirFor(tierDir(), { id: 'tiny', tier: 'smoke', seed, config: resolveRunConfig(tiny, { tier: 'smoke', seed }).config, backend: 'cpu' });

describe('runs side by side', () => {
  it('two runs with different seeds at once both complete; every result file is intact JSON', async () => {
    const [a, b] = await Promise.all([runChild(dir, 1, 800), runChild(dir, 2, 800)]);
    expect(a.final).toMatchObject({ ok: true, seed: 1 });
    expect(b.final).toMatchObject({ ok: true, seed: 2 });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    // each run keeps its own record; the published one is one of the two, complete
    expect(a.final.runDir).toBe(runDirOf(1));
    expect(b.final.runDir).toBe(runDirOf(2));
    expect((await readResult(path.join(runDirOf(1), 'result.json'))).seed).toBe(1);
    expect((await readResult(path.join(runDirOf(2), 'result.json'))).seed).toBe(2);
    const published = await readResult(path.join(tierDir(), 'result.json'));
    expect([1, 2]).toContain(published.seed);
    // the published plot is the same run's as the published result.json
    const ownPlot = readFileSync(path.join(runDirOf(published.seed), 'train_error.svg'), 'utf8');
    expect(readFileSync(path.join(tierDir(), 'train_error.svg'), 'utf8')).toBe(ownPlot);
    // no locks, temporary files or checkpoints left behind
    expect(readdirSync(tierDir()).sort()).toEqual(['loss.svg', 'result.json', 'runs', 'train_error.svg']);
    for (const s of [1, 2]) expect(readdirSync(runDirOf(s)).sort()).toEqual(['loss.svg', 'result.json', 'train_error.svg']);
  }, 120_000);

  it('a second run of the same identity fails with RunLockedError naming the first process', async () => {
    // the first run holds (inside run(), its lock taken) until the second has been refused
    const release = path.join(dir, 'release-3');
    let firstPid = 0;
    let second: Promise<ChildOutcome> | undefined;
    const first = runChild(dir, 3, release, (l) => {
      if (l.event === 'running') {
        firstPid = l.pid as number;
        second = runChild(dir, 3).finally(() => writeFileSync(release, ''));
      }
    });
    const one = await first;
    expect(second).toBeDefined();
    const two = await second!;
    expect(one.final).toMatchObject({ ok: true });
    expect(two.code).toBe(1);
    expect(two.final.name).toBe('RunLockedError');
    expect(two.final.message).toContain(`tiny · smoke tier · seed 3 · cpu`);
    expect(two.final.message).toContain(`is already running in another process (pid ${firstPid}`);
    expect(two.final.message).toMatch(/Wait for it to finish or stop it \(kill \d+\), or run with another --seed or --set/);
    expect(two.final.message).toContain(path.join(runDirOf(3), 'run.lock'));
    // and in-process: a live holder (this process) is refused
    const lock = await acquireLock(path.join(runDirOf(4), 'run.lock'), { what: 'test', onHeld: () => new Error('unexpected') });
    await expect(runReproduction(tiny, { appDir: dir, tier: 'smoke', backend: 'cpu', seed: 4 })).rejects.toBeInstanceOf(RunLockedError);
    await lock.release();
    expect(existsSync(path.join(runDirOf(4), 'run.lock'))).toBe(false);
  }, 120_000);

  it('a lock left by a dead process is taken over, with a warning', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => dead.on('exit', () => resolve(dead.pid!)));
    const runDir = runDirOf(5);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(path.join(runDir, 'run.lock'), JSON.stringify({ pid: deadPid, hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z', what: 'tiny · smoke tier · seed 5 · cpu', command: 'node crashed' }));
    const events: RunEvent[] = [];
    const r = await runReproduction(tiny, { appDir: dir, tier: 'smoke', backend: 'cpu', seed: 5, onEvent: (e) => events.push(e) });
    expect(r.result.seed).toBe(5);
    const warnings = events.flatMap((e) => (e.type === 'message' && e.level === 'warn' ? [e.text] : []));
    expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`took over the lock of an earlier run of tiny · smoke tier · seed 5 · cpu .*\\(pid ${deadPid} \\(node crashed\\), started 2020-01-01T00:00:00.000Z\\), which no longer runs`)));
    expect(existsSync(path.join(runDir, 'run.lock'))).toBe(false);
  });

  it('--resume finds the checkpoint of its own identity; another seed\'s checkpoint is refused with what differs', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'pz-conc-'));
    const { hooks, resetHooks } = await import('./fixtures/tiny.js');
    try {
      hooks.crashAfterEpoch = 2;
      await expect(runReproduction(tiny, { appDir: other, tier: 'smoke', backend: 'cpu', seed: 8 })).rejects.toThrow('simulated crash');
      resetHooks();
      const own = runDirFor(tierResultsDir(other, 'smoke'), { id: 'tiny', tier: 'smoke', seed: 8, config: resolveRunConfig(tiny, { tier: 'smoke', seed: 8 }).config, backend: 'cpu' });
      expect(readdirSync(path.join(own, 'checkpoint'))).toEqual(['checkpoint.pzck']);
      expect(existsSync(path.join(own, 'run.lock'))).toBe(false); // released on the crash
      await expect(runReproduction(tiny, { appDir: other, tier: 'smoke', backend: 'cpu', seed: 9, resume: true })).rejects.toThrow(/it was made with seed 8, this run uses 9/);
      const events: RunEvent[] = [];
      const resumed = await runReproduction(tiny, { appDir: other, tier: 'smoke', backend: 'cpu', seed: 8, resume: true, onEvent: (e) => events.push(e) });
      expect(events.some((e) => e.type === 'resume' && e.epoch === 2)).toBe(true);
      expect(resumed.result.resumed).toMatchObject({ epoch: 2 });
      expect(existsSync(path.join(own, 'checkpoint'))).toBe(false);
    } finally {
      resetHooks();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
