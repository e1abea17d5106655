/**
 * Sweeps: a run made of many short `fit` calls — a grid of learning rates, several optimizers, the
 * same setup over several seeds — whose numbers are summarised over the replicate runs.
 *
 * Such a run is rerun, not resumed: each `fit` gets {@link sweepContext}, which shares the run's
 * progress, messages and interrupt signal but none of its checkpoints (a `fit` with the run's own
 * store would load, save and clear the one checkpoint of the whole run). Curves are optional, so that
 * only a representative member of the sweep (say, the first seed) draws them.
 */
import type { CheckpointStore } from './checkpoint.js';
import type { FitContext } from './fit.js';

export interface SweepContextOptions {
  /** Pass `ctx.log` through (curves of this `fit`); otherwise its curve points are dropped (default false). */
  logCurves?: boolean;
}

/**
 * The context for one `fit` among many in a run: the run's progress, `info` and `signal`, curves only
 * when `logCurves`, and a checkpoint store that never resumes, saves or loads anything.
 */
export function sweepContext(ctx: FitContext, options: SweepContextOptions = {}): FitContext {
  const none: CheckpointStore = {
    resume: false,
    file: ctx.checkpoint.file,
    lastSavedEpoch: null,
    exists: () => Promise.resolve(false),
    save: () => Promise.resolve(),
    load: () => Promise.resolve(null),
    clear: () => Promise.resolve(),
  };
  return { progress: ctx.progress, signal: ctx.signal, info: (t) => ctx.info(t), log: options.logCurves ? (v, at) => ctx.log(v, at) : () => {}, checkpoint: none };
}

/** The mean of replicate results, (1/n) Σ xᵢ (NaN for none). */
export function sampleMean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The sample standard deviation of replicate results, √(Σ (xᵢ − x̄)² / (n − 1)); 0 for fewer than two. */
export function sampleStandardDeviation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = sampleMean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}
