/**
 * `runReproduction` — run one tier of a reproduction and write its record:
 *
 * 1. apply `--set` overrides to the tier's preset (type-checked);
 * 2. `initBackend({ backend })` and `seed(seed)`, then `deviceInfo()`;
 * 3. call `run(config, ctx)` with a fresh run context;
 * 4. evaluate the tier's claims against the returned metrics;
 * 5. write `results/<tier>/result.json` (schema-validated, atomic) and one SVG per curve group;
 * 6. delete the checkpoint of the now finished run.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { deviceInfo, initBackend, seed as seedRng } from '@paperzoo/tensor';
import { evaluateClaims, overallVerdict, TIER_NAMES, type ClaimResult, type TierName } from './claims.js';
import { applyOverrides } from './config.js';
import { createRunContext, type RunObserver } from './context.js';
import type { Reproduction } from './define.js';
import { writeFileAtomic } from './fsutil.js';
import { plotCurves } from './plots.js';
import { gitInfo, packageVersions } from './provenance.js';
import { RESULT_SCHEMA_ID, writeResult, type ResultRecord } from './result.js';
import type { MetricValue } from './format.js';

/** What a smoke tier may take on 2 CPU cores (docs/architecture.md, "The reproduction contract"); longer runs get a warning. */
export const SMOKE_BUDGET_SECONDS = 90;

export interface RunOptions {
  /** The app folder (where reproduction.ts and package.json are). */
  appDir: string;
  /** Default 'smoke'. */
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
  resultFile: string;
  plotFiles: string[];
}

/** The results folder of one tier: `<appDir>/results/<tier>`. */
export function tierResultsDir(appDir: string, tier: TierName, resultsDir?: string): string {
  return path.join(resultsDir ?? path.join(appDir, 'results'), tier);
}

/** Resolve the options of a run without running it (the CLI uses this to validate arguments first). */
export function resolveRunConfig<C extends object>(repro: Reproduction<C>, options: Pick<RunOptions, 'tier' | 'seed' | 'set'>) {
  const tier = options.tier ?? 'smoke';
  if (!TIER_NAMES.includes(tier)) throw new RangeError(`unknown tier '${String(tier)}' (choose ${TIER_NAMES.join(' or ')})`);
  const seed = options.seed ?? repro.defaultSeed ?? 0;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const { config, overrides } = applyOverrides(repro.tiers[tier].config, options.set ?? [], { schema: repro.configSchema, id: repro.id });
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
  const tierDef = repro.tiers[tier];
  const emit: RunObserver = options.onEvent ?? (() => {});
  const dir = tierResultsDir(options.appDir, tier, options.resultsDir);

  const backendChoice = options.backend ?? process.env.PAPERZOO_BACKEND ?? tierDef.backend ?? 'auto';
  const backend = await initBackend({ backend: backendChoice });
  seedRng(seed);
  const device = deviceInfo();
  if (options.dataMirror) process.env.PAPERZOO_DATA_MIRROR = options.dataMirror;

  let resumed: ResultRecord['resumed'] = null;
  const ctx = createRunContext<C>({
    id: repro.id,
    tier,
    seed,
    config,
    resultsDir: dir,
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
  if (options.resume && !(await ctx.checkpoint.exists())) ctx.info('no checkpoint to resume from; starting from scratch');
  if (!options.resume && (await ctx.checkpoint.exists())) ctx.info('a checkpoint from an earlier, unfinished run exists; starting over (use --resume to continue it)');

  const started = new Date();
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
  await fs.mkdir(dir, { recursive: true });
  for (const f of await fs.readdir(dir)) if (f.endsWith('.svg')) await fs.rm(path.join(dir, f), { force: true });
  const plotFiles: string[] = [];
  for (const p of plots) {
    const file = path.join(dir, p.file);
    await writeFileAtomic(file, p.svg);
    plotFiles.push(file);
  }

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
    git: await gitInfo(options.appDir),
    versions: await packageVersions(options.appDir, [repro.package]),
    startedAt: started.toISOString(),
    endedAt: ended.toISOString(),
    wallTimeSeconds: seconds,
    resumed,
    curves,
    plots: plots.map((p) => p.file),
  };
  const resultFile = path.join(dir, 'result.json');
  await writeResult(resultFile, result);
  await ctx.checkpoint.clear();
  return { result, resultFile, plotFiles };
}
