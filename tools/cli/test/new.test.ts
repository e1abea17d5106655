/**
 * `paperzoo new` end to end, in a copy of the repository (its tracked files, and untracked ones outside
 * apps/ that git does not ignore; node_modules entries are symlinks to this checkout's, except the
 * @paperzoo workspace links, which are recreated so they point into the copy): generate an app through
 * bin/paperzoo.js as a user would, then check that it is listed, type-checks with the whole repo, lints,
 * passes its smoke claim, and that package-lock.json is what `npm install --package-lock-only` writes.
 * About 2 min on 2 cores (tsc).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';
import { REPO } from './fake-repo.js';

let copy: string;

/** A copy of the repository that resolves every dependency without installing anything. */
function copyRepo(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paperzoo-new-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['ls-files', '-z', ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
    return r.stdout.split('\0').filter(Boolean);
  };
  // tracked files and new sources, but not untracked apps (work in progress, perhaps an example-net)
  const files = [...git('--cached'), ...git('--others', '--exclude-standard').filter((f) => !f.startsWith('apps/'))];
  for (const f of files) {
    const from = path.join(REPO, f);
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted, or a submodule
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(from, path.join(dir, f), { verbatimSymlinks: true });
  }
  // root node_modules: a real folder of links; @paperzoo/* keep their relative targets (into the copy)
  mkdirSync(path.join(dir, 'node_modules'));
  for (const name of readdirSync(path.join(REPO, 'node_modules'))) {
    const from = path.join(REPO, 'node_modules', name);
    if (name === '@paperzoo') {
      mkdirSync(path.join(dir, 'node_modules', name));
      for (const ws of readdirSync(from)) {
        const target = readlinkSync(path.join(from, ws));
        if (!path.isAbsolute(target) && existsSync(path.join(dir, 'node_modules', name, target))) symlinkSync(target, path.join(dir, 'node_modules', name, ws), 'dir');
      }
    } else {
      symlinkSync(from, path.join(dir, 'node_modules', name));
    }
  }
  // the workspaces' own node_modules, and the native backend's build (both ignored by git)
  for (const group of ['packages', 'tools', 'apps/*', '.']) {
    const parents = group === 'apps/*' ? readdirSync(path.join(REPO, 'apps')).map((a) => path.join('apps', a)) : [group];
    for (const parent of parents) {
      if (!existsSync(path.join(REPO, parent))) continue;
      const subs = parent === '.' ? ['datasets'] : readdirSync(path.join(REPO, parent));
      for (const sub of subs) {
        for (const ignored of ['node_modules', 'build']) {
          const from = path.join(REPO, parent, sub, ignored);
          const to = path.join(dir, parent, sub, ignored);
          if (existsSync(from) && existsSync(path.dirname(to)) && !existsSync(to)) symlinkSync(from, to);
        }
      }
    }
  }
  return dir;
}

/** Run a command in the copy. */
function sh(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: copy, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const paperzoo = (...args: string[]) => sh(process.execPath, [path.join(copy, 'tools/cli/bin/paperzoo.js'), ...args]);

/** The CLI in this process, working in the copy (fast: for the error cases). */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: copy });
  return { code, stdout, stderr };
}

let created: { code: number | null; out: string };

beforeAll(async () => {
  copy = copyRepo();
  created = await paperzoo('new', 'cnn-zoo/example-net');
}, 120_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('paperzoo new', () => {
  const app = () => path.join(copy, 'apps/cnn-zoo/example-net');

  it('writes package.json, reproduction.ts and README.md, and says what comes next', () => {
    expect(created.out).toMatch(/created apps\/cnn-zoo\/example-net \(@paperzoo\/app-example-net\)/);
    expect(created.code).toBe(0);
    for (const f of ['package.json', 'reproduction.ts', 'README.md']) expect(created.out).toContain(`wrote apps/cnn-zoo/example-net/${f}`);
    expect(created.out).toMatch(/npx paperzoo run example-net/);

    const pkg = JSON.parse(readFileSync(path.join(app(), 'package.json'), 'utf8'));
    const version = (dir: string) => JSON.parse(readFileSync(path.join(copy, dir, 'package.json'), 'utf8')).version as string;
    expect(pkg).toMatchObject({ name: '@paperzoo/app-example-net', private: true, type: 'module', scripts: { smoke: 'paperzoo run example-net --tier smoke', full: 'paperzoo run example-net --tier full' } });
    expect(pkg.dependencies).toEqual({
      '@paperzoo/cnn-zoo': version('packages/cnn-zoo'),
      '@paperzoo/datasets': version('datasets'),
      '@paperzoo/repro': version('packages/repro'),
      '@paperzoo/tensor': version('packages/tensor'),
    });
    // the same versions the other apps ask for
    const lenet = JSON.parse(readFileSync(path.join(copy, 'apps/cnn-zoo/lenet5/package.json'), 'utf8'));
    for (const [dep, v] of Object.entries(pkg.dependencies)) if (lenet.dependencies[dep]) expect(v).toBe(lenet.dependencies[dep]);

    const src = readFileSync(path.join(app(), 'reproduction.ts'), 'utf8');
    expect(src).toMatch(/defineReproduction\(\{\n {2}id: 'example-net',/);
    expect(src).toMatch(/TODO/);
    const readme = readFileSync(path.join(app(), 'README.md'), 'utf8');
    // the claims table between the markers is written at once, as `paperzoo report` writes it
    expect(readme).toMatch(/<!-- paperzoo:claims:start -->\n[\s\S]*\| claim \| source \|[\s\S]*<!-- paperzoo:claims:end -->/);
    expect(readme).toMatch(/npx paperzoo run example-net --tier full/);
  });

  it('registers the workspace: package-lock.json entries and the node_modules link, as npm install makes them', async () => {
    const text = readFileSync(path.join(copy, 'package-lock.json'), 'utf8');
    const lock = JSON.parse(text);
    expect(lock.packages['apps/cnn-zoo/example-net']).toMatchObject({ name: '@paperzoo/app-example-net', version: '0.0.0' });
    expect(lock.packages['node_modules/@paperzoo/app-example-net']).toEqual({ resolved: 'apps/cnn-zoo/example-net', link: true });
    // inserted in npm's order, nothing else touched
    const keys = Object.keys(lock.packages);
    const original = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8'));
    expect(keys.filter((k) => !k.includes('example-net'))).toEqual(Object.keys(original.packages).filter((k) => !k.includes('example-net')));
    expect(keys.slice(1)).toEqual([...keys.slice(1)].sort((a, b) => a.localeCompare(b, 'en')));
    const link = path.join(copy, 'node_modules/@paperzoo/app-example-net');
    expect(readlinkSync(link)).toBe('../../apps/cnn-zoo/example-net');
    expect(realpathSync(link)).toBe(realpathSync(app()));
    // npm itself would write the same lock file (so `npm ci` accepts it)
    const npm = await sh('npm', ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund']);
    expect(npm.code, npm.out).toBe(0);
    expect(readFileSync(path.join(copy, 'package-lock.json'), 'utf8')).toBe(text);
  }, 60_000);

  it('rejects a taken id, a malformed id or area and an unknown area, naming what exists (exit 2)', async () => {
    let r = await cli('new', 'cnn-zoo/lenet5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the id 'lenet5' is taken by apps\/cnn-zoo\/lenet5 \(@paperzoo\/app-lenet5\)/);
    r = await cli('new', 'adversarial/example-net'); // ids are unique across areas
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the id 'example-net' is taken by apps\/cnn-zoo\/example-net/);
    r = await cli('new', 'cnn-zoo/Example_Net');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'Example_Net' is not a valid id: use lowercase letters, digits and single dashes \(e\.g\. 'example-net'\)/);
    r = await cli('new', 'cnn-zoo/-net');
    expect(r.stderr).toMatch(/'-net' is not a valid id/);
    r = await cli('new', 'example-net');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/expected <area>\/<id>/);
    r = await cli('new', 'vision/some-net');
    expect(r.code).toBe(2);
    const areas = readdirSync(path.join(copy, 'apps'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort().join(', ');
    expect(r.stderr).toContain(`unknown area 'vision' (existing areas: ${areas}); to start a new one, pass --new-area`);
    expect(areas).toContain('cnn-zoo');
    expect(existsSync(path.join(copy, 'apps/vision'))).toBe(false);
    r = await cli('new');
    expect(r.code).toBe(2);
  });

  it('--new-area starts an area; without packages/<area> the app depends on the kit only', async () => {
    const r = await cli('new', 'vision/area-net', '--new-area', '--title', "A Paper's Title");
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(copy, 'apps/vision/area-net/package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@paperzoo/datasets', '@paperzoo/repro', '@paperzoo/tensor']);
    expect(readFileSync(path.join(copy, 'apps/vision/area-net/reproduction.ts'), 'utf8')).toContain("title: 'A Paper\\'s Title',");
    expect(readFileSync(path.join(copy, 'apps/vision/area-net/README.md'), 'utf8')).toMatch(/^# A Paper's Title\n/);
  });

  it('the new apps are listed, type-check with the repo, lint, and example-net passes its smoke claim', async () => {
    // tsc over the whole copy (the slow part) runs while the rest goes on
    const tsc = sh(process.execPath, [path.join(copy, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);

    const list = await paperzoo('list');
    expect(list.out).toMatch(/│ example-net +│ TODO: paper title/);
    expect(list.out).toMatch(/│ area-net +│ A Paper's Title/);
    expect(list.code).toBe(0);

    const lint = await sh(process.execPath, [path.join(copy, 'node_modules/eslint/bin/eslint.js'), 'apps/cnn-zoo/example-net', 'apps/vision/area-net']);
    expect(lint.out).toBe('');
    expect(lint.code).toBe(0);

    const run = await paperzoo('run', 'example-net', '--tier', 'smoke');
    expect(run.out).toMatch(/✓ test error [\d.]+% — below the 50\.00% threshold/);
    expect(run.code).toBe(0);
    expect(existsSync(path.join(app(), 'results/smoke/result.json'))).toBe(true);

    const typecheck = await tsc;
    expect(typecheck.out).toBe('');
    expect(typecheck.code).toBe(0);
  }, 240_000);
});
