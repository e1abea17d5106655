/**
 * `fit` — the one training loop of paperzoo. The step is data: either a plain `loss` that one
 * optimizer minimises, or a custom `step` (several models and optimizers, an attack inside the step,
 * alternating GAN updates, a meta-learning inner loop) that returns the quantities it measured. Around
 * it: a learning-rate schedule, progress, a NaN/Inf stop naming the step and the quantity, evaluation
 * hooks, a checkpoint after every epoch and every N steps or seconds, an exact resume, and `finally`
 * disposal of what the run owns.
 *
 * Exactness. A resumed run ends with bit-identical weights and metrics to an uninterrupted run with
 * the same seed on the same backend, because the checkpoint holds every input of the remaining
 * computation: the variables, the optimizer's slot variables (`getWeights()`) and its other internal
 * variables (Adam's β-powers), the global RNG state (which drives shuffles, dropout and
 * augmentation through @paperzoo/tensor), the counters and the curves. This needs two things of the
 * app: the batch source draws its randomness from the global generator (`shuffledIndicesFromGlobalRng`,
 * `nextSeed`, …) and builds the same model in the same order on every run.
 *
 * Interrupts. When `ctx.signal` aborts (SIGINT), the loop stops at the next step boundary, writes a
 * mid-epoch checkpoint and throws {@link RunAbortedError}. Resuming replays the interrupted epoch's
 * batch source up to that step (restoring the RNG state recorded before each batch, so per-batch
 * augmentation replays exactly) without training on it, then continues.
 */
import { getRngState, setRngState, tf, type RngState } from '@paperzoo/tensor';
import type { RunContext } from './context.js';
import type { JsonValue } from './checkpoint.js';
import { CheckpointMismatchError, NonFiniteLossError, RunAbortedError } from './errors.js';
import type { Schedule } from './schedules.js';

/** A named tensor as tfjs optimizers exchange them. */
export interface NamedTensorLike {
  name: string;
  tensor: tf.Tensor;
}

/** What `fit` needs of an optimizer; every `tf.train.*` optimizer qualifies. */
export interface FitOptimizer {
  minimize(f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar | null;
  /** The optimizer's state (iterations + slot variables), in a stable order. */
  getWeights(): Promise<NamedTensorLike[]>;
  setWeights(weights: NamedTensorLike[]): Promise<void>;
}

/** Variables by position (`model.weights`) or by name. */
export type VariableSet = readonly tf.Variable[] | Readonly<Record<string, tf.Variable>>;

/** The part of the run context `fit` uses. */
export type FitContext = Pick<RunContext, 'progress' | 'log' | 'checkpoint' | 'signal' | 'info'>;

/** Where a training step is. */
export interface StepInfo {
  /** 0-based index of the current epoch. */
  epoch: number;
  /** 0-based global optimizer step. */
  step: number;
  /** 0-based step within the epoch. */
  stepInEpoch: number;
}

/** What the evaluation hook gets after each epoch. */
export interface EpochInfo {
  /** Epochs completed (1 after the first epoch). */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  signal: AbortSignal;
}

/** One finished epoch. */
export interface EpochSummary {
  /** Epochs completed (1-based number of this epoch). */
  epoch: number;
  /** Optimizer steps completed at its end. */
  step: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  /** What `evaluate` returned. */
  metrics: Record<string, number>;
}

/** What a custom step returns: the quantities it measured, by name (scalars or numbers). The loop reads and disposes them. */
export type StepResult = Record<string, number | tf.Scalar>;

/** Extra JSON state a run keeps in its checkpoints (its own generators, a data cursor, counters). */
export interface ExtraState {
  get(): JsonValue;
  set(value: JsonValue): void;
}

/** When checkpoints are written besides the end of every epoch. */
export interface CheckpointPolicy {
  /** Every this many optimizer steps. */
  steps?: number;
  /** When this many seconds have passed since the last checkpoint (checked after each step). */
  seconds?: number;
}

/**
 * The default policy: every 10 minutes, so that a long epoch loses little on a crash.
 * `PAPERZOO_CHECKPOINT_EVERY` overrides it for every run: '200' (steps) or '90s' (seconds).
 */
export function checkpointPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): CheckpointPolicy {
  const text = env.PAPERZOO_CHECKPOINT_EVERY?.trim();
  if (!text) return { seconds: 600 };
  const m = /^(\d+(?:\.\d+)?)(s?)$/.exec(text);
  if (!m || Number(m[1]) <= 0) throw new RangeError(`PAPERZOO_CHECKPOINT_EVERY='${text}': write a step count (200) or seconds (90s)`);
  return m[2] ? { seconds: Number(m[1]) } : { steps: Math.max(1, Math.round(Number(m[1]))) };
}

export interface FitOptions<B> {
  ctx: FitContext;
  /**
   * The trainable variables the optimizer updates (checkpointed). With a custom `step`: every variable
   * the step trains (may be empty when the step's model is not made of tf.Variables, e.g. the float64
   * engine of core-autograd: then `state` carries its parameters).
   */
  variables: VariableSet;
  /** Non-trainable variables that change in training (batch-norm statistics, carried recurrent state); checkpointed, not optimized. */
  extraVariables?: VariableSet;
  /** The optimizer of a plain `loss`. */
  optimizer?: FitOptimizer;
  /** The optimizers a custom `step` uses, by name (their moments are checkpointed). */
  optimizers?: Readonly<Record<string, FitOptimizer>>;
  /** Learning-rate schedules of the named `optimizers` (as a function of the 0-based global step). */
  learningRates?: Readonly<Record<string, Schedule>>;
  epochs: number;
  /** Batches per epoch (for progress and the fractional epoch of curve points). */
  stepsPerEpoch: number;
  /**
   * A fresh batch source for epoch `epoch` (0-based). Draw shuffles and augmentation from the global
   * generator of @paperzoo/tensor. The loop owns each batch: it disposes every tensor in it after its step.
   */
  batches: (epoch: number) => Iterable<B> | AsyncIterable<B>;
  /** The loss of one batch, a scalar computed from the variables (called inside `optimizer.minimize`). */
  loss?: (batch: B, at: StepInfo) => tf.Scalar;
  /**
   * A custom step instead of `loss`: update the variables with the `optimizers` (any way: several
   * minimize calls, an attack first, alternating updates) and return the measured quantities. The
   * first quantity (or `loss`, if present) is the one shown in progress and kept as `trainLoss`;
   * each is logged as a curve ('d_loss' → 'd_loss/train'; names with '/' as written).
   */
  step?: (batch: B, at: StepInfo) => StepResult | Promise<StepResult>;
  /** Extra JSON state to checkpoint and restore (anything not in a variable or the global generator). */
  state?: ExtraState;
  /** Checkpoints inside epochs (default {@link checkpointPolicyFromEnv}: every 10 min). */
  checkpointEvery?: CheckpointPolicy;
  /** Disposed when `fit` returns or throws (models, optimizers, datasets on the GPU): nothing leaks on a failure. */
  owns?: readonly ({ dispose(): void } | tf.TensorContainer)[];
  /** Learning rate of the plain `optimizer` as a function of the 0-based global step; applied before each step. */
  learningRate?: Schedule;
  /** Evaluation after every epoch; its numbers are logged as curves ('test_error', 'loss/test') and kept in the history. */
  evaluate?: (at: EpochInfo) => Promise<Record<string, number>> | Record<string, number>;
  /** Called after each epoch's checkpoint is written. */
  onEpochEnd?: (summary: EpochSummary) => void | Promise<void>;
  /** The curve the training loss is logged to (default 'loss/train'). */
  lossCurve?: string;
  /** Log the mean training loss every this many steps (default: about 20 points per epoch). */
  logEvery?: number;
  /** The progress task's name (default 'train'). */
  label?: string;
  /** Write a checkpoint after every epoch (default true). */
  checkpoint?: boolean;
}

export interface FitResult {
  /** Epochs completed. */
  epochs: number;
  /** Optimizer steps completed. */
  steps: number;
  /** Mean training loss of the last epoch (null when no epoch ran). */
  trainLoss: number | null;
  /** The last evaluation's numbers ({} without `evaluate`). */
  metrics: Record<string, number>;
  /** Mean of every quantity of the last epoch (custom steps; `{ loss }` for a plain loss). */
  trainMetrics: Record<string, number>;
  history: EpochSummary[];
  /** Where the run resumed from, if it did. */
  resumedFrom: { epoch: number; step: number } | null;
}

interface MidEpochState {
  rngAtEpochStart: RngState;
  rngBeforeBatch: RngState[];
  windowSums: Record<string, number>;
  windowCount: number;
  epochSums: Record<string, number>;
  epochCount: number;
}

interface FitState {
  /** The epoch to continue with (0-based) — completed epochs. */
  epoch: number;
  stepInEpoch: number;
  history: EpochSummary[];
  /**
   * Names of the optimizer's weights. A slot's name starts with its variable's tfjs name, which
   * depends on how many variables the process created before; it is stored relative to the
   * variable's key here (`variable` + `suffix`) and rebuilt with the variable's current name on load,
   * so optimizers that match slots by name resume in any process.
   */
  optimizerWeights: Record<string, { name: string; variable: string | null; suffix: string }[]>;
  midEpoch: MidEpochState | null;
  extra: JsonValue;
}

function entriesOf(set: VariableSet | undefined, prefix: string): [string, tf.Variable][] {
  if (!set) return [];
  if (Array.isArray(set)) return (set as readonly tf.Variable[]).map((v, i) => [`${prefix}${i}`, v]);
  return Object.entries(set as Record<string, tf.Variable>).map(([k, v]) => [`${prefix}${k}`, v]);
}

/** Tensor-valued own properties of the optimizer that `getWeights()` leaves out (Adam's accBeta1/2). */
function hiddenOptimizerVariables(optimizer: FitOptimizer, listed: Set<tf.Tensor>): [string, tf.Variable][] {
  const out: [string, tf.Variable][] = [];
  for (const [key, value] of Object.entries(optimizer as object)) {
    if (value instanceof tf.Variable && !listed.has(value) && !value.isDisposed) out.push([`optimizer-hidden/${key}`, value]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : 1));
}

/** Express an optimizer weight's name relative to the variable it belongs to (the longest name prefix). */
function relativeWeightName(name: string, variables: [string, tf.Variable][]): { name: string; variable: string | null; suffix: string } {
  let best: [string, tf.Variable] | null = null;
  for (const entry of variables) {
    const vName = entry[1].name;
    if ((name === vName || name.startsWith(vName + '/')) && (!best || vName.length > best[1].name.length)) best = entry;
  }
  return best ? { name, variable: best[0], suffix: name.slice(best[1].name.length) } : { name, variable: null, suffix: '' };
}

/** Set the learning rate of a tfjs optimizer (SGD and momentum cache it as a tensor). */
export function setOptimizerLearningRate(optimizer: object, lr: number): void {
  const o = optimizer as { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}

function toAsyncIterator<B>(source: Iterable<B> | AsyncIterable<B>): AsyncIterator<B> | Iterator<B> {
  if (source && typeof (source as AsyncIterable<B>)[Symbol.asyncIterator] === 'function') return (source as AsyncIterable<B>)[Symbol.asyncIterator]();
  if (source && typeof (source as Iterable<B>)[Symbol.iterator] === 'function') return (source as Iterable<B>)[Symbol.iterator]();
  throw new TypeError('fit: batches(epoch) must return an iterable or async iterable of batches');
}

function disposeBatch(batch: unknown): void {
  tf.dispose(batch as tf.TensorContainer);
}

function disposeOwned(owned: FitOptions<unknown>['owns']): void {
  for (const o of owned ?? []) {
    if (o && typeof (o as { dispose?: unknown }).dispose === 'function' && !(o instanceof tf.Tensor)) (o as { dispose(): void }).dispose();
    else tf.dispose(o as tf.TensorContainer);
  }
}

/** The curve a custom step's quantity is logged to: 'loss/critic' as written, 'd_loss' → 'd_loss/train'. */
function curveOf(name: string): string {
  return name.includes('/') ? name : `${name}/train`;
}

/**
 * Train for `epochs` epochs. See the module comment for checkpoint, resume and interrupt behaviour.
 * Throws {@link NonFiniteLossError} when a step's quantity becomes NaN or infinite and
 * {@link RunAbortedError} when interrupted. Everything in `owns` is disposed however it ends.
 */
export async function fit<B>(options: FitOptions<B>): Promise<FitResult> {
  try {
    return await fitLoop(options);
  } finally {
    disposeOwned(options.owns);
  }
}

async function fitLoop<B>(options: FitOptions<B>): Promise<FitResult> {
  const { ctx } = options;
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new RangeError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
  if (!Number.isInteger(options.stepsPerEpoch) || options.stepsPerEpoch < 1) throw new RangeError(`fit: stepsPerEpoch must be a positive integer, got ${options.stepsPerEpoch}`);
  if (!options.loss === !options.step) throw new TypeError('fit: give either loss (with optimizer) or step (with optimizers), not both or neither');
  if (options.loss && !options.optimizer) throw new TypeError('fit: a plain loss needs an optimizer');
  const optimizers: [string, FitOptimizer][] = options.loss ? [['', options.optimizer!]] : Object.entries(options.optimizers ?? {});
  for (const name of Object.keys(options.learningRates ?? {})) {
    if (!options.optimizers?.[name]) throw new RangeError(`fit: learningRates names optimizer '${name}', which is not in optimizers (${Object.keys(options.optimizers ?? {}).join(', ')})`);
  }
  const trainable = entriesOf(options.variables, 'var/');
  const extra = entriesOf(options.extraVariables, 'extra/');
  if (trainable.length === 0 && options.loss) throw new RangeError('fit: no variables to train');
  const varList = trainable.map(([, v]) => v);
  const lossCurve = options.lossCurve ?? 'loss/train';
  const logEvery = options.logEvery ?? Math.max(1, Math.round(options.stepsPerEpoch / 20));
  const doCheckpoint = options.checkpoint ?? true;
  const policy = options.checkpointEvery ?? checkpointPolicyFromEnv();
  const optPrefix = (name: string) => (name === '' ? 'optimizer' : `optimizer/${name}`);

  let epoch = 0;
  let step = 0;
  let history: EpochSummary[] = [];
  let resumedFrom: FitResult['resumedFrom'] = null;
  let resumeMid: { mid: MidEpochState; stepInEpoch: number; rngNow: RngState } | null = null;

  // ---- resume ----------------------------------------------------------------------------------
  const loaded = await ctx.checkpoint.load();
  if (loaded) {
    const file = loaded.file;
    try {
      const state = (loaded.state as { fit?: FitState } | null)?.fit ?? null;
      if (!state) throw new CheckpointMismatchError(file, 'it was not written by fit()');
      for (const [name, v] of [...trainable, ...extra]) {
        const t = loaded.tensors[name];
        if (!t) throw new CheckpointMismatchError(file, `it has no tensor '${name}' (the model has changed)`);
        if (t.shape.join(',') !== v.shape.join(',')) throw new CheckpointMismatchError(file, `'${name}' has shape [${t.shape.join(', ')}] there and [${v.shape.join(', ')}] in the model`);
        v.assign(t);
      }
      const byKey = new Map([...trainable, ...extra]);
      for (const [optName, optimizer] of optimizers) {
        const saved = state.optimizerWeights[optName];
        if (!saved) throw new CheckpointMismatchError(file, `it has no state for optimizer '${optName || 'optimizer'}'`);
        const weights = saved.map((w, i) => {
          const t = loaded.tensors[`${optPrefix(optName)}/${i}`];
          if (!t) throw new CheckpointMismatchError(file, `optimizer weight ${optPrefix(optName)}/${i} is missing`);
          const v = w.variable === null ? undefined : byKey.get(w.variable);
          return { name: v ? v.name + w.suffix : w.name, tensor: t };
        });
        await optimizer.setWeights(weights);
        const current = await optimizer.getWeights();
        for (const [name, v] of hiddenOptimizerVariables(optimizer, new Set(current.map((w) => w.tensor)))) {
          const t = loaded.tensors[`${optPrefix(optName)}-hidden/${name.slice('optimizer-hidden/'.length)}`];
          if (t && t.shape.join(',') === v.shape.join(',')) v.assign(t);
        }
        for (const w of current) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
      }
      if (options.state) options.state.set(state.extra);
      epoch = state.epoch;
      step = loaded.step;
      history = state.history;
      if (state.midEpoch) resumeMid = { mid: state.midEpoch, stepInEpoch: state.stepInEpoch, rngNow: loaded.rng };
      resumedFrom = { epoch, step };
    } finally {
      tf.dispose(Object.values(loaded.tensors));
    }
  }

  let lastSaveTime = Date.now();
  let lastSaveStep = step;
  const saveCheckpoint = async (epochsDone: number, stepInEpoch: number, mid: MidEpochState | null) => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, v] of [...trainable, ...extra]) tensors[name] = v;
    const optimizerWeights: FitState['optimizerWeights'] = {};
    const toDispose: tf.Tensor[] = [];
    try {
      for (const [optName, optimizer] of optimizers) {
        const optWeights = await optimizer.getWeights();
        for (const w of optWeights) if (!(w.tensor instanceof tf.Variable)) toDispose.push(w.tensor);
        optWeights.forEach((w, i) => (tensors[`${optPrefix(optName)}/${i}`] = w.tensor));
        for (const [name, v] of hiddenOptimizerVariables(optimizer, new Set(optWeights.map((w) => w.tensor)))) tensors[`${optPrefix(optName)}-hidden/${name.slice('optimizer-hidden/'.length)}`] = v;
        optimizerWeights[optName] = optWeights.map((w) => relativeWeightName(w.name, [...trainable, ...extra]));
      }
      const state: FitState = { epoch: epochsDone, stepInEpoch, history, optimizerWeights, midEpoch: mid, extra: options.state ? options.state.get() : null };
      await ctx.checkpoint.save({ epoch: epochsDone, step, tensors, state: { fit: state } as unknown as JsonValue, partial: mid !== null });
      lastSaveTime = Date.now();
      lastSaveStep = step;
    } finally {
      tf.dispose(toDispose);
    }
  };

  // ---- train -----------------------------------------------------------------------------------
  const task = ctx.progress.start(options.label ?? 'train', options.epochs * options.stepsPerEpoch, { unit: 'steps', done: step });
  const lastLr = new Map<string, number>();
  const lastEpoch = history.length ? history[history.length - 1] : null;
  let lastTrainLoss: number | null = lastEpoch ? lastEpoch.trainLoss : null;
  let lastTrainMetrics: Record<string, number> = {};
  let primary = 'loss';
  try {
    for (; epoch < options.epochs; epoch++) {
      let mid: MidEpochState;
      let stepInEpoch = 0;
      let iterator: AsyncIterator<B> | Iterator<B>;
      if (resumeMid) {
        // Replay the interrupted epoch's batch source up to where it stopped, without training.
        mid = resumeMid.mid;
        setRngState(mid.rngAtEpochStart);
        iterator = toAsyncIterator(options.batches(epoch));
        for (let j = 0; j < resumeMid.stepInEpoch; j++) {
          setRngState(mid.rngBeforeBatch[j]);
          const r = await iterator.next();
          if (r.done) throw new CheckpointMismatchError(ctx.checkpoint.file, `epoch ${epoch + 1} now has fewer than ${resumeMid.stepInEpoch} batches`);
          disposeBatch(r.value);
        }
        stepInEpoch = resumeMid.stepInEpoch;
        setRngState(resumeMid.rngNow);
        resumeMid = null;
        ctx.info(`resumed in epoch ${epoch + 1} at step ${step}`);
      } else {
        mid = { rngAtEpochStart: getRngState(), rngBeforeBatch: [], windowSums: {}, windowCount: 0, epochSums: {}, epochCount: 0 };
        iterator = toAsyncIterator(options.batches(epoch));
      }
      const logWindow = () => {
        if (mid.windowCount === 0) return;
        const values: Record<string, number> = {};
        for (const [k, sum] of Object.entries(mid.windowSums)) values[options.loss ? lossCurve : curveOf(k)] = sum / mid.windowCount;
        ctx.log(values, { step, epoch: epoch + stepInEpoch / options.stepsPerEpoch });
        mid.windowSums = {};
        mid.windowCount = 0;
      };
      for (;;) {
        if (ctx.signal.aborted) {
          let saved = false;
          if (doCheckpoint) {
            await saveCheckpoint(epoch, stepInEpoch, mid);
            saved = true;
          }
          throw new RunAbortedError(epoch, step, saved);
        }
        mid.rngBeforeBatch.push(getRngState());
        const r = await iterator.next();
        if (r.done) {
          mid.rngBeforeBatch.pop();
          break;
        }
        const batch = r.value;
        if (options.learningRate && options.optimizer) {
          const lr = options.learningRate(step);
          if (lr !== lastLr.get('')) {
            setOptimizerLearningRate(options.optimizer, lr);
            lastLr.set('', lr);
          }
        }
        for (const [name, schedule] of Object.entries(options.learningRates ?? {})) {
          const opt = options.optimizers![name];
          const lr = schedule(step);
          if (lr !== lastLr.get(name)) {
            setOptimizerLearningRate(opt, lr);
            lastLr.set(name, lr);
          }
        }
        const at: StepInfo = { epoch, step, stepInEpoch };
        let measured: StepResult;
        try {
          if (options.loss) {
            const cost = options.optimizer!.minimize(() => options.loss!(batch, at), true, varList);
            if (!cost) throw new Error('fit: optimizer.minimize returned no cost');
            measured = { loss: cost };
          } else {
            measured = await options.step!(batch, at);
          }
        } finally {
          disposeBatch(batch);
        }
        const values: Record<string, number> = {};
        try {
          for (const [k, v] of Object.entries(measured)) values[k] = typeof v === 'number' ? v : (await v.data())[0];
        } finally {
          tf.dispose(Object.values(measured).filter((v): v is tf.Scalar => typeof v !== 'number'));
        }
        const names = Object.keys(values);
        if (names.length === 0) throw new Error('fit: the step returned no quantities (return at least its loss)');
        primary = 'loss' in values ? 'loss' : names[0];
        for (const k of names) {
          if (!Number.isFinite(values[k])) throw new NonFiniteLossError(step, epoch, values[k], ctx.checkpoint.lastSavedEpoch, options.loss ? 'training loss' : `'${k}'`);
        }
        step++;
        stepInEpoch++;
        for (const k of names) {
          mid.windowSums[k] = (mid.windowSums[k] ?? 0) + values[k];
          mid.epochSums[k] = (mid.epochSums[k] ?? 0) + values[k];
        }
        mid.windowCount++;
        mid.epochCount++;
        if (stepInEpoch % logEvery === 0) logWindow();
        task.update(step, { epoch: `${epoch + 1}/${options.epochs}`, [primary]: Number(((mid.epochSums[primary] ?? NaN) / mid.epochCount).toPrecision(4)) });
        const due = (policy.steps !== undefined && step - lastSaveStep >= policy.steps) || (policy.seconds !== undefined && Date.now() - lastSaveTime >= policy.seconds * 1000);
        if (doCheckpoint && due && stepInEpoch < options.stepsPerEpoch) await saveCheckpoint(epoch, stepInEpoch, mid);
      }
      logWindow();
      lastTrainMetrics = Object.fromEntries(Object.entries(mid.epochSums).map(([k, v]) => [k, v / mid.epochCount]));
      const trainLoss = mid.epochCount ? (mid.epochSums[primary] ?? NaN) / mid.epochCount : NaN;
      lastTrainLoss = trainLoss;
      const metrics = options.evaluate ? await options.evaluate({ epoch: epoch + 1, step, signal: ctx.signal }) : {};
      if (Object.keys(metrics).length) ctx.log(metrics, { step, epoch: epoch + 1 });
      const summary: EpochSummary = { epoch: epoch + 1, step, trainLoss, metrics };
      history = [...history, summary];
      if (doCheckpoint) await saveCheckpoint(epoch + 1, 0, null);
      await options.onEpochEnd?.(summary);
      if (ctx.signal.aborted && epoch + 1 < options.epochs) throw new RunAbortedError(epoch + 1, step, doCheckpoint);
    }
  } finally {
    task.end();
  }
  return {
    epochs: epoch,
    steps: step,
    trainLoss: lastTrainLoss,
    trainMetrics: lastTrainMetrics,
    metrics: history.length ? history[history.length - 1].metrics : {},
    history,
    resumedFrom,
  };
}
