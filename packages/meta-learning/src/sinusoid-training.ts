/**
 * MAML's sinusoid experiment as the authors' code runs it (cbfinn/maml main.py, maml.py):
 *
 * - meta-training: each iteration draws a meta-batch of 25 tasks with K support and K query points,
 *   adapts with `steps` gradient steps of size α on the support points, and takes one Adam step (β = 1e-3)
 *   on the mean query MSE after adaptation (second order, or first order with `firstOrder`);
 * - the "pretrained" baseline (§5.1: "pretraining on all of the tasks") is the same loop without
 *   adaptation (`steps: 0`): plain regression on random sinusoids (the code's `--pretrain_iterations`);
 * - meta-testing (main.py `test`): 600 tasks, each with K support and K query points, fine-tuned for up
 *   to 10 steps of size α on the same K points; the MSE on the query points after each step, with
 *   its 95% confidence interval 1.96·σ/√600.
 */
import { makeRng, tf } from '@paperzoo/tensor';
import { fit, type FitContext } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import { adaptParams, mamlStep } from './maml.js';
import { Mlp, taskMeanMse, taskSummedMse, type Params } from './mlp.js';
import { meanAndCi95 } from './stats.js';
import { sampleSinusoidBatch, sinusoidPoints, SINUSOID_TASKS, type SinusoidBatch } from './sinusoid.js';

export interface SinusoidTrainingOptions {
  ctx: FitContext;
  net: Mlp;
  /** Meta-iterations (the authors' usage line: 70,000). */
  iterations: number;
  /** Tasks per meta-batch (25). */
  metaBatch: number;
  /** Support points per task (K = 10), and as many query points. */
  shots: number;
  /** Inner gradient steps (1; 0 = the pretrained baseline). */
  innerSteps: number;
  /** Inner step size α. */
  innerLearningRate: number;
  /** First-order MAML. */
  firstOrder?: boolean;
  /** Adam's step size β (1e-3). */
  metaLearningRate: number;
  /** Iterations per "epoch" (progress, curve points, checkpoints); default 1,000. */
  iterationsPerEpoch?: number;
  /** Progress label. */
  label?: string;
  /** The curve the meta-loss is logged to (default 'loss/train'). */
  curve?: string;
}

/** Meta-train (or pretrain) `net` on sinusoid tasks through `fit` (checkpointed, resumable). Returns the last epoch's mean meta-loss. */
export async function trainSinusoid(o: SinusoidTrainingOptions): Promise<{ loss: number; preUpdateLoss: number | null }> {
  const perEpoch = Math.min(o.iterationsPerEpoch ?? 1000, o.iterations);
  if (o.iterations % perEpoch !== 0) throw new RangeError(`trainSinusoid: iterations (${o.iterations}) must be a multiple of iterationsPerEpoch (${perEpoch})`);
  const optimizer = new Adam({ learningRate: o.metaLearningRate });
  const variables = o.net.variables;
  const result = await fit<SinusoidBatch>({
    ctx: o.ctx,
    variables,
    optimizers: { meta: optimizer },
    epochs: o.iterations / perEpoch,
    stepsPerEpoch: perEpoch,
    batches: function* () {
      for (let i = 0; i < perEpoch; i++) yield sampleSinusoidBatch(o.metaBatch, o.shots, o.shots);
    },
    step: (b) => {
      const task = { support: (p: Params) => taskSummedMse(o.net.forward(b.supportX, p), b.supportY), query: (p: Params) => taskMeanMse(o.net.forward(b.queryX, p), b.queryY) };
      const r = mamlStep(optimizer, variables, [task], { steps: o.innerSteps, learningRate: o.innerLearningRate, batch: o.metaBatch, firstOrder: o.firstOrder });
      const out: Record<string, number> = { loss: r.loss };
      if (r.preUpdateLoss !== undefined) out.pre_update_loss = r.preUpdateLoss;
      return out;
    },
    owns: [optimizer],
    lossCurve: o.curve,
    label: o.label,
  });
  return { loss: result.trainMetrics.loss, preUpdateLoss: result.trainMetrics.pre_update_loss ?? null };
}

export interface SinusoidEvaluation {
  /** Mean query MSE over the test tasks after 0, 1, …, steps gradient steps. */
  mse: number[];
  /** 95% confidence half-width of each mean (1.96·σ/√tasks, the authors' `ci95`). */
  ci95: number[];
}

/**
 * Meta-test: `tasks` sinusoid tasks drawn from their own generator (`seed`: the same tasks for every model
 * evaluated with it), K support and K query points each; fine-tune from the network's weights for
 * `steps` steps of size `learningRate` on the support points (all tasks at once, batched); the query MSE
 * after each step. The global generator is not touched.
 */
export function evaluateSinusoid(net: Mlp, o: { shots: number; steps: number; learningRate: number; tasks?: number; queries?: number; seed: number | string }): SinusoidEvaluation {
  const tasks = o.tasks ?? 600;
  const rng = makeRng(`sinusoid-test:${o.seed}:${o.shots}`);
  const amplitude = Float32Array.from({ length: tasks }, () => SINUSOID_TASKS.amplitude[0] + (SINUSOID_TASKS.amplitude[1] - SINUSOID_TASKS.amplitude[0]) * rng());
  const phase = Float32Array.from({ length: tasks }, () => SINUSOID_TASKS.phase[0] + (SINUSOID_TASKS.phase[1] - SINUSOID_TASKS.phase[0]) * rng());
  const support = sinusoidPoints(amplitude, phase, o.shots, rng);
  const query = sinusoidPoints(amplitude, phase, o.queries ?? o.shots, rng);
  const mse: number[] = [];
  const ci95: number[] = [];
  const record = (p: Params) => {
    const perTask = tf.tidy(() => tf.mean(tf.reshape(tf.squaredDifference(net.forward(query.x, p), query.y), [tasks, -1]), 1)).dataSync() as Float32Array;
    const r = meanAndCi95(perTask);
    mse.push(r.mean);
    ci95.push(r.ci95);
  };
  try {
    tf.tidy(() => {
      const loss = (p: Params) => taskSummedMse(net.forward(support.x, p), support.y);
      let p = adaptParams(net.params(), loss, { steps: 0, learningRate: o.learningRate, batch: tasks });
      record(p);
      for (let s = 1; s <= o.steps; s++) {
        const next = adaptParams(p, loss, { steps: 1, learningRate: o.learningRate });
        tf.dispose(Object.values(p).filter((t) => !Object.values(net.variables).includes(t as tf.Variable)));
        p = next;
        record(p);
      }
    });
  } finally {
    tf.dispose([support.x, support.y, query.x, query.y]);
  }
  return { mse, ci95 };
}




