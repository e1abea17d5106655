/**
 * Training a GAN on a 2-D Gaussian mixture through `fit` (checkpointed, resumable), with one of:
 *
 * - 'gan' — the non-saturating GAN (Goodfellow et al. 2014, §3) with PacGAN-m packing (Lin et al.
 *   2018, https://arxiv.org/abs/1712.04086; m = 1 is the plain GAN). As the authors' code
 *   (github.com/fjxmlzn/PacGAN, synthetic_data_experiments/2DRing_GAN&PacGAN/pacgan_task.py l. 153–159,
 *   ALI's `ali_algorithm`) does: D's loss softplus(−D(x)) + softplus(D(G(z))) and G's softplus(−D(G(z)))
 *   are differentiated at the same parameters on the same batch and both players step at once
 *   (simultaneous updates: gan-training.ts's `ganSimultaneousIteration`), each with its own Adam
 *   (lr 10⁻⁴, β₁ 0.8, batch 100: config.py l. 23–25);
 * - 'lsgan' — Mao et al. 2017 eq. 2 with the 0-1 coding (a = 0, b = c = 1), otherwise as 'gan';
 * - 'wgan-gp' — Gulrajani et al. 2017 Alg. 1: n_critic critic steps on L = D(x̃) − D(x) + λ(‖∇D(x̂)‖ − 1)²
 *   (fresh real and fake batches each), then one generator step on −D(G(z)) (gan-training.ts's
 *   `ganTrainingIteration` with k = n_critic and gradient-penalty.ts's penalty); Adam (α, β₁, β₂) as
 *   given (the paper's defaults: 10⁻⁴, 0.5, 0.9, λ = 10, n_critic = 5).
 *
 * Packing: `noise(n)` draws m independent noise batches [n, latent] one after the other ([m·n, latent],
 * the draws of the authors' m generator calls); the generator runs on each and `pack` concatenates the
 * outputs, [n, m·2].
 *
 * Every random draw (real samples, noise z, the interpolation ε) comes from the global generator
 * (real batches in the batch source, noise and ε in the step), so a run's seed fixes it and a resume
 * replays it. One iteration = one generator step. Batch norm's running statistics (see mixture-gan.ts)
 * are updated from the generator's passes of each generator step (the last generator call of the
 * iteration: G's own pass in both iterations).
 *
 * `fitGan` is not used: it shuffles a fixed data set (here every batch is a fresh draw from the
 * mixture) and does not checkpoint the generator's batch-norm statistics.
 */
import { makeRng, random, tf } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import { fit, type FitContext, type FitResult } from '@paperzoo/repro';
import { LSGAN_01 } from './losses.js';
import { gradientPenalty } from './gradient-penalty.js';
import { ganSimultaneousIteration, ganTrainingIteration, type GanIterationOptions } from './gan-training.js';
import { sampleMixture, standardNormal, type GaussianMixture2d } from './mixtures.js';
import { pack } from './pacgan.js';
import { MixtureDiscriminator, MixtureGenerator, type BatchStatistics } from './mixture-gan.js';
import { modeMetrics, type ModeMetrics } from './mode-metrics.js';

export type MixtureObjective = 'gan' | 'lsgan' | 'wgan-gp';

export interface MixtureMethod {
  objective: MixtureObjective;
  /** Packing degree m (1: no packing). */
  pack: number;
}

export interface MixtureTrainingOptions {
  ctx: FitContext;
  mixture: GaussianMixture2d;
  method: MixtureMethod;
  generator: MixtureGenerator;
  discriminator: MixtureDiscriminator;
  /** Generator steps. */
  iterations: number;
  /** Steps per fit epoch (a checkpoint after each; PacGAN's epoch: 1000). */
  stepsPerEpoch?: number;
  batchSize: number;
  learningRate: number;
  beta1: number;
  beta2?: number;
  /** WGAN-GP only: critic steps per generator step and λ. */
  criticSteps?: number;
  lambda?: number;
  latent?: number;
  label?: string;
  lossCurve?: string;
  /** Evaluate every epoch on this many generator samples (none if 0). */
  evaluateSamples?: number;
}

/** Train; returns fit's result (curves: d_loss, g_loss). The models are not disposed; the optimizers are. */
export function trainMixtureGan(o: MixtureTrainingOptions): Promise<FitResult> {
  const { generator: G, discriminator: D, method, batchSize: n } = o;
  const m = method.pack;
  const latent = o.latent ?? 2;
  const wgan = method.objective === 'wgan-gp';
  const criticSteps = wgan ? (o.criticSteps ?? 5) : 1;
  const perEpoch = Math.min(o.stepsPerEpoch ?? 1000, o.iterations);
  if (o.iterations % perEpoch !== 0) throw new RangeError(`trainMixtureGan: iterations (${o.iterations}) must be a multiple of stepsPerEpoch (${perEpoch})`);
  const gOpt = new Adam({ learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2 ?? 0.999 });
  const dOpt = new Adam({ learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2 ?? 0.999 });
  const iterate = mixtureGanStep({ generator: G, discriminator: D, method, generatorOptimizer: gOpt, discriminatorOptimizer: dOpt, latent, lambda: o.lambda });

  return fit<tf.Tensor2D[]>({
    ctx: o.ctx,
    variables: { ...prefixed('G', G.variables), ...prefixed('D', D.variables) },
    extraVariables: prefixed('G', G.stateVariables),
    optimizers: { generator: gOpt, discriminator: dOpt },
    epochs: o.iterations / perEpoch,
    stepsPerEpoch: perEpoch,
    batches: function* () {
      // per critic/discriminator step: packed real data [n, m·2], m independent draws per row
      for (let i = 0; i < perEpoch; i++) yield Array.from({ length: criticSteps }, () => tf.tensor2d(sampleMixture(o.mixture, n * m), [n, 2 * m]));
    },
    step: (reals) => {
      const r = iterate(reals);
      return { d_loss: r.d_loss, g_loss: r.g_loss };
    },
    evaluate: o.evaluateSamples ? ({ epoch }) => flatMetrics(evaluateGenerator(G, o.mixture, o.evaluateSamples!, { latent, uniform: makeRng(`mixture-eval:${epoch}`) })) : undefined,
    owns: [gOpt, dOpt],
    label: o.label,
    lossCurve: o.lossCurve,
  });
}

function disposeStatistics(recorded: BatchStatistics[]): void {
  for (const pass of recorded) for (const layer of pass) tf.dispose([layer.mean, layer.variance]);
}

function prefixed(prefix: string, vars: Record<string, tf.Variable>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [`${prefix}/${k}`, v]));
}

function flatMetrics(r: ModeMetrics): Record<string, number> {
  return { modes: r.modes, high_quality: r.highQuality, reverse_kl: r.reverseKl };
}

/**
 * `count` generator samples [count, 2] in inference mode (running batch-norm statistics, so the rows do
 * not depend on each other); z from `uniform` (default: the global generator), drawn up front. The
 * generator runs on `batch` rows at a time and each chunk is read after its tidy scope has closed.
 */
export function generatorSamples(G: MixtureGenerator, count: number, { latent = 2, uniform = random, batch = 4096 }: { latent?: number; uniform?: () => number; batch?: number } = {}): Float32Array {
  const z = standardNormal(count * latent, uniform);
  const out = new Float32Array(count * 2);
  for (let start = 0; start < count; start += batch) {
    const rows = Math.min(batch, count - start);
    const x = tf.tidy(() => G.apply(tf.tensor2d(z.subarray(start * latent, (start + rows) * latent), [rows, latent])));
    try {
      out.set(x.dataSync(), start * 2);
    } finally {
      x.dispose();
    }
  }
  return out;
}

/** The PacGAN/VEEGAN metrics of `count` generator samples (PacGAN: 2,500). */
export function evaluateGenerator(G: MixtureGenerator, mixture: GaussianMixture2d, count: number, options: { latent?: number; uniform?: () => number } = {}): ModeMetrics {
  return modeMetrics(generatorSamples(G, count, options), mixture);
}

/** What one training iteration of {@link trainMixtureGan} needs: the models, the method and the two optimizers. */
export interface MixtureStepOptions {
  generator: MixtureGenerator;
  discriminator: MixtureDiscriminator;
  method: MixtureMethod;
  generatorOptimizer: GanIterationOptions['generatorOptimizer'];
  discriminatorOptimizer: GanIterationOptions['discriminatorOptimizer'];
  /** Noise dimension (default 2). */
  latent?: number;
  /** WGAN-GP's λ (default 10). */
  lambda?: number;
}

/**
 * One iteration of `method` as {@link trainMixtureGan} runs it (also bench/'s `pacgan-mixture` workload): the
 * simultaneous update (gan, lsgan) or n_critic critic steps then a generator step (wgan-gp), on packed real batches
 * [rows, m·2] (one per critic step); then the generator's batch-norm running statistics.
 */
export function mixtureGanStep(o: MixtureStepOptions): (reals: tf.Tensor2D[]) => { d_loss: tf.Scalar; g_loss: tf.Scalar } {
  const { generator: G, discriminator: D, method } = o;
  const m = method.pack;
  const latent = o.latent ?? 2;
  const wgan = method.objective === 'wgan-gp';
  const lambda = o.lambda ?? 10;
  const discriminate = (x: tf.Tensor) => D.apply(x as tf.Tensor2D);
  let recorded: BatchStatistics[] = []; // the latest generator call's m passes
  const iteration: GanIterationOptions = {
    loss: method.objective === 'lsgan' ? 'lsgan' : wgan ? 'wgan' : 'non-saturating',
    coding: LSGAN_01,
    // z [m·rows, latent], m noise batches one after the other → the m generator outputs packed, [rows, m·2]
    generate: (z) => {
      disposeStatistics(recorded);
      recorded = [];
      return tf.tidy(() => pack((m === 1 ? [z] : tf.split(z, m, 0)).map((part) => G.apply(part as tf.Tensor2D, { training: true, collect: recorded }))));
    },
    noise: (rows) => tf.tensor2d(standardNormal(m * rows * latent), [m * rows, latent]),
    discriminate,
    generatorVariables: G.variables,
    discriminatorVariables: D.variables,
    generatorOptimizer: o.generatorOptimizer,
    discriminatorOptimizer: o.discriminatorOptimizer,
    // ε [rows] ~ U[0, 1] per example, drawn in the differentiated function (disposed with it)
    discriminatorPenalty: wgan ? (real, fake) => gradientPenalty(discriminate, real, fake, tf.tensor1d(Float32Array.from({ length: real.shape[0] }, () => random())), lambda) : undefined,
  };

  return (reals) => {
    try {
      const r = wgan ? ganTrainingIteration(iteration, reals, reals[0].shape[0]) : ganSimultaneousIteration(iteration, reals[0]);
      G.updateStatistics(recorded); // disposes them
      return r;
    } catch (e) {
      disposeStatistics(recorded);
      throw e;
    } finally {
      recorded = [];
    }
  };
}
