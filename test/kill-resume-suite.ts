/**
 * Every app survives a hard kill: its smoke tier is killed with SIGKILL at a random point after its
 * first checkpoint, resumed with `--resume`, and must (1) start from the checkpoint — the record says
 * it resumed at a step > 0 — and (2) end with the metrics of an uninterrupted run with the same seed,
 * bit for bit (same backend). Checkpoints come every few steps here (PAPERZOO_CHECKPOINT_EVERY), which
 * changes when state is saved, never what is computed.
 *
 * The apps run through the `paperzoo` launcher as a user runs them, each in its own process group so
 * that the kill reaches the run and not only the launcher.
 *
 * `killResumeSuite(shard, shards)` takes every `shards`-th app; two files (kill-resume.test.ts,
 * kill-resume-2.test.ts) run half each, so vitest's two workers run two apps at a time, sharing the cores as
 * two user runs do (the native backend's core sharing, off for the unit tests, is on for these runs: their
 * thread count changes mid-run, which must change no result — packages/tensor-native/test/threads.test.ts).
 *
 * The uninterrupted reference run: with PAPERZOO_TEST_KILL_REFERENCE=smoke (as `npm test` sets it, after
 * `npm run smoke` has run every app's smoke tier) the smoke step's result.json is the reference when it was
 * made from this very checkout (same commit, clean tree then and now, default seed, no overrides, not resumed);
 * otherwise, or without the setting, the test runs it itself. The smoke step saves checkpoints at the default
 * cadence and computes with 2 threads throughout, so the comparison also checks that neither changes a result.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverApps } from '@paperzoo/repro';
import { makeRng } from '@paperzoo/tensor';

const root = path.resolve(import.meta.dirname, '..');
const launcher = path.join(root, 'tools', 'cli', 'bin', 'paperzoo.js');
const only = process.env.PAPERZOO_TEST_KILL_ONLY?.split(',');
const allApps = (await discoverApps(root)).filter((a) => !only || only.includes(a.id)).map((a) => ({ id: a.id, dir: a.dir }));
const CHECKPOINT_EVERY = process.env.PAPERZOO_TEST_CHECKPOINT_EVERY ?? '1s';
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
/** This checkout's commit when its tracked files are unmodified (ignored results aside), else null. */
const cleanHead = (() => {
  try {
    return git('status', '--porcelain', '--untracked-files=no') === '' ? git('rev-parse', 'HEAD') : null;
  } catch {
    return null;
  }
})();

function start(id: string, extra: string[] = []): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> } {
  const child = spawn(process.execPath, [launcher, 'run', id, '--tier', 'smoke', ...extra], {
    cwd: root,
    detached: true, // its own process group: SIGKILL to -pid reaches the launcher's child too
    // core sharing on (vitest turns it off for the unit tests): the other shard's run computes beside this one
    env: { ...process.env, PAPERZOO_CHECKPOINT_EVERY: CHECKPOINT_EVERY, PAPERZOO_NATIVE_SHARE: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
  return { child, done };
}

/**
 * Every checkpoint file of an app's smoke runs (wherever the harness keeps them), newest first. Only the smoke
 * tier's: this test deletes them, and a full tier running beside it keeps its checkpoints under results/full.
 */
function checkpointFiles(appDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.name.endsWith('.pzck')) out.push(p);
    }
  };
  walk(path.join(appDir, 'results', 'smoke'));
  walk(path.join(root, '.paperzoo-tmp', 'runs'));
  return out.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Record_ {
  metrics: Record<string, unknown>;
  resumed: { epoch: number; step: number } | null;
  seed: number;
  backend: string;
  tier: string;
  overrides: Record<string, unknown>;
  wallTimeSeconds: number;
  git?: { sha: string; dirty: boolean };
}
const readRecord = (appDir: string): Record_ => JSON.parse(readFileSync(path.join(appDir, 'results', 'smoke', 'result.json'), 'utf8')) as Record_;

/** The smoke step's record of this app, when it may stand in for the uninterrupted run (see the file comment). */
function smokeStepReference(appDir: string): Record_ | null {
  if (process.env.PAPERZOO_TEST_KILL_REFERENCE !== 'smoke' || cleanHead == null) return null;
  if (!existsSync(path.join(appDir, 'results', 'smoke', 'result.json'))) return null;
  const r = readRecord(appDir);
  const fresh = r.tier === 'smoke' && r.resumed == null && r.seed === 0 && Object.keys(r.overrides ?? {}).length === 0;
  return fresh && r.git?.sha === cleanHead && r.git.dirty === false ? r : null;
}

/**
 * The test for the apps of one shard (sorted ids, every `shards`-th from the `shard`-th). The kill points are
 * random, but the same on every run of the test (PAPERZOO_TEST_KILL_SEED changes them).
 */
export function killResumeSuite(shard: number, shards: number): void {
  const apps = allApps.filter((_, i) => i % shards === shard);
  const random = makeRng(`kill-resume:${process.env.PAPERZOO_TEST_KILL_SEED ?? 20261206}:${shard}/${shards}`);
  if (apps.length === 0) {
    it.skip(`no app in shard ${shard + 1}/${shards}`, () => {});
    return;
  }
  describe.each(apps)('$id: SIGKILL after a checkpoint, then --resume', ({ id, dir }) => {
    it('resumes from the checkpoint and ends with the uninterrupted run\'s metrics, bit for bit', async () => {
      // 1. the uninterrupted run (or the smoke step's, made from this checkout)
      let reference = smokeStepReference(dir);
      let straightMs = 1000 * (reference?.wallTimeSeconds ?? 0);
      if (reference == null) {
        const t = Date.now();
        const straight = await start(id).done;
        straightMs = Date.now() - t;
        expect(straight.code, straight.output.slice(-2000)).toBe(0);
        reference = readRecord(dir);
      }
      expect(reference.resumed).toBeNull();

      // 2. the same run, killed at a random moment after its first checkpoint
      for (const f of checkpointFiles(dir)) rmSync(f, { force: true });
      const run = start(id);
      let exited = false;
      void run.done.then(() => (exited = true));
      const t0 = Date.now();
      while (!exited && checkpointFiles(dir).length === 0) {
        if (Date.now() - t0 > 180_000) throw new Error(`${id}: no checkpoint within 180 s`);
        await sleep(20);
      }
      expect(exited, `${id} finished before it wrote a checkpoint: the smoke tier must checkpoint (fit does, every ${CHECKPOINT_EVERY} here)`).toBe(false);
      // a random moment in the next 1.5 s (less for a run of a few seconds, so that it is still running)
      const delay = Math.round(random() * Math.min(1500, 0.2 * straightMs));
      await sleep(delay);
      if (exited) {
        // It finished in the meantime: kill right after the next first checkpoint instead.
        for (const f of checkpointFiles(dir)) rmSync(f, { force: true });
        const again = start(id);
        let gone = false;
        void again.done.then(() => (gone = true));
        while (!gone && checkpointFiles(dir).length === 0) await sleep(5);
        expect(gone, `${id} finished before it could be killed after a checkpoint`).toBe(false);
        process.kill(-again.child.pid!, 'SIGKILL');
        expect((await again.done).signal).toBe('SIGKILL');
      } else {
        process.kill(-run.child.pid!, 'SIGKILL');
        const killed = await run.done;
        expect(killed.signal, killed.output.slice(-2000)).toBe('SIGKILL');
      }
      expect(checkpointFiles(dir).length, `${id}: the killed run left no checkpoint`).toBeGreaterThan(0);

      // 3. resume
      const resumed = await start(id, ['--resume']).done;
      expect(resumed.code, resumed.output.slice(-2000)).toBe(0);
      const record = readRecord(dir);
      expect(record.resumed, `${id}: the resumed run did not start from the checkpoint`).not.toBeNull();
      expect(record.resumed!.step, `${id}: resumed at step 0, i.e. from scratch`).toBeGreaterThan(0);
      expect(record.backend).toBe(reference.backend);
      expect(record.seed).toBe(reference.seed);
      expect(record.metrics).toEqual(reference.metrics);
    }, 600_000);
  });
}
