/**
 * The training glue the adversarial apps share, on @paperzoo/repro's `fit` (one checkpointed,
 * resumable loop with a NaN stop):
 *
 * - {@link shuffledBatches}: one pass over examples in an order drawn from the global generator (so
 *   `--resume` replays it), as {@link LabelledBatch}es;
 * - {@link fitPhases}: several models trained one after another (a natural model, then an
 *   adversarially trained one; a warm-up, then PGD training) as ONE `fit` whose custom step picks the
 *   phase by the global step — a kill anywhere resumes inside the phase it hit.
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitOptions, type FitResult } from '@paperzoo/repro';
import type { ImageDataset } from '@paperzoo/datasets';
import { meanLoss, type Classifier } from './classifier.js';
import { adversarialTrainingStep, type TrainingAttack } from './adversarial-training.js';
import { labelledBatch, type InputShape, type InputTensor, type LabelledBatch, type LabelledBatchOptions } from './batches.js';

/**
 * The examples `indices[0 … count)` of `ds` (default: the first `count`), shuffled with the global
 * generator when the pass starts, `batchSize` at a time (the last batch may be smaller unless `dropLast`).
 */
export function* shuffledBatches<S extends InputShape>(
  ds: ImageDataset,
  options: LabelledBatchOptions<S> & { batchSize: number; count?: number; indices?: ArrayLike<number>; dropLast?: boolean },
): Generator<LabelledBatch<InputTensor<S>>, void, undefined> {
  const n = options.indices?.length ?? Math.min(options.count ?? ds.count, ds.count);
  const order = shuffledIndicesFromGlobalRng(n);
  for (let s = 0; s < n; s += options.batchSize) {
    const end = Math.min(n, s + options.batchSize);
    if (options.dropLast && end - s < options.batchSize) return;
    const at = order.subarray(s, end);
    yield labelledBatch(ds, options.indices ? Array.from(at, (i) => options.indices![i]) : at, options);
  }
}

/** A model `fitPhases` can train: a forward pass (dropout when `training`) and its trainable variables. */
export interface TrainableClassifier {
  apply(x: tf.Tensor, options?: { training?: boolean }): tf.Tensor;
  readonly variables: Record<string, tf.Variable>;
}

/** One phase: `steps` optimizer steps of `model`, on the clean loss or an adversarial objective. */
export interface TrainingPhase {
  model: TrainableClassifier;
  /** Its optimizer (checkpointed; disposed when `fitPhases` ends). Phases may share one. */
  optimizer: FitOptimizer & tf.Optimizer;
  steps: number;
  /** Train on J̃ = α·J(x) + (1 − α)·J(x̃) with x̃ crafted by this attack under the current weights (none: J(x)). */
  attack?: TrainingAttack;
  /** α of J̃ (default 0.5 for FGSM, 0 for PGD: {@link adversarialTrainingStep}). */
  alpha?: number;
  /** Run the model in training mode (dropout) for the loss and the attack. */
  training?: boolean;
  /** After every optimizer step (a max-norm projection). */
  afterStep?: () => void;
}

export interface FitPhasesOptions<B extends LabelledBatch> {
  ctx: FitContext;
  phases: readonly TrainingPhase[];
  /** Batches of a pass (fit's epoch); the phases' steps run through consecutive passes. */
  stepsPerEpoch: number;
  /** The batches of pass `epoch` (draw shuffles from the global generator); `phase` is the phase the pass starts in. */
  batches: (epoch: number, phase: number) => Iterable<B>;
  evaluate?: FitOptions<B>['evaluate'];
  label?: string;
  /** The curve of the training loss (default 'loss/train'). */
  lossCurve?: string;
}

/**
 * Train the phases in order as one `fit` (epochs of `stepsPerEpoch` batches; the last one stops when
 * the last phase's steps are done). Returns fit's result; the optimizers are disposed, the models are not.
 */
export async function fitPhases<B extends LabelledBatch>(o: FitPhasesOptions<B>): Promise<FitResult> {
  const ends = o.phases.map((_, i) => o.phases.slice(0, i + 1).reduce((n, p) => n + p.steps, 0));
  const total = ends[ends.length - 1] ?? 0;
  // A run shorter than one pass is one epoch of `total` steps (the same batches; progress counts the right total).
  const perEpoch = Math.max(1, Math.min(o.stepsPerEpoch, total));
  const phaseAt = (step: number) => Math.max(0, ends.findIndex((end) => step < end));
  const models = [...new Set(o.phases.map((p) => p.model))];
  const variables = Object.fromEntries(models.flatMap((m, i) => Object.entries(m.variables).map(([k, v]) => [`${i}/${k}`, v])));
  const optimizerList = [...new Set(o.phases.map((p) => p.optimizer))];
  return fit({
    ctx: o.ctx,
    variables,
    optimizers: Object.fromEntries(optimizerList.map((opt, i) => [String(i), opt])),
    epochs: Math.ceil(total / perEpoch),
    stepsPerEpoch: perEpoch,
    label: o.label,
    lossCurve: o.lossCurve,
    *batches(epoch) {
      const left = total - epoch * perEpoch;
      let taken = 0;
      if (left > 0) {
        for (const b of o.batches(epoch, phaseAt(epoch * perEpoch))) {
          yield b;
          if (++taken >= left) return;
        }
      }
    },
    step: (b, at) => {
      const p = o.phases[phaseAt(at.step)];
      const model: Classifier = (x) => p.model.apply(x, { training: p.training });
      const varList = Object.values(p.model.variables);
      let loss: number | tf.Scalar;
      if (p.attack) loss = adversarialTrainingStep({ model, optimizer: p.optimizer, x: b.x, labels: b.y, attack: p.attack, alpha: p.alpha, varList });
      else loss = p.optimizer.minimize(() => meanLoss(model(b.x), b.y), true, varList) as tf.Scalar;
      p.afterStep?.();
      return { loss };
    },
    evaluate: o.evaluate,
    owns: optimizerList,
  });
}
