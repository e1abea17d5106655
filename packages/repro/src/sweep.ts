/**
 * Sweeps: a run made of many members — a grid of learning rates, several optimizers, the same setup
 * over several seeds — whose numbers are summarised over the members.
 *
 * {@link sweep} runs the members in order and records each finished member's result in the run's
 * checkpoint (with the global generator's state at that point), so an interrupted sweep resumes after
 * the last finished member — and inside the member it was running, when that member trains with
 * `fit` on the context it is given: the member's own checkpoints travel inside the sweep's.
 */
import { setRngState, tf } from '@paperzoo/tensor';
import type { CheckpointStore, JsonValue, LoadedCheckpoint } from './checkpoint.js';
import { CheckpointMismatchError } from './errors.js';
import type { FitContext } from './fit.js';

/** One finished member. */
export interface SweepEntry<M, R> {
  key: string;
  member: M;
  result: R;
}

export interface SweepOptions<M, R extends JsonValue> {
  ctx: FitContext;
  members: readonly M[];
  /** A stable, unique name of each member ('lr=0.01/seed=2'): how a resumed sweep recognises finished ones. */
  key: (member: M, index: number) => string;
  /**
   * Run one member and return its result (JSON: numbers, strings, arrays, objects). `ctx` is the
   * member's context: train with `fit({ ctx, … })` and the member resumes mid-way too. `finished`:
   * the members before this one with their results (restored ones too), for a member that depends
   * on earlier ones (a learning rate picked from a grid run first).
   */
  run: (member: M, ctx: FitContext, index: number, finished: readonly SweepEntry<M, R>[]) => Promise<R> | R;
  /** Whether this member's curves are kept (default: only the first member's). */
  logCurves?: (member: M, index: number) => boolean;
}

interface SweepState {
  done: { key: string; result: JsonValue }[];
  /** Steps of the finished members (each member's own steps, at least 1): the sweep's step count is this plus the running member's. */
  steps?: number;
  current: { key: string; state: JsonValue } | null;
}

function sweepStateOf(loaded: LoadedCheckpoint): SweepState {
  const s = (loaded.state as { sweep?: SweepState } | null)?.sweep;
  if (!s || !Array.isArray(s.done)) throw new CheckpointMismatchError(loaded.file, 'it was not written by sweep()');
  return s;
}

/**
 * Run every member of a sweep, resuming after the last finished one. Returns the members' results in
 * order. Members' curves are kept for the members `logCurves` selects.
 */
export async function sweep<M, R extends JsonValue>(options: SweepOptions<M, R>): Promise<SweepEntry<M, R>[]> {
  const { ctx } = options;
  const parent = ctx.checkpoint;
  const keys = options.members.map((m, i) => options.key(m, i));
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new RangeError(`sweep: two members have the key '${dup}'; keys must be unique`);

  const loaded = await parent.load();
  let pending: LoadedCheckpoint | null = null;
  /** Checkpoints count the sweep's steps: every finished member's steps plus the running member's. */
  let stepsDone = 0;
  const done = new Map<string, JsonValue>();
  if (loaded) {
    const s = sweepStateOf(loaded);
    for (const d of s.done) {
      if (!keys.includes(d.key)) {
        tf.dispose(Object.values(loaded.tensors));
        throw new CheckpointMismatchError(loaded.file, `it records member '${d.key}', which this sweep does not have`);
      }
      done.set(d.key, d.result);
    }
    stepsDone = s.steps ?? 0;
    if (s.current) pending = { ...loaded, step: loaded.step - stepsDone, state: s.current.state };
    else pending = null;
    if (!s.current) for (const t of Object.values(loaded.tensors)) t.dispose();
    ctx.info(`sweep: resuming after ${done.size} of ${keys.length} finished members`);
  }
  const pendingKey = loaded ? sweepStateOf(loaded).current?.key ?? null : null;

  const record = (): SweepState['done'] => keys.filter((k) => done.has(k)).map((k) => ({ key: k, result: done.get(k)! }));
  const out: SweepEntry<M, R>[] = [];
  try {
    for (let i = 0; i < options.members.length; i++) {
      const member = options.members[i];
      const key = keys[i];
      if (done.has(key)) {
        out.push({ key, member, result: done.get(key) as R });
        continue;
      }
      let lastSavedEpoch: number | null = null;
      let memberSteps = 0;
      const store: CheckpointStore = {
        resume: parent.resume,
        file: parent.file,
        get lastSavedEpoch() {
          return lastSavedEpoch;
        },
        exists: () => Promise.resolve(pending !== null && pendingKey === key),
        async save(snapshot) {
          await parent.save({ ...snapshot, step: stepsDone + snapshot.step, state: { sweep: { done: record(), steps: stepsDone, current: { key, state: snapshot.state ?? null } } } });
          lastSavedEpoch = snapshot.epoch;
          memberSteps = snapshot.step;
        },
        async load() {
          if (!pending || pendingKey !== key) return null;
          const p = pending;
          pending = null;
          setRngState(p.rng);
          lastSavedEpoch = p.epoch;
          memberSteps = p.step;
          return p;
        },
        clear: () => Promise.resolve(),
      };
      const keep = options.logCurves ? options.logCurves(member, i) : i === 0;
      const memberCtx: FitContext = { progress: ctx.progress, signal: ctx.signal, info: (t) => ctx.info(t), log: keep ? (v, at) => ctx.log(v, at) : () => {}, checkpoint: store };
      const result = await options.run(member, memberCtx, i, out);
      done.set(key, result);
      out.push({ key, member, result });
      // The finished member and the generator's state now: a resumed sweep continues from here.
      stepsDone += Math.max(1, memberSteps);
      await parent.save({ epoch: 0, step: stepsDone, tensors: {}, state: { sweep: { done: record(), steps: stepsDone, current: null } } });
    }
  } finally {
    if (pending) for (const t of Object.values((pending).tensors)) t.dispose();
  }
  return out;
}

/**
 * The context for one `fit` among many in a run whose progress is not checkpointed: the run's
 * progress, `info` and `signal`, curves only when `logCurves`, and a store that never saves or loads.
 * Prefer {@link sweep}, which records finished members and resumes.
 */
export function sweepContext(ctx: FitContext, options: { logCurves?: boolean } = {}): FitContext {
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
