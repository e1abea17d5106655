/**
 * Conditional GAN — M. Mirza, S. Osindero, "Conditional Generative Adversarial Nets", 2014,
 * https://arxiv.org/abs/1411.1784, §3.2 eq. 2:
 *
 *   min_G max_D  E_x[log D(x | y)] + E_z[log(1 − D(G(z | y) | y))]
 *
 * Both players see the label y: here, as the simplest form of their §3.2 ("y is fed into both the
 * discriminator and generator as additional input layer"), the one-hot label is concatenated to the
 * generator's noise and to the discriminator's input. Their MNIST model (§4.1) maps z and y through
 * separate hidden layers first (G: z → 200 ReLU, y → 1000 ReLU, joint 1200 ReLU → 784 sigmoid; D: maxout
 * x → 240×5, y → 50×5, joint 240×4) with z ~ U(0, 1)¹⁰⁰; the first-layer concatenation below is the
 * same family (a joint first layer instead of separate ones), with the 2014 GAN's networks
 * (src/mlp-gan.ts) behind it, and their noise prior.
 *
 * Shapes: z [n, noiseDim], labels [n] (class indices) → G(z | y) [n, 784]; x [n, 784], labels → logits [n].
 */
import { tf, randomUniform } from '@paperzoo/tensor';
import { MaxoutDiscriminator, MlpGenerator, type MaxoutDiscriminatorOptions, type MlpGeneratorOptions } from './mlp-gan.js';

/** [n, classes] one-hot rows of the class indices (float32). */
export function oneHotLabels(labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), classes).toFloat() as tf.Tensor2D);
}

/** [x, onehot(y)] along the feature axis: [n, d] and labels [n] → [n, d + classes]. */
export function concatLabels(x: tf.Tensor, labels: ArrayLike<number>, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.concat([x.reshape<tf.Tensor2D>([x.shape[0], -1]), oneHotLabels(labels, classes)], 1));
}

export interface ConditionalOptions {
  /** Classes (10). */
  classes?: number;
}

/** G(z | y): the MLP generator on [z, onehot(y)]; z ~ U(0, 1)^noiseDim (Mirza & Osindero §4.1). */
export class ConditionalGenerator {
  readonly net: MlpGenerator;
  readonly classes: number;
  readonly noiseDim: number;

  constructor(options: MlpGeneratorOptions & ConditionalOptions = {}) {
    this.classes = options.classes ?? 10;
    this.noiseDim = options.noiseDim ?? 100;
    this.net = new MlpGenerator({ name: 'conditional-generator', ...options, noiseDim: this.noiseDim + this.classes });
  }

  get variables(): Record<string, tf.Variable> {
    return this.net.variables;
  }

  /** n noise vectors U(0, 1) [n, noiseDim] from the global generator. */
  sampleNoise(n: number): tf.Tensor2D {
    return randomUniform([n, this.noiseDim]) as tf.Tensor2D;
  }

  /** z [n, noiseDim], labels [n] → [n, outputs] in (0, 1). */
  apply(z: tf.Tensor, labels: ArrayLike<number>): tf.Tensor2D {
    return tf.tidy(() => this.net.apply(concatLabels(z, labels, this.classes)));
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** D(x | y): the maxout discriminator on [x, onehot(y)] → logits [n]. */
export class ConditionalDiscriminator {
  readonly net: MaxoutDiscriminator;
  readonly classes: number;

  constructor(options: MaxoutDiscriminatorOptions & ConditionalOptions = {}) {
    this.classes = options.classes ?? 10;
    this.net = new MaxoutDiscriminator({ ...options, inputs: (options.inputs ?? 784) + this.classes });
  }

  get variables(): Record<string, tf.Variable> {
    return this.net.variables;
  }

  apply(x: tf.Tensor, labels: ArrayLike<number>, options: { training?: boolean } = {}): tf.Tensor1D {
    return tf.tidy(() => this.net.apply(concatLabels(x, labels, this.classes), options));
  }

  dispose(): void {
    this.net.dispose();
  }
}
