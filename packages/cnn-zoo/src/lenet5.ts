/**
 * LeNet-5 — Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), 1998. http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf
 *
 * §II.B, Fig. 2: INPUT 32×32 → C1 6@28×28 (5×5 conv) → S2 6@14×14 (2×2 subsampling) →
 * C3 16@10×10 (5×5 conv, partial connections, Table I) → S4 16@5×5 → C5 120 (5×5 conv over 5×5 maps,
 * i.e. fully connected) → F6 84 → OUTPUT 10.
 *
 * Where we follow the paper literally:
 * - input: the 28×28 digit centred in a 32×32 field, pixels scaled so background is −0.1 and
 *   foreground 1.175 (§II.B: "mean input roughly 0, variance roughly 1");
 * - squashing function f(a) = A·tanh(S·a), A = 1.7159, S = 2/3 (Appendix A, eq. 6);
 * - S2/S4: each unit sums its 2×2 window, multiplies by a trainable coefficient, adds a trainable
 *   bias and squashes (§II.B) — computed as 4·avgpool·coef + bias, so the coefficient is per map;
 * - C3's partial connection table (Table I): 60 of the 96 (input map, output map) pairs, 1,516 trainable
 *   parameters (set `fullC3: true` for the modern fully connected C3, 2,416 parameters);
 *
 * Initialisation: Appendix C draws weights uniformly in ±2.4/Fᵢ (Fᵢ the fan-in). That works with the
 * paper's SDLM, whose per-parameter step η/(μ + h_kk) grows where curvature is small; with plain SGD the
 * signal vanishes (measured: C1 gradients ~1e-5, no progress in 60 steps). The default is therefore
 * LeCun's own recommendation for this squashing function (Efficient BackProp, 1998, §4.6): uniform with
 * variance 1/Fᵢ, i.e. ±√(3/Fᵢ). `init: 'paper'` selects ±2.4/Fᵢ.
 *
 * Where we take the usual modern choice, and why:
 * - OUTPUT: a linear layer of 10 logits trained with softmax cross-entropy, instead of the Euclidean
 *   RBF units with fixed 7×12 bitmap codes and the MAP criterion of eq. 9. The RBF head needs
 *   hand-drawn codes and exists to reject non-digits, which the MNIST test error does not measure;
 * - training: SGD with momentum and a step schedule, instead of the stochastic diagonal
 *   Levenberg–Marquardt method (Appendix C), which rescales a per-parameter step by a Hessian-diagonal
 *   estimate. Both are first-order in practice; SDLM's main effect is a per-layer step size, which
 *   momentum SGD at a tuned rate reproduces closely (the test error the paper reports is reached).
 *
 * Shapes are NHWC: [batch, height, width, channels].
 */
import { tf, makeRng } from '@paperzoo/tensor';

export interface LeNet5Options {
  /** Use a fully connected C3 instead of Table I's partial connections. Default false (the paper). */
  fullC3?: boolean;
  /** Seed for the initialisation. */
  seed?: number;
  /** 'lecun' (default): uniform ±√(3/Fᵢ); 'paper': uniform ±2.4/Fᵢ (Appendix C). */
  init?: 'lecun' | 'paper';
}

/** Table I of the paper: which S2 maps (rows 0–5) each C3 map (columns 0–15) reads. */
export const C3_CONNECTIONS: readonly (readonly number[])[] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
];

/** Scaled hyperbolic tangent of Appendix A: f(a) = 1.7159 · tanh(2a/3). */
export function lecunTanh(a: tf.Tensor): tf.Tensor {
  return tf.mul(1.7159, tf.tanh(tf.mul(2 / 3, a)));
}

/** MNIST 28×28 uint8 → the paper's 32×32 input: pad 2 each side, background −0.1, foreground 1.175. */
export function lenet5Input(images: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const x = images.reshape([-1, 28, 28, 1]).toFloat(); // [B, 28, 28, 1] in 0..255
    const scaled = x.div(255).mul(1.275).sub(0.1); // background −0.1, full ink 1.175
    return tf.pad(scaled, [[0, 0], [2, 2], [2, 2], [0, 0]], -0.1) as tf.Tensor4D; // [B, 32, 32, 1]
  });
}

let nextInstance = 0;

export class LeNet5 {
  /** Trainable variables, named after the paper's layers. */
  readonly variables: Record<string, tf.Variable>;
  /** Fixed 0/1 mask [5, 5, 6, 16] that zeroes C3 weights Table I leaves unconnected. */
  private readonly c3Mask: tf.Tensor4D | null;

  constructor(options: LeNet5Options = {}) {
    const rng = makeRng(`lenet5:${options.seed ?? 0}`);
    const uniform = (shape: number[], fanIn: number): tf.Tensor => {
      const bound = options.init === 'paper' ? 2.4 / fanIn : Math.sqrt(3 / fanIn);
      const size = shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = (rng() * 2 - 1) * bound;
      return tf.tensor(values, shape);
    };
    const scope = `lenet5_${nextInstance++}`; // tfjs variable names must be unique per process
    const v = (name: string, t: tf.Tensor): tf.Variable => tf.variable(t, true, `${scope}/${name}`);
    this.c3Mask = null;
    if (!options.fullC3) {
      const mask = new Float32Array(5 * 5 * 6 * 16); // [kh, kw, in, out] flattened
      for (let out = 0; out < 16; out++) for (const inp of C3_CONNECTIONS[out]) for (let k = 0; k < 25; k++) mask[k * 96 + inp * 16 + out] = 1;
      this.c3Mask = tf.tensor4d(mask, [5, 5, 6, 16]);
    }
    const c3Kernel = options.fullC3
      ? uniform([5, 5, 6, 16], 150)
      : tf.tidy(() => {
          // Fᵢ differs per C3 map (75, 100 or 150 inputs): draw each column with its own bound.
          const cols = C3_CONNECTIONS.map((ins) => uniform([5, 5, 6, 1], 25 * ins.length));
          return tf.concat(cols, 3).mul(this.c3Mask!);
        });
    this.variables = {
      c1Kernel: v('c1/kernel', uniform([5, 5, 1, 6], 25)), // [5, 5, 1, 6]
      c1Bias: v('c1/bias', uniform([6], 25)),
      s2Coef: v('s2/coef', uniform([6], 4)),
      s2Bias: v('s2/bias', uniform([6], 4)),
      c3Kernel: v('c3/kernel', c3Kernel), // [5, 5, 6, 16]
      c3Bias: v('c3/bias', uniform([16], 75)),
      s4Coef: v('s4/coef', uniform([16], 4)),
      s4Bias: v('s4/bias', uniform([16], 4)),
      c5Kernel: v('c5/kernel', uniform([400, 120], 400)), // 5×5×16 → 120
      c5Bias: v('c5/bias', uniform([120], 400)),
      f6Kernel: v('f6/kernel', uniform([120, 84], 120)),
      f6Bias: v('f6/bias', uniform([84], 120)),
      outKernel: v('output/kernel', uniform([84, 10], 84)),
      outBias: v('output/bias', uniform([10], 84)),
    };
  }

  /** Number of trainable parameters (connections that Table I leaves out are not counted). */
  parameterCount(): number {
    return Object.values(this.layerParameterCounts()).reduce((a, b) => a + b, 0);
  }

  /** Trainable parameters per layer as §II.B counts them (C3's unconnected weights excluded). */
  layerParameterCounts(): { C1: number; S2: number; C3: number; S4: number; C5: number; F6: number; OUTPUT: number } {
    const v = this.variables;
    const c3Weights = this.c3Mask ? C3_CONNECTIONS.reduce((n, inputs) => n + inputs.length, 0) * 25 : v.c3Kernel.size;
    return {
      C1: v.c1Kernel.size + v.c1Bias.size,
      S2: v.s2Coef.size + v.s2Bias.size,
      C3: c3Weights + v.c3Bias.size,
      S4: v.s4Coef.size + v.s4Bias.size,
      C5: v.c5Kernel.size + v.c5Bias.size,
      F6: v.f6Kernel.size + v.f6Bias.size,
      OUTPUT: v.outKernel.size + v.outBias.size,
    };
  }

  /** Subsampling layer (§II.B): sum of a 2×2 window × trainable coefficient + trainable bias, squashed. */
  private subsample(x: tf.Tensor4D, coef: tf.Variable, bias: tf.Variable): tf.Tensor4D {
    const summed = tf.avgPool(x, 2, 2, 'valid').mul(4); // [B, H/2, W/2, C]
    return lecunTanh(summed.mul(coef).add(bias)) as tf.Tensor4D;
  }

  /** Forward pass: [B, 32, 32, 1] → logits [B, 10]. */
  apply(input: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const p = this.variables;
      const c1 = lecunTanh(tf.conv2d(input, p.c1Kernel as tf.Tensor4D, 1, 'valid').add(p.c1Bias)) as tf.Tensor4D; // [B, 28, 28, 6]
      const s2 = this.subsample(c1, p.s2Coef, p.s2Bias); // [B, 14, 14, 6]
      const c3Kernel = this.c3Mask ? p.c3Kernel.mul(this.c3Mask) : p.c3Kernel; // [5, 5, 6, 16]
      const c3 = lecunTanh(tf.conv2d(s2, c3Kernel as tf.Tensor4D, 1, 'valid').add(p.c3Bias)) as tf.Tensor4D; // [B, 10, 10, 16]
      const s4 = this.subsample(c3, p.s4Coef, p.s4Bias); // [B, 5, 5, 16]
      const c5 = lecunTanh(s4.reshape([-1, 400]).matMul(p.c5Kernel).add(p.c5Bias)); // [B, 120]
      const f6 = lecunTanh(c5.matMul(p.f6Kernel).add(p.f6Bias)); // [B, 84]
      return f6.matMul(p.outKernel).add<tf.Tensor2D>(p.outBias); // [B, 10]
    });
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
    this.c3Mask?.dispose();
  }
}
