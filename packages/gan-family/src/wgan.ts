/**
 * WGAN and WGAN-GP training steps and the critic's per-layer gradient norms.
 *
 * - WGAN — M. Arjovsky, S. Chintala, L. Bottou, "Wasserstein GAN", ICML 2017,
 *   https://arxiv.org/abs/1701.07875, Algorithm 1: n_critic = 5 critic steps per generator step, each
 *   RMSProp (α = 5·10⁻⁵) on E[f(G(z))] − E[f(x)] followed by clipping every critic parameter to
 *   [−c, c], c = 0.01 ({@link clipWeights}, an assignment after the update, as their code's
 *   `p.data.clamp_(-c, c)` over all of netD's parameters); the generator minimises −E[f(G(z))].
 * - WGAN-GP — I. Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017,
 *   https://arxiv.org/abs/1704.00028, Algorithm 1: the critic's loss adds λ (‖∇_x̂ f(x̂)‖₂ − 1)² on
 *   interpolates (src/gradient-penalty.ts), λ = 10, n_critic = 5, Adam α = 10⁻⁴, β = (0, 0.9), and no
 *   batch norm in the critic.
 * - Fig. 1b of Gulrajani et al.: the norm of the critic's gradient with respect to each layer's weights,
 *   from the input layer to the output; under clipping it shrinks or grows geometrically with depth,
 *   under the penalty it stays level ({@link layerGradientNorms}, on the {@link MlpCritic} of that figure:
 *   a deep ReLU MLP).
 *
 * Shapes: real [B, ...] in the critic's input space; z [B, latent]; critic outputs [B, 1].
 */
import { tf, Module, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { gradientPenalty } from './gradient-penalty.js';
import type { Minimizer } from './dcgan.js';

/** Arjovsky et al. Alg. 1's defaults. */
export const WGAN_DEFAULTS = { criticSteps: 5, clip: 0.01, learningRate: 5e-5 } as const;
/** Gulrajani et al. Alg. 1's defaults (Adam β₁ = 0, β₂ = 0.9). */
export const WGAN_GP_DEFAULTS = { criticSteps: 5, lambda: 10, learningRate: 1e-4, beta1: 0, beta2: 0.9 } as const;

/** Clip every variable to [−c, c] in place (Arjovsky et al. Alg. 1 line 7). */
export function clipWeights(variables: readonly tf.Variable[], c: number): void {
  for (const v of variables) tf.tidy(() => v.assign(tf.clipByValue(v, -c, c)));
}

/** The largest |w| over the variables (to check clipping holds exactly). */
export function maxAbsWeight(variables: readonly tf.Variable[]): number {
  return variables.reduce((m, v) => Math.max(m, tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0])), 0);
}

/** A generator as the steps need it: z → samples in the critic's input space. */
export type SampleFn = (z: tf.Tensor2D, training: boolean) => tf.Tensor;
/** A critic as the steps need it: inputs → scores [B, 1]. */
export type CriticFn = (x: tf.Tensor, training: boolean) => tf.Tensor;

/**
 * One critic step of WGAN (clip > 0: then weights clipped) or WGAN-GP (`penalty` given: ε [B] drawn by
 * the caller). Minimises E[f(G(z))] − E[f(x)] (+ λ·GP). Returns the loss and the Wasserstein estimate
 * E[f(x)] − E[f(G(z))] of this batch (before the update), scalars the caller disposes.
 */
export function wganCriticStep(o: {
  generator: SampleFn; critic: CriticFn; criticVariables: tf.Variable[]; optimizer: Minimizer; real: tf.Tensor; z: tf.Tensor2D;
  clip?: number; penalty?: { epsilon: tf.Tensor; lambda?: number };
}): { loss: tf.Scalar; wasserstein: tf.Scalar } {
  const fake = tf.tidy(() => o.generator(o.z, true)); // G is not updated here: its output is a constant
  let wasserstein: tf.Scalar | null = null;
  try {
    const loss = o.optimizer.minimize(() => {
      const gap = tf.sub<tf.Scalar>(tf.mean(o.critic(fake, true)), tf.mean(o.critic(o.real, true)));
      wasserstein = tf.keep(tf.neg(gap));
      return o.penalty ? tf.add(gap, gradientPenalty((x) => o.critic(x, true), o.real, fake, o.penalty.epsilon, o.penalty.lambda ?? 10)) : gap;
    }, true, o.criticVariables)!;
    if (o.clip) clipWeights(o.criticVariables, o.clip);
    return { loss, wasserstein: wasserstein! };
  } finally {
    fake.dispose();
  }
}

/** One generator step: minimise −E[f(G(z))]. Returns the loss (a scalar the caller disposes). */
export function wganGeneratorStep(o: { generator: SampleFn; critic: CriticFn; generatorVariables: tf.Variable[]; optimizer: Minimizer; z: tf.Tensor2D }): tf.Scalar {
  return o.optimizer.minimize(() => tf.neg(tf.mean(o.critic(o.generator(o.z, true), true))) as tf.Scalar, true, o.generatorVariables)!;
}

export interface MlpCriticOptions extends ModuleOptions {
  inputs: number;
  /** Hidden layer widths (Gulrajani Fig. 1b: a 12-layer ReLU MLP). */
  hidden: number[];
}

/** A ReLU MLP critic: x [B, inputs] → [B, 1]; layers `layer0 … layerL` (weights N(0, 2/fan_in), biases 0). */
export class MlpCritic extends Module {
  readonly weights: Parameter[] = [];
  private readonly biases: Parameter[] = [];

  constructor(options: MlpCriticOptions) {
    super('mlp-critic');
    const sizes = [options.inputs, ...options.hidden, 1];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.weights.push(this.store.add(`layer${i}/kernel`, [sizes[i], sizes[i + 1]], { kind: 'normal', std: Math.sqrt(2 / sizes[i]) }));
      this.biases.push(this.store.add(`layer${i}/bias`, [sizes[i + 1]], { kind: 'zeros' }));
    }
    this.build(options);
  }

  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.applyFrom(0, tf.reshape(x, [x.shape[0], -1])));
  }

  /** The layers from `layer` on, applied to that layer's input h [B, width_in]. */
  applyFrom(layer: number, h: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      for (let i = layer; i < this.weights.length; i++) {
        h = tf.add(tf.matMul(h, this.weights[i].value), this.biases[i].value);
        if (i + 1 < this.weights.length) h = tf.relu(h);
      }
      return h as tf.Tensor2D;
    });
  }

  /** Each layer's input for x: [x, h₁, …, h_L] (h_l after the ReLU). */
  layerInputs(x: tf.Tensor): tf.Tensor2D[] {
    const out: tf.Tensor2D[] = [tf.reshape(x, [x.shape[0], -1])];
    for (let i = 0; i + 1 < this.weights.length; i++) out.push(tf.tidy(() => tf.relu(tf.add<tf.Tensor2D>(tf.matMul(out[i], this.weights[i].value), this.biases[i].value))));
    return out;
  }
}

/**
 * Gulrajani et al. Fig. 1b: ‖∂ L/∂W_l‖₂ for each weight matrix of the critic, input layer first, with
 * L the critic's loss E[f(x̃)] − E[f(x)] on the given batches. Returns one norm per layer.
 */
export function layerGradientNorms(critic: (x: tf.Tensor) => tf.Tensor, weights: readonly tf.Variable[], real: tf.Tensor, fake: tf.Tensor): number[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sub<tf.Scalar>(tf.mean(critic(fake)), tf.mean(critic(real))), [...weights]);
    return weights.map((w) => tf.norm(grads[w.name]).dataSync()[0]);
  });
}

/**
 * Gulrajani et al. Fig. 1b, backward signal: ‖∂L/∂h_l‖₂ (over the batch) for each layer's input h_l of an
 * {@link MlpCritic}, input layer first, L = E[f(x̃)] − E[f(x)]. Under weight clipping every layer scales
 * the signal by about c·√fan_in·(ReLU's 1/√2), so it vanishes (c small) or explodes (c large) geometrically
 * toward the input; under the penalty it stays level.
 */
export function layerInputGradientNorms(critic: MlpCritic, real: tf.Tensor, fake: tf.Tensor): number[] {
  return tf.tidy(() => {
    const hr = critic.layerInputs(real);
    const hf = critic.layerInputs(fake);
    return hr.map((_, l) => {
      const [gr, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sub<tf.Scalar>(tf.mean(critic.applyFrom(l, b)), tf.mean(critic.applyFrom(l, a))))([hr[l], hf[l]]);
      return Math.sqrt(tf.add(tf.sum(tf.square(gr)), tf.sum(tf.square(gf))).dataSync()[0]);
    });
  });
}
