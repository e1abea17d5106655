/**
 * The shallow models of Goodfellow, Shlens & Szegedy, "Explaining and Harnessing Adversarial
 * Examples", ICLR 2015 (https://arxiv.org/abs/1412.6572):
 *
 * - §4: "a shallow softmax classifier" on MNIST — softmax regression, p(y | x) = softmax(W⊤x + b);
 * - §5, Fig. 2: logistic regression on MNIST 3s vs 7s — P(y = 1 | x) = σ(w⊤x + b).
 *
 * For both, the fast gradient sign perturbation is the exact worst case in the L∞ ball (§5): for
 * logistic regression ∇ₓJ = −(y − σ(w⊤x + b))·w (labels 0/1), so sign(∇ₓJ) = ∓sign(w) and the attacked
 * score is w⊤x + b ∓ ε‖w‖₁.
 *
 * Inputs are flat pixel vectors [B, 784] in [0, 1] (28×28 images are flattened by `apply`).
 */
import { tf, makeRng, Module, type Initializer, type Parameter } from '@paperzoo/tensor';

/**
 * U(±bound) drawn from one generator shared by a model's parameters in creation order (the models'
 * original initialisation, kept so that their numbers are unchanged by the move to `Module`).
 */
export function sharedUniform(rng: () => number, bound: number): Initializer {
  return { kind: 'custom', values: (size) => Float32Array.from({ length: size }, () => (rng() * 2 - 1) * bound) };
}

/** Softmax regression: logits = x W + b, W [inputs, classes]. */
export class SoftmaxRegression extends Module {
  readonly kernel: Parameter;
  readonly bias: Parameter;

  constructor(options: { inputs?: number; classes?: number; seed?: number } = {}) {
    super('softmax_regression');
    const rng = makeRng(`softmax-regression:${options.seed ?? 0}`);
    this.kernel = this.store.add('kernel', [options.inputs ?? 784, options.classes ?? 10], sharedUniform(rng, 0.01)); // [784, 10]
    this.bias = this.store.add('bias', [options.classes ?? 10], { kind: 'zeros' }); // [10]
    this.build({ seed: options.seed });
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → logits [B, 10]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), this.kernel.value as tf.Tensor2D), this.bias.value));
  }
}

/** Logistic regression: logit z = x w + b, P(y = 1 | x) = σ(z); logits [B, 1]. */
export class LogisticRegression extends Module {
  readonly weights: Parameter;
  readonly bias: Parameter;

  constructor(options: { inputs?: number; seed?: number } = {}) {
    super('logistic_regression');
    const rng = makeRng(`logistic-regression:${options.seed ?? 0}`);
    this.weights = this.store.add('weights', [options.inputs ?? 784, 1], sharedUniform(rng, 0.01)); // [784, 1]
    this.bias = this.store.add('bias', [1], { kind: 'zeros' }); // [1]
    this.build({ seed: options.seed });
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → logits [B, 1]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), this.weights.value as tf.Tensor2D), this.bias.value));
  }
}
