/**
 * `paperzoo report`: REPRODUCTIONS.md and the generated claims table of every app's README.md, from
 * committed files only. Result files that git ignores (smoke results, per .gitignore) are treated as
 * absent — they read 'no committed result' whether or not they exist here — so a checkout with local
 * smoke runs and a fresh clone generate the same text, and `paperzoo report --check` can run in CI
 * before any run. (Without git, every result file present is read.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  compareResults,
  readResult,
  README_MARKERS,
  renderReadmeTable,
  renderReport,
  replaceReadmeRegion,
  TIER_NAMES,
  tierResultsDir,
  tiersOf,
  type ComparisonSummary,
  type LoadedApp,
  type TierName,
  type TierResult,
} from '@paperzoo/repro';

/**
 * The subset of `files` (absolute paths, existing or not) that git ignores, when `root` is the top of a
 * git work tree; an empty set otherwise (no git, or `root` is a folder inside another repository, like
 * the tests' fake repositories). Tracked files are never ignored: a result committed with `git add -f` counts.
 */
export function gitIgnored(root: string, files: readonly string[]): Set<string> {
  const none = new Set<string>();
  if (!files.length) return none;
  const top = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8' });
  if (top.status !== 0) return none;
  try {
    if (realpathSync(top.stdout.trim()) !== realpathSync(root)) return none;
  } catch {
    return none;
  }
  const rels = files.map((f) => path.relative(root, f).split(path.sep).join('/'));
  const r = spawnSync('git', ['check-ignore', '-z', '--stdin'], { cwd: root, input: rels.join('\0') + '\0', encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`git check-ignore failed: ${(r.stderr || '').trim() || `exit ${r.status}`}`);
  const out = new Set((r.stdout || '').split('\0').filter(Boolean));
  return new Set(files.filter((_, i) => out.has(rels[i])));
}

/** A file `report` generates, with the text it would have. */
export interface GeneratedFile {
  file: string;
  text: string;
}

export interface ReportPlan {
  summary: ComparisonSummary;
  files: GeneratedFile[];
  /** READMEs that cannot be generated: 'apps/x/y/README.md: missing markers (…)'. */
  problems: string[];
}

/** Everything `report` would write, computed without writing. */
export async function planReport(root: string, apps: readonly LoadedApp[], rel: (p: string) => string): Promise<ReportPlan> {
  const resultFile = (app: LoadedApp, tier: TierName) => path.join(tierResultsDir(app.entry.dir, tier), 'result.json');
  const ignored = gitIgnored(root, apps.flatMap((app) => TIER_NAMES.map((tier) => resultFile(app, tier))));
  const summary = await compareResults(apps, TIER_NAMES, { skip: (file) => ignored.has(file) });
  const files: GeneratedFile[] = [{ file: path.join(root, 'REPRODUCTIONS.md'), text: renderReport(summary, root) }];
  const problems: string[] = [];
  for (const app of apps) {
    const readme = path.join(app.entry.dir, 'README.md');
    if (!existsSync(readme)) {
      problems.push(`${rel(readme)}: no README.md`);
      continue;
    }
    const results: Partial<Record<TierName, TierResult>> = {};
    for (const tier of tiersOf(app.repro)) {
      const file = resultFile(app, tier);
      if (ignored.has(file) || !existsSync(file)) results[tier] = { status: 'absent' };
      else {
        try {
          const result = await readResult(file);
          results[tier] = result.id === app.repro.id && result.tier === tier ? { status: 'result', result } : { status: 'unusable', reason: `results/${tier}/result.json belongs to ${result.id}/${result.tier}` };
        } catch (e) {
          results[tier] = { status: 'unusable', reason: `results/${tier}/result.json is invalid: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}` };
        }
      }
    }
    const current = await fs.readFile(readme, 'utf8');
    const replaced = replaceReadmeRegion(current, renderReadmeTable(app.repro, results));
    if ('problem' in replaced) problems.push(`${rel(readme)}: ${replaced.problem} (it needs one ${README_MARKERS.start} line and, below it, one ${README_MARKERS.end} line where the generated claims table goes)`);
    else files.push({ file: readme, text: replaced.text });
  }
  return { summary, files, problems };
}

/** The generated files whose text on disk differs from what `report` would write. */
export async function staleFiles(files: readonly GeneratedFile[]): Promise<GeneratedFile[]> {
  const stale: GeneratedFile[] = [];
  for (const f of files) {
    const current = existsSync(f.file) ? await fs.readFile(f.file, 'utf8') : null;
    if (current !== f.text) stale.push(f);
  }
  return stale;
}
