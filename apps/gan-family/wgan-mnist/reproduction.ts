/**
 * WGAN and WGAN-GP on MNIST — M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017,
 * https://arxiv.org/abs/1701.07875, §4 (Figs. 3–4: the critic's estimate of the Wasserstein distance
 * falls as sample quality improves) and Algorithm 1 (n_critic = 5, clipping c = 0.01, RMSProp 5·10⁻⁵);
 * I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017,
 * https://arxiv.org/abs/1704.00028, Algorithm 1 (gradient penalty λ = 10, Adam 10⁻⁴, β = (0, 0.9), a
 * critic without batch norm) and Fig. 1b (under weight clipping the critic's gradient norms explode or
 * vanish with depth; under the penalty they do not).
 *
 * Three parts, one generator architecture (DCGAN's, src/dcgan.ts):
 * 1. WGAN with a DCGAN critic (batch norm, as Arjovsky et al.'s DCGAN experiments): at the end of every
 *    epoch the critic's estimate E[f(x)] − E[f(G(z))] on held-out digits and the LeNet-FID of samples
 *    (a Fréchet distance of LeNet-5 features, NOT comparable to Inception FID); their Spearman rank
 *    correlation over the run; the largest |w| of the critic after every step (clipping, exact).
 * 2. WGAN-GP with the same critic without batch norm: the mean ‖∇f(x̂)‖ on fresh interpolates at the end.
 * 3. Fig. 1b: a deep ReLU MLP critic trained on real digits vs samples of the WGAN generator, once with
 *    clipping (c = 0.01) and once with the penalty; the norm of the loss gradient w.r.t. each layer's
 *    input, and its spread over depth in decades (max − min of log₁₀). (W.r.t. each layer's weights the
 *    spread is small under clipping too — measured 0.36 decades in the smoke tier: the shrinking
 *    activations and the shrinking backward signal cancel in their product — README.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { tf, randomNormal, randomUniform, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { Adam, RMSProp } from '@paperzoo/core-autograd';
import { defineReproduction, fit, z, type FitContext } from '@paperzoo/repro';
import { loadMnist, type ImageDataset } from '@paperzoo/datasets';
import { imageGridPng } from '@paperzoo/vae-flow';
import {
  DcganDiscriminator, DcganGenerator, MlpCritic, WGAN_DEFAULTS, WGAN_GP_DEFAULTS, classify, criticGradientNorms, featureFrechetDistance, imagesOf, interpolate, layerInputGradientNorms,
  loadOrTrainMnistClassifier, maxAbsWeight, toTanhRange, toUnitRange, wganCriticStep, wganGeneratorStep, CLASSIFIER_FEATURES,
} from '@paperzoo/gan-family';
import type { LeNet5 } from '@paperzoo/cnn-zoo';

const config = z.object({
  /** Base width of G and the critic. */ width: z.number().int().min(2).max(128),
  /** Dimension of z. */ latent: z.number().int().min(2).max(200),
  /** Minibatch (Arjovsky et al.: 64). */ batchSize: z.number().int().min(2).max(512),
  /** Generator iterations per epoch (one evaluation point per epoch). */ generatorSteps: z.number().int().min(1).max(100_000),
  /** Epochs = evaluation points of the rank correlation. */ epochs: z.number().int().min(2).max(1000),
  /** Critic steps per generator step (5). */ criticSteps: z.number().int().min(1).max(100),
  /**
   * The authors' released code (martinarjovsky/WassersteinGAN, main.py) trains the critic `warmupCriticSteps`
   * = 100 times per generator step for the first `warmupIterations` = 25 generator steps and at every
   * `warmupEvery` = 500th, so the critic is near its optimum before its estimate is read (Alg. 1 in the paper
   * has n_critic = 5 throughout: warmupIterations = 0 gives that).
   */
  warmupCriticSteps: z.number().int().min(1).max(1000), warmupIterations: z.number().int().min(0).max(100_000), warmupEvery: z.number().int().min(1).max(100_000),
  /** Clipping bound c (0.01). */ clip: z.number().positive().max(1),
  /** Samples and held-out digits per evaluation. */ evalSamples: z.number().int().min(100).max(10_000),
  /** WGAN-GP generator iterations (0: skip part 2). */ gpGeneratorSteps: z.number().int().min(0).max(100_000),
  /** Fig. 1b: hidden layers of the MLP critic, their width, and its training steps. */ depth: z.number().int().min(2).max(32), depthWidth: z.number().int().min(2).max(1024), depthSteps: z.number().int().min(1).max(10_000),
});
type Config = z.output<typeof config>;

/** Spearman's ρ (Pearson on ranks; distinct values assumed, ties get their order). */
function spearman(a: number[], b: number[]): number {
  const rank = (x: number[]) => { const r = new Array<number>(x.length); x.map((v, i) => [v, i]).sort((p, q) => p[0] - q[0]).forEach(([, i], k) => (r[i] = k)); return r; };
  const [ra, rb] = [rank(a), rank(b)];
  const m = (ra.length - 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < ra.length; i++) { num += (ra[i] - m) * (rb[i] - m); da += (ra[i] - m) ** 2; db += (rb[i] - m) ** 2; }
  return num / Math.sqrt(da * db);
}

type Batch = { reals: tf.Tensor4D[]; zs: tf.Tensor2D[]; eps: tf.Tensor1D[]; zg: tf.Tensor2D };

/** Critic steps before generator step `i` (0-based over the whole run): the released code's schedule. */
export function criticStepsAt(cfg: Pick<Config, 'criticSteps' | 'warmupCriticSteps' | 'warmupIterations' | 'warmupEvery'>, i: number): number {
  return i < cfg.warmupIterations || (cfg.warmupIterations > 0 && i % cfg.warmupEvery === 0) ? cfg.warmupCriticSteps : cfg.criticSteps;
}

/** Train G against a critic (WGAN: clip; WGAN-GP: penalty) through `fit`; `evaluate` after each epoch. */
async function trainWgan(o: { ctx: FitContext; cfg: Config; train: ImageDataset; g: DcganGenerator; critic: DcganDiscriminator; gp: boolean; epochs: number; steps: number; label: string; evaluate?: () => Record<string, number> }) {
  const { cfg, g, critic } = o;
  const optD = o.gp ? new Adam(WGAN_GP_DEFAULTS) : new RMSProp({ learningRate: WGAN_DEFAULTS.learningRate });
  const optG = o.gp ? new Adam(WGAN_GP_DEFAULTS) : new RMSProp({ learningRate: WGAN_DEFAULTS.learningRate });
  const criticVars = Object.values(critic.variables);
  const B = cfg.batchSize;
  let maxWeight = 0;
  const pre = (p: string, vs: Record<string, tf.Variable>) => Object.fromEntries(Object.entries(vs).map(([k, v]) => [`${p}/${k}`, v]));
  try {
    return await fit<Batch>({
      ctx: o.ctx, variables: { ...pre('g', g.variables), ...pre('d', critic.variables) }, extraVariables: { ...pre('g', g.stateVariables), ...pre('d', critic.stateVariables) },
      optimizers: { g: optG, d: optD }, epochs: o.epochs, stepsPerEpoch: o.steps, label: o.label, lossCurve: `${o.label}/critic`,
      batches: function* (epoch) {
        for (let s = 0; s < o.steps; s++) {
          const nCritic = criticStepsAt(cfg, epoch * o.steps + s);
          const order = shuffledIndicesFromGlobalRng(o.train.count).subarray(0, B * nCritic);
          const reals = Array.from({ length: nCritic }, (_, k) => tf.tidy(() => tf.reshape<tf.Rank.R4>(toTanhRange(imagesOf(o.train, order.subarray(k * B, (k + 1) * B))), [B, 28, 28, 1])));
          yield { reals, zs: reals.map(() => randomNormal([B, cfg.latent]) as tf.Tensor2D), eps: reals.map(() => randomUniform([B]) as tf.Tensor1D), zg: randomNormal([B, cfg.latent]) as tf.Tensor2D };
        }
      },
      step: (b) => {
        let w = 0;
        for (let k = 0; k < b.reals.length; k++) {
          const r = wganCriticStep({ generator: (zz, t) => g.apply(zz, { training: t }), critic: (x, t) => critic.apply(x as tf.Tensor4D, { training: t }), criticVariables: criticVars, optimizer: optD, real: b.reals[k], z: b.zs[k], clip: o.gp ? undefined : cfg.clip, penalty: o.gp ? { epsilon: b.eps[k] } : undefined });
          w = r.wasserstein.dataSync()[0];
          tf.dispose([r.loss, r.wasserstein]);
          if (!o.gp) maxWeight = Math.max(maxWeight, maxAbsWeight(criticVars));
        }
        const gl = wganGeneratorStep({ generator: (zz, t) => g.apply(zz, { training: t }), critic: (x, t) => critic.apply(x as tf.Tensor4D, { training: t }), generatorVariables: Object.values(g.variables), optimizer: optG, z: b.zg });
        return { wasserstein: w, g_loss: gl, max_weight: maxWeight };
      },
      state: { get: () => maxWeight, set: (v) => { maxWeight = v as number; } },
      evaluate: o.evaluate ? () => ({ ...o.evaluate!(), max_weight: maxWeight }) : undefined,
    });
  } finally {
    optD.dispose(); optG.dispose();
  }
}

/** Fig. 1b: train a deep MLP critic on real digits vs G's samples; per-layer ‖∂L/∂h_l‖, input layer first. */
function depthNorms(cfg: Config, g: DcganGenerator, train: ImageDataset, gp: boolean): number[] {
  const critic = new MlpCritic({ inputs: 784, hidden: Array.from({ length: cfg.depth }, () => cfg.depthWidth), seed: 7 });
  const opt = gp ? new Adam(WGAN_GP_DEFAULTS) : new RMSProp({ learningRate: WGAN_DEFAULTS.learningRate });
  const vars = Object.values(critic.variables);
  const B = cfg.batchSize;
  const gen = (zz: tf.Tensor2D) => tf.reshape(g.apply(zz), [zz.shape[0], 784]);
  try {
    for (let s = 0; s < cfg.depthSteps; s++) {
      tf.tidy(() => {
        const real = tf.reshape(toTanhRange(imagesOf(train, shuffledIndicesFromGlobalRng(train.count).subarray(0, B))), [B, 784]);
        const r = wganCriticStep({ generator: gen, critic: (x) => critic.apply(x), criticVariables: vars, optimizer: opt, real, z: randomNormal([B, cfg.latent]) as tf.Tensor2D, clip: gp ? undefined : cfg.clip, penalty: gp ? { epsilon: randomUniform([B]) } : undefined });
        tf.dispose([r.loss, r.wasserstein]);
      });
    }
    return tf.tidy(() => {
      const real = tf.reshape(toTanhRange(imagesOf(train, shuffledIndicesFromGlobalRng(train.count).subarray(0, 256))), [256, 784]);
      return layerInputGradientNorms(critic, real, gen(randomNormal([256, cfg.latent]) as tf.Tensor2D));
    });
  } finally {
    critic.dispose(); opt.dispose();
  }
}

/** Spread of gradient norms over depth, in decades: max − min of log10. */
const decades = (norms: number[]) => Math.log10(Math.max(...norms)) - Math.log10(Math.min(...norms));

export default defineReproduction({
  id: 'wgan-mnist',
  package: '@paperzoo/gan-family',
  paper: { title: 'Wasserstein GAN', authors: ['Martin Arjovsky', 'Soumith Chintala', 'Léon Bottou'], year: 2017, venue: 'ICML', url: 'https://arxiv.org/abs/1701.07875' },
  config,
  tiers: {
    full: {
      config: { width: 64, latent: 100, batchSize: 64, generatorSteps: 150, epochs: 20, criticSteps: 5, warmupCriticSteps: 100, warmupIterations: 25, warmupEvery: 500, clip: 0.01, evalSamples: 2000, gpGeneratorSteps: 1000, depth: 12, depthWidth: 256, depthSteps: 500 },
      budget: '3,000 generator iterations of WGAN (Arjovsky et al.\'s curves run to ~100k: a CPU-sized fraction) with the released code\'s critic schedule (100 critic steps for the first 25 and every 500th generator step, else 5) and 20 evaluation points, 1,000 of WGAN-GP (5 critic steps each), a 12-layer critic for Fig. 1b',
      backend: 'native',
    },
    smoke: {
      config: { width: 16, latent: 100, batchSize: 64, generatorSteps: 10, epochs: 3, criticSteps: 5, warmupCriticSteps: 100, warmupIterations: 0, warmupEvery: 500, clip: 0.01, evalSamples: 500, gpGeneratorSteps: 0, depth: 8, depthWidth: 64, depthSteps: 30 },
      budget: 'w = 16; 30 WGAN generator iterations (150 critic steps: 5 each, without the released code\'s 100-step warm-up) with 3 evaluation points; Fig. 1b with an 8-layer MLP critic, 30 critic steps each way',
    },
  },
  async run(cfg, ctx) {
    const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const classifier: LeNet5 = loadOrTrainMnistClassifier(ctx.data.cacheDir, train).net;
    const n = cfg.evalSamples;
    const evalZ = tf.randomNormal<tf.Rank.R2>([n, cfg.latent], 0, 1, 'float32', 20_170_126); // fixed: not drawn from the run's generator
    const heldOut = imagesOf(test, Int32Array.from({ length: n }, (_, i) => i));
    const heldOutTanh = tf.tidy(() => tf.reshape<tf.Rank.R4>(toTanhRange(heldOut), [n, 28, 28, 1]));
    const refFeatures = classify(classifier, heldOut).features;
    const g = new DcganGenerator({ width: cfg.width, latent: cfg.latent, seed: ctx.seed });
    const critic = new DcganDiscriminator({ width: cfg.width, seed: ctx.seed + 1 });
    try {
      const evaluate = () => tf.tidy(() => {
        const fake = g.apply(evalZ);
        const w = tf.sub(tf.mean(critic.apply(heldOutTanh)), tf.mean(critic.apply(fake))).dataSync()[0];
        const x01 = tf.reshape<tf.Rank.R2>(toUnitRange(fake), [n, 784]);
        return { wasserstein_heldout: w, lenet_fid: featureFrechetDistance(refFeatures, n, classify(classifier, x01).features, n, CLASSIFIER_FEATURES) };
      });
      const r = await trainWgan({ ctx, cfg, train, g, critic, gp: false, epochs: cfg.epochs, steps: cfg.generatorSteps, label: 'wgan', evaluate });
      const ws = r.history.map((h) => h.metrics.wasserstein_heldout);
      const fids = r.history.map((h) => h.metrics.lenet_fid);
      fs.writeFileSync(path.join(ctx.resultsDir, 'wgan-samples.png'), imageGridPng(tf.tidy(() => toUnitRange(g.apply(evalZ.slice([0, 0], [64, cfg.latent]))).dataSync()), 64, 28, 28, { cols: 8 }));
      const clipNorms = depthNorms(cfg, g, train, false);
      const gpNorms = depthNorms(cfg, g, train, true);
      const metrics: Record<string, number> = {
        spearman_w_fid: spearman(ws, fids), first_wasserstein: ws[0], last_wasserstein: ws[ws.length - 1], first_lenet_fid: fids[0], last_lenet_fid: fids[fids.length - 1],
        max_abs_critic_weight: Math.max(...r.history.map((h) => h.metrics.max_weight)), clip: cfg.clip,
        clip_depth_decades: decades(clipNorms), gp_depth_decades: decades(gpNorms),
        clip_norm_first_layer: clipNorms[0], clip_norm_last_layer: clipNorms[clipNorms.length - 1], gp_norm_first_layer: gpNorms[0], gp_norm_last_layer: gpNorms[gpNorms.length - 1],
      };
      if (cfg.gpGeneratorSteps > 0) {
        const g2 = new DcganGenerator({ width: cfg.width, latent: cfg.latent, seed: ctx.seed + 2 });
        const c2 = new DcganDiscriminator({ width: cfg.width, batchNorm: false, seed: ctx.seed + 3 });
        try {
          await trainWgan({ ctx, cfg: { ...cfg, warmupIterations: 0 }, train, g: g2, critic: c2, gp: true, epochs: 1, steps: cfg.gpGeneratorSteps, label: 'wgan-gp' });
          metrics.gp_interpolate_grad_norm = tf.tidy(() => tf.mean(criticGradientNorms((x) => c2.apply(x as tf.Tensor4D), interpolate(heldOutTanh, g2.apply(evalZ), randomUniform([n])))).dataSync()[0]);
          fs.writeFileSync(path.join(ctx.resultsDir, 'wgan-gp-samples.png'), imageGridPng(tf.tidy(() => toUnitRange(g2.apply(evalZ.slice([0, 0], [64, cfg.latent]))).dataSync()), 64, 28, 28, { cols: 8 }));
        } finally {
          g2.dispose(); c2.dispose();
        }
      }
      return metrics;
    } finally {
      g.dispose(); critic.dispose(); classifier.dispose(); tf.dispose([evalZ, heldOut, heldOutTanh]);
    }
  },
  claims: [
    { id: 'weights-clipped', kind: 'threshold', what: 'largest |w| over the critic\'s parameters after every critic step (clipping c = 0.01)', source: 'Alg. 1 line 7', metric: 'max_abs_critic_weight', threshold: 0.01, direction: 'below', inclusive: true, tiers: ['smoke', 'full'], digits: 6,
      note: 'exact: clipByValue to ±c in float32; float32(0.01) is above 0.01 by 2e-10, inside the comparison slack' },
    { id: 'w-tracks-quality', kind: 'threshold', what: 'Spearman ρ between the critic\'s Wasserstein estimate (held-out digits) and LeNet-FID over the epochs', source: '§4, Figs. 3–4 (the estimate correlates with sample quality)', metric: 'spearman_w_fid', threshold: 0.5, direction: 'above', tiers: ['full'], digits: 3,
      note: 'threshold 0.5, set before any run (a clear positive monotone association over 20 points)' },
    { id: 'clipping-depth', kind: 'threshold', what: 'spread over depth of ‖∂L/∂h_l‖ (each layer\'s input) of a deep MLP critic under clipping c = 0.01 (decades, max − min of log₁₀)', source: 'Gulrajani et al. Fig. 1b (vanish or explode with depth)', metric: 'clip_depth_decades', threshold: 3, direction: 'above', tiers: ['smoke', 'full'], digits: 2,
      note: 'set before the run of this measure: clipped ±0.01 weights scale the signal by ≈ 0.01·√64/√2 ≈ 0.06 per layer (8 layers: ~9 decades); Fig. 1b spans ~5 decades over 12 layers' },
    { id: 'gp-depth', kind: 'threshold', what: 'the same spread under the gradient penalty (decades)', source: 'Gulrajani et al. Fig. 1b (level under GP)', metric: 'gp_depth_decades', threshold: 1, direction: 'below', tiers: ['smoke', 'full'], digits: 2,
      note: 'Fig. 1b\'s GP curve stays within about one decade; threshold set before any run' },
    { id: 'gp-norm-near-1', kind: 'value', what: 'mean ‖∇f(x̂)‖ on interpolates of held-out digits and samples after WGAN-GP training', source: 'Gulrajani et al. §4 (the penalty drives it to 1)', metric: 'gp_interpolate_grad_norm', published: 1, tolerance: 0.3, tiers: ['full'], digits: 3,
      note: 'band ±0.3, set before any run' },
  ],
});
