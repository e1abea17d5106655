/**
 * Batch normalisation as a flow layer — RealNVP (Dinh et al. 2016), §3.7 and eq. (10):
 *
 *   x ↦ (x − μ̃) / √(σ̃² + ε)   with   log |det J| = −½ Σ_i log(σ̃²_i + ε)
 *
 * followed here by a learned affine map exp(γ) ⊙ · + β (log-det + Σ γ). In training μ̃, σ̃² are the
 * batch statistics, and, as in the paper, the log-determinant treats them as constants (the map of one
 * example given the batch); otherwise the running averages (updated in training with `momentum`).
 * Statistics are per feature (last axis), over the batch and any spatial axes; Σ_i then runs over every
 * position: log |det J| = (H·W) · Σ_c [γ_c − ½ log(σ̃²_c + ε)] for x [batch, H, W, C].
 * The inverse uses the running statistics.
 */
import { tf, type Parameter, type ParameterStore } from '@paperzoo/tensor';
import type { FlowLayer, FlowMode } from './flow.js';

export class BatchNormFlow implements FlowLayer {
  readonly logGamma: Parameter;
  readonly beta: Parameter;
  readonly runningMean: Parameter;
  readonly runningVariance: Parameter;

  constructor(store: ParameterStore, prefix: string, features: number, readonly o: { epsilon?: number; momentum?: number } = {}) {
    this.logGamma = store.add(`${prefix}/log_gamma`, [features], { kind: 'zeros' }); // γ [C]
    this.beta = store.add(`${prefix}/beta`, [features], { kind: 'zeros' }); // β [C]
    this.runningMean = store.add(`${prefix}/running_mean`, [features], { kind: 'zeros' }, { trainable: false });
    this.runningVariance = store.add(`${prefix}/running_variance`, [features], { kind: 'ones' }, { trainable: false });
  }

  private get epsilon(): number {
    return this.o.epsilon ?? 1e-4;
  }

  /** The map with given statistics (constants): y, and logDet [batch]. */
  normalizeWith(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const positions = x.size / x.shape[0] / x.shape[x.rank - 1]; // H·W (1 for vectors)
      const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.epsilon))), tf.exp(this.logGamma.value)), this.beta.value);
      const perExample = tf.mul(tf.sum(tf.sub(this.logGamma.value, tf.mul(0.5, tf.log(tf.add(variance, this.epsilon))))), positions);
      return { y, logDet: tf.mul<tf.Tensor1D>(tf.ones([x.shape[0]]), perExample) };
    });
  }

  forward(x: tf.Tensor, mode: FlowMode = {}): { y: tf.Tensor; logDet: tf.Tensor1D } {
    if (!mode.training) return this.normalizeWith(x, this.runningMean.value, this.runningVariance.value);
    return tf.tidy(() => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, axes); // [C] each
      const m = this.o.momentum ?? 0.9;
      // the running averages (no gradient flows through an assign)
      this.runningMean.variableOf().assign(tf.add(tf.mul(this.runningMean.value, m), tf.mul(mean, 1 - m)));
      this.runningVariance.variableOf().assign(tf.add(tf.mul(this.runningVariance.value, m), tf.mul(variance, 1 - m)));
      return this.normalizeWith(x, mean, variance);
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const normalized = tf.div(tf.sub(y, this.beta.value), tf.exp(this.logGamma.value));
      return tf.add(tf.mul(normalized, tf.sqrt(tf.add(this.runningVariance.value, this.epsilon))), this.runningMean.value);
    });
  }
}
