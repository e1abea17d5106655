/**
 * Training a GAN on a 2-D Gaussian mixture through `fit` (checkpointed, resumable), with one of:
 *
 * - 'gan' — the non-saturating GAN (Goodfellow et al. 2014, §3) with PacGAN-m packing (Lin et al.
 *   2018, https://arxiv.org/abs/1712.04086; m = 1 is the plain GAN). As the authors' code
 *   (github.com/fjxmlzn/PacGAN, synthetic_data_experiments/2DRing_GAN&PacGAN/pacgan_task.py l. 153–159,
 *   ALI's `ali_algorithm`) does: D's loss softplus(−D(x)) + softplus(D(G(z))) and G's softplus(−D(G(z)))
 *   are differentiated at the same parameters on the same batch and both players step at once
 *   (simultaneous updates), each with its own Adam (lr 10⁻⁴, β₁ 0.8, batch 100: config.py l. 23–25);
 * - 'lsgan' — Mao et al. 2017 eq. 2 with the 0-1 coding (a = 0, b = c = 1), otherwise as 'gan';
 * - 'wgan-gp' — Gulrajani et al. 2017 Alg. 1: n_critic critic steps on L = D(x̃) − D(x) + λ(‖∇D(x̂)‖ − 1)²
 *   (fresh real and fake batches each), then one generator step on −D(G(z)); Adam (α, β₁, β₂) as given
 *   (the paper's defaults: 10⁻⁴, 0.5, 0.9, λ = 10, n_critic = 5).
 *
 * Every random draw (real samples, noise z, the interpolation ε) comes from the global generator in the
 * batch source, so a run's seed fixes it and a resume replays it. One iteration = one generator step.
 * Batch norm's running statistics (see mixture-gan.ts) are updated from the generator's passes of
 * each generator step.
 */
import { makeRng, random, tf } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import { fit, type FitContext, type FitResult } from '@paperzoo/repro';
import { discriminatorLoss, generatorLoss, LSGAN_01 } from './losses.js';
import { gradientPenalty } from './gradient-penalty.js';
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

interface MixtureBatch {
  /** Per critic/discriminator step: packed real data [n, m·2]. */
  real: tf.Tensor2D[];
  /** Per critic step: m noise batches [n, latent]. */
  zD: tf.Tensor2D[][];
  /** The generator step's m noise batches (WGAN-GP; the simultaneous update reuses zD[0]). */
  zG: tf.Tensor2D[];
  /** Per critic step: interpolation ε [n] (WGAN-GP). */
  eps: tf.Tensor1D[];
}

/** Train; returns fit's result (curves: d_loss, g_loss). The models are not disposed; the optimizers are. */
export function trainMixtureGan(o: MixtureTrainingOptions): Promise<FitResult> {
  const { generator: G, discriminator: D, method, batchSize: n } = o;
  const m = method.pack;
  const latent = o.latent ?? 2;
  const wgan = method.objective === 'wgan-gp';
  const criticSteps = wgan ? (o.criticSteps ?? 5) : 1;
  const lambda = o.lambda ?? 10;
  const perEpoch = Math.min(o.stepsPerEpoch ?? 1000, o.iterations);
  if (o.iterations % perEpoch !== 0) throw new RangeError(`trainMixtureGan: iterations (${o.iterations}) must be a multiple of stepsPerEpoch (${perEpoch})`);
  const gOpt = new Adam({ learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2 ?? 0.999 });
  const dOpt = new Adam({ learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2 ?? 0.999 });
  const gVars = Object.values(G.variables);
  const dVars = Object.values(D.variables);
  const kind = method.objective === 'lsgan' ? 'lsgan' : wgan ? 'wgan' : 'non-saturating';
  const noise = () => Array.from({ length: m }, () => tf.tensor2d(standardNormal(n * latent), [n, latent]));
  const fakeOf = (zs: tf.Tensor2D[], collect?: BatchStatistics[]) => pack(zs.map((z) => G.apply(z, { training: true, collect })));
  const critic = (x: tf.Tensor) => D.apply(x as tf.Tensor2D);

  const step = (b: MixtureBatch): Record<string, number> => {
    const collect: BatchStatistics[] = [];
    let dLoss = 0;
    let gLoss = 0;
    if (!wgan) {
      // simultaneous: both gradients at the current parameters, on the same fakes
      let fake: tf.Tensor2D | null = null;
      const g = tf.variableGrads(() => {
        const f = fakeOf(b.zD[0], collect);
        fake = tf.keep(f);
        return generatorLoss(kind, D.apply(f), LSGAN_01);
      }, gVars);
      const d = tf.variableGrads(() => discriminatorLoss(kind, D.apply(b.real[0]), D.apply(fake!), LSGAN_01), dVars);
      gOpt.applyGradients(g.grads);
      dOpt.applyGradients(d.grads);
      [dLoss, gLoss] = [d.value.dataSync()[0], g.value.dataSync()[0]];
      tf.dispose([fake!, g.value, d.value, ...Object.values(g.grads), ...Object.values(d.grads)]);
    } else {
      for (let s = 0; s < criticSteps; s++) {
        const fake = tf.tidy(() => fakeOf(b.zD[s]));
        const d = tf.variableGrads(() => tf.add<tf.Scalar>(discriminatorLoss('wgan', D.apply(b.real[s]), D.apply(fake)), gradientPenalty(critic, b.real[s], fake, b.eps[s], lambda)), dVars);
        dOpt.applyGradients(d.grads);
        dLoss += d.value.dataSync()[0] / criticSteps;
        tf.dispose([fake, d.value, ...Object.values(d.grads)]);
      }
      const g = tf.variableGrads(() => generatorLoss('wgan', D.apply(fakeOf(b.zG, collect))), gVars);
      gOpt.applyGradients(g.grads);
      gLoss = g.value.dataSync()[0];
      tf.dispose([g.value, ...Object.values(g.grads)]);
    }
    G.updateStatistics(collect);
    return { d_loss: dLoss, g_loss: gLoss };
  };

  return fit<MixtureBatch>({
    ctx: o.ctx,
    variables: { ...prefixed('G', G.variables), ...prefixed('D', D.variables) },
    extraVariables: prefixed('G', G.stateVariables),
    optimizers: { generator: gOpt, discriminator: dOpt },
    epochs: o.iterations / perEpoch,
    stepsPerEpoch: perEpoch,
    batches: function* () {
      for (let i = 0; i < perEpoch; i++) {
        const real: tf.Tensor2D[] = [];
        const zD: tf.Tensor2D[][] = [];
        const eps: tf.Tensor1D[] = [];
        for (let s = 0; s < criticSteps; s++) {
          real.push(tf.tensor2d(sampleMixture(o.mixture, n * m), [n, 2 * m])); // m independent draws per row
          zD.push(noise());
          if (wgan) eps.push(tf.tensor1d(Float32Array.from({ length: n }, () => random())));
        }
        yield { real, zD, zG: wgan ? noise() : [], eps };
      }
    },
    step,
    evaluate: o.evaluateSamples ? ({ epoch }) => flatMetrics(evaluateGenerator(G, o.mixture, o.evaluateSamples!, { latent, uniform: makeRng(`mixture-eval:${epoch}`) })) : undefined,
    owns: [gOpt, dOpt],
    label: o.label,
    lossCurve: o.lossCurve,
  });
}

function prefixed(prefix: string, vars: Record<string, tf.Variable>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [`${prefix}/${k}`, v]));
}

function flatMetrics(r: ModeMetrics): Record<string, number> {
  return { modes: r.modes, high_quality: r.highQuality, reverse_kl: r.reverseKl };
}

/** `count` generator samples [count, 2] in inference mode (running batch-norm statistics); z from `uniform` (default: the global generator). */
export function generatorSamples(G: MixtureGenerator, count: number, { latent = 2, uniform = random }: { latent?: number; uniform?: () => number } = {}): Float32Array {
  return tf.tidy(() => G.apply(tf.tensor2d(standardNormal(count * latent, uniform), [count, latent])).dataSync() as Float32Array);
}

/** The PacGAN/VEEGAN metrics of `count` generator samples (PacGAN: 2,500). */
export function evaluateGenerator(G: MixtureGenerator, mixture: GaussianMixture2d, count: number, options: { latent?: number; uniform?: () => number } = {}): ModeMetrics {
  return modeMetrics(generatorSamples(G, count, options), mixture);
}
