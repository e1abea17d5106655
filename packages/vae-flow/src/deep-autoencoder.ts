/**
 * The deep autoencoder of G. E. Hinton & R. R. Salakhutdinov, "Reducing the Dimensionality of Data with
 * Neural Networks", Science 313 (2006), Fig. 1 and 2A: 784-1000-500-250-30 logistic layers with a linear
 * 30-unit code, unrolled into a mirror-image decoder 30-250-500-1000-784 with logistic outputs.
 * https://doi.org/10.1126/science.1127647
 *
 * Encoder layer k: h_{k+1} = σ(h_k W_k + b_k) (the last one linear: the code z = h_{L−1} W_{L−1} + b_{L−1});
 * decoder layer k: g_k = σ(g_{k+1} U_k + c_k), U_k [s_{k+1}, s_k], g_L = z, x̂ = g_0 [N, 784].
 * Pre-training: layer k's RBM is (W_k, b_k, c_k) (rbm.ts); unrolling sets U_k = W_kᵀ (Fig. 1, "unrolling").
 * Fine-tuning (their backprop.m / CG_MNIST.m): conjugate gradients (minimize.ts, three line searches per
 * mini-batch of 1000) on the cross-entropy of the logistic outputs, averaged over the images,
 *   L = −(1/N) Σ_n Σ_d [x_d log x̂_d + (1 − x_d) log(1 − x̂_d)];
 * the reported error is the squared error Σ_d (x_d − x̂_d)² per image, averaged (pca.ts).
 * With sizes [784, 30] and no pre-training this is a linear code with logistic outputs (our stand-in
 * for the paper's logistic PCA; see the app's README).
 */
import { Module, tf, type ModuleOptions } from '@paperzoo/tensor';
import { minimize, type MinimizeResult } from './minimize.js';
import type { RbmParameters } from './rbm.js';

export type AutoencoderParams = Record<string, tf.Tensor>;

export interface DeepAutoencoderOptions extends ModuleOptions {
  /** Layer widths from the input to the code (the paper: [784, 1000, 500, 250, 30]). */
  sizes?: readonly number[];
  /** Standard deviation of the initial weights (rbm.m: 0.1·randn). */
  initStd?: number;
  /** Model name (seeds the initialisation). */
  name?: string;
}

/** The encoder–decoder stack; parameters `enc{k}/kernel` [s_k, s_{k+1}], `enc{k}/bias`, `dec{k}/kernel` [s_{k+1}, s_k], `dec{k}/bias`. */
export class DeepAutoencoder extends Module {
  readonly sizes: readonly number[];

  constructor(options: DeepAutoencoderOptions = {}) {
    super(options.name ?? 'deep-autoencoder');
    this.sizes = options.sizes ?? [784, 1000, 500, 250, 30];
    if (this.sizes.length < 2) throw new RangeError(`DeepAutoencoder: sizes needs an input and a code width, got [${this.sizes.join(', ')}]`);
    const std = options.initStd ?? 0.1;
    for (let k = 0; k + 1 < this.sizes.length; k++) {
      const [lower, upper] = [this.sizes[k], this.sizes[k + 1]];
      this.store.add(`enc${k}/kernel`, [lower, upper], { kind: 'normal', std }); // W_k [s_k, s_{k+1}]
      this.store.add(`enc${k}/bias`, [upper], { kind: 'zeros' }); // b_k
      this.store.add(`dec${k}/kernel`, [upper, lower], { kind: 'normal', std }); // U_k [s_{k+1}, s_k]
      this.store.add(`dec${k}/bias`, [lower], { kind: 'zeros' }); // c_k
    }
    this.build(options);
    this.unroll(); // U_k = W_kᵀ from the start (pre-training overwrites W, unrolls again)
  }

  /** Number of weight layers in the encoder (4 in the paper). */
  get depth(): number {
    return this.sizes.length - 1;
  }

  /** The current parameters (the variables) by path. */
  params(): AutoencoderParams {
    return { ...this.variables };
  }

  /** Layer k's RBM: W_k, b_k and the visible bias c_k it shares with decoder layer k. */
  rbm(k: number): RbmParameters {
    const v = this.variables;
    return { weights: v[`enc${k}/kernel`], hiddenBias: v[`enc${k}/bias`], visibleBias: v[`dec${k}/bias`] };
  }

  /** Copy each encoder weight's transpose into the decoder (U_k = W_kᵀ). */
  unroll(): void {
    const v = this.variables;
    for (let k = 0; k < this.depth; k++) tf.tidy(() => v[`dec${k}/kernel`].assign(tf.transpose(v[`enc${k}/kernel`])));
  }

  /** The input to layer k's RBM: x [N, 784] through the first k logistic encoder layers → [N, s_k]. */
  encodeTo(x: tf.Tensor2D, k: number, params: AutoencoderParams = this.params()): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      for (let j = 0; j < k; j++) {
        const pre = tf.add<tf.Tensor2D>(tf.matMul(h, params[`enc${j}/kernel`]), params[`enc${j}/bias`]);
        h = j === this.depth - 1 ? pre : tf.sigmoid(pre); // the code layer is linear
      }
      return h;
    });
  }

  /** The 30-d code z [N, s_L] of x [N, 784]. */
  encode(x: tf.Tensor2D, params: AutoencoderParams = this.params()): tf.Tensor2D {
    return this.encodeTo(x, this.depth, params);
  }

  /** The decoder's output logits a with x̂ = σ(a): z [N, s_L] → [N, 784]. */
  decodeLogits(z: tf.Tensor2D, params: AutoencoderParams = this.params()): tf.Tensor2D {
    return tf.tidy(() => {
      let g = z;
      for (let k = this.depth - 1; k >= 0; k--) {
        const pre = tf.add<tf.Tensor2D>(tf.matMul(g, params[`dec${k}/kernel`]), params[`dec${k}/bias`]);
        g = k === 0 ? pre : tf.sigmoid(pre);
      }
      return g;
    });
  }

  /** x̂ = σ(decodeLogits(encode(x))) [N, 784]. */
  reconstruct(x: tf.Tensor2D, params: AutoencoderParams = this.params()): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(this.encode(x, params), params)));
  }

  /** The fine-tuning loss: the summed cross-entropy of the logistic outputs, averaged over the images (a scalar). */
  crossEntropy(x: tf.Tensor2D, params: AutoencoderParams = this.params()): tf.Scalar {
    return tf.tidy(() => {
      const a = this.decodeLogits(this.encode(x, params), params); // [N, 784]
      // −[x log σ(a) + (1 − x) log(1 − σ(a))] = softplus(a) − x a, stable for any a
      return tf.div<tf.Scalar>(tf.sum(tf.sub(tf.softplus(a), tf.mul(x, a))), x.shape[0]);
    });
  }

  /** Every trainable parameter as one float64 vector, in `parameters` order. */
  flatParameters(): Float64Array {
    const out = new Float64Array(this.parameterCount());
    let offset = 0;
    for (const p of this.parameters) {
      const values = p.variableOf().dataSync();
      out.set(values, offset);
      offset += values.length;
    }
    return out;
  }

  /** Assign the variables from a vector laid out as {@link flatParameters}. */
  setFlatParameters(flat: Float64Array): void {
    let offset = 0;
    for (const p of this.parameters) {
      const v = p.variableOf();
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(flat.subarray(offset, offset + p.size)), v.shape)));
      offset += p.size;
    }
  }

  /** The cross-entropy on x and its gradient, as a function of the flat parameter vector (CG's objective). */
  objective(x: tf.Tensor2D): (flat: Float64Array) => { value: number; gradient: Float64Array } {
    const names = this.parameters.map((p) => p.name);
    const shapes = this.parameters.map((p) => [...p.shape]);
    return (flat) => {
      let offset = 0;
      const tensors = names.map((_, i) => {
        const size = shapes[i].reduce((a, b) => a * b, 1);
        const t = tf.tensor(Float32Array.from(flat.subarray(offset, offset + size)), shapes[i]);
        offset += size;
        return t;
      });
      try {
        const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => this.crossEntropy(x, Object.fromEntries(names.map((n, i) => [n, ts[i]]))))(tensors);
        const gradient = new Float64Array(flat.length);
        let o = 0;
        for (const g of grads) {
          gradient.set(g.dataSync(), o);
          o += g.size;
        }
        const v = value.dataSync()[0];
        tf.dispose([value, grads]);
        return { value: v, gradient };
      } finally {
        tf.dispose(tensors);
      }
    };
  }

  /** One fine-tuning step as backprop.m: `lineSearches` CG line searches on the batch x [N, 784]; the variables end at the point reached. */
  fineTuneBatch(x: tf.Tensor2D, lineSearches = 3): MinimizeResult {
    const result = minimize(this.objective(x), this.flatParameters(), lineSearches);
    this.setFlatParameters(result.x);
    return result;
  }
}

/** The paper's error on the rows of `data` [N·784]: Σ_d (x_d − x̂_d)² per image, averaged, `chunk` images at a time. */
export function autoencoderSquaredError(model: DeepAutoencoder, data: Float32Array, opts: { chunk?: number } = {}): number {
  const d = model.sizes[0];
  const n = data.length / d;
  const chunk = opts.chunk ?? 1000;
  let total = 0;
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    const perImage = tf.tidy(() => {
      const x = tf.tensor2d(data.subarray(start * d, (start + rows) * d), [rows, d]);
      return tf.sum(tf.square(tf.sub(x, model.reconstruct(x))), 1);
    });
    for (const v of perImage.dataSync()) total += v;
    perImage.dispose();
  }
  return total / n;
}
