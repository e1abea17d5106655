/**
 * The variational autoencoder — D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014,
 * https://arxiv.org/abs/1312.6114. One model class for both papers' MLPs:
 *
 * - Gaussian encoder q_φ(z|x) = N(μ(x), diag σ²(x)) (App. C.2): h = tanh(W_h x + b_h) (one or more
 *   layers), μ = W_μ h + b_μ, log σ² = W_σ h + b_σ.  x [n, D] → μ, log σ² [n, J].
 * - Decoder p_θ(x|z): Bernoulli (App. C.1): y = sigmoid(W_y tanh(W_h z + b_h) + b_y), log p(x|z) =
 *   Σ_i x_i log y_i + (1 − x_i) log(1 − y_i); or Gaussian (App. C.2) with mean sigmoid(·) and its own
 *   log σ² output.  z [..., n, J] → log p(x|z) [..., n].
 * - The reparameterisation trick (§2.4, eq. 4): z = μ + σ ⊙ ε, ε ~ N(0, I), so the bound is
 *   differentiable in φ.
 * - The bound with the analytic KL (§2.3 eq. 7 and App. B, eq. 10):
 *   L(x) ≈ ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²) + (1/L) Σ_l log p(x | z^(l)).
 * - {@link Vae.logWeights}: log w = log p(x|z) + log p(z) − log q(z|x) for k samples z ~ q(z|x), the
 *   quantity IWAE's bound (iwae.ts) and the importance-sampled NLL (nll.ts) are built from.
 */
import { Module, nextSeed, tf, type Initializer, type ModuleOptions } from '@paperzoo/tensor';

const LOG_2PI = Math.log(2 * Math.PI);

export interface VaeOptions extends ModuleOptions {
  /** D, the data dimension (784 for MNIST). */
  inputSize: number;
  /** Hidden tanh layers of the encoder (Kingma's MNIST: [500]; Burda: [200, 200]). */
  hidden: readonly number[];
  /** J, the latent dimension. */
  latent: number;
  /** Hidden tanh layers of the decoder (default: the encoder's, reversed). */
  decoderHidden?: readonly number[];
  /** The decoder's distribution (default 'bernoulli'). */
  likelihood?: 'bernoulli' | 'gaussian';
  /**
   * Weight initialisation: a normal of this standard deviation (Kingma App. C: N(0, 0.01²)), or
   * 'glorot' (Burda et al.'s code: Glorot & Bengio's uniform). Biases start at 0.
   */
  init?: number | 'glorot';
  /** Initial bias of the Bernoulli output (e.g. the logit of the training mean; default 0). [D] */
  outputBias?: Float32Array;
  /** Model name (seeds the initialisation; default 'vae'). */
  name?: string;
}

/** q(z|x)'s parameters. */
export interface Posterior {
  /** μ [n, J] */
  mean: tf.Tensor;
  /** log σ² [n, J] */
  logVar: tf.Tensor;
}

/** KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²) (App. B): [..., J] → [...]. */
export function gaussianKl(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mean), tf.exp(logVar))), -1)));
}

/** z = μ + σ ⊙ ε (§2.4): μ, log σ² [n, J], ε [..., n, J] → z [..., n, J]. */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, epsilon: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), epsilon)));
}

/** log N(z; μ, diag σ²), summed over the last axis: [..., J] → [...]. */
export function logNormal(z: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(-0.5, tf.sum(tf.add(tf.add(LOG_2PI, logVar), tf.div(tf.square(tf.sub(z, mean)), tf.exp(logVar))), -1)));
}

/** log N(z; 0, I) summed over the last axis: [..., J] → [...]. */
export function logStandardNormal(z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(-0.5, tf.add(tf.sum(tf.square(z), -1), z.shape[z.rank - 1] * LOG_2PI)));
}

/** The VAE of Kingma & Welling (and IWAE's one-stochastic-layer model): equations at the top of this file. */
export class Vae extends Module {
  readonly inputSize: number;
  readonly latent: number;
  readonly hidden: readonly number[];
  readonly decoderHidden: readonly number[];
  readonly likelihood: 'bernoulli' | 'gaussian';

  constructor(options: VaeOptions) {
    super(options.name ?? 'vae');
    this.inputSize = options.inputSize;
    this.latent = options.latent;
    this.hidden = options.hidden;
    this.decoderHidden = options.decoderHidden ?? [...options.hidden].reverse();
    this.likelihood = options.likelihood ?? 'bernoulli';
    const init = options.init ?? 0.01;
    const weight = (fanIn: number, fanOut: number): Initializer => (init === 'glorot' ? { kind: 'uniform', limit: Math.sqrt(6 / (fanIn + fanOut)) } : { kind: 'normal', std: init });
    const dense = (name: string, fanIn: number, fanOut: number, bias: Initializer = { kind: 'zeros' }) => {
      this.store.add(`${name}/kernel`, [fanIn, fanOut], weight(fanIn, fanOut)); // [in, out]
      this.store.add(`${name}/bias`, [fanOut], bias); // [out]
    };
    let width = this.inputSize;
    this.hidden.forEach((h, i) => dense(`encoder${i + 1}`, width, (width = h)));
    dense('mean', width, this.latent);
    dense('logvar', width, this.latent);
    width = this.latent;
    this.decoderHidden.forEach((h, i) => dense(`decoder${i + 1}`, width, (width = h)));
    dense('output', width, this.inputSize, options.outputBias ? { kind: 'tensor', values: options.outputBias } : { kind: 'zeros' });
    if (this.likelihood === 'gaussian') dense('output_logvar', width, this.inputSize);
    this.build(options);
  }

  private layer(name: string, h: tf.Tensor): tf.Tensor {
    const v = this.variables;
    const [w, b] = [v[`${name}/kernel`], v[`${name}/bias`]];
    if (h.rank === 2) return tf.add(tf.matMul(h as tf.Tensor2D, w), b);
    const lead = h.shape.slice(0, -1);
    return tf.reshape(tf.add(tf.matMul(tf.reshape<tf.Rank.R2>(h, [-1, h.shape[h.rank - 1]]), w), b), [...lead, w.shape[1] as number]);
  }

  /** q(z|x): x [n, D] → μ, log σ² [n, J]. */
  encode(x: tf.Tensor): Posterior {
    const { mean, logVar } = tf.tidy(() => {
      let h = x;
      this.hidden.forEach((_, i) => (h = tf.tanh(this.layer(`encoder${i + 1}`, h)))); // [n, H]
      return { mean: this.layer('mean', h), logVar: this.layer('logvar', h) };
    });
    return { mean, logVar };
  }

  /** The decoder's last pre-activation: z [..., n, J] → Bernoulli logits (or the Gaussian mean's pre-sigmoid) [..., n, D]. */
  decodeLogits(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.layer('output', this.decoderTop(z)));
  }

  private decoderTop(z: tf.Tensor): tf.Tensor {
    let h = z;
    this.decoderHidden.forEach((_, i) => (h = tf.tanh(this.layer(`decoder${i + 1}`, h)))); // [..., n, H]
    return h;
  }

  /** The decoder's mean, E[x|z] in [0, 1]: z [..., n, J] → [..., n, D] (samples and traversals). */
  decodeMean(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)));
  }

  /** log p(x|z) summed over the D dimensions: x [n, D], z [..., n, J] → [..., n]. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = this.decoderTop(z);
      const logits = this.layer('output', h); // [..., n, D]
      if (this.likelihood === 'bernoulli') return tf.sum(tf.sub(tf.mul(x, logits), tf.softplus(logits)), -1); // x·l − log(1 + eˡ)
      return logNormal(x, tf.sigmoid(logits), this.layer('output_logvar', h));
    });
  }

  /**
   * The single-sample bound with the analytic KL (eq. 10, L = 1): x [n, D] → L(x) [n]. `epsilon` [n, J]
   * (default: drawn from the global generator).
   */
  elbo(x: tf.Tensor, epsilon?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const q = this.encode(x);
      const eps = epsilon ?? tf.randomNormal(q.mean.shape, 0, 1, 'float32', nextSeed());
      const z = reparameterize(q.mean, q.logVar, eps); // [n, J]
      return tf.sub(this.logLikelihood(x, z), gaussianKl(q.mean, q.logVar));
    });
  }

  /**
   * Importance log-weights log w_i = log p(x, z_i) − log q(z_i|x), z_i = μ + σ ε_i, for k samples per
   * example: x [n, D] → [k, n]. `epsilon` [k, n, J] (default: drawn from the global generator).
   */
  logWeights(x: tf.Tensor, k: number, epsilon?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const q = this.encode(x);
      const eps = epsilon ?? tf.randomNormal([k, ...q.mean.shape], 0, 1, 'float32', nextSeed());
      const z = reparameterize(q.mean, q.logVar, eps); // [k, n, J]
      return tf.add(this.logLikelihood(x, z), tf.sub(logStandardNormal(z), logNormal(z, q.mean, q.logVar))); // [k, n]
    });
  }
}
