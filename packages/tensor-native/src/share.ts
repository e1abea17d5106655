/**
 * Sharing the cores with other paperzoo processes. Two native runs side by side on 2 cores, each with
 * 2 OpenMP threads, oversubscribe the machine: every parallel region waits for a partner thread that
 * the other process has descheduled (a LeNet-5 step took 230 ms instead of 75 ms with one thread each;
 * bench/concurrent.ts). So each process that computes on native registers itself in a folder of the
 * temporary directory (`paperzoo-native-<uid>/<pid>`, its mtime refreshed while it computes), and about
 * once a second — checked between kernels, no timer — takes `floor(cpus / busy processes)` threads, at
 * least 1 and at most the requested count. A process idle for 3 s no longer counts; files of processes
 * that no longer exist are removed.
 *
 * Only when the thread count was not set explicitly (PAPERZOO_NATIVE_THREADS or `threads`): an explicit
 * count is kept as is. Every kernel, matmuls included, gives the same bits with any thread count
 * (test/threads.test.ts: 1, 2 and 3 threads, and a count changed before every step), so changing the
 * count mid-run changes no result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHECK_MS = 1000;
const BUSY_MS = 3000;

export interface CoreShare {
  /** Call between kernels: refreshes this process's mark and rebalances at most once a second. */
  tick(): void;
  /** The thread count in use now. */
  threads(): number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start sharing: `apply(n)` is called whenever the thread count should change. */
export function startCoreShare(requested: number, apply: (threads: number) => void, dir = path.join(os.tmpdir(), `paperzoo-native-${process.getuid?.() ?? 'user'}`)): CoreShare {
  const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const mine = path.join(dir, String(process.pid));
  let current = requested;
  let next = 0;
  let calls = 0;
  let registered = false;
  const register = () => {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(mine, '');
      if (!registered) process.once('exit', () => fs.rmSync(mine, { force: true }));
      registered = true;
    } catch {
      /* no shared folder: compute with the requested count */
    }
  };
  const busyPeers = (now: number): number => {
    let busy = 0;
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return 1;
    }
    for (const name of names) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      try {
        const st = fs.statSync(path.join(dir, name));
        if (now - st.mtimeMs <= BUSY_MS && (pid === process.pid || alive(pid))) busy++;
        else if (pid !== process.pid && !alive(pid)) fs.rmSync(path.join(dir, name), { force: true });
      } catch {
        /* removed meanwhile */
      }
    }
    return Math.max(1, busy);
  };
  return {
    tick() {
      // the clock only every 64 kernels (~100 ns a read here; a LeNet-5 step runs ~150 kernels)
      if ((++calls & 63) !== 1) return;
      const now = Date.now();
      if (now < next) return;
      next = now + CHECK_MS;
      try {
        fs.utimesSync(mine, now / 1000, now / 1000);
      } catch {
        register();
      }
      const want = Math.max(1, Math.min(requested, Math.floor(cpus / busyPeers(now))));
      if (want !== current) {
        current = want;
        apply(want);
      }
    },
    threads: () => current,
  };
}
