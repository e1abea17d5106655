/**
 * The MNIST generator and discriminator of the 2014 GAN, with the optimiser of the authors' released
 * configuration — I. Goodfellow, J. Pouget-Abadie, M. Mirza, B. Xu, D. Warde-Farley, S. Ozair,
 * A. Courville, Y. Bengio, "Generative Adversarial Nets", NeurIPS 2014, https://arxiv.org/abs/1406.2661,
 * §5 ("The generator nets used a mixture of rectifier linear activations and sigmoid activations, while
 * the discriminator net used maxout activations. Dropout was applied in training the discriminator net");
 * the numbers below are those of goodfeli/adversarial `mnist.yaml` (pylearn2):
 *
 * - generator: z ∈ ℝ¹⁰⁰ ~ N(0, I) (`Generator.noise` defaults to "gaussian") → ReLU 1200 → ReLU 1200 →
 *   sigmoid 784; weights U(±0.05), hidden biases 0, the output bias at the logit of the training digits'
 *   mean intensity per pixel (`init_sigmoid_bias_from_marginals`, clipped to [10⁻⁷, 1 − 10⁻⁷]).
 * - discriminator: maxout 240 units × 5 pieces → maxout 240 × 5 → sigmoid 1; weights U(±0.005), biases 0;
 *   dropout on the input of every layer (keep 0.8 with scale 1.25 on the pixels, keep 0.5 with scale 2
 *   on the hidden layers: inverted dropout); no max-norm constraint in this config.
 * - optimiser: SGD, batch 100, learning rate 0.1 divided by 1.000004 after every update (pylearn2's
 *   `ExponentialDecay`, floor 10⁻⁶); momentum 0.5 rising linearly to 0.7 between epochs 1 and 250
 *   (`MomentumAdjustor`), pylearn2's form v ← μv − ηg, θ ← θ + v ({@link Pylearn2Momentum}).
 * - the discriminator's cost is ½(BCE on real + BCE on fake) (`AdversaryCost2`), the generator's is the
 *   non-saturating −log D(G(z)) (§3 of the paper).
 *
 * Shapes: z [n, noiseDim] → samples [n, 784] in [0, 1]; images [n, 784] → logits [n] (D(x) = σ(logit)).
 */
import { tf, makeRng, randomNormal, randomUniform, Module, type Initializer } from '@paperzoo/tensor';
import { MaxoutNetwork } from '@paperzoo/adversarial';
import { Optimizer, type OptimizerOptions, type VariableUpdate } from '@paperzoo/core-autograd';

/** The released MNIST configuration (goodfeli/adversarial mnist.yaml), as numbers. */
export const GOODFELLOW_MNIST = {
  noiseDim: 100,
  noise: 'gaussian' as const,
  generatorHidden: [1200, 1200],
  generatorInitRange: 0.05,
  discriminatorUnits: [240, 240],
  discriminatorPieces: 5,
  discriminatorInitRange: 0.005,
  /** Dropout *rates* (1 − include probability): input 0.2 (include 0.8, scale 1.25), hidden 0.5 (scale 2). */
  discriminatorInputDropout: 0.2,
  discriminatorHiddenDropout: 0.5,
  batchSize: 100,
  learningRate: 0.1,
  learningRateDecay: 1.000004,
  minLearningRate: 1e-6,
  initMomentum: 0.5,
  finalMomentum: 0.7,
  momentumStart: 1,
  momentumSaturate: 250,
  /** AdversaryCost2: d_obj = ½(cost(1, D(x)) + cost(0, D(G(z)))). */
  discriminatorLossScale: 0.5,
  /** Training digits: the first 50,000 of MNIST's 60,000 (50,000–60,000 are the validation set). */
  trainExamples: 50_000,
} as const;

export interface MlpGeneratorOptions {
  /** Noise dimension (100). */
  noiseDim?: number;
  /** Noise distribution: N(0, I) (the config's default) or U(±√3) per component (unit variance). */
  noise?: 'gaussian' | 'uniform';
  /** ReLU layer widths ([1200, 1200]). */
  hidden?: number[];
  /** Output size (784). */
  outputs?: number;
  /** Weights U(±initRange) (0.05). */
  initRange?: number;
  /** The output layer's bias (length `outputs`), e.g. {@link sigmoidBiasFromMarginals}; zeros if absent. */
  outputBias?: Float32Array;
  seed?: number;
  name?: string;
}

/** The 2014 GAN's MLP generator: z [n, noiseDim] → ReLU layers → sigmoid [n, outputs]. */
export class MlpGenerator extends Module {
  readonly noiseDim: number;
  readonly noise: 'gaussian' | 'uniform';
  readonly hidden: number[];
  readonly outputs: number;

  constructor(options: MlpGeneratorOptions = {}) {
    super(options.name ?? 'mlp-generator');
    this.noiseDim = options.noiseDim ?? GOODFELLOW_MNIST.noiseDim;
    this.noise = options.noise ?? GOODFELLOW_MNIST.noise;
    this.hidden = options.hidden ?? [...GOODFELLOW_MNIST.generatorHidden];
    this.outputs = options.outputs ?? 784;
    const init: Initializer = { kind: 'uniform', limit: options.initRange ?? GOODFELLOW_MNIST.generatorInitRange };
    let fanIn = this.noiseDim;
    this.hidden.forEach((units, l) => {
      this.store.add(`h${l}/kernel`, [fanIn, units], init);
      this.store.add(`h${l}/bias`, [units], { kind: 'zeros' });
      fanIn = units;
    });
    this.store.add('y/kernel', [fanIn, this.outputs], init);
    if (options.outputBias && options.outputBias.length !== this.outputs) throw new RangeError(`MlpGenerator: outputBias has ${options.outputBias.length} values, not ${this.outputs}`);
    this.store.add('y/bias', [this.outputs], options.outputBias ? { kind: 'tensor', values: options.outputBias } : { kind: 'zeros' });
    this.build({ seed: options.seed ?? 0 });
  }

  private value(name: string): tf.Tensor2D {
    return this.store.get(name)!.value as tf.Tensor2D;
  }

  /** Pre-sigmoid outputs [n, outputs]. */
  logits(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      let h = z as tf.Tensor2D;
      this.hidden.forEach((_u, l) => {
        h = tf.relu(tf.add<tf.Tensor2D>(tf.matMul(h, this.value(`h${l}/kernel`)), this.value(`h${l}/bias`)));
      });
      return tf.add(tf.matMul(h, this.value('y/kernel')), this.value('y/bias'));
    });
  }

  /** z [n, noiseDim] → G(z) [n, outputs] in (0, 1). */
  apply(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.logits(z)));
  }

  /** n noise vectors [n, noiseDim], drawn from the global generator of @paperzoo/tensor. */
  sampleNoise(n: number): tf.Tensor2D {
    return (this.noise === 'gaussian' ? randomNormal([n, this.noiseDim]) : randomUniform([n, this.noiseDim], -Math.sqrt(3), Math.sqrt(3))) as tf.Tensor2D;
  }

  /** n samples G(z), z from the noise distribution: [n, outputs]. */
  sample(n: number): tf.Tensor2D {
    return tf.tidy(() => this.apply(this.sampleNoise(n)));
  }
}

/**
 * The bias b with σ(b) = the mean of each column of `data` (n rows of `size` values in [0, 1]), the mean
 * clipped to [10⁻⁷, 1 − 10⁻⁷] — pylearn2's `init_sigmoid_bias_from_marginals`. Float64 sums.
 */
export function sigmoidBiasFromMarginals(data: ArrayLike<number>, size: number): Float32Array {
  const n = data.length / size;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sigmoidBiasFromMarginals: ${data.length} values are not rows of ${size}`);
  const sums = new Float64Array(size);
  for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) sums[j] += data[i * size + j];
  return Float32Array.from(sums, (s) => {
    const m = Math.min(1 - 1e-7, Math.max(1e-7, s / n));
    return Math.log(m / (1 - m));
  });
}

export interface MaxoutDiscriminatorOptions {
  /** Input size (784). */
  inputs?: number;
  /** Maxout units per layer ([240, 240]). */
  hiddenUnits?: number[];
  /** Pieces per unit (5). */
  pieces?: number;
  /** Dropout rates on the pixels (0.2) and on the hidden layers (0.5). */
  inputDropout?: number;
  hiddenDropout?: number;
  /** Max-norm bound on each unit's weights, 0 for none (the GAN config: none). */
  maxNorm?: number;
  /** Weights U(±initRange) (0.005). */
  initRange?: number;
  seed?: number;
}

/**
 * The 2014 GAN's discriminator: @paperzoo/adversarial's maxout MLP (Goodfellow et al. 2013) with one
 * sigmoid output. x [n, inputs] → logits [n]; dropout only with `training`.
 */
export class MaxoutDiscriminator {
  readonly net: MaxoutNetwork;

  constructor(options: MaxoutDiscriminatorOptions = {}) {
    this.net = new MaxoutNetwork({
      inputs: options.inputs ?? 784,
      hiddenUnits: options.hiddenUnits ?? [...GOODFELLOW_MNIST.discriminatorUnits],
      pieces: options.pieces ?? GOODFELLOW_MNIST.discriminatorPieces,
      classes: 1,
      inputDropout: options.inputDropout ?? GOODFELLOW_MNIST.discriminatorInputDropout,
      hiddenDropout: options.hiddenDropout ?? GOODFELLOW_MNIST.discriminatorHiddenDropout,
      maxNorm: options.maxNorm ?? 0,
      initRange: options.initRange ?? GOODFELLOW_MNIST.discriminatorInitRange,
      seed: options.seed ?? 0,
    });
  }

  get variables(): Record<string, tf.Variable> {
    return this.net.variables;
  }

  parameterCount(): number {
    return this.net.parameterCount();
  }

  /** x [n, inputs] → logits [n]. */
  apply(x: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor1D {
    return tf.tidy(() => this.net.apply(x, options).reshape<tf.Tensor1D>([x.shape[0]]));
  }

  /** The max-norm constraint (a no-op with maxNorm 0, the GAN config). */
  applyMaxNorm(): void {
    this.net.applyMaxNorm();
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** η_t of the released config: 0.1 / 1.000004^t, at least 10⁻⁶ (t = updates already applied). */
export function goodfellowLearningRate(step: number, c: { learningRate?: number; decay?: number; min?: number } = {}): number {
  return Math.max(c.min ?? GOODFELLOW_MNIST.minLearningRate, (c.learningRate ?? GOODFELLOW_MNIST.learningRate) / (c.decay ?? GOODFELLOW_MNIST.learningRateDecay) ** step);
}

/** μ during epoch `epoch` (0-based) — pylearn2's MomentumAdjustor(start 1, saturate 250): 0.5 → 0.7 linearly. */
export function goodfellowMomentum(epoch: number): number {
  const g = GOODFELLOW_MNIST;
  const alpha = Math.min(1, Math.max(0, (epoch - g.momentumStart) / (g.momentumSaturate - g.momentumStart)));
  return g.initMomentum * (1 - alpha) + g.finalMomentum * alpha;
}

export interface Pylearn2MomentumOptions extends OptimizerOptions {
  /** μ (0.5); may be changed between steps (`momentum` is writable). */
  momentum?: number;
}

/**
 * pylearn2's `learning_rule.Momentum`: v ← μv − η_t g, θ ← θ + v (the learning rate inside the velocity,
 * unlike @paperzoo/core-autograd's `Momentum`; the two agree for a constant η). μ is writable, for
 * the MomentumAdjustor schedule ({@link goodfellowMomentum}).
 */
export class Pylearn2Momentum extends Optimizer {
  static override className = 'paperzoo.Pylearn2Momentum';
  protected readonly slotNames = ['velocity'] as const;
  momentum: number;

  constructor(options: Pylearn2MomentumOptions) {
    super(options);
    this.momentum = options.momentum ?? GOODFELLOW_MNIST.initMomentum;
  }

  protected update({ value, gradient, slots, learningRate }: VariableUpdate): tf.Tensor {
    const velocity = tf.sub(tf.mul(slots.velocity, this.momentum), tf.mul(gradient, learningRate));
    slots.velocity.assign(velocity);
    return tf.add(value, velocity);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum };
  }
}

/** A seeded generator for choosing fixed things (e.g. a sample grid's noise) apart from the run's RNG. */
export function fixedNoise(n: number, noiseDim: number, seed: number | string): tf.Tensor2D {
  const rng = makeRng(`fixed-noise:${seed}`);
  const values = new Float32Array(n * noiseDim);
  for (let i = 0; i < values.length; i += 2) {
    // Box–Muller from the seeded uniform generator
    const r = Math.sqrt(-2 * Math.log(1 - rng())), t = 2 * Math.PI * rng();
    values[i] = r * Math.cos(t);
    if (i + 1 < values.length) values[i + 1] = r * Math.sin(t);
  }
  return tf.tensor2d(values, [n, noiseDim]);
}
