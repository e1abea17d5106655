/**
 * Every op of the n-d engine, each with random inputs and the equivalent tfjs expression, shared by
 * engine-finite-differences.test.ts (float64 reference) and engine-vs-tfjs.test.ts (tf.grad).
 */
import { tf } from '@paperzoo/tensor';
import * as ag from '../src/index.js';
import type { Padding } from '../src/index.js';
import type { RandomSpec } from './helpers.js';

export interface OpCase {
  name: string;
  inputs: RandomSpec[];
  ours: (xs: ag.Tensor[]) => ag.Tensor;
  tfjs: (xs: tf.Tensor[]) => tf.Tensor;
  /**
   * Inputs whose tfjs gradient is wrong or missing (the reason says which): engine-vs-tfjs.test.ts
   * compares the engine's gradient for these against `reference` instead — an independent float64
   * closed form or loop written from the definition, not the engine's backward pass.
   */
  tfjsGradientWrong?: {
    inputs: number[];
    reason: string;
    /** ∂L/∂inputs[i] for each i in `inputs` (same order), L = Σ out ⊙ weights. */
    reference: (inputs: ag.Tensor[], weights: Float64Array) => Float64Array[];
  };
  /**
   * A gradient stock tfjs 4.22 gets wrong on some backends (docs/backends.md) that @paperzoo/tensor fixes:
   * the comparison runs there like any other and must pass (a regression check on the fix).
   */
  upstreamBug?: { backends: string[]; what: string };
}

const positive = (shape: number[]): RandomSpec => ({ shape, min: 0.2, max: 2 });
const signed = (shape: number[]): RandomSpec => ({ shape });
const awayFromZero = (shape: number[]): RandomSpec => ({ shape, min: -2, max: 2, awayFromZero: 0.05 });

const CONV_WASM = { backends: ['wasm'], what: 'stock wasm has no Conv2DBackpropFilter (@paperzoo/tensor adds it)' };
const MAXPOOL_WASM = { backends: ['wasm'], what: 'stock wasm MaxPoolGrad gives 0 where a window maximum is negative (docs/backends.md)' };

const tfPad = (pad: Padding): 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]] => {
  if (typeof pad === 'string' || typeof pad === 'number') return pad;
  if (pad.length === 4) return pad;
  return [[0, 0], pad[0], pad[1], [0, 0]];
};

/**
 * Closed-form gradients of L = w · (−(1/N) Σ_n Σ_c y_{n,c} log p_{n,c}), p = softmax(z) per row, for a
 * scalar output weight w: ∂L/∂z = w·(p·Σ_k y_k − y)/N, ∂L/∂y = −w·log p / N. Written from the
 * definition; returns [∂L/∂z, ∂L/∂y].
 */
export function crossEntropyGradients(z: ag.Tensor, y: ag.Tensor, weight: number): [Float64Array, Float64Array] {
  const [n, c] = z.shape;
  const dz = new Float64Array(n * c);
  const dy = new Float64Array(n * c);
  for (let row = 0; row < n; row++) {
    const zs = Array.from(z.data.subarray(row * c, row * c + c));
    const ys = Array.from(y.data.subarray(row * c, row * c + c));
    const m = Math.max(...zs);
    const logZ = m + Math.log(zs.reduce((a, v) => a + Math.exp(v - m), 0));
    const mass = ys.reduce((a, v) => a + v, 0);
    for (let k = 0; k < c; k++) {
      const logP = zs[k] - logZ;
      dz[row * c + k] = (weight * (Math.exp(logP) * mass - ys[k])) / n;
      dy[row * c + k] = (-weight * logP) / n;
    }
  }
  return [dz, dy];
}

/**
 * Gradients of L = Σ conv2d(x, w) ⊙ r for an NHWC conv2d with equal strides s, dilation d and 'valid'
 * or 'same' (TensorFlow's: total pad max((out − 1)·s + (k − 1)·d + 1 − in, 0), the smaller half first)
 * padding, by float64 loops over the definition out[n,i,j,o] = Σ_{a,b,c} x[n, i·s − pt + a·d,
 * j·s − pl + b·d, c] · w[a,b,c,o]. Returns [∂L/∂x, ∂L/∂w].
 */
export function conv2dGradients(x: ag.Tensor, w: ag.Tensor, r: Float64Array, s: number, pad: 'valid' | 'same', d: number): [Float64Array, Float64Array] {
  const [N, H, W, C] = x.shape;
  const [KH, KW, , O] = w.shape;
  const span = (k: number) => (k - 1) * d + 1;
  const outSize = (size: number, k: number) => (pad === 'same' ? Math.ceil(size / s) : Math.floor((size - span(k)) / s) + 1);
  const OH = outSize(H, KH);
  const OW = outSize(W, KW);
  const before = (size: number, out: number, k: number) => (pad === 'same' ? Math.floor(Math.max((out - 1) * s + span(k) - size, 0) / 2) : 0);
  const pt = before(H, OH, KH);
  const pl = before(W, OW, KW);
  if (r.length !== N * OH * OW * O) throw new RangeError(`conv2dGradients: weights have ${r.length} elements, expected ${N * OH * OW * O}`);
  const dx = new Float64Array(x.size);
  const dw = new Float64Array(w.size);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        for (let o = 0; o < O; o++) {
          const g = r[((n * OH + i) * OW + j) * O + o];
          for (let a = 0; a < KH; a++) {
            const row = i * s - pt + a * d;
            if (row < 0 || row >= H) continue;
            for (let b = 0; b < KW; b++) {
              const col = j * s - pl + b * d;
              if (col < 0 || col >= W) continue;
              for (let c = 0; c < C; c++) {
                const xi = ((n * H + row) * W + col) * C + c;
                const wi = ((a * KW + b) * C + c) * O + o;
                dx[xi] += g * w.data[wi];
                dw[wi] += g * x.data[xi];
              }
            }
          }
        }
  return [dx, dw];
}

function binaryCases(): OpCase[] {
  const pairs: Array<[string, (a: ag.Tensor, b: ag.Tensor) => ag.Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, RandomSpec, RandomSpec]> = [];
  const shapes: Array<[number[], number[]]> = [
    [[2, 3], [2, 3]],
    [[2, 3], [3]],
    [[2, 1, 4], [3, 1]],
    [[3], []],
  ];
  for (const [sa, sb] of shapes) {
    const tag = `[${sa.join(',')}]⊕[${sb.join(',')}]`;
    pairs.push([`add ${tag}`, ag.add, tf.add, signed(sa), signed(sb)]);
    pairs.push([`sub ${tag}`, ag.sub, tf.sub, signed(sa), signed(sb)]);
    pairs.push([`mul ${tag}`, ag.mul, tf.mul, signed(sa), signed(sb)]);
    pairs.push([`div ${tag}`, ag.div, tf.div, signed(sa), awayFromZero(sb)]);
    pairs.push([`pow ${tag}`, ag.pow, tf.pow, positive(sa), signed(sb)]);
  }
  return pairs.map(([name, ours, tfjs, a, b]) => ({ name, inputs: [a, b], ours: ([x, y]) => ours(x, y), tfjs: ([x, y]) => tfjs(x, y) }));
}

function unaryCases(): OpCase[] {
  const list: Array<[string, (x: ag.Tensor) => ag.Tensor, (x: tf.Tensor) => tf.Tensor, RandomSpec]> = [
    ['neg', ag.neg, tf.neg, signed([2, 3])],
    ['exp', ag.exp, tf.exp, signed([2, 3])],
    ['log', ag.log, tf.log, positive([2, 3])],
    ['tanh', ag.tanh, tf.tanh, awayFromZero([2, 3])],
    ['sigmoid', ag.sigmoid, tf.sigmoid, awayFromZero([2, 3])],
    ['relu', ag.relu, tf.relu, awayFromZero([3, 4])],
  ];
  const cases: OpCase[] = list.map(([name, ours, tfjs, spec]) => ({ name, inputs: [spec], ours: ([x]) => ours(x), tfjs: ([x]) => tfjs(x) }));
  cases.push({
    name: 'pow by a constant integer, negative base',
    inputs: [awayFromZero([2, 3])],
    ours: ([x]) => ag.pow(x, 3),
    tfjs: ([x]) => tf.pow(x, 3),
  });
  return cases;
}

function reduceCases(): OpCase[] {
  const cases: OpCase[] = [];
  const axesList: Array<number | number[] | undefined> = [undefined, 0, 1, [0, 2], -1];
  for (const axis of axesList) {
    for (const keepDims of [false, true]) {
      const tag = `axis ${JSON.stringify(axis ?? 'all')}${keepDims ? ', keepDims' : ''}`;
      cases.push({ name: `sum ${tag}`, inputs: [signed([2, 3, 4])], ours: ([x]) => ag.sum(x, axis, keepDims), tfjs: ([x]) => tf.sum(x, axis, keepDims) });
      cases.push({ name: `mean ${tag}`, inputs: [signed([2, 3, 4])], ours: ([x]) => ag.mean(x, axis, keepDims), tfjs: ([x]) => tf.mean(x, axis, keepDims) });
      cases.push({ name: `max ${tag}`, inputs: [signed([2, 3, 4])], ours: ([x]) => ag.max(x, axis, keepDims), tfjs: ([x]) => tf.max(x, axis, keepDims) });
    }
  }
  return cases;
}

function structuralCases(): OpCase[] {
  return [
    { name: 'matmul [3,4]·[4,5]', inputs: [signed([3, 4]), signed([4, 5])], ours: ([a, b]) => ag.matmul(a, b), tfjs: ([a, b]) => tf.matMul(a, b) },
    { name: 'matmul [1,3]·[3,1]', inputs: [signed([1, 3]), signed([3, 1])], ours: ([a, b]) => ag.matmul(a, b), tfjs: ([a, b]) => tf.matMul(a, b) },
    { name: 'reshape [2,3,4]→[4,-1]', inputs: [signed([2, 3, 4])], ours: ([x]) => ag.reshape(x, [4, -1]), tfjs: ([x]) => tf.reshape(x, [4, -1]) },
    { name: 'transpose [2,3,4] perm [2,0,1]', inputs: [signed([2, 3, 4])], ours: ([x]) => ag.transpose(x, [2, 0, 1]), tfjs: ([x]) => tf.transpose(x, [2, 0, 1]) },
    { name: 'transpose [3,5] (default)', inputs: [signed([3, 5])], ours: ([x]) => ag.transpose(x), tfjs: ([x]) => tf.transpose(x) },
  ];
}

function convCases(): OpCase[] {
  const configs: Array<{ x: number[]; w: number[]; strides: number | [number, number]; pad: Padding; dilations?: number }> = [
    { x: [2, 5, 6, 2], w: [3, 3, 2, 3], strides: 1, pad: 'valid' },
    { x: [2, 5, 6, 2], w: [3, 3, 2, 3], strides: 1, pad: 'same' },
    { x: [1, 7, 6, 2], w: [3, 2, 2, 2], strides: 2, pad: 'same' },
    { x: [1, 7, 6, 2], w: [3, 3, 2, 2], strides: [2, 1], pad: 'valid' },
    { x: [1, 6, 6, 1], w: [2, 2, 1, 2], strides: 2, pad: 'same' },
    { x: [1, 5, 5, 2], w: [3, 3, 2, 2], strides: 1, pad: 1 },
    { x: [1, 6, 5, 2], w: [3, 3, 2, 2], strides: 2, pad: [[1, 2], [0, 1]] },
    { x: [1, 7, 7, 1], w: [3, 3, 1, 2], strides: 1, pad: 'valid', dilations: 2 },
    { x: [1, 7, 7, 2], w: [2, 3, 2, 2], strides: 1, pad: 'same', dilations: 2 },
  ];
  return configs.map((c) => {
    const opts = { strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1 };
    const dilated = (c.dilations ?? 1) > 1;
    return {
      name: `conv2d x[${c.x.join(',')}] w[${c.w.join(',')}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}${dilated ? ` dilations ${c.dilations}` : ''}`,
      inputs: [signed(c.x), signed(c.w)],
      ours: ([x, w]) => ag.conv2d(x, w, opts),
      tfjs: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, tfPad(c.pad), 'NHWC', c.dilations ?? 1),
      upstreamBug: CONV_WASM,
      ...(dilated
        ? {
            tfjsGradientWrong: {
              inputs: [0, 1],
              reason: 'tfjs has no gradient for dilated conv2d ("not yet supported in gradients")',
              reference: ([x, w], r) => conv2dGradients(x, w, r, c.strides as number, c.pad as 'valid' | 'same', c.dilations ?? 1),
            },
          }
        : {}),
    };
  });
}

function poolCases(): OpCase[] {
  const configs: Array<{ x: number[]; filterSize: number | [number, number]; strides: number | [number, number]; pad: Padding }> = [
    { x: [2, 4, 6, 2], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [1, 5, 5, 2], filterSize: 3, strides: 2, pad: 'valid' },
    { x: [1, 5, 5, 2], filterSize: 3, strides: 1, pad: 'same' },
    { x: [1, 5, 6, 1], filterSize: [2, 3], strides: [2, 2], pad: 'same' },
    { x: [1, 5, 5, 1], filterSize: 3, strides: 2, pad: 1 },
  ];
  const cases: OpCase[] = [];
  // Windows whose maximum is negative (padding must never win): docs/backends.md reports wasm MaxPoolGrad wrong there.
  for (const [filterSize, strides, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 1]] as const) {
    cases.push({
      name: `maxPool, all inputs negative, filter ${filterSize} strides ${strides} pad ${JSON.stringify(pad)}`,
      inputs: [{ shape: [2, 5, 6, 2], min: -2, max: -0.1 }],
      ours: ([x]) => ag.maxPool(x, { filterSize, strides, pad }),
      tfjs: ([x]) => tf.maxPool(x as tf.Tensor4D, filterSize, strides, pad),
      upstreamBug: MAXPOOL_WASM,
    });
  }
  for (const c of configs) {
    const tag = `x[${c.x.join(',')}] filter ${JSON.stringify(c.filterSize)} strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}`;
    const opts = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    cases.push({
      name: `maxPool ${tag}`,
      inputs: [signed(c.x)],
      ours: ([x]) => ag.maxPool(x, opts),
      tfjs: ([x]) => tf.maxPool(x as tf.Tensor4D, c.filterSize, c.strides, tfPad(c.pad)),
      upstreamBug: MAXPOOL_WASM,
    });
    cases.push({
      name: `avgPool ${tag}`,
      inputs: [signed(c.x)],
      ours: ([x]) => ag.avgPool(x, opts),
      tfjs: ([x]) => tf.avgPool(x as tf.Tensor4D, c.filterSize, c.strides, tfPad(c.pad)),
      ...(c.pad === 'valid'
        ? {}
        : { upstreamBug: { backends: ['cpu', 'wasm'], what: 'stock AvgPoolGrad divides by the whole window, while the forward pass averages only the unpadded positions' } }),
    });
  }
  return cases;
}

function lossCases(): OpCase[] {
  return [
    {
      name: 'crossEntropy, one-hot labels',
      inputs: [{ shape: [4, 5], min: -3, max: 3 }, { shape: [4, 5], oneHot: true }],
      ours: ([z, y]) => ag.crossEntropy(z, y),
      tfjs: ([z, y]) => tf.losses.softmaxCrossEntropy(y, z),
      tfjsGradientWrong: { inputs: [1], reason: 'tfjs returns (y − p)·dy as the labels gradient, not −log p / N', reference: ([z, y], r) => [crossEntropyGradients(z, y, r[0])[1]] },
    },
    {
      name: 'crossEntropy, soft labels (rows sum to 1)',
      inputs: [{ shape: [3, 4], min: -3, max: 3 }, { shape: [3, 4], min: 0.1, max: 1, distribution: true }],
      ours: ([z, y]) => ag.crossEntropy(z, y),
      tfjs: ([z, y]) => tf.losses.softmaxCrossEntropy(y, z),
      tfjsGradientWrong: { inputs: [1], reason: 'tfjs returns (y − p)·dy as the labels gradient, not −log p / N', reference: ([z, y], r) => [crossEntropyGradients(z, y, r[0])[1]] },
    },
    {
      name: 'crossEntropy, unnormalised label weights',
      inputs: [{ shape: [3, 4], min: -3, max: 3 }, { shape: [3, 4], min: 0, max: 1 }],
      ours: ([z, y]) => ag.crossEntropy(z, y),
      tfjs: ([z, y]) => tf.losses.softmaxCrossEntropy(y, z),
      tfjsGradientWrong: { inputs: [0, 1], reason: 'tfjs writes the logits gradient as p − y, which assumes rows of y sum to 1 (true: p·Σy − y), and the labels gradient as y − p, not −log p / N', reference: ([z, y], r) => crossEntropyGradients(z, y, r[0]) },
    },
  ];
}

export const OP_CASES: OpCase[] = [...binaryCases(), ...unaryCases(), ...reduceCases(), ...structuralCases(), ...convCases(), ...poolCases(), ...lossCases()];
