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
import { tf, makeRng, Module, type ModuleOptions, type Parameter } from '@paperzoo/tensor';

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

/** The trainable parameters in the order the initialisation draws them, with shape and fan-in Fᵢ. */
const LAYOUT: readonly [name: string, shape: number[], fanIn: number][] = [
  ['c1/kernel', [5, 5, 1, 6], 25],
  ['c1/bias', [6], 25],
  ['s2/coef', [6], 4],
  ['s2/bias', [6], 4],
  ['c3/kernel', [5, 5, 6, 16], 0], // drawn first, per column (below)
  ['c3/bias', [16], 75],
  ['s4/coef', [16], 4],
  ['s4/bias', [16], 4],
  ['c5/kernel', [400, 120], 400], // 5×5×16 → 120
  ['c5/bias', [120], 400],
  ['f6/kernel', [120, 84], 120],
  ['f6/bias', [84], 120],
  ['output/kernel', [84, 10], 84],
  ['output/bias', [10], 84],
];

/** The 0/1 mask [5, 5, 6, 16] (flattened) of the C3 weights Table I connects. */
function c3MaskValues(): Float32Array {
  const mask = new Float32Array(5 * 5 * 6 * 16); // [kh, kw, in, out] flattened
  for (let out = 0; out < 16; out++) for (const inp of C3_CONNECTIONS[out]) for (let k = 0; k < 25; k++) mask[k * 96 + inp * 16 + out] = 1;
  return mask;
}

export class LeNet5 extends Module {
  /** Fixed 0/1 mask [5, 5, 6, 16] that zeroes C3 weights Table I leaves unconnected. */
  private readonly c3Mask: tf.Tensor4D | null = null;
  private readonly p: Record<string, Parameter> = {};
  private readonly fullC3: boolean;

  /**
   * All initial values come from one generator keyed `lenet5:<seed>`, drawn in a fixed order (C3's
   * columns first, then the layers in order), and enter the store as `tensor` initializers.
   */
  constructor(options: LeNet5Options & ModuleOptions = {}) {
    super('lenet5');
    this.fullC3 = options.fullC3 ?? false;
    const rng = makeRng(`lenet5:${options.seed ?? 0}`);
    const uniform = (size: number, fanIn: number): Float32Array => {
      const bound = options.init === 'paper' ? 2.4 / fanIn : Math.sqrt(3 / fanIn);
      const values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = (rng() * 2 - 1) * bound;
      return values;
    };
    const mask = this.fullC3 ? null : c3MaskValues();
    let c3: Float32Array;
    if (!mask) c3 = uniform(2400, 150);
    else {
      // Fᵢ differs per C3 map (75, 100 or 150 inputs): each column [5, 5, 6] with its own bound, masked.
      c3 = new Float32Array(2400);
      C3_CONNECTIONS.forEach((ins, out) => uniform(150, 25 * ins.length).forEach((v, j) => (c3[j * 16 + out] = v * mask[j * 16 + out])));
    }
    for (const [name, shape, fanIn] of LAYOUT) {
      const values = name === 'c3/kernel' ? c3 : uniform(shape.reduce((a, b) => a * b, 1), fanIn);
      this.p[name] = this.store.add(name, shape, { kind: 'tensor', values });
    }
    this.build(options);
    if (mask && options.allocate !== false) this.c3Mask = tf.tensor4d(mask, [5, 5, 6, 16]);
  }

  /** Number of trainable parameters (connections that Table I leaves out are not counted). */
  override parameterCount(): number {
    return Object.values(this.layerParameterCounts()).reduce((a, b) => a + b, 0);
  }

  /** Trainable parameters per layer as §II.B counts them (C3's unconnected weights excluded). */
  layerParameterCounts(): { C1: number; S2: number; C3: number; S4: number; C5: number; F6: number; OUTPUT: number } {
    const n = (layer: string) => this.p[`${layer}/kernel`] ? this.p[`${layer}/kernel`].size + this.p[`${layer}/bias`].size : this.p[`${layer}/coef`].size + this.p[`${layer}/bias`].size;
    const c3Weights = this.fullC3 ? 2400 : C3_CONNECTIONS.reduce((k, inputs) => k + inputs.length, 0) * 25;
    return { C1: n('c1'), S2: n('s2'), C3: c3Weights + this.p['c3/bias'].size, S4: n('s4'), C5: n('c5'), F6: n('f6'), OUTPUT: n('output') };
  }

  /** Subsampling layer (§II.B): sum of a 2×2 window × trainable coefficient + trainable bias, squashed. */
  private subsample(x: tf.Tensor4D, layer: 's2' | 's4'): tf.Tensor4D {
    const summed = tf.avgPool(x, 2, 2, 'valid').mul(4); // [B, H/2, W/2, C]
    return lecunTanh(summed.mul(this.p[`${layer}/coef`].value).add(this.p[`${layer}/bias`].value)) as tf.Tensor4D;
  }

  /** Forward pass: [B, 32, 32, 1] → logits [B, 10]. */
  apply(input: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const v = (name: string) => this.p[name].value;
      const c1 = lecunTanh(tf.conv2d(input as tf.Tensor4D, v('c1/kernel') as tf.Tensor4D, 1, 'valid').add(v('c1/bias'))) as tf.Tensor4D; // [B, 28, 28, 6]
      const s2 = this.subsample(c1, 's2'); // [B, 14, 14, 6]
      const c3Kernel = this.c3Mask ? v('c3/kernel').mul(this.c3Mask) : v('c3/kernel'); // [5, 5, 6, 16]
      const c3 = lecunTanh(tf.conv2d(s2, c3Kernel as tf.Tensor4D, 1, 'valid').add(v('c3/bias'))) as tf.Tensor4D; // [B, 10, 10, 16]
      const s4 = this.subsample(c3, 's4'); // [B, 5, 5, 16]
      const c5 = lecunTanh(s4.reshape([-1, 400]).matMul(v('c5/kernel')).add(v('c5/bias'))); // [B, 120]
      const f6 = lecunTanh(c5.matMul(v('f6/kernel')).add(v('f6/bias'))); // [B, 84]
      return f6.matMul(v('output/kernel')).add<tf.Tensor2D>(v('output/bias')); // [B, 10]
    });
  }

  override dispose(): void {
    super.dispose();
    this.c3Mask?.dispose();
  }
}
