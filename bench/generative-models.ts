/**
 * The generative-model workloads of bench/native.ts, built from @paperzoo/vae-flow as its apps train them;
 * bench/torch_models.py mirrors them. Each step's batch is drawn once at set-up (binary or [0, 1] images of
 * MNIST's shape: the cost does not depend on the pixels), so data preparation is timed on neither side; the
 * models' own noise (the reparameterisation's ε) is drawn inside the step on both sides, as in training.
 * - `vae`: Kingma & Welling 2013, MNIST (vae-mnist): batch 100, encoder 784-500-(μ, log σ²) 20 and decoder
 *   20-500-784, tanh, Bernoulli decoder, the ELBO with the analytic KL and one sample, Adagrad 0.02 with the
 *   N(0, I) prior as weight decay.
 * - `iwae`: Burda et al. 2015 (iwae-mnist): batch 20, 784-200-200-50 tanh, k = 50 importance samples (eq. 8),
 *   Adam 1e-3 with ε 1e-4.
 * - `realnvp`: nice-realnvp-mnist's affine-coupling flow (RealNVP's coupling law, Dinh et al. 2016 eq. 6) on
 *   MNIST vectors: 4 couplings on the odd/even partition, each a 5-hidden-layer ReLU MLP of width matched to
 *   NICE's 1000 by parameter count, diagonal scaling, logistic prior, batch 200, NICE's Adam.
 * - `realnvp-conv`: one scale of RealNVP's image architecture (§3.4–3.7, Fig. 3) on 28×28×1 MNIST, from the
 *   package's layers: 3 affine couplings with alternating checkerboard masks, a squeeze to 14×14×4, 3 with
 *   alternating channel masks, batch norm as a flow layer (batch statistics) after each coupling; each
 *   coupling's s, t from a 3×3 conv (64) – ReLU – 3×3 conv net; Gaussian prior; batch 64, Adam 1e-3. (The
 *   paper's couplings use deep residual networks and several scales; this is the smallest faithful block.)
 * - `dcgan`: Radford et al. 2015 on MNIST (dcgan-mnist, @paperzoo/gan-family at the authors' MNIST width w = 64):
 *   G z 100 → 128·7·7 (BN, ReLU) → 5×5 stride-2 transposed conv 64 (BN, ReLU) → transposed conv 1, tanh;
 *   D 5×5 stride-2 conv 64 (LeakyReLU 0.2) → conv 128 (BN, LeakyReLU) → dense 1; one D step on a real batch
 *   and G(z₁), then one G step on G(z₂) (non-saturating), Adam 2e-4 β₁ 0.5 each; batch 64; z drawn in the step.
 * - `gan-mlp`: Goodfellow et al. 2014 on MNIST (gan-mnist's full tier, the released mnist.yaml): G z 100 (N(0, I))
 *   → ReLU 1200 → ReLU 1200 → sigmoid 784; D maxout 240 × 5 → maxout 240 × 5 → 1 logit, dropout 0.2 on the pixels
 *   and 0.5 on the hidden layers; batch 100; one iteration of the released code's simultaneous update
 *   (`ganSimultaneousIteration`: D's loss ½(BCE real + BCE fake) and G's non-saturating loss, each differentiated
 *   in its own forward pass replayed from the same noise and dropout masks), pylearn2 momentum SGD (lr 0.1 decaying,
 *   μ 0.5) on each player.
 * - `wgan-gp`: one WGAN-GP critic step (Gulrajani et al. 2017 Alg. 1, wgan-mnist's part 2 at w = 64, batch 64:
 *   `wganCriticStep`): fakes from the DCGAN generator (batch norm in training mode, not differentiated), the DCGAN
 *   critic without batch norm on real and fake batches, and λ (‖∇_x̂ f(x̂)‖ − 1)² on interpolates (a second-order
 *   gradient through the critic), Adam 1e-4 β (0, 0.9); z and ε drawn in the step.
 * - `pacgan-mixture`: one PacGAN2 iteration on the 2-D ring (mode-collapse-mixtures' full tier, Lin et al. 2018):
 *   G z 2 → 2 × (128, BN, ReLU) → 2, run twice and packed to [100, 4]; D maxout 64 × 5 → maxout 64 × 5 → 1;
 *   simultaneous updates as mixture-training.ts (G's non-saturating gradient, then D's on the same fakes), Adam
 *   1e-3 β₁ 0.5 each, batch 100, then the BN running statistics; the packed real batch drawn once, z in the step.
 */
import { ParameterStore, tf, randomNormal, randomUniform } from '@paperzoo/tensor';
import { Adagrad, Adam } from '@paperzoo/core-autograd';
import {
  CYCLEGAN_ADAM, CYCLEGAN_POOL_SIZE, DCGAN_ADAM, DcganDiscriminator, ImagePool, PatchDiscriminator, ResnetGenerator, cycleganStep, DcganGenerator, GOODFELLOW_MNIST, MaxoutDiscriminator, MixtureDiscriminator, MixtureGenerator, MlpGenerator, Pylearn2Momentum, WGAN_GP_DEFAULTS,
  dcganStep, ganSimultaneousIteration, goodfellowLearningRate, mixtureGanStep, ringMixture, sampleMixture, sigmoidBiasFromMarginals, wganCriticStep,
} from '@paperzoo/gan-family';
import { AffineCoupling, BatchNormFlow, ConvConditioner, CouplingFlow, GAUSSIAN_PRIOR, NICE_ADAM, Squeeze, Vae, channelPartition, checkerboardPartition, flowForward, iwaeLoss, matchedAffineHidden, type FlowLayer } from '@paperzoo/vae-flow';
import type { TrainingStep } from './native-models.js';

export type GenerativeWorkload = 'vae' | 'iwae' | 'realnvp' | 'realnvp-conv' | 'dcgan' | 'gan-mlp' | 'wgan-gp' | 'pacgan-mixture' | 'cyclegan';
export const GENERATIVE_WORKLOADS: readonly GenerativeWorkload[] = ['vae', 'iwae', 'realnvp', 'realnvp-conv', 'dcgan', 'gan-mlp', 'wgan-gp', 'pacgan-mixture', 'cyclegan'];

/** The affine flow's hidden width (bench/torch_models.py uses the same number; checked here). */
export const REALNVP_HIDDEN = 956;

export function generativeTrainingStep(workload: GenerativeWorkload): TrainingStep {
  if (workload === 'realnvp') return realNvpStep();
  if (workload === 'realnvp-conv') return realNvpConvStep();
  if (workload === 'dcgan') return dcganTrainingStep();
  if (workload === 'gan-mlp') return ganMlpStep();
  if (workload === 'wgan-gp') return wganGpCriticStep();
  if (workload === 'pacgan-mixture') return pacganMixtureStep();
  if (workload === 'cyclegan') return cycleganTrainingStep();
  return workload === 'vae' ? vaeStep() : iwaeStep();
}

function binaryBatch(n: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.less(randomUniform([n, 784]), 0.5), 'float32') as tf.Tensor2D);
}

function stepOf(variables: tf.Variable[], optimizer: { minimize(f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar | null; dispose(): void }, loss: () => tf.Scalar, owned: { dispose(): void }[]): TrainingStep {
  return {
    step() {
      const l = optimizer.minimize(loss, true, variables)!;
      l.dataSync();
      l.dispose();
    },
    dispose() {
      optimizer.dispose();
      for (const o of owned) o.dispose();
    },
  };
}

function vaeStep(batch = 100): TrainingStep {
  const model = new Vae({ inputSize: 784, hidden: [500], latent: 20, seed: 1 });
  const x = binaryBatch(batch);
  const optimizer = new Adagrad({ learningRate: 0.02, l2: 1 / 60_000 });
  return stepOf(Object.values(model.variables), optimizer, () => tf.neg(tf.mean(model.elbo(x))) as tf.Scalar, [model, x]);
}

function iwaeStep(batch = 20, k = 50): TrainingStep {
  const model = new Vae({ inputSize: 784, hidden: [200, 200], latent: 50, init: 'glorot', seed: 1 });
  const x = binaryBatch(batch);
  const optimizer = new Adam({ learningRate: 1e-3, epsilon: 1e-4 });
  return stepOf(Object.values(model.variables), optimizer, () => iwaeLoss(model, x, k), [model, x]);
}

function realNvpStep(batch = 200): TrainingStep {
  const shape = { dims: 784, couplings: 4, hiddenLayers: 5 };
  const { hidden } = matchedAffineHidden({ ...shape, additiveHidden: 1000 });
  if (hidden !== REALNVP_HIDDEN) throw new Error(`bench realnvp: the matched width is ${hidden}, bench/torch_models.py assumes ${REALNVP_HIDDEN}`);
  const model = new CouplingFlow({ ...shape, hidden, law: 'affine', seed: 1 });
  const x = tf.tidy(() => randomUniform([batch, 784]) as tf.Tensor2D);
  const optimizer = new Adam(NICE_ADAM);
  return stepOf(Object.values(model.variables), optimizer, () => tf.neg(tf.mean(model.logProb(x, { training: true }))) as tf.Scalar, [model, x]);
}

function realNvpConvStep(batch = 64, hidden = 64): TrainingStep {
  const store = new ParameterStore('realnvp-conv');
  const layers: FlowLayer[] = [];
  const coupling = (name: string, partition: ReturnType<typeof checkerboardPartition>, channels: number) => {
    layers.push(new AffineCoupling(store, name, partition, new ConvConditioner(store, `${name}/net`, { channels, hidden, out: 2 * channels }), channels));
    layers.push(new BatchNormFlow(store, `${name}/bn`, channels));
  };
  for (let i = 0; i < 3; i++) coupling(`checkerboard${i}`, checkerboardPartition(28, 28, 1, (i % 2) as 0 | 1), 1);
  layers.push(new Squeeze());
  for (let i = 0; i < 3; i++) coupling(`channel${i}`, channelPartition(14, 14, 4, (i % 2) as 0 | 1), 4);
  store.allocate('bench');
  const variables = store.parameters.filter((p) => p.trainable).map((p) => p.variableOf());
  const x = tf.tidy(() => randomUniform([batch, 28, 28, 1]) as tf.Tensor4D);
  const optimizer = new Adam({ learningRate: 1e-3 });
  const loss = () =>
    tf.tidy(() => {
      const { y, logDet } = flowForward(layers, x, { training: true });
      return tf.neg(tf.mean(tf.add(GAUSSIAN_PRIOR.logProb(y), logDet))) as tf.Scalar;
    });
  return stepOf(variables, optimizer, loss, [store, x]);
}

function dcganTrainingStep(batch = 64, width = 64, latent = 100): TrainingStep {
  const g = new DcganGenerator({ width, latent, seed: 1 });
  const d = new DcganDiscriminator({ width, seed: 2 });
  const optG = new Adam(DCGAN_ADAM);
  const optD = new Adam(DCGAN_ADAM);
  const real = tf.tidy(() => tf.sub<tf.Tensor4D>(tf.mul(randomUniform([batch, 28, 28, 1]), 2), 1));
  return {
    step() {
      const [z1, z2] = [randomNormal([batch, latent]) as tf.Tensor2D, randomNormal([batch, latent]) as tf.Tensor2D];
      const r = dcganStep(g, d, optG, optD, real, z1, z2);
      r.g_loss.dataSync();
      tf.dispose([z1, z2, r.d_loss, r.g_loss]);
    },
    dispose() {
      tf.dispose(real);
      for (const o of [g, d, optG, optD]) o.dispose();
    },
  };
}

function ganMlpStep(batch: number = GOODFELLOW_MNIST.batchSize): TrainingStep {
  const real = tf.tidy(() => randomUniform([batch, 784]) as tf.Tensor2D);
  const g = new MlpGenerator({ outputBias: sigmoidBiasFromMarginals(real.dataSync(), 784), seed: 1 });
  const d = new MaxoutDiscriminator({ seed: 2 });
  const gOpt = new Pylearn2Momentum({ learningRate: (t) => goodfellowLearningRate(t) });
  const dOpt = new Pylearn2Momentum({ learningRate: (t) => goodfellowLearningRate(t) });
  return {
    step() {
      // as gan-mnist's fitGan calls it (simultaneous: true); μ stays 0.5 in the first epochs
      const r = ganSimultaneousIteration({
        generate: (z) => g.apply(z), discriminate: (x) => d.apply(x, { training: true }), noise: (m) => g.sampleNoise(m),
        generatorVariables: g.variables, discriminatorVariables: d.variables, generatorOptimizer: gOpt, discriminatorOptimizer: dOpt,
        loss: 'non-saturating', discriminatorLossScale: GOODFELLOW_MNIST.discriminatorLossScale, afterDiscriminatorStep: () => d.applyMaxNorm(),
      }, real);
      r.g_loss.dataSync();
      tf.dispose([r.d_loss, r.g_loss]);
    },
    dispose() {
      tf.dispose(real);
      for (const o of [g, d, gOpt, dOpt]) o.dispose();
    },
  };
}

function wganGpCriticStep(batch = 64, width = 64, latent = 100): TrainingStep {
  const g = new DcganGenerator({ width, latent, seed: 1 });
  const critic = new DcganDiscriminator({ width, batchNorm: false, seed: 2 });
  const opt = new Adam(WGAN_GP_DEFAULTS);
  const criticVariables = Object.values(critic.variables);
  const real = tf.tidy(() => tf.sub<tf.Tensor4D>(tf.mul(randomUniform([batch, 28, 28, 1]), 2), 1));
  return {
    step() {
      const z = randomNormal([batch, latent]) as tf.Tensor2D;
      const epsilon = randomUniform([batch]);
      const r = wganCriticStep({
        generator: (zz, training) => g.apply(zz, { training }), critic: (x, training) => critic.apply(x as tf.Tensor4D, { training }),
        criticVariables, optimizer: opt, real, z, penalty: { epsilon, lambda: WGAN_GP_DEFAULTS.lambda },
      });
      r.loss.dataSync();
      tf.dispose([z, epsilon, r.loss, r.wasserstein]);
    },
    dispose() {
      tf.dispose(real);
      for (const o of [g, critic, opt]) o.dispose();
    },
  };
}

/** mixture-training.ts's iteration (`mixtureGanStep`) for PacGAN2 at the sizes of mode-collapse-mixtures' full tier. */
function pacganMixtureStep(batch = 100, m = 2, generatorHidden = [128, 128], discriminatorHidden = [64, 64], learningRate = 1e-3, beta1 = 0.5): TrainingStep {
  const G = new MixtureGenerator({ hidden: generatorHidden, seed: 1 });
  const D = new MixtureDiscriminator({ inputs: 2 * m, hidden: discriminatorHidden, seed: 2 });
  const gOpt = new Adam({ learningRate, beta1, beta2: 0.999 });
  const dOpt = new Adam({ learningRate, beta1, beta2: 0.999 });
  const iterate = mixtureGanStep({ generator: G, discriminator: D, method: { objective: 'gan', pack: m }, generatorOptimizer: gOpt, discriminatorOptimizer: dOpt });
  const real = tf.tensor2d(sampleMixture(ringMixture(), batch * m), [batch, 2 * m]); // m independent draws per row
  return {
    step() {
      const r = iterate([real]);
      r.d_loss.dataSync();
      r.g_loss.dataSync();
      tf.dispose([r.d_loss, r.g_loss]);
    },
    dispose() {
      tf.dispose(real);
      for (const o of [G, D, gOpt, dOpt]) o.dispose();
    },
  };
}

/**
 * `cyclegan`: one CycleGAN iteration (Zhu et al. 2017; cyclegan-mnist's full tier, `cycleganStep`): G and F (ResNet
 * generators, k = 32, 6 blocks, reflection padding, instance norm) and two PatchGANs (k = 64) on 28×28 digits, batch 1;
 * the generators' step on eq. 3 (LSGAN terms, cycle λ = 10, identity 0.5λ), then the discriminators' on fakes from
 * the 50-image history; Adam 2e-4, β₁ 0.5.
 */
function cycleganTrainingStep(batch = 1, width = 32, blocks = 6, discWidth = 64): TrainingStep {
  const nets = {
    g: new ResnetGenerator({ width, blocks, channels: 1, seed: 1 }), f: new ResnetGenerator({ width, blocks, channels: 1, seed: 2 }),
    dX: new PatchDiscriminator({ width: discWidth, channels: 1, seed: 3 }), dY: new PatchDiscriminator({ width: discWidth, channels: 1, seed: 4 }),
  };
  const optG = new Adam(CYCLEGAN_ADAM);
  const optD = new Adam(CYCLEGAN_ADAM);
  const pools = { x: new ImagePool(CYCLEGAN_POOL_SIZE, Math.random), y: new ImagePool(CYCLEGAN_POOL_SIZE, Math.random) };
  const [x, y] = [0, 1].map(() => tf.tidy(() => tf.sub<tf.Tensor4D>(tf.mul(randomUniform([batch, 28, 28, 1]), 2), 1)));
  return {
    step() {
      cycleganStep(nets, optG, optD, x, y, pools); // reads its losses back (dataSync)
    },
    dispose() {
      tf.dispose([x, y]);
      for (const o of [nets.g, nets.f, nets.dX, nets.dY, optG, optD]) o.dispose();
    },
  };
}
