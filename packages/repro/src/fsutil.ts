/**
 * Atomic file writes (write a temporary file beside the target, flush it, then rename over the target)
 * and lock files (a pid per lock; locks of dead processes are taken over).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Write `data` to `file` atomically: readers see either the old file or the complete new one, never a
 * partial write (a crash leaves at most a stray `.<name>.tmp-*` file behind).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Whether a path exists. */
export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** What a lock file holds: who took it, when, doing what. */
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** What the owner is doing, for messages ('demo · smoke · seed 3'). */
  what: string;
  /** The owner's command line. */
  command: string;
}

/** A held lock; `release()` deletes the lock file if it is still ours (idempotent). */
export interface FileLock {
  readonly file: string;
  release(): Promise<void>;
}

/**
 * Whether process `pid` is running on this machine (EPERM: it exists but belongs to someone else). A
 * zombie — a killed process its parent has not reaped yet, which `kill(pid, 0)` still finds — is not
 * running: after a SIGKILL its lock must be taken over at once.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S …"; the state letter follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (not Linux): trust kill(pid, 0)
  }
}

async function readOwner(file: string): Promise<LockOwner | null | 'missing'> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o.pid === 'number' ? o : null;
  } catch {
    return null; // being written, or damaged
  }
}

/**
 * Take the lock file `file` (created with O_EXCL, holding this process's pid). When another live
 * process holds it, `onHeld(owner)` is thrown (it builds the error). A lock left by a process that no
 * longer exists on this host is taken over, and `onStale(owner)` is told. A lock from another host
 * (a shared file system) is never taken over: its pid cannot be checked from here.
 */
export async function acquireLock(
  file: string,
  options: { what: string; onHeld: (owner: LockOwner) => Error; onStale?: (owner: LockOwner) => void },
): Promise<FileLock> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), what: options.what, command: process.argv.join(' ') };
  const text = JSON.stringify(me);
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      // write the content to a private file, then link it into place: the lock file appears complete or not at all
      const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      await fs.writeFile(tmp, text);
      try {
        await fs.link(tmp, file);
      } finally {
        await fs.rm(tmp, { force: true });
      }
      return makeLock(file, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await readOwner(file);
    if (owner === 'missing') continue; // released meanwhile: try again
    if (owner === null) {
      // unreadable: a writer of the old format or a damaged file; give a live writer a moment
      await new Promise((r) => setTimeout(r, 50));
      const again = await readOwner(file);
      if (again === null) throw options.onHeld({ pid: 0, hostname: '?', startedAt: '?', what: '?', command: `(unreadable lock file ${file})` });
      continue;
    }
    if (owner.hostname !== os.hostname() || processAlive(owner.pid)) throw options.onHeld(owner);
    // stale: move it aside (only one of several contenders succeeds), check it is the one we judged
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await fs.rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const moved = await readOwner(aside);
    if (moved !== 'missing' && moved !== null && (moved.pid !== owner.pid || moved.startedAt !== owner.startedAt)) {
      // someone else took it over and locked it between our read and our rename: put theirs back
      await fs.link(aside, file).catch(() => {});
      await fs.rm(aside, { force: true });
      continue;
    }
    await fs.rm(aside, { force: true });
    options.onStale?.(owner);
  }
  throw new Error(`could not take the lock ${file} (it kept changing hands)`);
}

function makeLock(file: string, text: string): FileLock {
  let released = false;
  const onExit = () => {
    // process.exit() during a run: remove the lock synchronously if it is still ours
    try {
      if (readFileSync(file, 'utf8') === text) unlinkSync(file);
    } catch {
      /* gone already */
    }
  };
  process.once('exit', onExit);
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      try {
        if ((await fs.readFile(file, 'utf8')) === text) await fs.rm(file, { force: true });
      } catch {
        /* gone already */
      }
    },
  };
}

/** Wait for `file`'s lock (polling), for short critical sections such as publishing results. */
export async function withLock<T>(file: string, what: string, body: () => Promise<T>, options: { timeoutMs?: number; onStale?: (owner: LockOwner) => void } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    const held: { owner: LockOwner | null } = { owner: null };
    try {
      const lock = await acquireLock(file, {
        what,
        onHeld: (o) => {
          held.owner = o;
          return new Error(`${file} is held by pid ${o.pid} (${o.what})`);
        },
        onStale: options.onStale,
      });
      try {
        return await body();
      } finally {
        await lock.release();
      }
    } catch (e) {
      if (!held.owner || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}
