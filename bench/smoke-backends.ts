/**
 * Every reproduction's smoke tier on each CPU backend (not a test): `npm run bench:smoke`, or
 * `npx tsx --conditions=paperzoo-source bench/smoke-backends.ts [native,wasm] [id …]`.
 *
 * Runs `paperzoo run <id> --tier smoke --backend <b>` for each app and backend, one process at a
 * time (so runs do not share the cores), reads results/smoke/result.json (wall time, verdict) after
 * each, and prints a table of wall seconds per backend with the ratio to the first backend. The
 * result.json files left behind are those of the last backend (smoke results are not committed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { discoverApps } from '@paperzoo/repro';

const root = path.resolve(import.meta.dirname, '..');
const backends = (process.argv[2] ?? 'native,wasm').split(',');
const only = process.argv.slice(3);
const apps = (await discoverApps(root)).filter((a) => only.length === 0 || only.includes(a.id));
const bin = path.join(root, 'tools', 'cli', 'bin', 'paperzoo.js');

interface Row {
  wall: number;
  verdict: string;
}
const table = new Map<string, Map<string, Row>>();
for (const app of apps) {
  const rows = new Map<string, Row>();
  table.set(app.id, rows);
  for (const backend of backends) {
    const r = spawnSync(process.execPath, [bin, 'run', app.id, '--tier', 'smoke', '--backend', backend], { cwd: root, encoding: 'utf8', env: process.env });
    const file = path.join(app.dir, 'results', 'smoke', 'result.json');
    let row: Row = { wall: NaN, verdict: `exit ${r.status}` };
    if (fs.existsSync(file)) {
      const result = JSON.parse(fs.readFileSync(file, 'utf8')) as { backend: string; wallTimeSeconds: number; verdict: string; endedAt: string };
      if (result.backend === backend && r.status !== 2) row = { wall: result.wallTimeSeconds, verdict: result.verdict };
    }
    rows.set(backend, row);
    process.stderr.write(`${app.id} on ${backend}: ${row.wall.toFixed(1)} s, ${row.verdict}\n`);
  }
}

const [base, ...rest] = backends;
console.log(`\nsmoke tiers — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const cells = (xs: string[]): string => xs.map((x) => ` ${x} |`).join('');
console.log(`| reproduction |${cells(backends.map((b) => `${b} s`))}${cells(rest.map((b) => `${b} / ${base}`))} verdicts |`);
console.log(`|---|${cells(backends.map(() => '---:'))}${cells(rest.map(() => '---:'))}---|`);
const totals = backends.map(() => 0);
for (const [id, rows] of table) {
  const walls = backends.map((b) => rows.get(b)!.wall);
  walls.forEach((w, i) => (totals[i] += w));
  console.log(`| ${id} |${cells(walls.map((w) => w.toFixed(1)))}${cells(walls.slice(1).map((w) => `${(w / walls[0]).toFixed(2)}×`))} ${backends.map((b) => rows.get(b)!.verdict).join(' / ')} |`);
}
console.log(`| **all** |${cells(totals.map((t) => t.toFixed(1)))}${cells(totals.slice(1).map((t) => `${(t / totals[0]).toFixed(2)}×`))} |`);
