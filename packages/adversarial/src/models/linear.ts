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
import { tf, makeRng } from '@paperzoo/tensor';

let nextInstance = 0;

function smallUniform(rng: () => number, shape: number[], bound: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(size);
  for (let i = 0; i < size; i++) v[i] = (rng() * 2 - 1) * bound;
  return tf.tensor(v, shape);
}

/** Softmax regression: logits = x W + b, W [inputs, classes]. */
export class SoftmaxRegression {
  readonly variables: { kernel: tf.Variable; bias: tf.Variable };

  constructor(options: { inputs?: number; classes?: number; seed?: number } = {}) {
    const inputs = options.inputs ?? 784;
    const classes = options.classes ?? 10;
    const rng = makeRng(`softmax-regression:${options.seed ?? 0}`);
    const scope = `softmax_regression_${nextInstance++}`;
    this.variables = {
      kernel: tf.variable(smallUniform(rng, [inputs, classes], 0.01), true, `${scope}/kernel`), // [784, 10]
      bias: tf.variable(tf.zeros([classes]), true, `${scope}/bias`), // [10]
    };
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → logits [B, 10]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), this.variables.kernel), this.variables.bias));
  }

  parameterCount(): number {
    return this.variables.kernel.size + this.variables.bias.size;
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}

/** Logistic regression: logit z = x w + b, P(y = 1 | x) = σ(z); logits [B, 1]. */
export class LogisticRegression {
  readonly variables: { weights: tf.Variable; bias: tf.Variable };

  constructor(options: { inputs?: number; seed?: number } = {}) {
    const inputs = options.inputs ?? 784;
    const rng = makeRng(`logistic-regression:${options.seed ?? 0}`);
    const scope = `logistic_regression_${nextInstance++}`;
    this.variables = {
      weights: tf.variable(smallUniform(rng, [inputs, 1], 0.01), true, `${scope}/weights`), // [784, 1]
      bias: tf.variable(tf.zeros([1]), true, `${scope}/bias`), // [1]
    };
  }

  /** x [B, 784] (or [B, 28, 28, 1]) → logits [B, 1]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(x.reshape<tf.Tensor2D>([x.shape[0], -1]), this.variables.weights), this.variables.bias));
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}
