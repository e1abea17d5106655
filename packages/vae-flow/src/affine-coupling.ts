/**
 * RealNVP's affine coupling layer — L. Dinh, J. Sohl-Dickstein, S. Bengio, "Density estimation using
 * Real NVP", ICLR 2017, https://arxiv.org/abs/1605.08803, §3.3, eq. (4)–(9):
 *
 *   y_{1:d} = x_{1:d},   y_{d+1:D} = x_{d+1:D} ⊙ exp(s(x_{1:d})) + t(x_{1:d})
 *   x_{d+1:D} = (y_{d+1:D} − t(y_{1:d})) ⊙ exp(−s(y_{1:d}))
 *   log |det J| = Σ_j s(x_{1:d})_j
 *
 * With a mask b (eq. 9): y = b ⊙ x + (1 − b) ⊙ (x ⊙ exp(s(b ⊙ x)) + t(b ⊙ x)). The network outputs
 * [raw, t] along its last axis; s = scale ⊙ tanh(raw) with a learned per-feature `scale` (initial 1):
 * a bounded log-scale for stability (our choice, common in reimplementations; the exactness of the
 * inverse and log-determinant does not depend on it).
 * x [batch, …] → y [batch, …], logDet [batch].
 */
import { tf, type Parameter, type ParameterStore } from '@paperzoo/tensor';
import type { Conditioner } from './conditioner.js';
import type { FlowLayer } from './flow.js';
import { sumPerExample } from './flow.js';
import type { Partition } from './partition.js';

export class AffineCoupling implements FlowLayer {
  private readonly scale: Parameter;

  constructor(
    store: ParameterStore,
    prefix: string,
    readonly partition: Partition,
    /** conditioning part → [..., 2k]: log-scale pre-activations then shifts, k = the transformed part's last axis. */
    readonly coupling: Conditioner,
    /** k: the transformed part's last-axis size. */
    features: number,
  ) {
    this.scale = store.add(`${prefix}/scale`, [features], { kind: 'ones' }); // [k]
  }

  /** s and t for a conditioning input, both restricted to the transformed part. */
  private scaleAndShift(conditioning: tf.Tensor): { s: tf.Tensor; t: tf.Tensor } {
    const out = this.coupling.apply(conditioning); // [..., 2k]
    const [raw, shift] = tf.split(out, 2, out.rank - 1); // [..., k] each
    return { s: this.partition.restrict(tf.mul(this.scale.value, tf.tanh(raw))), t: this.partition.restrict(shift) };
  }

  forward(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.partition.split(x);
      const { s, t } = this.scaleAndShift(conditioning);
      return { y: this.partition.merge(conditioning, tf.add(tf.mul(transformed, tf.exp(s)), t)), logDet: sumPerExample(s) };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.partition.split(y);
      const { s, t } = this.scaleAndShift(conditioning);
      return this.partition.merge(conditioning, tf.mul(tf.sub(transformed, t), tf.exp(tf.neg(s))));
    });
  }
}
