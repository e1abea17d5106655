/**
 * Comparing optimizers as optimizer papers do (Kingma & Ba 2015 §6, d2l's optimization chapter):
 * the same model, the same initial parameters and the same minibatch order for every optimizer of a
 * seed; each optimizer's learning rate picked from a grid by the cost of the first seed ("searched
 * over a dense grid … reported using the best hyper-parameter setting"); the cost compared at a fixed
 * number of steps over independent seeds. One {@link sweep}: every run is a member, so a killed
 * comparison resumes after the last finished run (and inside the running one).
 */
import { seed, tf } from '@paperzoo/tensor';
import { NonFiniteLossError } from './errors.js';
import { fit, type FitContext, type FitOptimizer } from './fit.js';
import { sweep } from './sweep.js';

/** A model under comparison: its variables and its training cost on a batch. */
export interface CostModel<B> {
  variables: Record<string, tf.Variable>;
  /** The training cost of a batch (with dropout and penalties: what the papers' "training cost" measures). */
  loss(batch: B): tf.Scalar;
  /** The cost compared, measured after the last epoch (default: the mean training cost of the last epoch). */
  cost?(): number;
  dispose(): void;
}

/** A training problem: the model of a seed, and its minibatches. */
export interface ComparisonTask<B> {
  /** Name of its curves: the training cost of optimizer o is logged to '<name>/<o>'. */
  name: string;
  epochs: number;
  stepsPerEpoch: number;
  /** One epoch's minibatches, shuffled with the global generator (seeded per run). */
  batches(epoch: number): Iterable<B>;
  /** The model of a run; `seed` is the run's seed (the same for every optimizer). */
  build(seed: number): CostModel<B>;
}

/** An optimizer under comparison: candidate learning rates (one: no tuning) and how to make it. */
export interface OptimizerCandidate {
  learningRates: readonly number[];
  make(learningRate: number): FitOptimizer & { dispose(): void };
}

export interface OptimizerComparison {
  /** The chosen learning rate of each optimizer. */
  learningRate: Record<string, number>;
  /** The cost of every seed at the chosen rate (NaN for a diverged run). */
  costs: Record<string, number[]>;
  /** The first seed's cost at every candidate rate (NaN: diverged). */
  grid: Record<string, { learningRate: number; cost: number }[]>;
}

interface Member {
  optimizer: string;
  /** A candidate rate, or null: the rate the grid chose. */
  learningRate: number | null;
  seedIndex: number;
}

/**
 * Run every optimizer on every seed: first its grid on seed 1 (a diverged run counts as +∞), then the
 * other seeds at the best rate. Curves: seed 1 of every candidate.
 */
export async function compareOptimizers<B>(ctx: FitContext, task: ComparisonTask<B>, candidates: Readonly<Record<string, OptimizerCandidate>>, seeds: readonly number[]): Promise<OptimizerComparison> {
  const members: Member[] = Object.entries(candidates).flatMap(([optimizer, c]) => [
    ...c.learningRates.map((learningRate) => ({ optimizer, learningRate, seedIndex: 0 })),
    ...seeds.slice(1).map((_, s) => ({ optimizer, learningRate: null, seedIndex: s + 1 })),
  ]);
  const tuned = (o: string, finished: readonly { member: Member; result: number | null }[]) =>
    finished.filter((e) => e.member.optimizer === o && e.member.seedIndex === 0).reduce((a, b) => ((b.result ?? Infinity) < (a.result ?? Infinity) ? b : a)).member.learningRate!;
  const entries = await sweep<Member, number | null>({
    ctx,
    members,
    key: (m) => `${task.name}/${m.optimizer}/${m.learningRate === null ? 'tuned' : `lr=${m.learningRate}`}/seed=${m.seedIndex + 1}`,
    logCurves: (m) => m.seedIndex === 0,
    async run(m, memberCtx, _i, finished) {
      const lr = m.learningRate ?? tuned(m.optimizer, finished);
      const many = candidates[m.optimizer].learningRates.length > 1;
      seed(seeds[m.seedIndex]); // the same minibatch order (and dropout masks) for every optimizer of this seed
      const model = task.build(seeds[m.seedIndex]);
      const optimizer = candidates[m.optimizer].make(lr);
      try {
        const r = await fit({
          ctx: memberCtx,
          variables: model.variables,
          optimizer,
          epochs: task.epochs,
          stepsPerEpoch: task.stepsPerEpoch,
          label: `${task.name} ${m.optimizer} α=${lr} (seed ${m.seedIndex + 1}/${seeds.length})`,
          lossCurve: `${task.name}/${m.optimizer}${many ? ` α=${lr}` : ''}`,
          batches: (epoch) => task.batches(epoch),
          loss: (b) => model.loss(b),
          evaluate: model.cost ? () => ({ [`${task.name}_cost/${m.optimizer}`]: model.cost!() }) : undefined,
          owns: [model, optimizer],
        });
        const cost = model.cost ? r.metrics[`${task.name}_cost/${m.optimizer}`] : r.trainLoss;
        return cost !== undefined && cost !== null && Number.isFinite(cost) ? cost : null;
      } catch (e) {
        if (e instanceof NonFiniteLossError) return null;
        throw e;
      }
    },
  });
  const out: OptimizerComparison = { learningRate: {}, costs: {}, grid: {} };
  for (const o of Object.keys(candidates)) {
    const mine = entries.filter((e) => e.member.optimizer === o);
    const lr = tuned(o, mine);
    out.learningRate[o] = lr;
    out.grid[o] = mine.filter((e) => e.member.seedIndex === 0).map((e) => ({ learningRate: e.member.learningRate!, cost: e.result ?? Number.NaN }));
    out.costs[o] = [mine.find((e) => e.member.learningRate === lr)!.result, ...mine.filter((e) => e.member.learningRate === null).map((e) => e.result)].map((c) => c ?? Number.NaN);
  }
  return out;
}
