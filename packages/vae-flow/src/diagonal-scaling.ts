/**
 * NICE's diagonal scaling layer — Dinh et al. 2014, §3.3: the last layer multiplies the i-th output by
 * exp(S_i) ("Homothety" in the authors' code), the only volume change of an additive-coupling model:
 *
 *   y = x ⊙ exp(S),   log |det J| = Σ_i S_i,   x = y ⊙ exp(−S)
 *
 * S has the shape of one example (e.g. [784]); it starts at 0. x [batch, …] → y, logDet [batch].
 */
import { tf, type Parameter, type ParameterStore } from '@paperzoo/tensor';
import type { FlowLayer } from './flow.js';

export class DiagonalScaling implements FlowLayer {
  readonly logScale: Parameter;

  constructor(store: ParameterStore, prefix: string, shape: readonly number[]) {
    this.logScale = store.add(`${prefix}/log_scale`, shape, { kind: 'zeros' }); // S
  }

  forward(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => ({ y: tf.mul(x, tf.exp(this.logScale.value)), logDet: tf.mul<tf.Tensor1D>(tf.ones([x.shape[0]]), tf.sum(this.logScale.value)) }));
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(y, tf.exp(tf.neg(this.logScale.value))));
  }
}
