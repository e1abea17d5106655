/**
 * Comparing optimizers the way Kingma & Ba §6 does: the same model, the same initial parameters and the
 * same minibatch order for every optimizer; each optimizer's learning rate picked from a grid by the
 * final training cost ("the hyper-parameters … are searched over a dense grid and the results are
 * reported using the best hyper-parameter setting"); the training cost compared at a fixed number of
 * steps, as a mean over independent seeds.
 */
import { tf, seed } from '@paperzoo/tensor';
import { NonFiniteLossError, fit, sweepContext, type FitContext, type RunContext } from '@paperzoo/repro';
import { Adadelta, Adagrad, Adam, Nesterov, RMSProp, type Optimizer } from '@paperzoo/core-autograd';

/** The optimizers of §6 (Fig. 1 and Fig. 2). */
export const OPTIMIZER_NAMES = ['adam', 'adagrad', 'rmsprop', 'sgdNesterov', 'adadelta'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
export const OPTIMIZER_LABELS: Record<OptimizerName, string> = { adam: 'Adam', adagrad: 'AdaGrad', rmsprop: 'RMSProp', sgdNesterov: 'SGD-Nesterov', adadelta: 'AdaDelta' };

export interface OptimizerChoice {
  /** Base learning rate α (AdaDelta: the multiplier η of its update, 1 in Zeiler's paper). */
  learningRate: number;
  /** α_t = α/√t for Adam and SGD-Nesterov (§6.1's logistic regression); constant otherwise. */
  inverseSqrtDecay: boolean;
  /** μ of SGD-Nesterov. */
  momentum: number;
}

/**
 * One optimizer of @paperzoo/core-autograd, configured as in §6. Adam: β₁ = 0.9, β₂ = 0.999, ε = 1e-8
 * (Algorithm 1's defaults). AdaGrad: G₀ = 0 (Duchi et al.). RMSProp: ρ = 0.9. AdaDelta: ρ = 0.95,
 * ε = 1e-6 (Zeiler). The 1/√t decay applies to the two methods whose step does not shrink by itself.
 */
export function makeOptimizer(name: OptimizerName, c: OptimizerChoice): Optimizer {
  const decayed = (t: number) => c.learningRate / Math.sqrt(t + 1); // t = updates already made; α_t = α/√t with t = 1, 2, …
  const lr = c.inverseSqrtDecay ? decayed : c.learningRate;
  switch (name) {
    case 'adam':
      return new Adam({ learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    case 'sgdNesterov':
      return new Nesterov({ learningRate: lr, momentum: c.momentum });
    case 'adagrad':
      return new Adagrad({ learningRate: c.learningRate });
    case 'rmsprop':
      return new RMSProp({ learningRate: c.learningRate, decay: 0.9 });
    case 'adadelta':
      return new Adadelta({ learningRate: c.learningRate, rho: 0.95, epsilon: 1e-6 });
  }
}

/** A model under comparison: its variables and its training cost on a batch. */
export interface Model<B> {
  variables: Record<string, tf.Variable>;
  /** The training cost of a batch (with dropout / penalties, as the paper's "training cost"). */
  loss(batch: B): tf.Scalar;
  dispose(): void;
}

/** A training task: how to build the model (from the global generator) and feed it. */
export interface Task<B> {
  /** Name used for curves and metrics: 'logreg', 'mlp', 'bow'. */
  name: string;
  build(): Model<B>;
  /** Minibatches of one epoch, shuffled with the global generator. */
  batches(epoch: number): Iterable<B>;
  stepsPerEpoch: number;
  epochs: number;
}

/** Train one model with one optimizer; return the mean training cost over the last epoch. */
export async function trainOnce<B>(task: Task<B>, name: OptimizerName, choice: OptimizerChoice, runSeed: number, ctx: FitContext, label: string): Promise<number> {
  seed(runSeed); // same initial parameters and minibatch order for every optimizer of this seed
  const model = task.build();
  const optimizer = makeOptimizer(name, choice);
  try {
    const result = await fit({
      ctx,
      variables: model.variables,
      optimizer,
      epochs: task.epochs,
      stepsPerEpoch: task.stepsPerEpoch,
      checkpoint: false,
      label,
      lossCurve: `${task.name}/${name}`,
      batches: (epoch) => task.batches(epoch),
      loss: (b) => model.loss(b),
    });
    return result.trainLoss ?? Number.NaN;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

export interface Comparison {
  /** The chosen learning rate of each optimizer. */
  learningRate: Partial<Record<OptimizerName, number>>;
  /** Final training cost per seed, per optimizer. */
  costs: Partial<Record<OptimizerName, number[]>>;
  /** Training cost of seed 0 for every candidate learning rate (the tuning grid). */
  grid: Partial<Record<OptimizerName, Array<{ learningRate: number; cost: number }>>>;
}

/**
 * Tune each optimizer's learning rate on seed 0 (the candidate with the lowest final training cost; a
 * diverged run counts as +∞), then train every other seed with it. Curves: seed 0 at the chosen rate.
 */
export async function compareOptimizers<B>(
  task: Task<B>,
  candidates: Partial<Record<OptimizerName, number[]>>,
  base: Omit<OptimizerChoice, 'learningRate'> & { inverseSqrtDecayFor: readonly OptimizerName[] },
  runSeeds: readonly number[],
  ctx: RunContext<unknown>,
): Promise<Comparison> {
  const out: Comparison = { learningRate: {}, costs: {}, grid: {} };
  for (const name of OPTIMIZER_NAMES) {
    const lrs = candidates[name];
    if (!lrs || lrs.length === 0) continue;
    const choice = (learningRate: number): OptimizerChoice => ({ learningRate, momentum: base.momentum, inverseSqrtDecay: base.inverseSqrtDecayFor.includes(name) });
    const grid: Array<{ learningRate: number; cost: number }> = [];
    for (const lr of lrs) {
      let cost: number;
      try {
        cost = await trainOnce(task, name, choice(lr), runSeeds[0], sweepContext(ctx, { logCurves: lrs.length === 1 }), `${task.name} ${OPTIMIZER_LABELS[name]} α=${lr} (seed 1/${runSeeds.length})`);
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        cost = Infinity;
      }
      grid.push({ learningRate: lr, cost: Number.isFinite(cost) ? cost : Infinity });
    }
    const best = grid.reduce((a, b) => (b.cost < a.cost ? b : a));
    // With a grid, rerun seed 0 at the chosen rate for its curve (cheap next to the grid itself).
    const first = lrs.length === 1 ? best.cost : await trainOnce(task, name, choice(best.learningRate), runSeeds[0], sweepContext(ctx, { logCurves: true }), `${task.name} ${OPTIMIZER_LABELS[name]} α=${best.learningRate} (seed 1/${runSeeds.length})`);
    const costs = [first];
    for (let s = 1; s < runSeeds.length; s++) {
      costs.push(await trainOnce(task, name, choice(best.learningRate), runSeeds[s], sweepContext(ctx), `${task.name} ${OPTIMIZER_LABELS[name]} α=${best.learningRate} (seed ${s + 1}/${runSeeds.length})`));
    }
    out.learningRate[name] = best.learningRate;
    out.costs[name] = costs;
    out.grid[name] = grid.map((g) => ({ learningRate: g.learningRate, cost: Number.isFinite(g.cost) ? g.cost : Number.NaN }));
  }
  return out;
}
