/**
 * The regression network of MAML's sinusoid experiment (Finn et al. 2017, §5.1): "a neural network model
 * with 2 hidden layers of size 40 with ReLU nonlinearities", 1-40-40-1, written as a *functional* model:
 * `forward(x, params)` runs with any parameters passed in, so MAML can evaluate it at adapted weights
 * θ' = θ − α∇L(θ) without touching the variables.
 *
 * The parameters may carry a leading task dimension (`batched`): W [T, in, out], b [T, out] with
 * x [T, n, in]. Then one forward pass evaluates T differently adapted copies of the network at once —
 * how the meta-batch of 25 tasks runs as a few batched matmuls instead of 25 small ones (the authors'
 * code does the same with `tf.map_fn`).
 */
import { Module, tf, type Initializer, type ModuleOptions } from '@paperzoo/tensor';

/** Parameters by path, e.g. `{ 'layer1/kernel': W1, 'layer1/bias': b1, … }`. */
export type Params = Record<string, tf.Tensor>;

export interface MlpOptions extends ModuleOptions {
  /** Layer widths, input first (default [1, 40, 40, 1]). */
  sizes?: readonly number[];
  /**
   * Weight initialisation: 'maml' = truncated normal with σ = 0.01 and zero biases (cbfinn/maml
   * `construct_fc_weights`); 'torch' = PyTorch nn.Linear's U(±1/√fan_in) for weights and biases.
   */
  init?: 'maml' | 'torch';
  /** Model name (seeds the initialisation; default 'mlp'). */
  name?: string;
}

/** Dense layers with ReLU between them; no activation after the last. */
export class Mlp extends Module {
  readonly sizes: readonly number[];

  constructor(options: MlpOptions = {}) {
    super(options.name ?? 'mlp');
    this.sizes = options.sizes ?? [1, 40, 40, 1];
    if (this.sizes.length < 2) throw new RangeError(`Mlp: sizes needs at least an input and an output width, got [${this.sizes.join(', ')}]`);
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const [fanIn, fanOut] = [this.sizes[l], this.sizes[l + 1]];
      const torchBound = 1 / Math.sqrt(fanIn);
      const weight: Initializer = options.init === 'torch' ? { kind: 'uniform', limit: torchBound } : { kind: 'truncatedNormal', std: 0.01 };
      const bias: Initializer = options.init === 'torch' ? { kind: 'uniform', limit: torchBound } : { kind: 'zeros' };
      this.store.add(`layer${l + 1}/kernel`, [fanIn, fanOut], weight); // [in, out]
      this.store.add(`layer${l + 1}/bias`, [fanOut], bias); // [out]
    }
    this.build(options);
  }

  /** The current parameters (the variables themselves) by path. */
  params(): Params {
    return { ...this.variables };
  }

  /**
   * y = W_L·relu(… relu(W_1 x + b_1) …) + b_L.
   * - unbatched params: x [n, in] or [T, n, in] → [n, out] / [T, n, out];
   * - batched params (W [T, in, out], b [T, out]): x [T, n, in] → [T, n, out], task t with its own weights.
   */
  forward(x: tf.Tensor, params: Params = this.params()): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      const layers = this.sizes.length - 1;
      for (let l = 1; l <= layers; l++) {
        const w = params[`layer${l}/kernel`];
        const b = params[`layer${l}/bias`];
        if (!w || !b) throw new Error(`Mlp.forward: params lack layer${l}/kernel or layer${l}/bias (got ${Object.keys(params).join(', ')})`);
        if (w.rank === 3) {
          if (h.rank !== 3 || h.shape[0] !== w.shape[0]) throw new RangeError(`Mlp.forward: batched weights [${w.shape.join(', ')}] need x of shape [${w.shape[0]}, n, ${w.shape[1]}], got [${h.shape.join(', ')}]`);
          h = tf.add(tf.matMul(h as tf.Tensor3D, w as tf.Tensor3D), tf.expandDims(b, 1)); // [T, n, out] + [T, 1, out]
        } else if (h.rank === 3) {
          const [t, n, d] = h.shape;
          h = tf.reshape(tf.add(tf.matMul(tf.reshape(h, [t * n, d]), w as tf.Tensor2D), b), [t, n, w.shape[1]!]); // [T, n, out]
        } else {
          h = tf.add(tf.matMul(h as tf.Tensor2D, w as tf.Tensor2D), b); // [n, out]
        }
        if (l < layers) h = tf.relu(h);
      }
      return h;
    });
  }
}

/** Mean squared error over everything but the task axis, summed over tasks: Σ_t mean_i (ŷ_ti − y_ti)². */
export function taskSummedMse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const t = prediction.shape[0];
    return tf.sum(tf.mean(tf.reshape(tf.squaredDifference(prediction, target), [t, -1]), 1));
  });
}

/** The mean over tasks of each task's mean squared error (= the MSE when every task has as many points). */
export function taskMeanMse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(taskSummedMse(prediction, target), prediction.shape[0]));
}
