/** Provenance for result.json: git sha + dirty flag, and the versions of the packages involved. */
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitInfo {
  /** HEAD commit, or null outside a git checkout (GITHUB_SHA is used when set). */
  sha: string | null;
  /** Whether tracked or untracked files differ from HEAD; null when unknown. */
  dirty: boolean | null;
}

/**
 * The git commit of the checkout containing `dir`, and whether the work tree differs from it.
 * Run outputs (`apps/<area>/<paper>/results/`) do not count as changes: a run writes its own
 * results there, and a full-tier result is committed after it is produced.
 */
export async function gitInfo(dir: string): Promise<GitInfo> {
  try {
    const { stdout: sha } = await run('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 10_000 });
    let dirty: boolean | null = null;
    try {
      const { stdout } = await run('git', ['status', '--porcelain', '--', ':/', ':(top,exclude,glob)apps/*/*/results/**'], { cwd: dir, timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
      dirty = stdout.trim().length > 0;
    } catch {
      dirty = null;
    }
    return { sha: sha.trim(), dirty };
  } catch {
    return { sha: process.env.GITHUB_SHA ?? null, dirty: null };
  }
}

/** The version of @paperzoo/repro itself (read from its package.json, in src/ and dist/ alike). */
export function reproVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function readJson(file: string): Promise<Record<string, any> | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, any>;
  } catch {
    return null;
  }
}

/** Find `node_modules/<name>/package.json` walking up from `dir`. */
async function findPackageJson(name: string, dir: string): Promise<Record<string, any> | null> {
  let d = path.resolve(dir);
  for (;;) {
    const candidate = path.join(d, 'node_modules', ...name.split('/'), 'package.json');
    if (existsSync(candidate)) return readJson(candidate);
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/**
 * Versions of the packages a reproduction in `appDir` uses: the app itself, its dependencies from
 * the @paperzoo and @tensorflow scopes, `extra` names (its library package), plus node.
 */
export async function packageVersions(appDir: string, extra: string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = { node: process.versions.node, '@paperzoo/repro': reproVersion() };
  const app = await readJson(path.join(appDir, 'package.json'));
  const names = new Set(extra);
  if (app?.name) out[app.name as string] = String(app.version ?? 'unknown');
  for (const dep of Object.keys({ ...(app?.dependencies ?? {}), ...(app?.devDependencies ?? {}) })) {
    if (dep.startsWith('@paperzoo/') || dep.startsWith('@tensorflow/')) names.add(dep);
  }
  names.add('@paperzoo/tensor');
  names.add('@tensorflow/tfjs-core');
  for (const name of [...names].sort()) {
    if (out[name]) continue;
    const pkg = await findPackageJson(name, appDir);
    if (pkg?.version) out[name] = String(pkg.version);
  }
  return out;
}
