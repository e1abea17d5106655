/**
 * Finding reproductions: every `apps/<area>/<paper>/reproduction.ts` under the repository root,
 * each in an app folder whose package.json is named `@paperzoo/app-<id>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isReproduction, type Reproduction } from './define.js';
import { UnknownReproductionError } from './errors.js';
import { suggest } from './suggest.js';

/** One app folder found on disk (not yet imported). */
export interface AppEntry {
  /** From the package name `@paperzoo/app-<id>`, else the folder name. */
  id: string;
  area: string;
  /** The paper folder name. */
  paper: string;
  /** Absolute app folder. */
  dir: string;
  /** Repo-relative app folder with forward slashes: 'apps/cnn-zoo/lenet5'. */
  relDir: string;
  /** Absolute path of reproduction.ts. */
  file: string;
  /** The app's package.json name, null when it has none. */
  packageName: string | null;
  /** Problems found without importing (a missing or misnamed package.json). */
  warnings: string[];
}

/** An app whose reproduction.ts was imported. */
export interface LoadedApp {
  entry: AppEntry;
  repro: Reproduction;
}

/** Whether `dir` holds a package.json with a "workspaces" field. */
function isWorkspaceRoot(dir: string): boolean {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: unknown }).workspaces !== undefined;
  } catch {
    return false;
  }
}

/**
 * The repository root: the nearest folder at or above `start` whose package.json has "workspaces";
 * else the same search from `fallback` (the CLI's own location); else `start`.
 */
export function findRepoRoot(start: string, fallback?: string): string {
  for (const from of [start, fallback]) {
    if (!from) continue;
    let d = path.resolve(from);
    for (;;) {
      if (isWorkspaceRoot(d)) return d;
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  return path.resolve(start);
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Every app with a reproduction.ts under `<root>/apps/*\/*`, sorted by id. */
export async function discoverApps(root: string): Promise<AppEntry[]> {
  const apps: AppEntry[] = [];
  const appsDir = path.join(root, 'apps');
  for (const area of await listDirs(appsDir)) {
    for (const paper of await listDirs(path.join(appsDir, area))) {
      const dir = path.join(appsDir, area, paper);
      const file = path.join(dir, 'reproduction.ts');
      if (!existsSync(file)) continue;
      const warnings: string[] = [];
      let packageName: string | null = null;
      try {
        const pkg = JSON.parse(await fs.readFile(path.join(dir, 'package.json'), 'utf8')) as { name?: string; type?: string };
        packageName = pkg.name ?? null;
        if (pkg.type !== 'module') warnings.push(`apps/${area}/${paper}/package.json lacks "type": "module", so reproduction.ts loads as CommonJS with its own copy of @paperzoo/repro`);
      } catch {
        warnings.push(`apps/${area}/${paper} has no readable package.json (expected one named @paperzoo/app-<id>)`);
      }
      let id = paper;
      if (packageName?.startsWith('@paperzoo/app-')) id = packageName.slice('@paperzoo/app-'.length);
      else if (packageName) warnings.push(`apps/${area}/${paper}/package.json is named '${packageName}'; app packages are named @paperzoo/app-<id>`);
      apps.push({ id, area, paper, dir, relDir: `apps/${area}/${paper}`, file, packageName, warnings });
    }
  }
  apps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Map<string, AppEntry>();
  for (const a of apps) {
    const other = seen.get(a.id);
    if (other) a.warnings.push(`id '${a.id}' is also used by ${other.relDir}`);
    seen.set(a.id, a);
  }
  return apps;
}

/** The app with `id`; throws {@link UnknownReproductionError} with a suggestion otherwise. */
export function findApp(apps: readonly AppEntry[], id: string): AppEntry {
  const app = apps.find((a) => a.id === id);
  if (app) return app;
  const ids = apps.map((a) => a.id);
  throw new UnknownReproductionError(id, suggest(id, ids), ids);
}

/** Import a module; when Node cannot load .ts files by itself, register tsx's loader once and retry. */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string })?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const loader = 'tsx/esm/api'; // optional: only needed when not already running under tsx
    let api: { register: () => unknown };
    try {
      api = (await import(/* @vite-ignore */ loader)) as { register: () => unknown };
    } catch {
      throw new Error(`cannot load ${file}: Node needs a TypeScript loader; install tsx (npm i -D tsx) or run through bin/paperzoo.js`);
    }
    api.register();
    // a failed import is cached per URL: import the same file under a new one
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  }
}

/** Import an app's reproduction.ts and check it: a `defineReproduction` default export whose id matches. */
export async function loadReproduction(app: AppEntry): Promise<Reproduction> {
  const mod = await importModule(app.file);
  const repro = mod.default ?? mod.reproduction;
  if (!isReproduction(repro)) {
    throw new Error(`${app.relDir}/reproduction.ts must \`export default defineReproduction({ ... })\` (from @paperzoo/repro)`);
  }
  if (app.packageName?.startsWith('@paperzoo/app-') && repro.id !== app.id) {
    throw new Error(`${app.relDir}/reproduction.ts defines id '${repro.id}' but its package is ${app.packageName}; make them agree`);
  }
  app.id = repro.id; // without a package name the folder name was a guess
  return repro;
}
