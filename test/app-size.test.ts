/**
 * A paper costs a model, its tests and a short reproduction (docs/style.md §12): the median over the
 * apps of all hand-written lines in an app's folder — every tracked file except results/, and except a
 * README's generated claims table (between the paperzoo:claims markers) — stays at most half of what it
 * was before Reproduction kit v2: 399.5 lines at commit 785d701, counted the same way.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverApps } from '@paperzoo/repro';

const root = path.resolve(import.meta.dirname, '..');
const MEDIAN_BEFORE_KIT_V2 = 399.5;

/** Hand-written lines of one app folder. */
function handWrittenLines(relDir: string): number {
  const files = execFileSync('git', ['ls-files', relDir], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => f && !f.includes('/results/'));
  let n = 0;
  for (const f of files) {
    const lines = readFileSync(path.join(root, f), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    let generated = false;
    for (const line of lines) {
      if (line.includes('<!-- paperzoo:claims:start -->')) generated = true;
      else if (line.includes('<!-- paperzoo:claims:end -->')) generated = false;
      else if (generated) continue;
      n++;
    }
  }
  return n;
}

describe('app size', () => {
  it('the median app is at most half of its size before kit v2', async () => {
    const apps = await discoverApps(root);
    const sizes = apps.map((a) => ({ id: a.id, lines: handWrittenLines(a.relDir) })).sort((a, b) => a.lines - b.lines);
    const mid = sizes.length / 2;
    const median = sizes.length % 2 ? sizes[Math.floor(mid)].lines : (sizes[mid - 1].lines + sizes[mid].lines) / 2;
    expect(median, sizes.map((s) => `${s.id} ${s.lines}`).join('\n')).toBeLessThanOrEqual(MEDIAN_BEFORE_KIT_V2 / 2);
  });
});
