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
import { tf, makeRng, Module, type Initializer, type Parameter } from '@paperzoo/tensor';

export interface MadryCnnOptions {
  /** Filters of the two conv layers (paper: [32, 64]). */
  filters?: [number, number];
  /** Units of the hidden fully connected layer (paper: 1024). */
  hidden?: number;
  /** Weight σ of the truncated normal (0.1 as released) and the constant bias (0.1). */
  initStd?: number;
  initBias?: number;
  seed?: number;
  /** Create the variables (default true); false only counts parameters. */
  allocate?: boolean;
}

export class MadryCnn extends Module {
  private readonly p: Record<'conv1Kernel' | 'conv1Bias' | 'conv2Kernel' | 'conv2Bias' | 'fc1Kernel' | 'fc1Bias' | 'fc2Kernel' | 'fc2Bias', Parameter>;

  constructor(options: MadryCnnOptions = {}) {
    super('madry_cnn');
    const [f1, f2] = options.filters ?? [32, 64];
    const hidden = options.hidden ?? 1024;
    const std = options.initStd ?? 0.1;
    const bias: Initializer = { kind: 'constant', value: options.initBias ?? 0.1 };
    const rng = makeRng(`madry-cnn:${options.seed ?? 0}`);
    // Normal(0, σ) redrawn outside ±2σ (tf.truncated_normal), from one generator shared by the kernels in creation order.
    const truncated: Initializer = {
      kind: 'custom',
      values: (size) => {
        const v = new Float32Array(size);
        for (let i = 0; i < size; i++) {
          let z: number;
          do {
            const u1 = Math.max(rng(), 1e-12);
            z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
          } while (Math.abs(z) > 2);
          v[i] = z * std;
        }
        return v;
      },
    };
    const add = (name: string, shape: number[], init: Initializer) => this.store.add(name, shape, init);
    this.p = {
      conv1Kernel: add('conv1/kernel', [5, 5, 1, f1], truncated), // [5, 5, 1, 32]
      conv1Bias: add('conv1/bias', [f1], bias),
      conv2Kernel: add('conv2/kernel', [5, 5, f1, f2], truncated), // [5, 5, 32, 64]
      conv2Bias: add('conv2/bias', [f2], bias),
      fc1Kernel: add('fc1/kernel', [7 * 7 * f2, hidden], truncated), // [3136, 1024]
      fc1Bias: add('fc1/bias', [hidden], bias),
      fc2Kernel: add('fc2/kernel', [hidden, 10], truncated), // [1024, 10]
      fc2Bias: add('fc2/bias', [10], bias),
    };
    this.build(options);
  }

  /** x [B, 28, 28, 1] (or [B, 784]) in [0, 1] → logits [B, 10]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const p = this.p;
      const input = x.reshape<tf.Tensor4D>([-1, 28, 28, 1]); // [B, 28, 28, 1]
      const c1 = tf.relu(tf.add(tf.conv2d(input, p.conv1Kernel.value as tf.Tensor4D, 1, 'same'), p.conv1Bias.value)) as tf.Tensor4D; // [B, 28, 28, f1]
      const p1 = tf.maxPool(c1, 2, 2, 'same'); // [B, 14, 14, f1]
      const c2 = tf.relu(tf.add(tf.conv2d(p1, p.conv2Kernel.value as tf.Tensor4D, 1, 'same'), p.conv2Bias.value)) as tf.Tensor4D; // [B, 14, 14, f2]
      const p2 = tf.maxPool(c2, 2, 2, 'same'); // [B, 7, 7, f2]
      const flat = p2.reshape<tf.Tensor2D>([p2.shape[0], -1]); // [B, 7·7·f2]
      const fc1 = tf.relu(tf.add(tf.matMul(flat, p.fc1Kernel.value as tf.Tensor2D), p.fc1Bias.value)) as tf.Tensor2D; // [B, hidden]
      return tf.add(tf.matMul(fc1, p.fc2Kernel.value as tf.Tensor2D), p.fc2Bias.value); // [B, 10]
    });
  }
}
