/**
 * Paper vs ours for every claim: `paperzoo compare` prints these rows and `paperzoo report` renders
 * them as REPRODUCTIONS.md.
 *
 * Claims are re-evaluated from the metrics stored in each result.json with the claim definitions as
 * they are now, so a tightened tolerance or a new claim shows up without rerunning; a row says when
 * that changed the stored verdict.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { claimsForTier, evaluateClaim, TIER_NAMES, type Claim, type ClaimResult, type TierName, type Verdict } from './claims.js';
import { formatValue, type Metrics } from './format.js';
import type { LoadedApp } from './discover.js';
import { canonicalJson } from './checkpoint.js';
import { readResult, type ResultRecord } from './result.js';
import { tierResultsDir } from './harness.js';

/** Where a number came from. */
export interface Provenance {
  tier: TierName;
  /** When the run ended (ISO). */
  date: string;
  sha: string | null;
  dirty: boolean | null;
  backend: string;
  device: string;
  seed: number;
}

/** One claim of one tier of one app. */
export interface ComparisonRow {
  app: LoadedApp;
  tier: TierName;
  claim: Claim;
  /** The claim evaluated against the stored metrics; null when there is no usable result. */
  evaluated: ClaimResult | null;
  verdict: Verdict;
  provenance: Provenance | null;
  /** Anything a reader should know: no result yet, stale verdict, overrides, a config that changed. */
  notes: string[];
  /** The result file (whether or not it exists). */
  resultFile: string;
  /** Plot files of the result, repo-relative to the app folder ('results/full/loss.svg'). */
  plots: string[];
  /** A gpu-tier claim with no result: GPU-sized, not run here (its verdict is missing). */
  notRun?: boolean;
}

export interface ComparisonSummary {
  rows: ComparisonRow[];
  counts: Record<Verdict, number>;
  /** pass only when every row passes. */
  verdict: Verdict;
}

/** The metrics of a result as claims judge them: non-finite numbers (stored as null) become NaN. */
export function storedMetrics(result: ResultRecord): Metrics {
  // result.json stores non-finite numbers as null: judge them as NaN (a fail), not as absent.
  const out: Metrics = {};
  for (const [k, v] of Object.entries(result.metrics)) out[k] = v === null ? NaN : v;
  return out;
}

/** Where the numbers of a result came from. */
export function provenanceOf(result: ResultRecord): Provenance {
  return { tier: result.tier, date: result.endedAt, sha: result.git.sha, dirty: result.git.dirty, backend: result.backend, device: result.device.device, seed: result.seed };
}

export interface CompareOptions {
  /** The folder holding `<tier>/result.json` of an app (default `<app>/results`). */
  resultsDir?: (app: LoadedApp) => string;
  /**
   * The result file of an app's tier, overriding `resultsDir`: a path, null when there is none (the
   * row is missing), undefined for the default place.
   */
  resultFile?: (app: LoadedApp, tier: TierName) => string | null | undefined;
  /**
   * Treat a result file as absent, whether or not it exists (the row is missing, with the same note).
   * `paperzoo report` skips the files git ignores, so that what it writes depends on committed files
   * only: a checkout with local smoke runs and a fresh clone give the same text.
   */
  skip?: (file: string, app: LoadedApp, tier: TierName) => boolean;
}

/** How a gpu-tier claim without a result is labelled: its budget is beyond the CI machine, not forgotten. */
export const GPU_NOT_RUN = 'not run (GPU-sized)';

/** The command that produces a tier's result, in backticks ('`paperzoo run lenet5 --tier full`'); a gpu tier's says it needs a GPU machine. */
export function runCommand(id: string, tier: TierName, npx = false): string {
  return `\`${npx ? 'npx ' : ''}paperzoo run ${id} --tier ${tier}\`${tier === 'gpu' ? ' on a GPU machine' : ''}`;
}

/** Build the comparison rows of `apps` for the given tiers (default: all three; an app without a gpu tier has no gpu rows). */
export async function compareResults(apps: readonly LoadedApp[], tiers: readonly TierName[] = TIER_NAMES, options: CompareOptions = {}): Promise<ComparisonSummary> {
  const rows: ComparisonRow[] = [];
  for (const app of apps) {
    for (const tier of tiers) {
      const claims = claimsForTier(app.repro.claims, tier);
      if (!claims.length) continue;
      const found = options.resultFile?.(app, tier);
      const resultFile = found ?? path.join(tierResultsDir(app.entry.dir, tier, options.resultsDir?.(app)), 'result.json');
      let result: ResultRecord | null = null;
      const notes: string[] = [];
      const absent = found === null || options.skip?.(resultFile, app, tier) || !existsSync(resultFile);
      const notRun = absent && tier === 'gpu';
      if (absent) notes.push(`${notRun ? `${GPU_NOT_RUN}: ` : ''}no ${tier} result ${found === null ? 'in the given results folders' : 'yet'} — run ${runCommand(app.repro.id, tier)}`);
      else {
        try {
          result = await readResult(resultFile);
          if (result.id !== app.repro.id || result.tier !== tier) {
            notes.push(`${path.relative(app.entry.dir, resultFile)} belongs to ${result.id}/${result.tier}`);
            result = null;
          }
        } catch (e) {
          notes.push(e instanceof Error ? e.message.split('\n')[0] : String(e));
        }
      }
      const shared: string[] = [];
      if (result) {
        if (Object.keys(result.overrides).length) shared.push(`run with --set ${Object.entries(result.overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
        else if (canonicalJson(result.config) !== canonicalJson(app.repro.tiers[tier]?.config)) shared.push(`the ${tier} preset changed since this run`);
      }
      for (const claim of claims) {
        const rowNotes = [...notes, ...shared];
        let evaluated: ClaimResult | null = null;
        let verdict: Verdict = 'missing';
        if (result) {
          evaluated = evaluateClaim(claim, storedMetrics(result));
          verdict = evaluated.verdict;
          const stored = result.claims.find((c) => c.id === claim.id);
          if (!stored) rowNotes.push('claim added after this run');
          else if (stored.verdict !== verdict) rowNotes.push(`the run recorded ${stored.verdict}; the claim has changed since`);
        }
        rows.push({ app, tier, claim, evaluated, verdict, provenance: result ? provenanceOf(result) : null, notes: rowNotes, resultFile, plots: result ? result.plots.map((p) => `results/${tier}/${p}`) : [], ...(notRun ? { notRun } : {}) });
      }
    }
  }
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, missing: 0 };
  for (const r of rows) counts[r.verdict]++;
  const verdict: Verdict = counts.fail ? 'fail' : counts.missing ? 'missing' : 'pass';
  return { rows, counts, verdict };
}

/** A result.json found by {@link findResultFiles}. */
export interface FoundResult {
  id: string;
  tier: TierName;
  file: string;
}

const SKIP_DIRS = new Set(['node_modules', 'checkpoint', '.git']);

/**
 * Every result.json under `dirs` (at any depth; shard artifacts are usually laid out
 * `apps/<area>/<paper>/results/<tier>/result.json`), keyed `<id>/<tier>` by the id and tier written
 * in the file. Files that are not JSON or lack a string id and a known tier are listed in `unreadable`;
 * a second file for the same id and tier is listed in `duplicates` (the first one found is kept:
 * dirs in the given order, then paths in sorted order).
 */
export async function findResultFiles(dirs: readonly string[]): Promise<{ results: Map<string, FoundResult>; duplicates: { kept: FoundResult; ignored: string }[]; unreadable: string[] }> {
  const results = new Map<string, FoundResult>();
  const duplicates: { kept: FoundResult; ignored: string }[] = [];
  const unreadable: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if (e.name === 'result.json') {
        let data: { id?: unknown; tier?: unknown };
        try {
          data = JSON.parse(await fs.readFile(p, 'utf8')) as { id?: unknown; tier?: unknown };
        } catch {
          unreadable.push(p);
          continue;
        }
        if (typeof data?.id !== 'string' || !(TIER_NAMES as readonly unknown[]).includes(data.tier)) {
          unreadable.push(p);
          continue;
        }
        const key = `${data.id}/${data.tier as TierName}`;
        const kept = results.get(key);
        if (kept) duplicates.push({ kept, ignored: p });
        else results.set(key, { id: data.id, tier: data.tier as TierName, file: p });
      }
    }
  };
  for (const d of dirs) await walk(d);
  return { results, duplicates, unreadable };
}

/** 'pass 3 · fail 1 · missing 0' with the total. */
export function summaryLine(summary: ComparisonSummary): string {
  const { counts } = summary;
  const total = counts.pass + counts.fail + counts.missing;
  return `${total} claim${total === 1 ? '' : 's'}: ${counts.pass} pass, ${counts.fail} fail, ${counts.missing} missing`;
}

/** The paper's number of a claim, formatted ('0.95%', '1.10% vs 2.00%', '< 5.00%'). */
export function publishedText(claim: Claim): string {
  const hint = { format: claim.format, digits: claim.digits };
  switch (claim.kind) {
    case 'value':
      return formatValue(claim.published, hint);
    case 'threshold':
      return claim.published === undefined ? '—' : formatValue(claim.published, hint);
    case 'ranking':
      return claim.published ? `${formatValue(claim.published.better, hint)} vs ${formatValue(claim.published.worse, hint)}` : '—';
    case 'exact':
      return formatValue(claim.expected, hint);
  }
}

/** Our number of a row, formatted (the two values of a ranking). */
export function measuredText(row: Pick<ComparisonRow, 'claim' | 'evaluated'>): string {
  const e = row.evaluated;
  if (!e) return '—';
  const hint = { format: row.claim.format, digits: row.claim.digits };
  if (row.claim.kind === 'ranking') {
    const v = e.values ?? {};
    return `${formatValue(v[row.claim.better], hint)} vs ${formatValue(v[row.claim.worse], hint)}`;
  }
  if (e.measured === null && e.verdict === 'fail') return 'NaN';
  return formatValue(e.measured, hint);
}

/** 'full · 2025-11-21 · 1a2b3c4+dirty · wasm (Intel Xeon)'. */
export function provenanceText(p: Provenance | null): string {
  if (!p) return '—';
  const sha = p.sha ? p.sha.slice(0, 7) + (p.dirty ? '+dirty' : '') : 'no git';
  return `${p.tier} · ${p.date.slice(0, 10)} · ${sha} · ${p.backend} (${p.device})`;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const VERDICT_MARK: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', missing: '⚪ missing' };

/** Render REPRODUCTIONS.md: one row per claim, linking each app's README and plots. */
export function renderReport(summary: ComparisonSummary, root: string): string {
  const lines: string[] = [
    '# Reproductions',
    '',
    '<!-- Generated by `npx paperzoo report` from the committed apps/*/*/results/<tier>/result.json; `npx paperzoo report --check` (part of `npm test`) fails when it is stale. Do not edit by hand. -->',
    '',
    `Every claim of every paper, the paper's number beside ours. ${summaryLine(summary)}.`,
    'Only committed results appear here: full-tier results are committed with their provenance (tier · date ·',
    'git commit · backend and device); smoke results are regenerated by CI on every push and not committed, so',
    'their rows read missing here (`npx paperzoo run --all && npx paperzoo compare --tier smoke` shows them).',
    ...(summary.rows.some((r) => r.tier === 'gpu')
      ? [`gpu-tier rows are configurations of the paper sized for a GPU: they read ${GPU_NOT_RUN} until a GPU machine's`, 'result is committed (`npx paperzoo run <id> --tier gpu`).']
      : []),
    '',
    '| Paper | Claim | Source | Tier | Paper says | Ours | Verdict | Provenance | Plots |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of summary.rows) {
    const { repro, entry } = row.app;
    const rel = (p: string) => path.relative(root, path.join(entry.dir, p)).split(path.sep).join('/');
    const readme = existsSync(path.join(entry.dir, 'README.md')) ? `[${md(repro.paper.title)}](${rel('README.md')})` : md(repro.paper.title);
    const paper = `${readme} (${md(repro.paper.authors[0].split(' ').slice(-1)[0])}${repro.paper.authors.length > 1 ? ' et al.' : ''} ${repro.paper.year})`;
    const claim = md(row.claim.what + (row.claim.setting ? ` (${row.claim.setting})` : ''));
    const tolerance = row.evaluated ? ` (${md(row.evaluated.tolerance)})` : '';
    const notes = row.notes.length ? `<br><sub>${md(row.notes.join('; '))}</sub>` : '';
    const plots = row.plots.filter((p) => existsSync(path.join(entry.dir, p))).map((p) => `[${md(path.basename(p, '.svg').replace(/_/g, ' '))}](${rel(p)})`).join(' · ') || '—';
    lines.push(
      `| ${paper} | ${claim} | ${md(row.claim.source)} | ${row.tier} | ${md(publishedText(row.claim))} | ${md(measuredText(row))} | ${row.notRun ? `⚪ ${GPU_NOT_RUN}` : VERDICT_MARK[row.verdict]}${tolerance}${notes} | ${md(provenanceText(row.provenance))} | ${plots} |`,
    );
  }
  if (!summary.rows.length) lines.push('| — | no reproductions yet | | | | | | | |');
  lines.push('');
  return lines.join('\n');
}
