/**
 * MAML, first-order MAML and Reptile on N-way K-shot classification (Finn et al. 2017 §5.2, App. A.1;
 * Nichol, Achiam & Schulman 2018, "On First-Order Meta-Learning Algorithms", Algorithm 2), as the
 * authors' code sets them up (cbfinn/maml main.py, maml.py, utils.py):
 *
 * - each task is an N-way episode with K support and K query images per class (the code's
 *   `update_batch_size·2` samples per class), labels a random permutation per task;
 * - the task loss is the softmax cross-entropy *summed* over the images and divided by K
 *   (utils.py `xent`: N × the mean), so α = 0.4 acts on N × the mean loss;
 * - the inner loop adapts the convolution and dense weights, not batch norm's β (the code keeps BN
 *   variables out of its `weights` dict); batch norm always normalises with the batch's statistics;
 * - meta-update: Adam on the mean query loss over the meta-batch (second or first order).
 *
 * Reptile (Algorithm 2, serial batched version): for each task of the meta-batch, φ_i = k steps of SGD
 * on the task's support images from θ; then θ ← θ + ε·(mean_i φ_i − θ), ε annealed linearly to 0
 * (openai/supervised-reptile: meta-step 1 → 0). Tested like MAML: fine-tune on the support set, classify
 * the query set.
 */
import { makeRng, softmaxCrossEntropyPerExample, tf } from '@paperzoo/tensor';
import { fit, type FitContext } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import type { OmniglotFewShot } from '@paperzoo/datasets';
import type { ConvEncoder } from './conv-encoder.js';
import { disposeEpisode, sampleEpisode, type Episode, type EpisodeSpec } from './episodes.js';
import { adaptParams, mamlStep, type MamlTask } from './maml.js';
import type { Params } from './mlp.js';
import { meanAndCi95 } from './stats.js';

export type FewShotAlgorithm = 'maml' | 'fomaml' | 'reptile';

/** The inner loop adapts every trainable parameter but batch norm's (the authors' code). */
export const adaptsParameter = (name: string): boolean => !name.includes('/bn/');

/** Σ cross-entropy / K over an episode's images, at parameters `p` (the authors' `xent` / update_batch_size). */
export function episodeLoss(encoder: ConvEncoder, p: Params, images: tf.Tensor4D, labels: tf.Tensor1D, ways: number, shots: number): tf.Scalar {
  return encoder.withParameters(p, () =>
    tf.tidy(() => {
      const logits = encoder.apply(images, { training: true });
      return tf.div<tf.Scalar>(tf.sum(softmaxCrossEntropyPerExample(tf.oneHot(labels, ways), logits)), shots);
    }),
  );
}

/** The support and query losses of an episode, as a MAML task. */
export function episodeTask(encoder: ConvEncoder, ep: Episode, ways: number, shots: number, queries: number): MamlTask {
  return { support: (p) => episodeLoss(encoder, p, ep.support, ep.supportLabels, ways, shots), query: (p) => episodeLoss(encoder, p, ep.query, ep.queryLabels, ways, queries) };
}

export interface FewShotTrainingOptions {
  ctx: FitContext;
  encoder: ConvEncoder;
  train: OmniglotFewShot;
  algorithm: FewShotAlgorithm;
  /** N-way, K-shot, and query images per class (the code: K). */
  episode: EpisodeSpec;
  /** Tasks per meta-update (32 for 5-way 1-shot MAML). */
  metaBatch: number;
  iterations: number;
  iterationsPerEpoch: number;
  /** Inner steps and step size at training time (MAML: 1 step of 0.4). */
  innerSteps: number;
  innerLearningRate: number;
  /** Adam's step size (MAML, first-order MAML: 1e-3). */
  metaLearningRate: number;
  /** Reptile's initial meta step size ε (annealed linearly to 0; the Reptile code: 1). */
  reptileStepSize?: number;
  label?: string;
  curve?: string;
}

/** Meta-train through `fit` (checkpointed, resumable). Returns the last epoch's mean meta-loss. */
export async function trainFewShot(o: FewShotTrainingOptions): Promise<number> {
  const { ways, shots, queries } = o.episode;
  if (o.iterations % o.iterationsPerEpoch !== 0) throw new RangeError(`trainFewShot: iterations (${o.iterations}) must be a multiple of iterationsPerEpoch (${o.iterationsPerEpoch})`);
  const optimizer = new Adam({ learningRate: o.metaLearningRate });
  const variables = o.encoder.variables;
  const result = await fit<Episode[]>({
    ctx: o.ctx,
    variables,
    optimizers: { meta: optimizer },
    epochs: o.iterations / o.iterationsPerEpoch,
    stepsPerEpoch: o.iterationsPerEpoch,
    batches: function* () {
      for (let i = 0; i < o.iterationsPerEpoch; i++) yield Array.from({ length: o.metaBatch }, () => sampleEpisode(o.train, o.episode));
    },
    step: (episodes, at): Record<string, number> => {
      const tasks = episodes.map((ep) => episodeTask(o.encoder, ep, ways, shots, queries));
      if (o.algorithm !== 'reptile') {
        const r = mamlStep(optimizer, variables, tasks, { steps: o.innerSteps, learningRate: o.innerLearningRate, adapt: adaptsParameter, firstOrder: o.algorithm === 'fomaml' });
        return { loss: r.loss, pre_update_loss: r.preUpdateLoss ?? NaN };
      }
      // Reptile: θ ← θ + ε(mean φ_i − θ), ε = ε₀·(1 − t/T)
      const epsilon = (o.reptileStepSize ?? 1) * (1 - at.step / o.iterations);
      let loss = 0;
      const mean = tf.tidy(() => {
        const sums: Params = {};
        for (const task of tasks) {
          const phi = adaptParams({ ...variables }, task.support, { steps: o.innerSteps, learningRate: o.innerLearningRate });
          loss += task.query(phi).dataSync()[0] / tasks.length;
          for (const [k, v] of Object.entries(phi)) sums[k] = sums[k] ? tf.add(sums[k], v) : v;
        }
        return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, tf.div(v, tasks.length)]));
      });
      for (const [k, v] of Object.entries(variables)) {
        v.assign(tf.tidy(() => tf.add(v, tf.mul(epsilon, tf.sub(mean[k], v)))));
      }
      tf.dispose(Object.values(mean));
      return { loss };
    },
    owns: [optimizer],
    label: o.label,
    lossCurve: o.curve,
  });
  return result.trainMetrics.loss;
}

/** Accuracy on the query images before and after each of `steps` fine-tuning steps, over test episodes. */
export interface FewShotEvaluation {
  /** Mean query accuracy after 0, 1, …, steps steps. */
  accuracy: number[];
  /** 95% half-width of each (1.96·σ/√episodes). */
  ci95: number[];
}

/**
 * Meta-test (main.py `test`): `episodes` episodes from their own generator (`seed`; the global one is
 * untouched), fine-tune on each support set with `steps` steps of size `learningRate` (BN β fixed, batch
 * statistics), the query accuracy after every step.
 */
export function evaluateFewShot(encoder: ConvEncoder, data: OmniglotFewShot, o: EpisodeSpec & { episodes: number; steps: number; learningRate: number; seed: number | string }): FewShotEvaluation {
  const rng = makeRng(`fewshot-test:${o.seed}:${o.ways}:${o.shots}`);
  const perStep: number[][] = Array.from({ length: o.steps + 1 }, () => []);
  for (let e = 0; e < o.episodes; e++) {
    const ep = sampleEpisode(data, o, rng);
    try {
      tf.tidy(() => {
        const accuracy = (p: Params) =>
          encoder.withParameters(p, () => tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(encoder.apply(ep.query, { training: true }), 1), ep.queryLabels), 'float32')).dataSync()[0]));
        const support = (p: Params) => episodeLoss(encoder, p, ep.support, ep.supportLabels, o.ways, o.shots);
        let p: Params = { ...encoder.variables };
        perStep[0].push(accuracy(p));
        for (let s = 1; s <= o.steps; s++) {
          p = adaptParams(p, support, { steps: 1, learningRate: o.learningRate, adapt: adaptsParameter });
          perStep[s].push(accuracy(p));
        }
      });
    } finally {
      disposeEpisode(ep);
    }
  }
  const stats = perStep.map(meanAndCi95);
  return { accuracy: stats.map((s) => s.mean), ci95: stats.map((s) => s.ci95) };
}
