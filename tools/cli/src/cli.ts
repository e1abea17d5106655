/**
 * `paperzoo` — list, run, compare and report the paper reproductions; `paperzoo new <area>/<id>` starts one (./new.ts).
 *
 * A thin layer over @paperzoo/repro: argument parsing (commander), tables (cli-table3) and exit codes.
 * Exit codes: 0 all claims pass · 1 a claim fails or is missing, or a run failed · 2 usage error ·
 * 130 interrupted (a checkpoint was saved; rerun with --resume).
 */
import { existsSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import { compareTable, MARK } from './table.js';
import { planReport, staleFiles } from './report.js';
import {
  BACKEND_NAMES,
  claimsForTier,
  compareResults,
  createConsoleRenderer,
  discoverApps,
  findApp,
  findResultFiles,
  findRepoRoot,
  loadReproduction,
  parseShard,
  resolveRunConfig,
  type RunAbortedError,
  runReproduction,
  shardOf,
  suggest,
  summaryLine,
  TIER_NAMES,
  tiersOf,
  type AppEntry,
  type ClaimResult,
  type LoadedApp,
  type OutputStream,
  type ShardSpec,
  type TierName,
  type Verdict,
} from '@paperzoo/repro';
import { addNewCommand } from './new.js';

/** Where the CLI writes and what it may hook into; `main.ts` passes the real process. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Working directory the repo root is searched from. */
  cwd: string;
  /** Called when a run starts: returns the signal that SIGINT aborts, and a function to stop listening. */
  trapInterrupts?: () => { signal: AbortSignal; release(): void };
}

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const CLI_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function cliVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** A commander argument parser accepting one of `choices`, with a suggestion on a typo. */
function oneOf<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    const guess = suggest(value, choices);
    throw new InvalidArgumentError(`'${value}' is not one of ${choices.join(', ')}${guess ? ` — did you mean '${guess}'?` : ''}`);
  };
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`the seed must be an integer, got '${value}'`);
  return n;
}

function parseShardOption(value: string): ShardSpec {
  try {
    return parseShard(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

function collect(value: string, previous: string[]): string[] {
  if (!value.includes('=')) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return [...previous, value];
}

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: false } });
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/**
 * Error checks by name: an app's reproduction.ts may load its own copy of @paperzoo/repro (a
 * CommonJS app package), whose error classes are not the CLI's.
 */
function isNamed<T extends Error = Error>(e: unknown, name: string): e is T {
  return e instanceof Error && e.name === name;
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Run the CLI with `argv` (without the node and script paths). Resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const out = (s = '') => io.stdout.write(s + '\n');
  const err = (s: string) => io.stderr.write(s + '\n');

  const program = new Command('paperzoo');
  program
    .description('Classic deep-learning papers reproduced in TypeScript: the paper\'s number beside ours.')
    .version(cliVersion(), '-V, --version')
    .option('--root <dir>', 'repository root (default: the nearest package.json with "workspaces" above the working directory)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const rootDir = (): string => {
    const given = program.opts<{ root?: string }>().root;
    if (given) return path.resolve(io.cwd, given);
    return findRepoRoot(io.cwd, CLI_DIR);
  };
  const rel = (p: string) => path.relative(io.cwd, p) || '.';

  /** Discover and import every app; report the ones that fail to load. */
  const loadAll = async (root: string, shard?: ShardSpec): Promise<{ loaded: LoadedApp[]; failed: { entry: AppEntry; error: string }[] }> => {
    let entries = await discoverApps(root);
    if (shard) {
      const ids = new Set(shardOf(entries.map((e) => e.id), shard.index, shard.count));
      entries = entries.filter((e) => ids.has(e.id));
      err(`shard ${shard.index}/${shard.count}: ${entries.length ? entries.map((e) => e.id).join(', ') : '(no reproductions)'}`);
    }
    const loaded: LoadedApp[] = [];
    const failed: { entry: AppEntry; error: string }[] = [];
    for (const entry of entries) {
      for (const w of entry.warnings) err(`warning: ${w}`);
      try {
        loaded.push({ entry, repro: await loadReproduction(entry) });
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failed.push({ entry, error });
        err(`error: cannot load ${entry.relDir}/reproduction.ts: ${error}`);
      }
    }
    return { loaded, failed };
  };

  // ---- list ------------------------------------------------------------------------------------
  program
    .command('list')
    .description('list the reproductions: id, paper, year, package, claims, last result')
    .option('--shard <i/n>', 'only the reproductions of shard i of n (as `run --all --shard i/n` splits them)', parseShardOption)
    .action(async (opts: { shard?: ShardSpec }) => {
      const root = rootDir();
      const { loaded, failed } = await loadAll(root, opts.shard);
      if (!loaded.length && !failed.length) {
        out(`no reproductions found under ${rel(path.join(root, 'apps'))}/*/*/reproduction.ts`);
        return;
      }
      const summary = await compareResults(loaded);
      const t = table(['id', 'paper', 'year', 'package', 'claims', 'last result']);
      for (const app of loaded) {
        const { repro } = app;
        const perTier = tiersOf(repro).map((tier) => `${tier} ${claimsForTier(repro.claims, tier).length}`).join(', ');
        const last = tiersOf(repro).map((tier) => {
          const rows = summary.rows.filter((r) => r.app === app && r.tier === tier);
          if (!rows.length) return null;
          const p = rows.find((r) => r.provenance)?.provenance;
          if (!p) return `${tier}: ${tier === 'gpu' ? 'not run' : '—'}`;
          const verdict = rows.some((r) => r.verdict === 'fail') ? 'fail' : rows.some((r) => r.verdict === 'missing') ? 'missing' : 'pass';
          const passed = rows.filter((r) => r.verdict === 'pass').length;
          return `${tier}: ${MARK[verdict]} ${verdict} ${passed}/${rows.length} (${p.date.slice(0, 10)})`;
        })
          .filter((x): x is string => x !== null)
          .join('\n');
        t.push([repro.id, truncate(repro.paper.title, 48), String(repro.paper.year), repro.package, `${repro.claims.length} (${perTier})`, last]);
      }
      for (const f of failed) t.push([f.entry.id, `(failed to load: ${truncate(f.error, 60)})`, '', '', '', '']);
      out(t.toString());
      if (failed.length) exitCode = EXIT.failed;
    });

  // ---- run -------------------------------------------------------------------------------------
  program
    .command('run')
    .description('run a reproduction (or --all) and check its claims; writes results/<tier>/result.json and SVG curves')
    .argument('[id]', 'the reproduction to run (see `paperzoo list`)')
    .option('--all', 'run every reproduction')
    .option('--shard <i/n>', 'with --all: run only shard i of n (ids sorted, every n-th from the i-th), e.g. --shard 2/4', parseShardOption)
    .addOption(new Option('--tier <tier>', 'smoke (CPU, ≤ ~90 s), full (the paper\'s budget) or gpu (the paper\'s GPU-sized configurations; with --all, apps without a gpu tier are skipped)').argParser(oneOf(TIER_NAMES)).default('smoke'))
    .option('--seed <n>', 'random seed (default: the reproduction\'s, usually 0)', parseSeed)
    .addOption(new Option('--backend <name>', `tensor backend: ${BACKEND_NAMES.join(', ')} (default: PAPERZOO_BACKEND, the tier's choice, else auto)`).argParser(oneOf(BACKEND_NAMES)))
    .option('--set <key=value>', 'override a config field of the tier preset (repeatable), e.g. --set epochs=2', collect, [] as string[])
    .option('--resume', 'continue from the checkpoint of an interrupted run (same tier, seed and config)')
    .option('--data-mirror <dir>', 'a local folder tried before downloading datasets (sets PAPERZOO_DATA_MIRROR)')
    .action(async (id: string | undefined, opts: { all?: boolean; shard?: ShardSpec; tier: TierName; seed?: number; backend?: string; set: string[]; resume?: boolean; dataMirror?: string }) => {
      if (id && opts.all) throw new UsageError('give a reproduction id or --all, not both');
      if (opts.all && opts.set.length) throw new UsageError('--set applies to one reproduction; it cannot be combined with --all');
      if (opts.shard && !opts.all) throw new UsageError('--shard i/n splits --all; give --all with it');
      const root = rootDir();
      let targets: LoadedApp[];
      let failedToLoad = 0;
      let skipped = 0;
      if (opts.all) {
        const { loaded, failed } = await loadAll(root, opts.shard);
        // only the gpu tier is optional: --all --tier gpu runs the apps that have one
        targets = loaded.filter((app) => tiersOf(app.repro).includes(opts.tier));
        for (const app of loaded) if (!targets.includes(app)) err(`skip ${app.repro.id}: no ${opts.tier} tier`);
        skipped = loaded.length - targets.length;
        failedToLoad = failed.length;
        if (!loaded.length && !failed.length && opts.shard) {
          out(`shard ${opts.shard.index}/${opts.shard.count} has no reproductions (there are fewer than ${opts.shard.count})`);
          return;
        }
        if (!loaded.length && !failed.length) throw new UsageError(`no reproductions found under ${rel(path.join(root, 'apps'))}/*/*/reproduction.ts`);
      } else {
        const entries = await discoverApps(root);
        if (!id) throw new UsageError(`say which reproduction to run: paperzoo run <id>, or --all${entries.length ? ` (known: ${entries.map((e) => e.id).join(', ')})` : ''}`);
        const entry = findApp(entries, id);
        for (const w of entry.warnings) err(`warning: ${w}`);
        const repro = await loadReproduction(entry);
        // validate --set / --seed before touching the backend
        resolveRunConfig(repro, { tier: opts.tier, seed: opts.seed, set: opts.set });
        targets = [{ entry, repro }];
      }

      const verdicts: { id: string; verdict: Verdict | 'error' }[] = [];
      for (const app of targets) {
        const renderer = createConsoleRenderer({ stream: io.stderr });
        const trap = io.trapInterrupts?.();
        try {
          const { result, resultFile } = await runReproduction(app.repro, {
            appDir: app.entry.dir,
            tier: opts.tier,
            seed: opts.seed,
            backend: opts.backend,
            set: opts.set,
            resume: opts.resume,
            dataMirror: opts.dataMirror ? path.resolve(io.cwd, opts.dataMirror) : undefined,
            signal: trap?.signal,
            onEvent: renderer.observer,
          });
          renderer.close();
          out(`${app.repro.id} · ${opts.tier}: ${rel(resultFile)}${result.plots.length ? ` (+ ${result.plots.join(', ')})` : ''} · ${result.wallTimeSeconds.toFixed(1)} s`);
          // the tier's first claim is its headline: print it last
          const [headline, ...others] = result.claims as ClaimResult[];
          for (const c of [...others, headline].filter(Boolean)) out(`${MARK[c.verdict]} ${c.line}`);
          verdicts.push({ id: app.repro.id, verdict: result.verdict });
        } catch (e) {
          renderer.close();
          if (isNamed<RunAbortedError>(e, 'RunAbortedError')) {
            err(`${app.repro.id}: ${e.message}`);
            if (e.checkpointSaved) err(`resume with: npx paperzoo run ${app.repro.id} --tier ${opts.tier}${opts.seed !== undefined ? ` --seed ${opts.seed}` : ''}${opts.set.map((s) => ` --set ${s}`).join('')} --resume`);
            exitCode = EXIT.interrupted;
            return;
          }
          if (isNamed(e, 'ConfigOverrideError')) throw e;
          err(`error: ${app.repro.id}: ${e instanceof Error ? `${e.name === 'Error' ? '' : e.name + ': '}${e.message}` : String(e)}`);
          verdicts.push({ id: app.repro.id, verdict: 'error' });
        } finally {
          trap?.release();
        }
      }
      if (targets.length > 1 || failedToLoad || opts.shard || skipped) {
        const count = (v: Verdict | 'error') => verdicts.filter((x) => x.verdict === v).length;
        out(`${verdicts.length + failedToLoad} reproductions (${opts.tier}${opts.shard ? `, shard ${opts.shard.index}/${opts.shard.count}` : ''}): ${count('pass')} pass, ${count('fail')} fail, ${count('missing')} missing, ${count('error') + failedToLoad} errors${skipped ? `; ${skipped} skipped (no ${opts.tier} tier)` : ''}`);
      }
      if (failedToLoad || verdicts.some((v) => v.verdict !== 'pass')) exitCode = EXIT.failed;
    });

  // ---- compare ---------------------------------------------------------------------------------
  program
    .command('compare')
    .description('paper vs ours for every claim, with provenance; exits 1 when a claim fails or a result is missing')
    .addOption(new Option('--tier <tier>', 'smoke, full, gpu or all (gpu rows only for apps with a gpu tier)').argParser(oneOf([...TIER_NAMES, 'all'] as const)).default('all'))
    .option('--results <dir>', 'read result.json files from this folder (any depth; repeatable, e.g. one per shard artifact) instead of each app\'s results/', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (opts: { tier: TierName | 'all'; results: string[] }) => {
      const root = rootDir();
      const dirs = opts.results.map((d) => path.resolve(io.cwd, d));
      for (const d of dirs) if (!existsSync(d)) throw new UsageError(`--results ${rel(d)}: no such folder`);
      const { loaded, failed } = await loadAll(root);
      const tiers = opts.tier === 'all' ? TIER_NAMES : [opts.tier];
      let resultFile: ((app: LoadedApp, tier: TierName) => string | null) | undefined;
      if (dirs.length) {
        const found = await findResultFiles(dirs);
        for (const f of found.unreadable) err(`warning: ${rel(f)} is not a result file (no id and tier); skipped`);
        for (const d of found.duplicates) err(`warning: two ${d.kept.id}/${d.kept.tier} results: using ${rel(d.kept.file)}, not ${rel(d.ignored)}`);
        const known = new Set(loaded.map((a) => a.repro.id));
        for (const r of found.results.values()) if (!known.has(r.id)) err(`warning: ${rel(r.file)} is for '${r.id}', which is not a reproduction here`);
        resultFile = (app, tier) => found.results.get(`${app.repro.id}/${tier}`)?.file ?? null;
        err(`results from ${dirs.map(rel).join(', ')}: ${found.results.size} result file(s)`);
      }
      const summary = await compareResults(loaded, tiers, { resultFile });
      if (!summary.rows.length && !failed.length) {
        out(`no reproductions found under ${rel(path.join(root, 'apps'))}/*/*/reproduction.ts`);
        return;
      }
      out(compareTable(summary.rows));
      for (const f of failed) out(`✗ ${f.entry.id}: cannot load (${f.error.split('\n')[0]})`);
      out(summaryLine(summary) + (failed.length ? `; ${failed.length} reproduction(s) failed to load` : ''));
      if (summary.verdict !== 'pass' || failed.length) exitCode = EXIT.failed;
    });

  // ---- report ----------------------------------------------------------------------------------
  program
    .command('report')
    .description('write REPRODUCTIONS.md at the repository root and the generated claims table of every app README (between <!-- paperzoo:claims:start --> and <!-- paperzoo:claims:end -->), from committed results')
    .option('--check', 'write nothing; exit 1 listing the files that regenerating would change, and the READMEs without markers')
    .action(async (opts: { check?: boolean }) => {
      const root = rootDir();
      const { loaded, failed } = await loadAll(root);
      const plan = await planReport(root, loaded, rel);
      const stale = await staleFiles(plan.files);
      if (opts.check) {
        for (const f of stale) out(`stale: ${rel(f.file)}`);
        for (const p of plan.problems) out(`error: ${p}`);
        if (stale.length || plan.problems.length) {
          out(`${stale.length} stale file(s)${plan.problems.length ? `, ${plan.problems.length} README(s) without a generated table` : ''}: run \`npx paperzoo report\` and commit the result`);
          exitCode = EXIT.failed;
        } else out(`up to date: REPRODUCTIONS.md and ${plan.files.length - 1} README table(s)`);
        if (failed.length) exitCode = EXIT.failed;
        return;
      }
      for (const f of stale) await fs.writeFile(f.file, f.text);
      for (const p of plan.problems) err(`warning: ${p}`);
      const readmes = stale.filter((f) => path.basename(f.file) === 'README.md').length;
      const reportFile = plan.files[0].file;
      out(`${stale.some((f) => f.file === reportFile) ? 'wrote' : 'unchanged:'} ${rel(reportFile)}: ${summaryLine(plan.summary)}; ${readmes} README table(s) updated, ${plan.files.length - 1 - readmes} unchanged`);
      if (failed.length) exitCode = EXIT.failed;
    });

  // ---- new (./new.ts) ----------------------------------------------------------------------------
  /** What `report` writes, for `new`: the new app's README table and REPRODUCTIONS.md, so `report --check` passes at once. */
  const regenerate = async (): Promise<string[]> => {
    const root = rootDir();
    const { loaded } = await loadAll(root);
    const stale = await staleFiles((await planReport(root, loaded, rel)).files);
    for (const f of stale) await fs.writeFile(f.file, f.text);
    return stale.map((f) => rel(f.file));
  };
  addNewCommand(program, { root: rootDir, cwd: io.cwd, out, err, setExitCode: (code) => (exitCode = code), regenerate });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError || isNamed(e, 'ConfigOverrideError') || isNamed(e, 'UnknownReproductionError') || e instanceof RangeError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
  return exitCode;
}
