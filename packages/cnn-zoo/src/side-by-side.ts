/**
 * Several classifiers trained side by side in one @paperzoo/repro `fit`, each on its own batches (its own
 * shuffle, batch size or input size): the loss is the sum of their cross-entropies, each optionally
 * scaled, so with disjoint parameters each network gets exactly its own SGD / momentum / weight-decay
 * update, and one checkpoint covers all of them (batch-norm statistics included). On shared batches use
 * repro's `trainClassifiers`.
 */
import { tf } from '@paperzoo/tensor';
import { crossEntropyWithLogits, fit, modelVariables, type ClassifierModel, type FitContext, type FitOptimizer, type FitOptions, type FitResult, type LabelledBatch } from '@paperzoo/repro';

export interface SideBySideOptions<K extends string> {
  ctx: FitContext;
  /** The networks by name; variables are checkpointed as '<name>/<path>'. */
  models: Readonly<Record<K, ClassifierModel>>;
  optimizer: FitOptimizer;
  epochs: number;
  stepsPerEpoch: number;
  label: string;
  /** One epoch's steps: each network's batch (a network without one in a step is not updated by it). */
  batches: (epoch: number) => Iterable<Partial<Record<K, LabelledBatch>>>;
  /** Multiplies a network's loss (its own learning rate under one optimizer of rate 1); default 1. */
  lossScale?: Partial<Record<K, number>>;
  evaluate: FitOptions<Partial<Record<K, LabelledBatch>>>['evaluate'];
}

/** Train `models` side by side (see the file's comment); the models and the optimizer are disposed at the end. */
export async function trainSideBySide<K extends string>(o: SideBySideOptions<K>): Promise<FitResult> {
  const { models, lossScale, ...rest } = o;
  const names = Object.keys(models) as K[];
  const { variables, state } = modelVariables(models);
  return fit({
    ...rest,
    variables,
    extraVariables: state,
    loss: (batch) => {
      const terms = names.flatMap((k) => {
        const b = batch[k];
        if (!b) return [];
        const ce = crossEntropyWithLogits(models[k].apply(b.x, { training: true }), b.y);
        const scale = lossScale?.[k];
        return [scale === undefined ? ce : tf.mul(scale, ce)];
      });
      return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
    },
    owns: [o.optimizer as unknown as { dispose(): void }, ...names.map((k) => models[k] as unknown as { dispose(): void })],
  });
}
