/**
 * The MNIST network of Ioffe & Szegedy, "Batch Normalization: Accelerating Deep Network Training by
 * Reducing Internal Covariate Shift", ICML 2015, §4.1. https://arxiv.org/abs/1502.03167
 *
 * "3 fully-connected hidden layers with 100 activations each. Each hidden layer computes y = g(Wu + b)
 * with sigmoid nonlinearity, and the weights W initialized to small random Gaussian values. The last
 * hidden layer is followed by a fully-connected layer with 10 activations (one per class) and
 * cross-entropy loss." With batch normalisation, each hidden layer computes (§3.2)
 *
 *   y = g(BN(Wu))
 *
 * — the bias b is dropped, "since its effect will be canceled by the subsequent mean subtraction (the
 * role of the bias is subsumed by β)". Shapes: [B, 784] → [B, 100] → [B, 100] → [B, 100] → [B, 10].
 */
import { tf } from '@paperzoo/tensor';
import { BatchNorm, type BatchNormOptions } from './batchnorm.js';
import { Dense, Network, type ForwardOptions, type Initializer, type NetworkOptions } from './layers.js';

export interface MlpConfig {
  inputSize: number;
  hiddenSizes: number[];
  numClasses: number;
  activation: 'sigmoid' | 'relu' | 'tanh';
  /** Batch normalisation before each hidden nonlinearity (§3.2: y = g(BN(Wu)), no bias). */
  batchNorm: boolean;
  batchNormOptions: BatchNormOptions;
  /** Initial weights (the paper: "small random Gaussian values"); biases start at 0. */
  weightInit: Initializer;
}

/** §4.1: 784 → 100 → 100 → 100 → 10, sigmoid, N(0, 0.1²) weights (our reading of "small"), no BN. */
export const BN_PAPER_MLP: MlpConfig = {
  inputSize: 784,
  hiddenSizes: [100, 100, 100],
  numClasses: 10,
  activation: 'sigmoid',
  batchNorm: false,
  batchNormOptions: {},
  weightInit: { kind: 'normal', std: 0.1 },
};

export class Mlp extends Network {
  readonly config: MlpConfig;
  private readonly hidden: { dense: Dense; bn: BatchNorm | null }[];
  private readonly output: Dense;

  constructor(config: Partial<MlpConfig> = {}, options: NetworkOptions = {}) {
    super(config.batchNorm ? 'mlp_bn' : 'mlp');
    const c = { ...BN_PAPER_MLP, ...config };
    this.config = c;
    let units = c.inputSize;
    this.hidden = c.hiddenSizes.map((size, i) => {
      const dense = new Dense(this.store, `hidden${i + 1}`, units, size, { init: c.weightInit, bias: !c.batchNorm });
      units = size;
      return { dense, bn: c.batchNorm ? new BatchNorm(this.store, `hidden${i + 1}/bn`, size, c.batchNormOptions) : null };
    });
    this.output = new Dense(this.store, 'output', units, c.numClasses, { init: c.weightInit });
    this.build(options);
  }

  /** Inputs of any shape [B, …] (flattened to [B, inputSize]) → logits [B, classes]. */
  override apply(x: tf.Tensor, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = tf.reshape<tf.Rank.R2>(x, [x.shape[0], this.config.inputSize]); // [B, 784]
      for (const { dense, bn } of this.hidden) {
        let z: tf.Tensor = dense.apply(h); // Wu (+ b without BN): [B, 100]
        if (bn) z = bn.apply(z, options); // BN(Wu)
        h = this.activate(z) as tf.Tensor2D; // g(·)
      }
      return this.output.apply(h); // [B, 10]
    });
  }

  private activate(z: tf.Tensor): tf.Tensor {
    return this.config.activation === 'sigmoid' ? tf.sigmoid(z) : this.config.activation === 'relu' ? tf.relu(z) : tf.tanh(z);
  }
}
