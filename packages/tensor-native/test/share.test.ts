/**
 * Core sharing between paperzoo processes (src/share.ts): the thread count follows the number of busy
 * processes registered in the shared folder; idle and dead ones do not count, dead ones are removed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startCoreShare } from '../src/share.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-share-'));
const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
afterAll(() => {
  sleeper.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** 64 ticks make one check (the clock is read every 64 kernels); advance past the 1 s check period. */
function check(share: ReturnType<typeof startCoreShare>, now: { t: number }) {
  now.t += 1100;
  vi.setSystemTime(now.t);
  for (let i = 0; i < 64; i++) share.tick();
}

describe('core sharing', () => {
  it('takes floor(cpus / busy processes) threads, at least 1, at most the requested count', () => {
    const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const now = { t: Date.now() };
      const applied: number[] = [];
      const share = startCoreShare(cpus, (n) => applied.push(n), dir);
      check(share, now);
      expect(share.threads()).toBe(cpus); // alone
      expect(fs.readdirSync(dir)).toEqual([String(process.pid)]);
      // a busy peer (a live process that marked itself just now)
      const peer = path.join(dir, String(sleeper.pid));
      fs.writeFileSync(peer, '');
      fs.utimesSync(peer, (now.t + 1100) / 1000, (now.t + 1100) / 1000);
      check(share, now);
      expect(share.threads()).toBe(Math.max(1, Math.floor(cpus / 2)));
      // the peer went idle (no mark for more than 3 s): back to all
      fs.utimesSync(peer, (now.t - 10_000) / 1000, (now.t - 10_000) / 1000);
      check(share, now);
      expect(share.threads()).toBe(cpus);
      expect(fs.existsSync(peer)).toBe(true); // alive: kept
      // a dead process's file is removed
      const dead = path.join(dir, '999999999');
      fs.writeFileSync(dead, '');
      fs.utimesSync(dead, (now.t - 10_000) / 1000, (now.t - 10_000) / 1000);
      check(share, now);
      expect(fs.existsSync(dead)).toBe(false);
      if (cpus > 1) expect(applied).toEqual([Math.floor(cpus / 2), cpus]);
    } finally {
      vi.useRealTimers();
    }
  });
});
