/**
 * Batch normalisation — S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training
 * by Reducing Internal Covariate Shift", ICML 2015. https://arxiv.org/abs/1502.03167
 *
 * Algorithm 1 (§3, training, per channel over a mini-batch B = {x_1 … x_m}):
 *
 *   μ_B  = (1/m) Σ_i x_i                       mini-batch mean
 *   σ²_B = (1/m) Σ_i (x_i − μ_B)²              mini-batch variance
 *   x̂_i  = (x_i − μ_B) / √(σ²_B + ε)           normalise
 *   y_i  = γ x̂_i + β                           scale and shift (γ, β trainable)
 *
 * Algorithm 2 (§3.1, inference): y = γ (x − E[x]) / √(Var[x] + ε) + β with the population statistics
 * E[x] and Var[x] = m/(m − 1) · E_B[σ²_B]. As every framework does, the population statistics are
 * running averages updated at each training step (momentum m, PyTorch's convention):
 *
 *   runningMean ← (1 − m)·runningMean + m·μ_B
 *   runningVar  ← (1 − m)·runningVar  + m·σ²_B · n/(n − 1)     (unbiased, as Algorithm 2 step 10)
 *
 * For convolutional layers (§3.2) the statistics are per feature map, over the batch and all spatial
 * positions (m = batch·H·W), so γ, β are per channel. The mean/variance are taken over every axis but
 * the last: [B, C] for dense layers, [B, H, W, C] for NHWC images.
 *
 * The running statistics are non-trainable variables (`movingMean`, `movingVariance`); a model
 * exposes them as `stateVariables` so `fit({ extraVariables })` checkpoints and resumes them.
 * Training mode runs @paperzoo/tensor's `batchNormTraining` (Algorithm 1 as one op): on the native
 * backend one fused kernel forward and one backward; elsewhere tf.moments and the normalisation as tfjs
 * ops with their automatic gradient. The tests check both against a float64 reference.
 */
import { tf, batchNormTraining } from '@paperzoo/tensor';
import type { ForwardOptions, Parameter, ParameterStore } from './layers.js';

export interface BatchNormOptions {
  /** Weight of the new batch statistic in the running averages (PyTorch's convention; Keras's is 1 − m). Default 0.1. */
  momentum?: number;
  /** ε added to the variance (default 1e-5). */
  epsilon?: number;
  /** Initial γ (default 1). */
  gammaInit?: number;
}

/** The four tensors of a batch-norm layer. */
export interface BatchNormTensors {
  gamma: tf.Tensor; // [C]
  beta: tf.Tensor; // [C]
  movingMean: tf.Variable; // [C]
  movingVariance: tf.Variable; // [C]
}

/**
 * Batch normalisation as a function of its tensors: usable from any package with its own variables.
 * In training mode it normalises with the batch statistics and updates the running averages in place;
 * in inference mode it uses the running averages. x: [..., C] → [..., C].
 */
export function batchNormalize(x: tf.Tensor, p: BatchNormTensors, options: ForwardOptions & BatchNormOptions = {}): tf.Tensor {
  const epsilon = options.epsilon ?? 1e-5;
  const momentum = options.momentum ?? 0.1;
  const axes = x.shape.map((_, i) => i).slice(0, -1); // every axis but the channel axis
  if (!options.training) {
    return tf.tidy(() => {
      const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.movingVariance, epsilon))); // [C]
      return tf.add(tf.mul(tf.sub(x, p.movingMean), scale), p.beta); // γ(x − E[x])/√(Var[x] + ε) + β
    });
  }
  const count = axes.reduce((n, a) => n * x.shape[a], 1); // m: values per channel in this batch
  if (count < 2) throw new RangeError(`batch normalisation in training mode needs at least 2 values per channel, got ${count} (input [${x.shape.join(', ')}])`);
  return tf.tidy(() => {
    // μ_B, σ²_B (biased): [C]; y = γ·(x − μ_B)/√(σ²_B + ε) + β: [..., C]
    const { y, mean, variance } = batchNormTraining(x, p.gamma, p.beta, epsilon);
    // Running averages (Algorithm 2, step 10's unbiased variance). They do not lead to the loss,
    // so the backward pass never visits them.
    p.movingMean.assign(tf.add(tf.mul(p.movingMean, 1 - momentum), tf.mul(mean, momentum)));
    p.movingVariance.assign(tf.add(tf.mul(p.movingVariance, 1 - momentum), tf.mul(variance, (momentum * count) / (count - 1))));
    return y;
  });
}

/**
 * A batch-normalisation layer over the last axis, with trainable γ (`gamma`, init 1) and β (`beta`,
 * init 0) and non-trainable running statistics (`movingMean` init 0, `movingVariance` init 1).
 */
export class BatchNorm {
  readonly gamma: Parameter;
  readonly beta: Parameter;
  readonly movingMean: Parameter;
  readonly movingVariance: Parameter;

  constructor(store: ParameterStore, readonly name: string, readonly channels: number, readonly options: BatchNormOptions = {}) {
    this.gamma = store.add(`${name}/gamma`, [channels], { kind: 'constant', value: options.gammaInit ?? 1 });
    this.beta = store.add(`${name}/beta`, [channels], { kind: 'zeros' });
    this.movingMean = store.add(`${name}/moving_mean`, [channels], { kind: 'zeros' }, { trainable: false });
    this.movingVariance = store.add(`${name}/moving_variance`, [channels], { kind: 'ones' }, { trainable: false });
  }

  apply(x: tf.Tensor, options: ForwardOptions = {}): tf.Tensor {
    return batchNormalize(
      x,
      { gamma: this.gamma.value, beta: this.beta.value, movingMean: this.movingMean.variableOf(), movingVariance: this.movingVariance.variableOf() },
      { ...this.options, training: options.training },
    );
  }
}
