/**
 * The building blocks of the CNN chapter: parameters whose shapes are known before any memory is
 * allocated, a {@link Network} base class, and the layers every model here is made of (convolution,
 * dense, pooling, local response normalisation). Batch normalisation has its own file,
 * [batchnorm.ts](./batchnorm.ts).
 *
 * Models are @paperzoo/tensor `Module`s (one model style for the repo): a model holds a record of `tf.Variable`s and
 * `apply(x, { training })` computes its output from them with plain tfjs ops, so every model trains
 * with any `tf.train` / @paperzoo/core-autograd optimizer and with @paperzoo/repro's `fit`
 * (`variables: net.variables, extraVariables: net.stateVariables`). Building a model with
 * `allocate: false` creates no tensors at all: `parameterCount()` and `parameterShapes()` still work,
 * which is how the tests check VGG-16's 138M parameters without allocating 553 MB.
 *
 * Conventions:
 * - images are NHWC: [batch, height, width, channels]; kernels are [kh, kw, in, out] (tfjs);
 * - a numeric `padding` p pads p pixels on every side, as PyTorch's `padding=p` and the papers' figures do
 *   (tfjs's 'same' pads asymmetrically for even strides; it is available too);
 * - output sizes follow ⌊(n + 2p − k)/s⌋ + 1 ({@link convOutputSize}).
 */
import { tf, dropout, Module, weightInit, type ModuleOptions, type Parameter, type ParameterStore, type Initializer, type InitScheme } from '@paperzoo/tensor';

/** Options of a forward pass. */
export interface ForwardOptions {
  /**
   * Training mode: batch normalisation uses the batch's statistics and updates its running averages,
   * dropout drops. Default false (inference: running statistics, no dropout).
   */
  training?: boolean;
}

export { Parameter, ParameterStore, heNormal, glorotUniform, weightInit, type Initializer, type InitScheme } from '@paperzoo/tensor';

/** What every model of the package can be built with (@paperzoo/tensor's {@link ModuleOptions}). */
export type NetworkOptions = ModuleOptions;

/**
 * An image classifier: a {@link Module} (@paperzoo/tensor) whose forward pass maps images
 * [batch, H, W, C] to logits [batch, classes].
 */
export abstract class Network extends Module {
  /** The forward pass: images [batch, H, W, C] → logits [batch, classes]. */
  abstract apply(x: tf.Tensor4D, options?: ForwardOptions): tf.Tensor2D;
}

/** ⌊(n + 2p − k)/s⌋ + 1 for numeric padding; ⌈n/s⌉ for 'same'; ⌊(n − k)/s⌋ + 1 for 'valid'. */
export function convOutputSize(n: number, kernel: number, stride: number, padding: number | 'same' | 'valid'): number {
  if (padding === 'same') return Math.ceil(n / stride);
  const p = padding === 'valid' ? 0 : padding;
  return Math.floor((n + 2 * p - kernel) / stride) + 1;
}

/** tfjs padding for a conv/pool: numeric p → explicit [[0,0],[p,p],[p,p],[0,0]] (symmetric, as PyTorch). */
function tfPadding(padding: number | 'same' | 'valid'): 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]] {
  if (padding === 'same' || padding === 'valid') return padding;
  if (padding === 0) return 'valid';
  return [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0],
  ];
}

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  /** Pixels of zero padding on each side, or 'same' / 'valid' (default 0). */
  padding?: number | 'same' | 'valid';
  /** Add a bias (default true; false before batch normalisation, as in ResNet and DenseNet). */
  bias?: boolean;
  /**
   * Split the channels into this many groups, each convolved separately (AlexNet's two-GPU layers
   * conv2, conv4, conv5: each filter sees half of the previous layer's maps). Default 1.
   */
  groups?: number;
  /** Weight initialisation (default 'he'); the bias starts at zero. */
  init?: InitScheme | Initializer;
}

/**
 * 2-D convolution: y[b, i, j, o] = Σ_{u, v, c} x[b, s·i + u − p, s·j + v − p, c] · W[u, v, c, o] + bias[o].
 * [B, H, W, in] → [B, H', W', out] with H' = ⌊(H + 2p − k)/s⌋ + 1.
 */
export class Conv2d {
  readonly kernel: Parameter;
  readonly bias: Parameter | null;
  readonly stride: number;
  readonly padding: number | 'same' | 'valid';
  readonly groups: number;

  constructor(store: ParameterStore, readonly name: string, readonly options: Conv2dOptions) {
    const { inChannels, outChannels, kernelSize: k } = options;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.groups = options.groups ?? 1;
    if (inChannels % this.groups || outChannels % this.groups) throw new RangeError(`${name}: ${inChannels}→${outChannels} channels do not split into ${this.groups} groups`);
    const perGroupIn = inChannels / this.groups;
    const fanIn = k * k * perGroupIn;
    const fanOut = (k * k * outChannels) / this.groups;
    this.kernel = store.add(`${name}/kernel`, [k, k, perGroupIn, outChannels], weightInit(options.init ?? 'he', fanIn, fanOut)); // [k, k, in/groups, out]
    this.bias = options.bias === false ? null : store.add(`${name}/bias`, [outChannels], { kind: 'zeros' });
  }

  /** Spatial output size for an input of size n. */
  outputSize(n: number): number {
    return convOutputSize(n, this.options.kernelSize, this.stride, this.padding);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const pad = tfPadding(this.padding);
      const w = this.kernel.value as tf.Tensor4D; // [k, k, in/groups, out]
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = tf.conv2d(x, w, this.stride, pad); // [B, H', W', out]
      } else {
        const xs = tf.split<tf.Tensor4D>(x, this.groups, 3); // groups × [B, H, W, in/groups]
        const ws = tf.split<tf.Tensor4D>(w, this.groups, 3); // groups × [k, k, in/groups, out/groups]
        y = tf.concat(xs.map((xg, g) => tf.conv2d(xg, ws[g], this.stride, pad)), 3); // [B, H', W', out]
      }
      return this.bias ? tf.add<tf.Tensor4D>(y, this.bias.value) : y;
    });
  }
}

export interface DenseOptions {
  /** Weight initialisation (default 'he'); the bias starts at zero. */
  init?: InitScheme | Initializer;
  bias?: boolean;
}

/** Fully connected layer: y = x·W + b, [B, in] → [B, out]. */
export class Dense {
  readonly kernel: Parameter;
  readonly bias: Parameter | null;

  constructor(store: ParameterStore, readonly name: string, readonly inUnits: number, readonly outUnits: number, options: DenseOptions = {}) {
    this.kernel = store.add(`${name}/kernel`, [inUnits, outUnits], weightInit(options.init ?? 'he', inUnits, outUnits)); // [in, out]
    this.bias = options.bias === false ? null : store.add(`${name}/bias`, [outUnits], { kind: 'zeros' });
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y: tf.Tensor2D = tf.matMul(x, this.kernel.value); // [B, out]
      return this.bias ? tf.add<tf.Tensor2D>(y, this.bias.value) : y;
    });
  }
}

/** Max pooling with symmetric numeric padding (padded cells never win), 'same' or 'valid'. */
export function maxPool2d(x: tf.Tensor4D, size: number, stride: number, padding: number | 'same' | 'valid' = 0): tf.Tensor4D {
  // A square window with equal strides: tfjs's numeric pad is exact here (it is wrong only for
  // non-square windows or unequal strides, see packages/tensor/README.md).
  return tf.maxPool(x, size, stride, padding === 0 ? 'valid' : padding);
}

/** Average pooling ('same' averages over the cells inside the image). */
export function avgPool2d(x: tf.Tensor4D, size: number, stride: number, padding: 'same' | 'valid' = 'valid'): tf.Tensor4D {
  return tf.avgPool(x, size, stride, padding);
}

/** Global average pooling (Lin et al. 2013, §3.2): [B, H, W, C] → [B, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}

/** [B, H, W, C] → [B, H·W·C]. */
export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

/**
 * Dropout in training mode only (inverted: survivors are scaled by 1/(1 − rate), so inference is the
 * identity). The mask comes from @paperzoo/tensor's global generator, so a seeded run is exact.
 */
export function dropoutIf(x: tf.Tensor, rate: number, options: ForwardOptions): tf.Tensor {
  return options.training && rate > 0 ? dropout(x, rate) : x;
}

/**
 * Local response normalisation — Krizhevsky, Sutskever & Hinton 2012, §3.3:
 *
 *   b^i_{x,y} = a^i_{x,y} / (k + α Σ_{j = max(0, i − n/2)}^{min(N − 1, i + n/2)} (a^j_{x,y})²)^β
 *
 * with k = 2, n = 5, α = 1e-4, β = 0.75. The sum over neighbouring channels is a product with a fixed
 * banded 0/1 matrix [C, C], so it trains on every backend (tfjs's LRN kernel has no wasm gradient).
 * [B, H, W, C] → [B, H, W, C].
 */
export function localResponseNorm(a: tf.Tensor4D, options: { k?: number; n?: number; alpha?: number; beta?: number } = {}): tf.Tensor4D {
  const { k = 2, n = 5, alpha = 1e-4, beta = 0.75 } = options;
  const channels = a.shape[3];
  return tf.tidy(() => {
    const band = new Float32Array(channels * channels);
    const half = Math.floor(n / 2);
    for (let i = 0; i < channels; i++) for (let j = Math.max(0, i - half); j <= Math.min(channels - 1, i + half); j++) band[j * channels + i] = 1;
    const [b, h, w] = a.shape;
    const squares = tf.reshape(tf.square(a), [b * h * w, channels]); // [BHW, C]
    const sums = tf.reshape(tf.matMul(squares, tf.tensor2d(band, [channels, channels])), [b, h, w, channels]); // Σ over the window
    return tf.div(a, tf.pow(tf.add(k, tf.mul(alpha, sums)), beta));
  });
}
