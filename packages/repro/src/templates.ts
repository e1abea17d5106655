/**
 * Experiment templates: the shapes of run that repeat across papers, so that a paper's
 * `reproduction.ts` says only what is particular to it (docs/style.md §12).
 *
 * - {@link trainClassifier}: train one classifier with one optimizer and a schedule on a batch
 *   source, evaluating on a held test set after every epoch; checkpointed and resumable (`fit`).
 * - {@link trainClassifiers}: several classifiers on the same batches in one `fit` (one checkpoint;
 *   the summed loss updates each exactly as if it trained alone: their parameters are disjoint).
 * - Sweeps (seeds × settings) are {@link sweep} (./sweep.ts).
 */
import { tf } from '@paperzoo/tensor';
import { fit, type EpochSummary, type FitContext, type FitOptimizer, type FitOptions } from './fit.js';
import { crossEntropyWithLogits, evaluateClassifier, type LabelledBatch } from './metrics.js';
import type { Schedule } from './schedules.js';

/** What a classifier must offer: a forward pass to logits and its variables (every paperzoo `Module` qualifies). */
export interface ClassifierModel {
  /** Inputs [batch, …] → logits [batch, classes]. */
  apply(x: tf.Tensor, options?: { training?: boolean }): tf.Tensor;
  readonly variables: Record<string, tf.Variable>;
  /** Non-trainable state (batch-norm statistics), checkpointed. */
  readonly stateVariables?: Record<string, tf.Variable>;
}

export interface TrainClassifierOptions<B extends LabelledBatch> {
  ctx: FitContext;
  model: ClassifierModel;
  optimizer: FitOptimizer;
  epochs: number;
  stepsPerEpoch: number;
  /** A fresh batch source per epoch (draw shuffles from the global generator). */
  batches: (epoch: number) => Iterable<B> | AsyncIterable<B>;
  /** The test set, held for every evaluation (disposed at the end). */
  test: readonly LabelledBatch[];
  learningRate?: Schedule;
  /** Extra loss terms on top of the cross-entropy (an L2 penalty the paper adds to the objective). */
  penalty?: () => tf.Scalar;
  /** Progress label (the model's name). */
  label?: string;
  /** More things to dispose at the end (the model and optimizer are disposed too). */
  owns?: FitOptions<B>['owns'];
  /** Called after each epoch's evaluation. */
  onEpochEnd?: FitOptions<B>['onEpochEnd'];
}

export interface ClassifierRun {
  /** Test error after the last epoch. */
  test_error: number;
  /** Mean test cross-entropy after the last epoch. */
  test_loss: number;
  /** Mean training loss over the last epoch. */
  train_loss: number;
  epochs: number;
  steps: number;
  history: EpochSummary[];
  resumed: boolean;
}

/** The `fit` options both templates pass through unchanged. */
function loopOptions<B extends LabelledBatch>(o: Omit<TrainClassifierOptions<B>, 'model' | 'penalty'>) {
  return { ctx: o.ctx, optimizer: o.optimizer, epochs: o.epochs, stepsPerEpoch: o.stepsPerEpoch, label: o.label, batches: o.batches, learningRate: o.learningRate };
}

/**
 * Train `model` by minimising the mean softmax cross-entropy of its logits (plus `penalty`),
 * evaluating test error and loss after every epoch (curves 'test_error' and 'loss/test'). The model,
 * the optimizer and the test batches are disposed when it returns or throws.
 */
export async function trainClassifier<B extends LabelledBatch>(o: TrainClassifierOptions<B>): Promise<ClassifierRun> {
  const r = await fit({
    ...loopOptions(o),
    variables: o.model.variables,
    extraVariables: o.model.stateVariables,
    loss: (b) => {
      const ce = crossEntropyWithLogits(o.model.apply(b.x, { training: true }), b.y) as tf.Scalar;
      return o.penalty ? tf.add(ce, o.penalty()) : ce;
    },
    evaluate: async () => {
      const e = await evaluateClassifier((x) => o.model.apply(x), o.test, { keepBatches: true });
      return { test_error: e.error, 'loss/test': e.loss };
    },
    onEpochEnd: o.onEpochEnd,
    owns: [...(o.owns ?? []), o.test.flatMap((b) => [b.x, b.y]), o.optimizer as unknown as { dispose(): void }, o.model as unknown as { dispose(): void }],
  });
  return {
    test_error: r.metrics.test_error ?? Number.NaN,
    test_loss: r.metrics['loss/test'] ?? Number.NaN,
    train_loss: r.trainLoss ?? Number.NaN,
    epochs: r.epochs,
    steps: r.steps,
    history: r.history,
    resumed: r.resumedFrom !== null,
  };
}

export interface TrainClassifiersOptions<B extends LabelledBatch> extends Omit<TrainClassifierOptions<B>, 'model' | 'penalty'> {
  /** The classifiers, by name; all see the same batches. */
  models: Readonly<Record<string, ClassifierModel>>;
  /**
   * Training images to evaluate on too (inference mode) after every epoch: curves 'train_error/<name>',
   * 'train_loss/<name>', and `train_error`, `train_loss` in each model's result (disposed at the end).
   */
  trainEval?: readonly LabelledBatch[];
}

/** One classifier of {@link trainClassifiers} after the last epoch. */
export interface ClassifiersRun {
  test_error: number;
  test_loss: number;
  /** Error and mean loss on `trainEval` (NaN without it). */
  train_error: number;
  train_loss: number;
}

/** The variables of several models under one name each (`<name>/<path>`): trainable, and state (batch-norm statistics). */
export function modelVariables(models: Readonly<Record<string, ClassifierModel>>): { variables: Record<string, tf.Variable>; state: Record<string, tf.Variable> } {
  const variables: Record<string, tf.Variable> = {};
  const state: Record<string, tf.Variable> = {};
  for (const [name, m] of Object.entries(models)) {
    for (const [p, v] of Object.entries(m.variables)) variables[`${name}/${p}`] = v;
    for (const [p, v] of Object.entries(m.stateVariables ?? {})) state[`${name}/${p}`] = v;
  }
  return { variables, state };
}

/**
 * Train several classifiers side by side on the same batches in one `fit`: the loss is the sum of
 * their cross-entropies, so with disjoint parameters each is updated exactly as if it trained alone
 * (SGD, momentum and coupled weight decay are per-parameter). Evaluates each after every epoch
 * ('test_error/<name>', 'loss/test_<name>').
 */
export async function trainClassifiers<B extends LabelledBatch, K extends string>(o: TrainClassifiersOptions<B> & { models: Readonly<Record<K, ClassifierModel>> }): Promise<Record<K, ClassifiersRun>> {
  const { variables, state } = modelVariables(o.models);
  const r = await fit({
    ...loopOptions(o),
    variables,
    extraVariables: state,
    loss: (b) => tf.addN(Object.values(o.models).map((m) => crossEntropyWithLogits(m.apply(b.x, { training: true }), b.y))) as tf.Scalar,
    evaluate: async () => {
      const out: Record<string, number> = {};
      for (const [name, m] of Object.entries(o.models)) {
        const e = await evaluateClassifier((x) => m.apply(x), o.test, { keepBatches: true });
        out[`test_error/${name}`] = e.error;
        out[`loss/test_${name}`] = e.loss;
        if (!o.trainEval) continue;
        const t = await evaluateClassifier((x) => m.apply(x), o.trainEval, { keepBatches: true });
        out[`train_error/${name}`] = t.error;
        out[`train_loss/${name}`] = t.loss;
      }
      return out;
    },
    onEpochEnd: o.onEpochEnd,
    owns: [...(o.owns ?? []), [...o.test, ...(o.trainEval ?? [])].flatMap((b) => [b.x, b.y]), o.optimizer as unknown as { dispose(): void }, ...Object.values(o.models).map((m) => m as unknown as { dispose(): void })],
  });
  const get = (key: string) => r.metrics[key] ?? Number.NaN;
  return Object.fromEntries(
    Object.keys(o.models).map((name) => [name, { test_error: get(`test_error/${name}`), test_loss: get(`loss/test_${name}`), train_error: get(`train_error/${name}`), train_loss: get(`train_loss/${name}`) }]),
  ) as Record<K, ClassifiersRun>;
}
