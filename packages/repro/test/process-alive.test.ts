import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../src/fsutil.js';

describe.skipIf(process.platform !== 'linux')('processAlive', () => {
  it('is true for a running process, false for a dead one and for a zombie (killed, not yet reaped)', async () => {
    expect(processAlive(process.pid)).toBe(true);
    // `sleep 0` exits at once; its parent (`exec sleep 3`) never reaps it, so it stays a zombie for 3 s.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    for (let i = 0; i < 100; i++) {
      const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(() => process.kill(zombie, 0)).not.toThrow(); // what a plain liveness check would believe
    expect(processAlive(zombie)).toBe(false);
    expect(processAlive(parent.pid!)).toBe(true);
    parent.kill('SIGKILL');
    await new Promise((r) => parent.once('close', r));
    expect(processAlive(parent.pid!)).toBe(false);
  });
});
