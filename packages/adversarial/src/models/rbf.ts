/**
 * A shallow RBF network — the nonlinear contrast model of Goodfellow, Shlens & Szegedy, "Explaining
 * and Harnessing Adversarial Examples", ICLR 2015, §7 and §8. https://arxiv.org/abs/1412.6572
 *
 * One radial-basis unit per class with a centre μ_c and a diagonal precision β_c ≥ 0 (§7:
 * p(y = 1 | x) = exp((x − μ)⊤β(x − μ)) with β negative definite; here written with the sign explicit):
 *
 *   a_c(x) = −Σ_i β_ci (x_i − μ_ci)²,      prediction = argmax_c a_c(x)
 *
 * It responds only near its centres, so it cannot extrapolate linearly — the property §7 credits for
 * its resistance to the fast gradient sign method. We train the a_c as logits of a softmax
 * (cross-entropy), which keeps every unit's shape and the decision rule; β = exp(log β) keeps the
 * precision positive. `initCentres` (e.g. class means of the training set) speeds training up.
 */
import { tf, Module, type Parameter } from '@paperzoo/tensor';

export class RbfNetwork extends Module {
  readonly centres: Parameter;
  readonly logPrecision: Parameter;

  constructor(options: { inputs?: number; classes?: number; initCentres?: tf.Tensor2D | Float32Array; initPrecision?: number } = {}) {
    super('rbf');
    const shape = [options.classes ?? 10, options.inputs ?? 784]; // [C, 784]
    const init = options.initCentres;
    this.centres = this.store.add('centres', shape, init ? { kind: 'tensor', values: init instanceof Float32Array ? init : init.dataSync() as Float32Array } : { kind: 'constant', value: 0.5 });
    this.logPrecision = this.store.add('log_precision', shape, { kind: 'constant', value: Math.log(options.initPrecision ?? 0.05) });
    this.build();
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → a [B, C] (log of the unnormalised RBF activations). */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      // Σ_i β_ci (x_i − μ_ci)² = x²·β_c − 2x·(β_c ⊙ μ_c) + Σ_i β_ci μ_ci², as three matrix products.
      const flat = x.reshape<tf.Tensor2D>([x.shape[0], -1]); // [B, 784]
      const beta = tf.exp(this.logPrecision.value); // [C, 784]
      const mu = this.centres.value; // [C, 784]
      const quad = tf.matMul(tf.square(flat), beta, false, true); // [B, C]
      const cross = tf.matMul(flat, tf.mul(beta, mu), false, true); // [B, C]
      const constant = tf.sum(tf.mul(beta, tf.square(mu)), -1); // [C]
      return tf.neg(tf.add(tf.sub(quad, tf.mul(2, cross)), constant)) as tf.Tensor2D; // [B, C]
    });
  }
}
