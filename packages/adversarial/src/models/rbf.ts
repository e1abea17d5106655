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
import { tf } from '@paperzoo/tensor';

let nextInstance = 0;

export class RbfNetwork {
  readonly variables: { centres: tf.Variable; logPrecision: tf.Variable };

  constructor(options: { inputs?: number; classes?: number; initCentres?: tf.Tensor2D; initPrecision?: number } = {}) {
    const inputs = options.inputs ?? 784;
    const classes = options.classes ?? 10;
    const scope = `rbf_${nextInstance++}`;
    this.variables = {
      centres: tf.variable(options.initCentres ? options.initCentres.clone() : tf.fill([classes, inputs], 0.5), true, `${scope}/centres`), // [C, 784]
      logPrecision: tf.variable(tf.fill([classes, inputs], Math.log(options.initPrecision ?? 0.05)), true, `${scope}/log_precision`), // [C, 784]
    };
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → a [B, C] (log of the unnormalised RBF activations). */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      // Σ_i β_ci (x_i − μ_ci)² = x²·β_c − 2x·(β_c ⊙ μ_c) + Σ_i β_ci μ_ci², as three matrix products.
      const flat = x.reshape<tf.Tensor2D>([x.shape[0], -1]); // [B, 784]
      const beta = tf.exp(this.variables.logPrecision); // [C, 784]
      const mu = this.variables.centres; // [C, 784]
      const quad = tf.matMul(tf.square(flat), beta, false, true); // [B, C]
      const cross = tf.matMul(flat, tf.mul(beta, mu), false, true); // [B, C]
      const constant = tf.sum(tf.mul(beta, tf.square(mu)), -1); // [C]
      return tf.neg(tf.add(tf.sub(quad, tf.mul(2, cross)), constant)) as tf.Tensor2D; // [B, C]
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}
