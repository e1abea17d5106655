/**
 * Comparing optimizers as optimizer papers do (Kingma & Ba 2015 §6, d2l's optimization chapter):
 * the same model, the same initial parameters and the same minibatch order for every optimizer of a
 * seed; each optimizer's learning rate picked from a grid by the cost of the first seed ("searched
 * over a dense grid … reported using the best hyper-parameter setting"); the cost compared at a fixed
 * number of steps over independent seeds. One {@link sweep} for all tasks of a run: every run is a
 * member, so a killed comparison resumes after the last finished run (and inside the running one).
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

/** One task and its optimizers, for {@link compareOptimizers} (see {@link comparison}). */
export interface ComparisonSpec {
  task: ComparisonTask<unknown>;
  candidates: Readonly<Record<string, OptimizerCandidate>>;
}

/** A task with its optimizers (the batch type stays between the task's `batches` and its model's `loss`). */
export function comparison<B>(task: ComparisonTask<B>, candidates: Readonly<Record<string, OptimizerCandidate>>): ComparisonSpec {
  return { task, candidates };
}

interface Member {
  task: string;
  optimizer: string;
  /** A candidate rate, or null: the rate the grid chose. */
  learningRate: number | null;
  seedIndex: number;
}

/**
 * Run every optimizer of every task on every seed, all in one sweep (one checkpoint): first an
 * optimizer's grid on seed 1 (a diverged run counts as +∞), then the other seeds at the best rate.
 * Curves: seed 1 of every candidate. Returns each task's comparison by task name.
 */
export async function compareOptimizers(ctx: FitContext, specs: readonly ComparisonSpec[], seeds: readonly number[]): Promise<Record<string, OptimizerComparison>> {
  const byName = new Map(specs.map((s) => [s.task.name, s]));
  if (byName.size !== specs.length) throw new RangeError('compareOptimizers: two tasks have the same name');
  const members: Member[] = specs.flatMap(({ task, candidates }) =>
    Object.entries(candidates).flatMap(([optimizer, c]) => [
      ...c.learningRates.map((learningRate) => ({ task: task.name, optimizer, learningRate, seedIndex: 0 })),
      ...seeds.slice(1).map((_, s) => ({ task: task.name, optimizer, learningRate: null, seedIndex: s + 1 })),
    ]),
  );
  const tuned = (t: string, o: string, finished: readonly { member: Member; result: number | null }[]) =>
    finished.filter((e) => e.member.task === t && e.member.optimizer === o && e.member.seedIndex === 0).reduce((a, b) => ((b.result ?? Infinity) < (a.result ?? Infinity) ? b : a)).member.learningRate!;
  const entries = await sweep<Member, number | null>({
    ctx,
    members,
    key: (m) => `${m.task}/${m.optimizer}/${m.learningRate === null ? 'tuned' : `lr=${m.learningRate}`}/seed=${m.seedIndex + 1}`,
    logCurves: (m) => m.seedIndex === 0,
    async run(m, memberCtx, _i, finished) {
      const { task, candidates } = byName.get(m.task)!;
      const lr = m.learningRate ?? tuned(m.task, m.optimizer, finished);
      const many = candidates[m.optimizer].learningRates.length > 1;
      seed(seeds[m.seedIndex]); // the same minibatch order (and dropout masks) for every optimizer of this seed
      const model = task.build(seeds[m.seedIndex]);
      const optimizer = candidates[m.optimizer].make(lr);
      const costName = `${task.name}_cost/${m.optimizer}`;
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
          evaluate: model.cost ? () => ({ [costName]: model.cost!() }) : undefined,
          owns: [model, optimizer],
        });
        const cost = model.cost ? r.metrics[costName] : r.trainLoss;
        return cost !== undefined && cost !== null && Number.isFinite(cost) ? cost : null;
      } catch (e) {
        if (e instanceof NonFiniteLossError) return null;
        throw e;
      }
    },
  });
  const out: Record<string, OptimizerComparison> = {};
  for (const { task, candidates } of specs) {
    const c: OptimizerComparison = (out[task.name] = { learningRate: {}, costs: {}, grid: {} });
    for (const o of Object.keys(candidates)) {
      const mine = entries.filter((e) => e.member.task === task.name && e.member.optimizer === o);
      const lr = tuned(task.name, o, mine);
      c.learningRate[o] = lr;
      c.grid[o] = mine.filter((e) => e.member.seedIndex === 0).map((e) => ({ learningRate: e.member.learningRate!, cost: e.result ?? Number.NaN }));
      c.costs[o] = [mine.find((e) => e.member.learningRate === lr)!.result, ...mine.filter((e) => e.member.learningRate === null).map((e) => e.result)].map((v) => v ?? Number.NaN);
    }
  }
  return out;
}
