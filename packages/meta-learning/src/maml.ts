/**
 * Model-Agnostic Meta-Learning — C. Finn, P. Abbeel, S. Levine, ICML 2017, Algorithms 1 and 2.
 * https://arxiv.org/abs/1703.03400
 *
 *   for each task T_i of the meta-batch:
 *     θ'_i = θ − α ∇_θ L_{T_i}(f_θ)          (inner loop on the task's K support points; k steps in general)
 *   θ ← θ − β ∇_θ Σ_i L_{T_i}(f_{θ'_i})       (meta-update on the task's query points)
 *
 * The meta-gradient goes *through* the inner update: ∇_θ L(θ − α∇L_s(θ)) = (I − α∇²L_s(θ)) ∇L(θ'),
 * a Hessian-vector product. Here it is exact: the inner gradients are computed with `tf.grads` inside the
 * outer gradient, so they are part of the graph (@paperzoo/tensor makes every op this needs
 * differentiable twice, packages/tensor/README.md). The first-order approximation (§5.2, "FOMAML") drops
 * the ∇² term: θ'_i is computed outside the graph and the meta-gradient is ∇L(θ'_i) itself.
 *
 * Models are functional: a task's losses take the parameters (`Params`) they are evaluated at.
 * With `batch: T` the parameters are broadcast to a leading task axis ([T, …]) before the inner loop, so
 * one loss over all T tasks adapts T copies at once; that loss must be the *sum* over tasks of each
 * task's loss (then its gradient with respect to copy t is task t's gradient), the query loss their mean.
 */
import { tf } from '@paperzoo/tensor';
import type { Params } from './mlp.js';

/** One task (or a batch of tasks with `batch`): its support (inner) and query (outer) losses as functions of the parameters. */
export interface MamlTask {
  /** The inner loop's loss L_s(θ) on the support set. */
  support: (params: Params) => tf.Scalar;
  /** The meta-objective's loss L_q(θ') on the query set. */
  query: (params: Params) => tf.Scalar;
}

export interface InnerLoopOptions {
  /** Gradient steps of the inner loop (k; the paper: 1 at training time). */
  steps: number;
  /** Inner step size α. */
  learningRate: number;
  /** Only adapt the parameters whose path passes (default all); the rest stay θ (e.g. batch-norm β, as in the authors' code). */
  adapt?: (name: string) => boolean;
  /** Broadcast θ to this many tasks first (batched tasks; see the file comment). */
  batch?: number;
}

export interface MamlOptions extends InnerLoopOptions {
  /** First-order MAML: no gradient through the inner loop (§5.2). */
  firstOrder?: boolean;
}

/** θ broadcast to [batch, …] (its gradient sums over the copies), or θ itself. */
function broadcastParams(params: Params, batch: number | undefined, adapt: (name: string) => boolean): Params {
  if (batch === undefined) return params;
  // v + 0 over [batch, 1, …]: a broadcast whose gradient is one sum over the task axis (tf.broadcastTo runs
  // Tile, whose gradient is a slice and an add per copy)
  const zeros = new Map<number, tf.Tensor>();
  const zerosOfRank = (rank: number) => zeros.get(rank) ?? zeros.set(rank, tf.zeros([batch, ...Array<number>(rank).fill(1)])).get(rank)!;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, adapt(k) ? tf.add(zerosOfRank(v.rank), v) : v]));
}

/**
 * θ' after `steps` steps of gradient descent on `support`: θ ← θ − α∇L_s(θ), the parameters that `adapt`
 * selects only. Inside an outer gradient this is differentiable (second order); outside it is plain
 * fine-tuning. `onLoss` receives each step's support loss before the step (for the pre-update loss).
 */
export function adaptParams(params: Params, support: (p: Params) => tf.Scalar, options: InnerLoopOptions, onLoss?: (step: number, loss: tf.Scalar) => void): Params {
  const adapt = options.adapt ?? (() => true);
  let current = broadcastParams(params, options.batch, adapt);
  const names = Object.keys(current).filter(adapt);
  for (let s = 0; s < options.steps; s++) {
    const fixed = current;
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => support({ ...fixed, ...Object.fromEntries(names.map((n, i) => [n, xs[i]])) }))(names.map((n) => fixed[n]));
    if (onLoss) onLoss(s, value);
    else value.dispose();
    current = { ...fixed, ...Object.fromEntries(names.map((n, i) => [n, tf.sub(fixed[n], tf.mul(options.learningRate, grads[i]))])) };
  }
  return current;
}

/**
 * The MAML meta-objective (1/n) Σ_i L_q,i(θ'_i) with θ'_i the inner loop's result from θ on task i.
 * Called inside a gradient of θ (e.g. `optimizer.minimize`) it gives the exact second-order meta-gradient.
 */
export function mamlObjective(params: Params, tasks: readonly MamlTask[], options: InnerLoopOptions, onSupportLoss?: (task: number, loss: tf.Scalar) => void): tf.Scalar {
  if (tasks.length === 0) throw new RangeError('mamlObjective: no tasks');
  const losses = tasks.map((task, i) => task.query(adaptParams(params, task.support, options, onSupportLoss && ((step, loss) => (step === 0 ? onSupportLoss(i, loss) : loss.dispose())))));
  return tf.div(tf.addN(losses), tasks.length);
}

/** What one meta-training step measured. */
export interface MamlStepResult {
  /** Meta-objective: mean query loss after adaptation. */
  loss: number;
  /** Mean support loss before adaptation (the authors' `total_loss1`); absent when steps = 0. */
  preUpdateLoss?: number;
}

/** Anything with tf.Optimizer's `minimize` (every @paperzoo/core-autograd optimizer). */
export interface MinimizingOptimizer {
  minimize(f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar | null;
}

/**
 * One meta-training step of Algorithm 1 (θ ← optimizer step on ∇_θ of the meta-objective): second order
 * by default, first order with `firstOrder`. `variables` are the meta-parameters θ by path (the model's
 * `variables`); the tasks' losses read them from their `params` argument.
 */
export function mamlStep(optimizer: MinimizingOptimizer, variables: Readonly<Record<string, tf.Variable>>, tasks: readonly MamlTask[], options: MamlOptions): MamlStepResult {
  const varList = Object.values(variables);
  const preLosses: tf.Scalar[] = [];
  const keepPre = (_: number, l: tf.Scalar) => preLosses.push(tf.keep(l));
  let loss: tf.Scalar | null;
  if (!options.firstOrder) {
    loss = optimizer.minimize(() => mamlObjective({ ...variables }, tasks, options, options.steps > 0 ? keepPre : undefined), true, varList);
  } else {
    // θ'_i − θ, computed outside any gradient: a constant in the meta-objective, so ∇_θ L_q(θ + (θ'_i − θ)) = ∇L_q(θ'_i).
    const adapt = options.adapt ?? (() => true);
    const deltas = tasks.map((task) =>
      tf.tidy(() => {
        const adapted = adaptParams({ ...variables }, task.support, options, (s, l) => (s === 0 ? keepPre(0, l) : l.dispose()));
        const base = broadcastParams({ ...variables }, options.batch, adapt);
        return Object.fromEntries(Object.keys(adapted).filter(adapt).map((k) => [k, tf.sub(adapted[k], base[k])]));
      }),
    );
    try {
      loss = optimizer.minimize(
        () => {
          const losses = tasks.map((task, i) => {
            const base = broadcastParams({ ...variables }, options.batch, adapt);
            return task.query({ ...base, ...Object.fromEntries(Object.entries(deltas[i]).map(([k, d]) => [k, tf.add(base[k], d)])) });
          });
          return tf.div(tf.addN(losses), tasks.length);
        },
        true,
        varList,
      );
    } finally {
      tf.dispose(deltas.flatMap((d) => Object.values(d)));
    }
  }
  const value = loss!.dataSync()[0];
  loss!.dispose();
  let preUpdateLoss: number | undefined;
  if (preLosses.length > 0) {
    preUpdateLoss = preLosses.reduce((s, l) => s + l.dataSync()[0], 0) / (preLosses.length * (options.batch ?? 1)); // batched support losses are sums over tasks
    tf.dispose(preLosses);
  }
  return { loss: value, preUpdateLoss };
}
