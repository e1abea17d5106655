/**
 * The building blocks of the CNN chapter: parameters whose shapes are known before any memory is
 * allocated, a {@link Network} base class, and the layers every model here is made of (convolution,
 * dense, pooling, local response normalisation). Batch normalisation has its own file,
 * [batchnorm.ts](./batchnorm.ts).
 *
 * The design is functional, like LeNet-5: a model holds a record of `tf.Variable`s and
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
import { tf, makeRng, dropout } from '@paperzoo/tensor';

/** Options of a forward pass. */
export interface ForwardOptions {
  /**
   * Training mode: batch normalisation uses the batch's statistics and updates its running averages,
   * dropout drops. Default false (inference: running statistics, no dropout).
   */
  training?: boolean;
}

/** How a parameter's initial values are drawn. */
export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; limit: number };

/**
 * He et al. 2015 ("Delving Deep into Rectifiers", arXiv:1502.01852, eq. 10): N(0, 2/fan_in), which keeps
 * the variance of ReLU activations constant through depth. fan_in = kh·kw·in (per group).
 */
export function heNormal(fanIn: number): Initializer {
  return { kind: 'normal', std: Math.sqrt(2 / fanIn) };
}

/** Glorot & Bengio 2010, eq. 16: U(±√(6/(fan_in + fan_out))). d2l's `init_cnn` (xavier_uniform_). */
export function glorotUniform(fanIn: number, fanOut: number): Initializer {
  return { kind: 'uniform', limit: Math.sqrt(6 / (fanIn + fanOut)) };
}

/** The named initialisation schemes a model config can ask for. */
export type InitScheme = 'he' | 'glorot';

/** The initializer of a weight with this fan-in/fan-out under a scheme. */
export function weightInit(scheme: InitScheme | Initializer, fanIn: number, fanOut: number): Initializer {
  if (typeof scheme !== 'string') return scheme;
  return scheme === 'he' ? heNormal(fanIn) : glorotUniform(fanIn, fanOut);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * One parameter (trainable weight or non-trainable state such as batch-norm running statistics).
 * Its shape and initializer are fixed at construction; its variable exists once the owning
 * {@link ParameterStore} is allocated.
 */
export class Parameter {
  private variable: tf.Variable | null = null;

  constructor(
    /** Path inside the model, e.g. 'stage2/block1/conv1/kernel'. */
    readonly name: string,
    readonly shape: readonly number[],
    readonly init: Initializer,
    /** False for state updated outside the optimizer (running mean/variance). */
    readonly trainable: boolean,
  ) {}

  /** Number of values. */
  get size(): number {
    return product(this.shape);
  }

  /** The variable; throws when the model was built with `allocate: false`. */
  get value(): tf.Variable {
    if (!this.variable) throw new Error(`parameter '${this.name}' has no values: the model was built with allocate: false (or disposed)`);
    return this.variable;
  }

  get allocated(): boolean {
    return this.variable !== null;
  }

  /** Create the variable (called by the store). `seed` is a 31-bit integer for tfjs's generator. */
  allocate(fullName: string, seed: number): void {
    const init = this.init;
    const shape = [...this.shape];
    const initial = tf.tidy(() => {
      switch (init.kind) {
        case 'zeros':
          return tf.zeros(shape);
        case 'ones':
          return tf.ones(shape);
        case 'constant':
          return tf.fill(shape, init.value);
        case 'normal':
          return tf.randomNormal(shape, 0, init.std, 'float32', seed);
        case 'uniform':
          return tf.randomUniform(shape, -init.limit, init.limit, 'float32', seed);
      }
    });
    this.variable = tf.variable(initial, this.trainable, fullName);
    initial.dispose();
  }

  dispose(): void {
    this.variable?.dispose();
    this.variable = null;
  }
}

const instances = new Map<string, number>();

/** The parameters of one model, in creation order (the order is part of a checkpoint's identity). */
export class ParameterStore {
  readonly parameters: Parameter[] = [];
  private readonly names = new Set<string>();
  /** Unique per process: tfjs variable names must be (`resnet_3/stage1/block0/conv1/kernel`). */
  readonly scope: string;

  constructor(modelName: string) {
    const n = instances.get(modelName) ?? 0;
    instances.set(modelName, n + 1);
    this.scope = `${modelName}_${n}`;
  }

  add(name: string, shape: readonly number[], init: Initializer, options: { trainable?: boolean } = {}): Parameter {
    if (this.names.has(name)) throw new Error(`duplicate parameter name '${name}'`);
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new RangeError(`parameter '${name}': invalid shape [${shape.join(', ')}]`);
    this.names.add(name);
    const p = new Parameter(name, shape, init, options.trainable ?? true);
    this.parameters.push(p);
    return p;
  }

  /**
   * Create every variable. Each parameter's values come from its own seed, drawn in creation order
   * from a generator keyed by `seedKey`: the same key gives bit-identical weights on every backend.
   */
  allocate(seedKey: string): void {
    const rng = makeRng(seedKey);
    for (const p of this.parameters) p.allocate(`${this.scope}/${p.name}`, Math.floor(rng() * 2 ** 31));
  }

  dispose(): void {
    for (const p of this.parameters) p.dispose();
  }
}

/** What every model of the package can be built with. */
export interface NetworkOptions {
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /**
   * Create the variables (default true). With false nothing is allocated: only `parameterCount()`,
   * `parameterShapes()` and the layer structure are available (for counting ImageNet-sized models).
   */
  allocate?: boolean;
}

/**
 * A model: a {@link ParameterStore} plus a forward pass. Subclasses create their layers in the
 * constructor, then call {@link Network.build}.
 */
export abstract class Network {
  protected readonly store: ParameterStore;

  constructor(readonly modelName: string) {
    this.store = new ParameterStore(modelName);
  }

  /** Allocate the variables (unless `allocate: false`). Call at the end of the subclass constructor. */
  protected build(options: NetworkOptions): void {
    if (options.allocate !== false) this.store.allocate(`${this.modelName}:${options.seed ?? 0}`);
  }

  /** The trainable variables by parameter path: pass to `fit({ variables })` or an optimizer. */
  get variables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.store.parameters.filter((p) => p.trainable).map((p) => [p.name, p.value]));
  }

  /**
   * Non-trainable state that changes during training (batch-norm running mean and variance):
   * pass to `fit({ extraVariables })` so checkpoints and `--resume` keep it. Empty for models without BN.
   */
  get stateVariables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.store.parameters.filter((p) => !p.trainable).map((p) => [p.name, p.value]));
  }

  /** Trainable parameters (weights, biases, BN scale and shift), as the papers count them. */
  parameterCount(): number {
    return this.store.parameters.filter((p) => p.trainable).reduce((n, p) => n + p.size, 0);
  }

  /** Shapes of the trainable parameters by path, without allocating anything. */
  parameterShapes(): Record<string, number[]> {
    return Object.fromEntries(this.store.parameters.filter((p) => p.trainable).map((p) => [p.name, [...p.shape]]));
  }

  /** Trainable parameters grouped by the first path segment ('conv1', 'stage2', 'fc', …). */
  parameterCountsByLayer(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.store.parameters) {
      if (!p.trainable) continue;
      const top = p.name.split('/')[0];
      out[top] = (out[top] ?? 0) + p.size;
    }
    return out;
  }

  /** The forward pass: images [batch, H, W, C] → logits [batch, classes]. */
  abstract apply(x: tf.Tensor4D, options?: ForwardOptions): tf.Tensor2D;

  /** Free every variable. */
  dispose(): void {
    this.store.dispose();
  }
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

/**
 * The variables of several networks, each under its own key (`<key>/<path>`), for training them side by
 * side in one `fit` (one checkpoint covers all; sum their losses — with disjoint parameters, SGD,
 * momentum and weight decay then update each network exactly as if it trained alone).
 */
export function collectVariables(nets: Readonly<Record<string, Network>>): { variables: Record<string, tf.Variable>; stateVariables: Record<string, tf.Variable> } {
  const variables: Record<string, tf.Variable> = {};
  const stateVariables: Record<string, tf.Variable> = {};
  for (const [key, net] of Object.entries(nets)) {
    for (const [path, v] of Object.entries(net.variables)) variables[`${key}/${path}`] = v;
    for (const [path, v] of Object.entries(net.stateVariables)) stateVariables[`${key}/${path}`] = v;
  }
  return { variables, stateVariables };
}
