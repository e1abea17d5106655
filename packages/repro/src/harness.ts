/**
 * `runReproduction` — run one tier of a reproduction and write its record:
 *
 * 1. apply `--set` overrides to the tier's preset (type-checked);
 * 2. `initBackend({ backend })` and `seed(seed)`, then `deviceInfo()`;
 * 3. take the lock of this run's own folder, `results/<tier>/runs/<seed>-<backend>-<hash>/` (the hash
 *    is of id, tier, seed, config and backend: {@link runKey}); a live process holding it is a
 *    {@link RunLockedError}, a lock left by a dead process is taken over with a warning;
 * 4. call `run(config, ctx)` with a fresh run context whose checkpoint and output files live in that
 *    folder (runs with another seed or config run side by side without touching each other's files);
 * 5. evaluate the tier's claims against the returned metrics;
 * 6. write result.json (schema-validated) and one SVG per curve group into the run's folder, then
 *    publish them to `results/<tier>/` under a short publishing lock: every file is written atomically
 *    and result.json last, so a reader never sees a half-written file or a mix of two runs' plots;
 * 7. delete the checkpoint of the now finished run and release the lock.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deviceInfo, initBackend, seed as seedRng } from '@paperzoo/tensor';
import { evaluateClaims, overallVerdict, TIER_NAMES, type ClaimResult, type TierName } from './claims.js';
import { applyOverrides } from './config.js';
import { identityDifferences, readCheckpointHeader, runKey, type CheckpointIdentity } from './checkpoint.js';
import { createRunContext, type RunObserver } from './context.js';
import { tierOf, type Reproduction } from './define.js';
import { CheckpointMismatchError, RunLockedError } from './errors.js';
import { acquireLock, withLock, writeFileAtomic, type LockOwner } from './fsutil.js';
import { plotCurves } from './plots.js';
import { gitInfo, packageVersions } from './provenance.js';
import { RESULT_SCHEMA_ID, writeResult, type ResultRecord } from './result.js';
import type { MetricValue } from './format.js';

/** What a smoke tier may take on 2 CPU cores (docs/architecture.md, "The reproduction contract"); longer runs get a warning. */
export const SMOKE_BUDGET_SECONDS = 90;

export interface RunOptions {
  /** The app folder (where reproduction.ts and package.json are). */
  appDir: string;
  /** Default 'smoke'; 'gpu' only for a reproduction that defines a gpu tier. */
  tier?: TierName;
  /** Default: the definition's `defaultSeed`, else 0. */
  seed?: number;
  /** Default: PAPERZOO_BACKEND, else the tier's `backend`, else 'auto'. */
  backend?: string;
  /** `key=value` overrides of the tier's config preset. */
  set?: readonly string[];
  /** Continue from the checkpoint of an interrupted run of the same tier, seed and config. */
  resume?: boolean;
  /** Abort (SIGINT) → the fit loop saves a checkpoint and the run throws RunAbortedError. */
  signal?: AbortSignal;
  onEvent?: RunObserver;
  /** Sets PAPERZOO_DATA_MIRROR for the datasets package. */
  dataMirror?: string;
  /** Default `<appDir>/results`. */
  resultsDir?: string;
}

export interface RunOutcome {
  result: ResultRecord;
  /** The published result.json (`results/<tier>/result.json`). */
  resultFile: string;
  /** The published plots. */
  plotFiles: string[];
  /** The run's own folder, which keeps its copy of the files (and held its checkpoint). */
  runDir: string;
}

/** Lock file of a run's folder; publishing lock of a tier's folder. */
const RUN_LOCK = 'run.lock';
const PUBLISH_LOCK = '.publish.lock';

/** The folder of one run: `<appDir>/results/<tier>/runs/<seed>-<backend>-<hash>`. */
export function runDirFor(tierDir: string, identity: CheckpointIdentity): string {
  return path.join(tierDir, 'runs', runKey(identity));
}

function describeOwner(o: LockOwner): string {
  return `pid ${o.pid}${o.command ? ` (${o.command})` : ''}, started ${o.startedAt}`;
}

/** The output files of a run folder (everything but the lock, hidden files and folders). */
async function outputFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name !== RUN_LOCK && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Copy `from` to `to` atomically (a temporary file in `to`'s folder, renamed into place). */
async function copyFileAtomic(from: string, to: string): Promise<void> {
  const tmp = path.join(path.dirname(to), `.${path.basename(to)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.copyFile(from, tmp);
    await fs.rename(tmp, to);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Publish a finished run's files from its folder to the tier's folder, under the tier's publishing
 * lock: plots and other files first, result.json last, each atomically; plots of an earlier run that
 * this one did not make are removed. Runs finishing at once publish one after the other (the last
 * one's files stay, complete).
 */
async function publish(runDir: string, tierDir: string, what: string, warn: (text: string) => void): Promise<string[]> {
  const files = await outputFiles(runDir);
  return withLock(
    path.join(tierDir, PUBLISH_LOCK),
    `publishing ${what}`,
    async () => {
      for (const f of await fs.readdir(tierDir)) {
        if (f.endsWith('.svg') && !files.includes(f)) await fs.rm(path.join(tierDir, f), { force: true });
      }
      const ordered = [...files.filter((f) => f !== 'result.json'), ...files.filter((f) => f === 'result.json')];
      for (const f of ordered) await copyFileAtomic(path.join(runDir, f), path.join(tierDir, f));
      return ordered.map((f) => path.join(tierDir, f));
    },
    { onStale: (o) => warn(`took over the publishing lock of ${describeOwner(o)}, which no longer runs`) },
  );
}

/**
 * When resuming and this run has no checkpoint: a checkpoint at the pre-v2 place
 * (`results/<tier>/checkpoint/`) of the same identity is moved into the run's folder; a checkpoint of
 * another seed/config of the same reproduction and tier is refused with what differs (as before runs
 * had their own folders); with none, the run starts from scratch.
 */
async function findCheckpointElsewhere(tierDir: string, runDir: string, identity: CheckpointIdentity, checkpointFile: string, info: (t: string) => void): Promise<void> {
  const legacy = path.join(tierDir, 'checkpoint', 'checkpoint.pzck');
  const legacyHeader = await readCheckpointHeader(legacy);
  if (legacyHeader && identityDifferences(legacyHeader.identity, identity).length === 0) {
    await fs.mkdir(path.dirname(checkpointFile), { recursive: true });
    await fs.rename(legacy, checkpointFile);
    await fs.rm(path.dirname(legacy), { recursive: true, force: true }).catch(() => {});
    info(`moved the checkpoint ${legacy} into this run's folder ${runDir}`);
    return;
  }
  const candidates: { file: string; savedAt: string; differences: string[] }[] = [];
  if (legacyHeader) candidates.push({ file: legacy, savedAt: legacyHeader.savedAt, differences: identityDifferences(legacyHeader.identity, identity) });
  const runsDir = path.join(tierDir, 'runs');
  for (const d of await fs.readdir(runsDir).catch(() => [] as string[])) {
    const file = path.join(runsDir, d, 'checkpoint', 'checkpoint.pzck');
    if (file === checkpointFile) continue;
    const h = await readCheckpointHeader(file);
    if (!h || h.identity.id !== identity.id || h.identity.tier !== identity.tier) continue;
    const differences = identityDifferences(h.identity, identity);
    if (differences.length === 0) differences.push(`it was made on the ${h.identity.backend} backend, this run uses ${identity.backend}`);
    candidates.push({ file, savedAt: h.savedAt, differences });
  }
  if (!candidates.length) {
    info('no checkpoint to resume from; starting from scratch');
    return;
  }
  candidates.sort((a, b) => (a.savedAt < b.savedAt ? 1 : -1));
  const [newest] = candidates;
  const others = candidates.length > 1 ? ` (${candidates.length - 1} more unfinished run${candidates.length > 2 ? 's' : ''} under ${runsDir})` : '';
  throw new CheckpointMismatchError(newest.file, `this run (${path.basename(runDir)}) has no checkpoint, and the newest one of ${identity.id}'s ${identity.tier} tier differs: ${newest.differences.join('; ')}${others}`);
}

/** The results folder of one tier: `<appDir>/results/<tier>`. */
export function tierResultsDir(appDir: string, tier: TierName, resultsDir?: string): string {
  return path.join(resultsDir ?? path.join(appDir, 'results'), tier);
}

/** Resolve the options of a run without running it (the CLI uses this to validate arguments first). */
export function resolveRunConfig<C extends object>(repro: Reproduction<C>, options: Pick<RunOptions, 'tier' | 'seed' | 'set'>) {
  const tier = options.tier ?? 'smoke';
  if (!TIER_NAMES.includes(tier)) throw new RangeError(`unknown tier '${String(tier)}' (choose ${TIER_NAMES.join(', ')})`);
  const preset = tierOf(repro, tier).config;
  const seed = options.seed ?? repro.defaultSeed ?? 0;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const { config, overrides } = applyOverrides(preset, options.set ?? [], { schema: repro.configSchema, id: repro.id });
  return { tier, seed, config, overrides };
}

function cleanMetrics(metrics: unknown, id: string): Record<string, MetricValue | null> {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    throw new TypeError(`${id}: run() must return an object of metrics, got ${Array.isArray(metrics) ? 'an array' : typeof metrics}`);
  }
  const out: Record<string, MetricValue | null> = {};
  for (const [k, v] of Object.entries(metrics as Record<string, unknown>)) {
    if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
    else if (typeof v === 'boolean' || typeof v === 'string') out[k] = v;
    else if (v === null || v === undefined) out[k] = null;
    else throw new TypeError(`${id}: metric '${k}' must be a number, boolean or string, got ${typeof v}`);
  }
  return out;
}

/** Run one tier of `repro` and write its result.json and plots. */
export async function runReproduction<C extends object>(repro: Reproduction<C>, options: RunOptions): Promise<RunOutcome> {
  const { tier, seed, config, overrides } = resolveRunConfig(repro, options);
  const tierDef = tierOf(repro, tier);
  const emit: RunObserver = options.onEvent ?? (() => {});
  const dir = tierResultsDir(options.appDir, tier, options.resultsDir);

  const backendChoice = options.backend ?? process.env.PAPERZOO_BACKEND ?? tierDef.backend ?? 'auto';
  const backend = await initBackend({ backend: backendChoice });
  seedRng(seed);
  const device = deviceInfo();
  if (options.dataMirror) process.env.PAPERZOO_DATA_MIRROR = options.dataMirror;

  const identity: CheckpointIdentity = { id: repro.id, tier, seed, config, backend };
  const runDir = runDirFor(dir, identity);
  const what = `${repro.id} · ${tier} tier · seed ${seed} · ${backend} · run ${path.basename(runDir)}`;
  const early: string[] = [];
  const lock = await acquireLock(path.join(runDir, RUN_LOCK), {
    what,
    onHeld: (o) => new RunLockedError(path.join(runDir, RUN_LOCK), o.pid, o.what, o.startedAt, o.hostname === os.hostname() ? undefined : o.hostname),
    onStale: (o) => early.push(`took over the lock of an earlier run of ${o.what} (${describeOwner(o)}), which no longer runs`),
  });
  try {
    // output files of an earlier run of the same identity (not its checkpoint): this run writes its own
    for (const f of await outputFiles(runDir)) await fs.rm(path.join(runDir, f), { force: true });

    let resumed: ResultRecord['resumed'] = null;
    const ctx = createRunContext<C>({
      id: repro.id,
      tier,
      seed,
      config,
      resultsDir: runDir,
      checkpointDir: path.join(runDir, 'checkpoint'),
      resume: options.resume ?? false,
      signal: options.signal,
      device,
      dataMirror: options.dataMirror,
      onEvent: (e) => {
        if (e.type === 'resume') resumed = { epoch: e.epoch, step: e.step, checkpointSavedAt: e.savedAt };
        emit(e);
      },
    });
    emit({ type: 'run-start', id: repro.id, tier, seed, backend, device: device.device, config, resume: options.resume ?? false, budget: tierDef.budget });
    for (const text of early) ctx.warn(text);
    if (options.resume && !(await ctx.checkpoint.exists())) await findCheckpointElsewhere(dir, runDir, identity, ctx.checkpoint.file, (t) => ctx.info(t));
    if (!options.resume && (await ctx.checkpoint.exists())) ctx.info('a checkpoint from an earlier, unfinished run exists; starting over (use --resume to continue it)');

    const started = new Date();
    // the commit the run's code came from: read now, not when the result is written (a long run's tree
    // may move on meanwhile — a full tier once recorded a merge made an hour after it started)
    const git = await gitInfo(options.appDir);
    const rawMetrics = await repro.run(config, ctx);
    const ended = new Date();
    const seconds = (ended.getTime() - started.getTime()) / 1000;
    if (tier === 'smoke' && seconds > SMOKE_BUDGET_SECONDS && !resumed) {
      ctx.warn(`this smoke run took ${Math.round(seconds)} s; smoke tiers should finish in about ${SMOKE_BUDGET_SECONDS} s on 2 CPU cores — scale the preset down`);
    }
    const metrics = cleanMetrics(rawMetrics, repro.id);
    // Non-finite numbers are judged as such (a NaN fails a value claim), then stored as null.
    const claims: ClaimResult[] = evaluateClaims(repro.claims, rawMetrics, tier);

    const curves = ctx.curves();
    const plots = await plotCurves(curves, repro.plots);
    await fs.mkdir(runDir, { recursive: true });
    for (const p of plots) await writeFileAtomic(path.join(runDir, p.file), p.svg);

    const result: ResultRecord = {
      schema: RESULT_SCHEMA_ID,
      id: repro.id,
      package: repro.package,
      paper: { ...repro.paper, authors: [...repro.paper.authors] },
      tier,
      budget: tierDef.budget,
      seed,
      verdict: overallVerdict(claims),
      claims,
      metrics,
      config: config as Record<string, unknown>,
      overrides,
      backend,
      device: { backend: device.backend, device: device.device, threads: device.threads, cpus: device.cpus, platform: device.platform, arch: device.arch },
      git,
      versions: await packageVersions(options.appDir, [repro.package]),
      startedAt: started.toISOString(),
      endedAt: ended.toISOString(),
      wallTimeSeconds: seconds,
      resumed,
      curves,
      plots: plots.map((p) => p.file),
    };
    await writeResult(path.join(runDir, 'result.json'), result);
    const published = await publish(runDir, dir, what, (t) => ctx.warn(t));
    await ctx.checkpoint.clear();
    const resultFile = path.join(dir, 'result.json');
    const plotFiles = plots.map((p) => path.join(dir, p.file)).filter((f) => published.includes(f));
    return { result, resultFile, plotFiles, runDir };
  } finally {
    await lock.release();
  }
}
