/**
 * NICE's additive coupling layer — Dinh et al. 2014, §3.2, eq. (5)–(6):
 *
 *   y_{I1} = x_{I1},   y_{I2} = x_{I2} + m(x_{I1})
 *   x_{I1} = y_{I1},   x_{I2} = y_{I2} − m(y_{I1})
 *
 * The Jacobian is unit triangular, so log |det J| = 0 (volume preserving; the diagonal scaling layer
 * gives the model its volume change). x [batch, …] → y [batch, …], logDet [batch] of zeros.
 */
import { tf } from '@paperzoo/tensor';
import type { Conditioner } from './conditioner.js';
import type { FlowLayer } from './flow.js';
import type { Partition } from './partition.js';

export class AdditiveCoupling implements FlowLayer {
  constructor(
    readonly partition: Partition,
    /** m: conditioning part → a shift shaped like the transformed part. */
    readonly coupling: Conditioner,
  ) {}

  forward(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.partition.split(x);
      const shift = this.partition.restrict(this.coupling.apply(conditioning)); // m(x_{I1})
      return { y: this.partition.merge(conditioning, tf.add(transformed, shift)), logDet: tf.zeros([x.shape[0]]) };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { conditioning, transformed } = this.partition.split(y);
      return this.partition.merge(conditioning, tf.sub(transformed, this.partition.restrict(this.coupling.apply(conditioning))));
    });
  }
}
