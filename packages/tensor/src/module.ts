/**
 * One way to build a model: a {@link Module} owns a {@link ParameterStore} of named {@link Parameter}s
 * whose shapes and initializers are known before any memory is allocated, and computes its output
 * from them with plain tfjs ops. Every model in paperzoo is built this way (docs/style.md §13;
 * why not tfjs-layers: docs/decisions/0004-own-module-not-tfjs-layers.md).
 *
 * What every model gets from it:
 * - deterministic initialisation per seed: each parameter's values come from its own seed, drawn in
 *   creation order from a generator keyed by the model's name and seed — bit-identical on every
 *   backend and independent of how many models the process built before;
 * - parameter counts and shapes without allocating (`allocate: false`);
 * - named variables (`variables`, `stateVariables`) for optimizers, `fit` and checkpoints;
 * - `dispose()`;
 * - a functional call with substituted parameters ({@link Module.withParameters}): run the forward
 *   pass on other tensors than the model's own variables (MAML's adapted weights θ' = θ − α∇L).
 */
import * as tf from '@tensorflow/tfjs';
import { makeRng } from './seed.js';

/** How a parameter's initial values are drawn. */
export type Initializer =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; std: number; mean?: number }
  | { kind: 'uniform'; limit: number }
  | { kind: 'truncatedNormal'; std: number }
  /** Values from the parameter's own generator `rng` (uniform in [0, 1)), for schemes tfjs has no op for. */
  | { kind: 'custom'; values: (size: number, rng: () => number) => Float32Array }
  /** Fixed values (a data-dependent start such as RBF centres); copied. */
  | { kind: 'tensor'; values: Float32Array | number[] };

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
  /** A tensor standing in for the variable inside {@link Module.withParameters}. */
  private substitute: tf.Tensor | null = null;

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

  /**
   * The tensor the forward pass reads: the variable, or its substitute inside
   * {@link Module.withParameters}. Throws when the model was built with `allocate: false`.
   */
  get value(): tf.Tensor {
    if (this.substitute) return this.substitute;
    return this.variableOf();
  }

  /** The variable itself (to assign to, e.g. batch-norm running statistics or a max-norm projection). */
  variableOf(): tf.Variable {
    if (!this.variable) throw new Error(`parameter '${this.name}' has no values: the model was built with allocate: false (or disposed)`);
    return this.variable;
  }

  get allocated(): boolean {
    return this.variable !== null;
  }

  /** @internal Set or clear the substitute (Module.withParameters). */
  substituteWith(t: tf.Tensor | null): void {
    if (t && t.shape.join(',') !== this.shape.join(',')) throw new Error(`parameter '${this.name}': substitute has shape [${t.shape.join(', ')}], expected [${this.shape.join(', ')}]`);
    this.substitute = t;
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
          return tf.randomNormal(shape, init.mean ?? 0, init.std, 'float32', seed);
        case 'truncatedNormal':
          return tf.truncatedNormal(shape, 0, init.std, 'float32', seed);
        case 'uniform':
          return tf.randomUniform(shape, -init.limit, init.limit, 'float32', seed);
        case 'custom': {
          const values = init.values(this.size, makeRng(seed));
          if (values.length !== this.size) throw new Error(`parameter '${this.name}': custom initializer gave ${values.length} values for ${this.size}`);
          return tf.tensor(values, shape, 'float32');
        }
        case 'tensor':
          if (init.values.length !== this.size) throw new Error(`parameter '${this.name}': ${init.values.length} initial values for ${this.size}`);
          return tf.tensor(Float32Array.from(init.values), shape, 'float32');
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

/** One counter for the whole process: tfjs variable names must be unique (`resnet_3/stage1/…`). */
let storesCreated = 0;

/** The parameters of one model, in creation order (the order is part of a checkpoint's identity). */
export class ParameterStore {
  readonly parameters: Parameter[] = [];
  private readonly byName = new Map<string, Parameter>();
  /** Unique per process; only tfjs variable names use it, never checkpoints (they use parameter paths). */
  readonly scope: string;

  constructor(readonly modelName: string) {
    this.scope = `${modelName}_${storesCreated++}`;
  }

  add(name: string, shape: readonly number[], init: Initializer, options: { trainable?: boolean } = {}): Parameter {
    if (this.byName.has(name)) throw new Error(`${this.modelName}: duplicate parameter name '${name}'`);
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw new RangeError(`${this.modelName}: parameter '${name}' has an invalid shape [${shape.join(', ')}]`);
    const p = new Parameter(name, shape, init, options.trainable ?? true);
    this.byName.set(name, p);
    this.parameters.push(p);
    return p;
  }

  get(name: string): Parameter | undefined {
    return this.byName.get(name);
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

/** What every model can be built with. */
export interface ModuleOptions {
  /** Seed of the initialisation (default 0). */
  seed?: number;
  /**
   * Create the variables (default true). With false nothing is allocated: only `parameterCount()`,
   * `parameterShapes()` and the structure are available (for counting ImageNet-sized models).
   */
  allocate?: boolean;
}

/**
 * A model: a {@link ParameterStore} plus a forward pass written by the subclass. Subclasses add their
 * parameters (directly with `this.store.add`, or through layer objects that take the store) in the
 * constructor, then call {@link Module.build}.
 */
export abstract class Module {
  protected readonly store: ParameterStore;

  constructor(readonly modelName: string) {
    this.store = new ParameterStore(modelName);
  }

  /** Allocate the variables (unless `allocate: false`). Call at the end of the subclass constructor. */
  protected build(options: ModuleOptions = {}): void {
    if (options.allocate !== false) this.store.allocate(`${this.modelName}:${options.seed ?? 0}`);
  }

  /** Every parameter, trainable or not, in creation order. */
  get parameters(): readonly Parameter[] {
    return this.store.parameters;
  }

  /** The trainable variables by parameter path: pass to `fit({ variables })` or an optimizer. */
  get variables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.store.parameters.filter((p) => p.trainable).map((p) => [p.name, p.variableOf()]));
  }

  /**
   * Non-trainable state that changes during training (batch-norm running mean and variance):
   * pass to `fit({ extraVariables })` so checkpoints and `--resume` keep it. Empty for models without it.
   */
  get stateVariables(): Record<string, tf.Variable> {
    return Object.fromEntries(this.store.parameters.filter((p) => !p.trainable).map((p) => [p.name, p.variableOf()]));
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

  /**
   * The functional call: run `fn` (usually a forward pass of this model) with some parameters
   * replaced by other tensors of the same shapes, by path. The model's variables are untouched and
   * gradients flow into the substitutes, so `tf.grad` through `withParameters` gives MAML's
   * second-order meta-gradient. Parameters not named keep their variables.
   *
   * ```ts
   * const adapted = { 'fc/kernel': tf.sub(w, tf.mul(alpha, g)) };
   * const logits = net.withParameters(adapted, () => net.apply(x));
   * ```
   */
  withParameters<T>(substitutes: Readonly<Record<string, tf.Tensor>>, fn: () => T): T {
    const replaced: Parameter[] = [];
    try {
      for (const [name, t] of Object.entries(substitutes)) {
        const p = this.store.get(name);
        if (!p) throw new Error(`${this.modelName}.withParameters: no parameter '${name}' (parameters: ${this.store.parameters.map((q) => q.name).join(', ')})`);
        p.substituteWith(t);
        replaced.push(p);
      }
      const out = fn();
      if (out instanceof Promise) throw new Error(`${this.modelName}.withParameters: fn must be synchronous (the substitutes are removed when it returns)`);
      return out;
    } finally {
      for (const p of replaced) p.substituteWith(null);
    }
  }

  /** Free every variable. */
  dispose(): void {
    this.store.dispose();
  }
}
