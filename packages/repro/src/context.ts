/**
 * The run context: what `run(config, ctx)` gets besides its config. Library code never prints
 * (docs/style.md §11) — progress, messages, checkpoints and resumes become {@link RunEvent}s that the
 * caller (the CLI) shows however suits its terminal.
 */
import os from 'node:os';
import path from 'node:path';
import { deviceInfo, tf, type DeviceInfo } from '@paperzoo/tensor';
import type { TierName } from './claims.js';
import { createCheckpointStore, type CheckpointStore } from './checkpoint.js';
import { CurveLog, type Curves, type LogPosition } from './curves.js';

/** Everything a run reports while it works. */
export type RunEvent =
  | { type: 'run-start'; id: string; tier: TierName; seed: number; backend: string; device: string; config: unknown; resume: boolean; budget?: string }
  | { type: 'progress-start'; task: string; total: number; unit: string; done: number }
  | { type: 'progress'; task: string; done: number; total: number; info: Record<string, string | number> }
  | { type: 'progress-end'; task: string }
  | { type: 'message'; level: 'info' | 'warn'; text: string }
  /** `epoch` = epochs completed; `partial` = saved inside epoch `epoch + 1` (on interrupt). */
  | { type: 'checkpoint'; epoch: number; step: number; file: string; partial: boolean }
  | { type: 'resume'; epoch: number; step: number; file: string; savedAt: string };

/** Receives run events (the CLI's renderer; tests collect them in an array). */
export type RunObserver = (event: RunEvent) => void;

/** A unit of work with a known size, shown as a progress bar or periodic lines. */
export interface ProgressTask {
  /** Set the amount done (absolute), with optional key figures ({ epoch: '3/20', loss: 0.12 }). */
  update(done: number, info?: Record<string, string | number>): void;
  /** Advance by `n` (default 1). */
  tick(n?: number, info?: Record<string, string | number>): void;
  /** Finish the task. */
  end(): void;
}

/** Progress reporting. */
export interface ProgressReporter {
  /** Start a task of `total` units (`unit` e.g. 'steps', 'batches'), `done` of them already done (resume). */
  start(task: string, total: number, options?: { unit?: string; done?: number }): ProgressTask;
}

/** Where the datasets come from. The datasets package reads the same settings from the environment. */
export interface DataAccess {
  /** A local folder tried before downloading (PAPERZOO_DATA_MIRROR), if any. */
  mirror: string | undefined;
  /** The download cache (PAPERZOO_CACHE, default ~/.cache/paperzoo). */
  cacheDir: string;
}

/** The context of one run. `C` is the app's config interface. */
export interface RunContext<C = unknown> {
  readonly id: string;
  readonly tier: TierName;
  /** The seed the harness gave `seed()` before calling run. */
  readonly seed: number;
  readonly config: Readonly<C>;
  /** The active tfjs backend ('wasm', 'cpu', 'webgpu', 'tensorflow'). */
  readonly backend: string;
  readonly device: DeviceInfo;
  readonly data: DataAccess;
  /** Aborted on SIGINT: stop at the next step boundary, save a checkpoint, throw RunAbortedError (`fit` does all this). */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  /** Per-run checkpoint store (`fit` uses it every epoch). */
  readonly checkpoint: CheckpointStore;
  /**
   * Where this run writes its output files (result.json, the plots, any image an app makes): the run's
   * own folder (`results/<tier>/runs/<seed>-<backend>-<hash>/` under the harness), published to
   * `results/<tier>/` when the run completes, so that runs side by side never write the same file.
   */
  readonly resultsDir: string;
  /**
   * Log metrics as curves at `at.step` (and `at.epoch`): `ctx.log({ 'loss/train': 0.31 }, { step: 1200, epoch: 2.5 })`.
   * Names 'group/series' share a plot (loss.svg); NaN is recorded as null.
   */
  log(values: Record<string, number>, at: LogPosition): void;
  /** A message for the user (shown between progress updates). */
  info(text: string): void;
  warn(text: string): void;
  /** The curves logged so far (a copy). */
  curves(): Curves;
}

export interface CreateRunContextOptions<C> {
  id: string;
  tier: TierName;
  seed: number;
  config: C;
  /** Where the run's output files go (the harness gives the run's own folder). */
  resultsDir: string;
  /** The checkpoint folder; default `<resultsDir>/checkpoint`. */
  checkpointDir?: string;
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: RunObserver;
  /** Default: the active tfjs backend and `deviceInfo()`. */
  device?: DeviceInfo;
  dataMirror?: string;
}

/** The default download cache folder. */
export function defaultCacheDir(): string {
  return process.env.PAPERZOO_CACHE || path.join(os.homedir(), '.cache', 'paperzoo');
}

/** Build a run context (the harness does this; tests and notebooks may too). */
export function createRunContext<C>(options: CreateRunContextOptions<C>): RunContext<C> {
  const emit: RunObserver = options.onEvent ?? (() => {});
  const curves = new CurveLog();
  const device = options.device ?? deviceInfo();
  const backend = device.backend ?? tf.getBackend();
  const checkpoint = createCheckpointStore({
    dir: options.checkpointDir ?? path.join(options.resultsDir, 'checkpoint'),
    identity: { id: options.id, tier: options.tier, seed: options.seed, config: options.config, backend },
    curves,
    resume: options.resume ?? false,
    onSave: ({ epoch, step, file, partial }) => emit({ type: 'checkpoint', epoch, step, file, partial }),
    onLoad: ({ epoch, step, file, savedAt }) => emit({ type: 'resume', epoch, step, file, savedAt }),
    onWarn: (text) => emit({ type: 'message', level: 'warn', text }),
  });
  const progress: ProgressReporter = {
    start(task, total, opts = {}) {
      let done = opts.done ?? 0;
      let ended = false;
      emit({ type: 'progress-start', task, total, unit: opts.unit ?? 'steps', done });
      return {
        update(n, info = {}) {
          done = n;
          if (!ended) emit({ type: 'progress', task, done, total, info });
        },
        tick(n = 1, info = {}) {
          done += n;
          if (!ended) emit({ type: 'progress', task, done, total, info });
        },
        end() {
          if (ended) return;
          ended = true;
          emit({ type: 'progress-end', task });
        },
      };
    },
  };
  return {
    id: options.id,
    tier: options.tier,
    seed: options.seed,
    config: options.config,
    backend,
    device,
    data: { mirror: options.dataMirror ?? (process.env.PAPERZOO_DATA_MIRROR || undefined), cacheDir: defaultCacheDir() },
    signal: options.signal ?? new AbortController().signal,
    progress,
    checkpoint,
    resultsDir: options.resultsDir,
    log: (values, at) => curves.log(values, at),
    info: (text) => emit({ type: 'message', level: 'info', text }),
    warn: (text) => emit({ type: 'message', level: 'warn', text }),
    curves: () => curves.snapshot(),
  };
}
