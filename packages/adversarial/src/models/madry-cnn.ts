/**
 * The MNIST network of A. Madry, A. Makelov, L. Schmidt, D. Tsipras, A. Vladu, "Towards Deep Learning
 * Models Resistant to Adversarial Attacks", ICLR 2018, §4 and Appendix (MNIST model).
 * https://arxiv.org/abs/1706.06083 — released as MadryLab/mnist_challenge `model.py`.
 *
 *   x [B, 28, 28, 1] → conv 5×5, 32 filters, 'same', ReLU → max-pool 2×2 → [B, 14, 14, 32]
 *                    → conv 5×5, 64 filters, 'same', ReLU → max-pool 2×2 → [B, 7, 7, 64]
 *                    → fully connected 1,024, ReLU → fully connected 10 (logits)
 *
 * 3,274,634 parameters. Initialisation as released: weights from a normal truncated at 2σ with
 * σ = 0.1, biases 0.1. Trained with Adam (lr 1e-4), batch 50, 100k iterations, on PGD examples
 * (ε = 0.3, 40 steps of 0.01, random start). `filters` and `hidden` scale it down for CPU budgets
 * (smoke tiers); the defaults are the paper's.
 */
import { tf, makeRng } from '@paperzoo/tensor';

export interface MadryCnnOptions {
  /** Filters of the two conv layers (paper: [32, 64]). */
  filters?: [number, number];
  /** Units of the hidden fully connected layer (paper: 1024). */
  hidden?: number;
  /** Weight σ of the truncated normal (0.1 as released) and the constant bias (0.1). */
  initStd?: number;
  initBias?: number;
  seed?: number;
}

let nextInstance = 0;

export class MadryCnn {
  readonly variables: Record<string, tf.Variable>;

  constructor(options: MadryCnnOptions = {}) {
    const [f1, f2] = options.filters ?? [32, 64];
    const hidden = options.hidden ?? 1024;
    const std = options.initStd ?? 0.1;
    const bias = options.initBias ?? 0.1;
    const rng = makeRng(`madry-cnn:${options.seed ?? 0}`);
    const truncated = (shape: number[]) => {
      // Normal(0, σ) redrawn outside ±2σ (tf.truncated_normal), from this model's own generator.
      const size = shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        let z: number;
        do {
          const u1 = Math.max(rng(), 1e-12);
          z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
        } while (Math.abs(z) > 2);
        v[i] = z * std;
      }
      return tf.tensor(v, shape);
    };
    const scope = `madry_cnn_${nextInstance++}`;
    const v = (name: string, t: tf.Tensor) => tf.variable(t, true, `${scope}/${name}`);
    this.variables = {
      conv1Kernel: v('conv1/kernel', truncated([5, 5, 1, f1])), // [5, 5, 1, 32]
      conv1Bias: v('conv1/bias', tf.fill([f1], bias)),
      conv2Kernel: v('conv2/kernel', truncated([5, 5, f1, f2])), // [5, 5, 32, 64]
      conv2Bias: v('conv2/bias', tf.fill([f2], bias)),
      fc1Kernel: v('fc1/kernel', truncated([7 * 7 * f2, hidden])), // [3136, 1024]
      fc1Bias: v('fc1/bias', tf.fill([hidden], bias)),
      fc2Kernel: v('fc2/kernel', truncated([hidden, 10])), // [1024, 10]
      fc2Bias: v('fc2/bias', tf.fill([10], bias)),
    };
  }

  /** x [B, 28, 28, 1] (or [B, 784]) in [0, 1] → logits [B, 10]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const p = this.variables;
      const input = x.reshape<tf.Tensor4D>([-1, 28, 28, 1]); // [B, 28, 28, 1]
      const c1 = tf.relu(tf.add(tf.conv2d(input, p.conv1Kernel as tf.Tensor4D, 1, 'same'), p.conv1Bias)) as tf.Tensor4D; // [B, 28, 28, f1]
      const p1 = tf.maxPool(c1, 2, 2, 'same'); // [B, 14, 14, f1]
      const c2 = tf.relu(tf.add(tf.conv2d(p1, p.conv2Kernel as tf.Tensor4D, 1, 'same'), p.conv2Bias)) as tf.Tensor4D; // [B, 14, 14, f2]
      const p2 = tf.maxPool(c2, 2, 2, 'same'); // [B, 7, 7, f2]
      const flat = p2.reshape<tf.Tensor2D>([p2.shape[0], -1]); // [B, 7·7·f2]
      const fc1 = tf.relu(tf.add(tf.matMul(flat, p.fc1Kernel), p.fc1Bias)) as tf.Tensor2D; // [B, hidden]
      return tf.add(tf.matMul(fc1, p.fc2Kernel), p.fc2Bias); // [B, 10]
    });
  }

  parameterCount(): number {
    return Object.values(this.variables).reduce((n, t) => n + t.size, 0);
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}
