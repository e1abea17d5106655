/**
 * Gradients paperzoo registers for every backend (they are written with tfjs ops, so they run wherever
 * the ops run, and are themselves differentiable: this is what makes second-order methods such as MAML
 * and gradient penalties correct).
 *
 * Two kinds (docs/backends.md, "Second-order gradients"):
 *
 * 1. Gradients of gradient kernels, which tfjs 4.22.0 lacks, so that a gradient through conv and
 *    pooling can be differentiated again: Conv2DBackpropFilter, MaxPoolGrad, AvgPoolGrad (and the
 *    comparison ops, whose zero gradient tfjs leaves unregistered, so selu/leakyRelu/elu gradients can
 *    be differentiated). Conv2DBackpropInput already has a correct stock gradient; it is kept.
 *
 * 2. Replacements for stock gradients that read the op's saved *output* (tanh, sigmoid, exp, softmax,
 *    elu, pow): tfjs saves a copy of the output that is not connected to the op on an outer tape, so
 *    differentiating their gradient again silently drops the path through the output (tfjs issue
 *    #3252). Ours recompute from the saved *input* when the backward pass is itself recorded (e.g.
 *    tanh′ = 1 − tanh(x)² with tanh(x) recomputed), and otherwise use the saved output as stock does,
 *    so first-order training costs nothing extra.
 *
 * Plus the first-order gradient of a dilated Conv2D (tfjs asserts "dilation rates greater than 1 are
 * not yet supported in gradients"): the filter is dilated with zeros into an ordinary filter, the
 * ordinary conv gradients are taken, and the filter gradient is read back at the taps.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { batchNormTrainingGrad, differentiatedAgain, fusedBackward } from './fused.js';
import { lstmCellGradConfig } from './lstm.js';
import { gruCellGradConfig } from './gru.js';
import { layerNormGradConfig } from './layer-norm.js';
import { geluGradConfig } from './gelu.js';
import { softmaxCrossEntropyGradConfig } from './ops.js';

type Shape4 = [number, number, number, number];

function run<T extends Tensor>(kernelName: string, inputs: Record<string, Tensor>, attrs: object = {}): T {
  return tf.engine().runKernel<T>(kernelName, inputs, attrs as NamedAttrMap);
}

function pair(v: number | number[] | undefined): [number, number] {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

// ---------------------------------------------------------------------------------------------------
// 1. Gradients of gradient kernels

/**
 * Conv2DBackpropFilter(x, dy) = dW is bilinear in (x, dy), so for an incoming ddW:
 * ∂⟨ddW, dW⟩/∂dy = conv2d(x, ddW) and ∂⟨ddW, dW⟩/∂x = conv2dBackpropInput(dy, ddW).
 */
const conv2DBackpropFilterGrad: GradConfig = {
  kernelName: 'Conv2DBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddW, saved, attrs) => {
    const [x, dy] = saved;
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as any;
    return {
      x: () => run('Conv2DBackpropInput', { dy, filter: ddW as Tensor }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape }),
      dy: () => run('Conv2D', { x, filter: ddW as Tensor }, { strides, pad, dataFormat, dilations: [1, 1], dimRoundingMode }),
    };
  },
};

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * J·v for the max-pool Jacobian J at x: v read at each window's argmax, [B, OH, OW, C]. Linear in v;
 * its own gradient is maxPoolGrad (Jᵀ), so it can be differentiated to any order. The argmax is
 * computed inside a custom op, off the tape (an index has no gradient).
 */
function maxPoolSelect(v: Tensor, x: Tensor, attrs: PoolAttrs): Tensor {
  const op = tf.customGrad((...args: unknown[]) => {
    const [vIn, xIn, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
    const [pooled, indexes] = tf.engine().runKernel('MaxPoolWithArgmax', { x: xIn }, {
      filterSize: attrs.filterSize, strides: attrs.strides, pad: attrs.pad, includeBatchInIndex: true,
    }) as unknown as Tensor[];
    const value = tf.gather(tf.reshape(vIn, [-1]), indexes);
    save([xIn, pooled]);
    return {
      value,
      gradFunc: (dy: Tensor, s: Tensor[]) => {
        const [xSaved, pooledSaved] = s;
        return [
          run('MaxPoolGrad', { dy, input: xSaved, output: pooledSaved }, attrs),
          tf.zerosLike(xSaved),
        ];
      },
    };
  });
  return op(v, x);
}

/** MaxPoolGrad(dy, x, y) = Jᵀ·dy: linear in dy with adjoint J (see {@link maxPoolSelect}); flat in x, y. */
const maxPoolGradGrad: GradConfig = {
  kernelName: 'MaxPoolGrad',
  inputsToSave: ['input', 'output'],
  gradFunc: (ddx, saved, attrs) => {
    const [input, output] = saved;
    return {
      dy: () => maxPoolSelect(ddx as Tensor, input, attrs as unknown as PoolAttrs),
      input: () => tf.zerosLike(input),
      output: () => tf.zerosLike(output),
    };
  },
};

/** AvgPoolGrad(dy, x) is the adjoint of the (linear) average pool, so its own adjoint is AvgPool. */
const avgPoolGradGrad: GradConfig = {
  kernelName: 'AvgPoolGrad',
  inputsToSave: ['input'],
  gradFunc: (ddx, saved, attrs) => {
    const [input] = saved;
    const { filterSize, strides, pad } = attrs as unknown as PoolAttrs;
    return {
      dy: () => run('AvgPool', { x: ddx as Tensor }, { filterSize, strides, pad }),
      input: () => tf.zerosLike(input),
    };
  },
};

/** Comparisons and logic are flat almost everywhere; tfjs registers no gradient for most of them. */
const ZERO_GRADIENT_KERNELS: Record<string, string[]> = {
  Greater: ['a', 'b'],
  Less: ['a', 'b'],
  LessEqual: ['a', 'b'],
  Equal: ['a', 'b'],
  NotEqual: ['a', 'b'],
  LogicalAnd: ['a', 'b'],
  LogicalOr: ['a', 'b'],
  LogicalNot: ['x'],
};

function zeroGradient(kernelName: string, inputNames: string[]): GradConfig {
  return {
    kernelName,
    inputsToSave: inputNames,
    gradFunc: (_dy, saved) => Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zerosLike(saved[i])])),
  };
}

// ---------------------------------------------------------------------------------------------------
// 2. Stock gradients that read the saved output, rewritten to read the input

/** The fused first-order backward kernel of an activation, where the backend has one (native). */
const ACTIVATION_GRAD = 'PaperzooActivationGrad';
const fusedActivationGrad = (activation: 'relu' | 'leakyrelu' | 'tanh' | 'sigmoid', dy: Tensor, v: Tensor, alpha = 0): Tensor | null =>
  dy.size === v.size ? fusedBackward<Tensor>(ACTIVATION_GRAD, { dy, v }, { activation, alpha }) : null;

const tanhGrad: GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({
    x: () => fusedActivationGrad('tanh', dy as Tensor, y) ?? tf.mul(dy as Tensor, tf.sub(1, tf.square(differentiatedAgain() ? tf.tanh(x) : y))),
  }),
};

const sigmoidGrad: GradConfig = {
  kernelName: 'Sigmoid',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({
    x: () => {
      const fused = fusedActivationGrad('sigmoid', dy as Tensor, y);
      if (fused != null) return fused;
      const s = differentiatedAgain() ? tf.sigmoid(x) : y;
      return tf.mul(dy as Tensor, tf.mul(s, tf.sub(1, s)));
    },
  }),
};

/** relu′(x) = step(x) (1 for x > 0, else 0; NaN stays NaN), as stock: dy·step(x). */
const reluGrad: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => fusedActivationGrad('relu', dy as Tensor, x) ?? tf.mul(dy as Tensor, tf.cast(tf.step(x), 'float32')) }),
};

/** leakyRelu′(x) = 1 for x > 0, else α, as stock: where(x > 0, dy, dy·α) (stock builds it from Greater + Select: Greater has no native kernel). */
const leakyReluGrad: GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => {
    const { alpha } = attrs as unknown as { alpha: number };
    return { x: () => fusedActivationGrad('leakyrelu', dy as Tensor, x, alpha) ?? tf.where(tf.greater(x, 0), dy as Tensor, tf.mul(dy as Tensor, alpha)) };
  },
};

const expGrad: GradConfig = {
  kernelName: 'Exp',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, [x, y]) => ({ x: () => tf.mul(dy as Tensor, differentiatedAgain() ? tf.exp(x) : y) }),
};

const softmaxGrad: GradConfig = {
  kernelName: 'Softmax',
  inputsToSave: ['logits'],
  outputsToSave: [true],
  gradFunc: (dy, [logits, saved], attrs) => ({
    logits: () => {
      const { dim } = attrs as unknown as { dim: number };
      // first order over the last axis: one kernel where the backend has it (native), y·(dy − Σ dy·y)
      const lastAxis = dim === -1 || dim === logits.rank - 1;
      const fused = lastAxis && (dy as Tensor).size === saved.size ? fusedBackward<Tensor>('PaperzooSoftmaxGrad', { y: saved, dy: dy as Tensor }) : null;
      if (fused != null) return fused;
      const y = differentiatedAgain() ? run('Softmax', { logits }, { dim }) : saved;
      const dyTimesY = tf.mul(dy as Tensor, y);
      return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
    },
  }),
};

/** elu′(x) = 1 for x > 0, eˣ otherwise (exp of min(x, 0), so the unused branch cannot overflow). */
const eluGrad: GradConfig = {
  kernelName: 'Elu',
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () => tf.where(tf.greater(x, 0), dy as Tensor, tf.mul(dy as Tensor, tf.exp(tf.minimum(x, 0)))),
  }),
};

/** The stock Pow gradient's ∂/∂b uses the saved output aᵇ; recompute it. */
const powGrad: GradConfig = {
  kernelName: 'Pow',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, [a, b]) => {
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const reduceTo = (t: Tensor, shape: number[]): Tensor => {
      const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
      return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
    };
    return {
      a: () => {
        const bf = tf.cast(b, 'float32');
        return reduceTo(tf.mul(dy as Tensor, tf.mul(bf, tf.pow(a, tf.sub(bf, 1)))), a.shape);
      },
      b: () => {
        const positive = tf.greater(a, 0);
        const logA = tf.where(positive, tf.log(tf.where(positive, a, tf.onesLike(a))), tf.zerosLike(a));
        return reduceTo(tf.mul(dy as Tensor, tf.mul(tf.pow(a, b), logA)), b.shape);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// First-order gradients tfjs gets wrong or lacks

/** Sum a broadcast gradient back to the shape of the input it flows to. */
function sumToShape(t: Tensor, shape: number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, t.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
}

/**
 * MirrorPad's gradient. Each padded element is a copy of an input element, so the input's gradient is
 * the sum of dy over every position that copies it: the centre, plus the reversed border strips added
 * back at the elements they mirror. The stock gradient keeps the centre only (it slices dy), so every
 * input element within `padding` of an edge gets too small a gradient (CycleGAN's reflect-padded
 * generators were the first models here to train through it). Axis by axis, with x of length n,
 * padding [b, a] and offset o = 1 ('reflect': the edge is not repeated) or 0 ('symmetric'):
 * padded position i < b copies x[b − 1 − i + o], position b + n + j copies x[n − 1 − j − o]. Made of
 * slice, reverse, pad and add, so it is itself differentiable.
 */
const mirrorPadGrad: GradConfig = {
  kernelName: 'MirrorPad',
  inputsToSave: ['x'],
  gradFunc: (dy, [x], attrs) => {
    const { paddings, mode } = attrs as unknown as { paddings: Array<[number, number]>; mode: 'reflect' | 'symmetric' };
    const o = mode === 'reflect' ? 1 : 0;
    return {
      x: () => {
        let g = dy as Tensor;
        paddings.forEach(([b, a], axis) => {
          if (b === 0 && a === 0) return;
          const n = x.shape[axis];
          const part = (start: number, size: number) => tf.slice(g, g.shape.map((_, k) => (k === axis ? start : 0)), g.shape.map((d, k) => (k === axis ? size : d)));
          const at = (t: Tensor, before: number, after: number) => tf.pad(t, t.shape.map((_, k): [number, number] => (k === axis ? [before, after] : [0, 0])));
          let folded = part(b, n);
          if (b > 0) folded = tf.add(folded, at(tf.reverse(part(0, b), axis), o, n - o - b));
          if (a > 0) folded = tf.add(folded, at(tf.reverse(part(b + n, a), axis), n - o - a, o));
          g = folded;
        });
        return g;
      },
    };
  },
};

/**
 * BatchMatMul's gradient, summed over broadcast batch dimensions. The stock one returns the
 * broadcast shape (x [B, T, D] · W [D, E] fails: "gradient of input 'b' has shape B,D,E").
 */
const batchMatMulGrad: GradConfig = {
  kernelName: 'BatchMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dyIn, [a, b], attrs) => {
    const dy = dyIn as Tensor;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const da = (): Tensor => {
      if (!transposeA) return tf.matMul(dy, b, false, !transposeB);
      return transposeB ? tf.matMul(b, dy, true, true) : tf.matMul(b, dy, false, true);
    };
    const db = (): Tensor => {
      if (!transposeB) return tf.matMul(a, dy, !transposeA, false);
      return transposeA ? tf.matMul(dy, a, true, true) : tf.matMul(dy, a, true, false);
    };
    return { a: () => sumToShape(da(), a.shape), b: () => sumToShape(db(), b.shape) };
  },
};

// Dilated conv, first order

/** Insert d − 1 zeros between the entries of axis 0: [n, ...] → [(n − 1)·d + 1, ...]. Differentiable. */
function dilateAxis0(t: Tensor, d: number): Tensor {
  if (d === 1) return t;
  const [n, ...rest] = t.shape;
  const inner = rest.reduce((p, q) => p * q, 1);
  const spread = tf.pad(tf.reshape(t, [n, 1, inner]), [[0, 0], [0, d - 1], [0, 0]]); // [n, d, inner]
  return tf.reshape(tf.slice(tf.reshape(spread, [n * d, inner]), [0, 0], [(n - 1) * d + 1, inner]), [(n - 1) * d + 1, ...rest]);
}

/** Entries 0, d, 2d, … of axis 0 (the inverse of {@link dilateAxis0}). Differentiable. */
function undilateAxis0(t: Tensor, d: number, n: number): Tensor {
  if (d === 1) return t;
  return tf.gather(t, tf.range(0, n * d, d, 'int32'));
}

function dilateFilter(filter: Tensor, dh: number, dw: number): Tensor {
  const rows = dilateAxis0(filter, dh); // [effH, kw, ci, co]
  return tf.transpose(dilateAxis0(tf.transpose(rows, [1, 0, 2, 3]), dw), [1, 0, 2, 3]); // [effH, effW, ci, co]
}

function undilateFilter(dFilter: Tensor, dh: number, dw: number, kh: number, kw: number): Tensor {
  const rows = undilateAxis0(dFilter, dh, kh); // [kh, effW, ci, co]
  return tf.transpose(undilateAxis0(tf.transpose(rows, [1, 0, 2, 3]), dw, kw), [1, 0, 2, 3]);
}

/**
 * Conv2D's gradient, for every dilation. With dilation 1 it is the stock one (plus dimRoundingMode,
 * which the stock one drops); with dilation > 1 the filter is dilated into an ordinary
 * [(k−1)·d+1]-tap filter, whose ordinary gradients are taken.
 */
const conv2DGrad: GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, [x, filter], attrs) => {
    const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as any;
    const [dh, dw] = pair(dilations);
    const kh = filter.shape[0];
    const kw = filter.shape[1] as number;
    const common = { strides, pad, dataFormat, dimRoundingMode };
    if (dh === 1 && dw === 1) {
      return {
        x: () => run('Conv2DBackpropInput', { dy: dy as Tensor, filter }, { ...common, inputShape: x.shape }),
        filter: () => run('Conv2DBackpropFilter', { x, dy: dy as Tensor }, { ...common, filterShape: filter.shape }),
      };
    }
    return {
      x: () => run('Conv2DBackpropInput', { dy: dy as Tensor, filter: dilateFilter(filter, dh, dw) }, { ...common, inputShape: x.shape }),
      filter: () => {
        const effShape: Shape4 = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, filter.shape[2] as number, filter.shape[3] as number];
        const dEff = run('Conv2DBackpropFilter', { x, dy: dy as Tensor }, { ...common, filterShape: effShape });
        return undilateFilter(dEff, dh, dw, kh, kw);
      },
    };
  },
};

/** DepthwiseConv2dNative's gradient with dilations passed on (stock asserts dilation 1). */
const depthwiseConv2DGrad: GradConfig = {
  kernelName: 'DepthwiseConv2dNative',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, [x, filter], attrs) => {
    const { strides, pad, dimRoundingMode, dilations } = attrs as any;
    const $dilations = pair(dilations);
    const [sh, sw] = pair(strides);
    if ((sh !== 1 || sw !== 1) && ($dilations[0] !== 1 || $dilations[1] !== 1)) {
      throw new Error(`@paperzoo/tensor: gradient of depthwiseConv2d: either strides or dilations must be 1, got strides ${strides} and dilations ${dilations}`);
    }
    const common = { strides, pad, dimRoundingMode, dilations: $dilations };
    return {
      x: () => run('DepthwiseConv2dNativeBackpropInput', { dy: dy as Tensor, filter }, { ...common, inputShape: x.shape }),
      filter: () => run('DepthwiseConv2dNativeBackpropFilter', { x, dy: dy as Tensor }, { ...common, filterShape: filter.shape }),
    };
  },
};

/** How a registration relates to the stock gradient registry. */
export interface GradientFix {
  config: GradConfig;
  /** 'added': tfjs has none; 'replaced': tfjs has one, ours replaces it (why says why). */
  kind: 'added' | 'replaced';
  why: string;
}

// ---------------------------------------------------------------------------------------------------
// 3. FusedBatchNorm (tf.batchNorm with given statistics): one backward kernel where the backend has one

/**
 * On backends with PaperzooBatchNormGrad (native), a first-order pass runs one kernel (two passes over
 * x and dy) instead of tfjs' ~10 full-size ops (tile, sub, mul, rsqrt, sum…), with tfjs' formulas:
 * dx = dy·γ·inv, dμ = −γ·inv·Σdy, dσ² = −½·γ·inv³·Σdy·(x − μ), dγ = inv·Σdy·(x − μ), dβ = Σdy,
 * inv = 1/√(σ² + ε). Elsewhere, for statistics that are not per-channel vectors, and when the backward
 * pass is itself recorded, tfjs' own (differentiable) gradient runs.
 */
const fusedBatchNormGrad: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const c = x.shape[x.shape.length - 1];
    const vector = (t: Tensor | undefined): boolean => t == null || (t.rank === 1 && t.shape[0] === c);
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    // Run now, not inside the closures: the engine runs each closure in its own tidy, which would
    // dispose the outputs the other closures return.
    const parts =
      !Array.isArray(dy) && vector(mean) && vector(variance) && vector(scale)
        ? fusedBackward<Tensor[]>('PaperzooBatchNormGrad', scale == null ? { x, mean, variance, dy } : { x, mean, variance, scale, dy }, { varianceEpsilon })
        : null;
    if (parts == null) {
      const stock = stockGradients.get('FusedBatchNorm');
      if (stock == null) throw new Error('FusedBatchNorm: tfjs-core registered no gradient for it (import @tensorflow/tfjs-core, not its core-only build)');
      return stock.gradFunc(dy, saved, attrs);
    }
    const get = (i: number) => (): Tensor => parts[i];
    return { x: get(0), mean: get(1), variance: get(2), scale: get(3), offset: get(4) };
  },
};

export const GRADIENTS: readonly GradientFix[] = [
  { config: conv2DBackpropFilterGrad, kind: 'added', why: 'second order through conv (the filter gradient is differentiated)' },
  { config: maxPoolGradGrad, kind: 'added', why: 'second order through max-pool' },
  { config: avgPoolGradGrad, kind: 'added', why: 'second order through average pool' },
  ...Object.entries(ZERO_GRADIENT_KERNELS).map(([name, inputs]) => ({ config: zeroGradient(name, inputs), kind: 'added' as const, why: 'flat (zero); without it selu/leakyRelu gradients cannot be differentiated (stock throws)' })),
  { config: tanhGrad, kind: 'replaced', why: 'stock reads the saved output: second order silently wrong' },
  { config: sigmoidGrad, kind: 'replaced', why: 'stock reads the saved output: second order silently wrong' },
  { config: reluGrad, kind: 'replaced', why: 'same formula; one fused kernel for first-order passes where the backend has it (native)' },
  { config: leakyReluGrad, kind: 'replaced', why: 'same formula; one fused kernel for first-order passes where the backend has it (native; stock runs Greater on cpu there)' },
  { config: expGrad, kind: 'replaced', why: 'stock reads the saved output: second order silently wrong' },
  { config: softmaxGrad, kind: 'replaced', why: 'stock reads the saved output: second order silently wrong; one fused kernel for first-order passes where the backend has it (native)' },
  { config: eluGrad, kind: 'replaced', why: 'stock EluGrad reads the saved output: second order silently wrong' },
  { config: powGrad, kind: 'replaced', why: 'stock ∂/∂exponent reads the saved output' },
  { config: conv2DGrad, kind: 'replaced', why: 'stock asserts dilation 1 and drops dimRoundingMode' },
  { config: depthwiseConv2DGrad, kind: 'replaced', why: 'stock asserts dilation 1' },
  { config: mirrorPadGrad, kind: 'replaced', why: 'stock slices the centre of dy: the gradient that flows back through the mirrored borders is dropped' },
  { config: batchMatMulGrad, kind: 'replaced', why: 'stock does not sum over broadcast batch dims (x[B,T,D]·W[D,E] fails)' },
  { config: fusedBatchNormGrad, kind: 'replaced', why: 'same formulas; one fused kernel for first-order passes where the backend has it (native); stock otherwise' },
  { config: batchNormTrainingGrad, kind: 'added', why: "paperzoo's batchNormTraining: one fused kernel for first-order passes where the backend has it (native), differentiable tf ops otherwise" },
  { config: lstmCellGradConfig, kind: 'added', why: "paperzoo's lstmCell: as batchNormTraining" },
  { config: gruCellGradConfig, kind: 'added', why: "paperzoo's gruCell: as batchNormTraining" },
  { config: layerNormGradConfig, kind: 'added', why: "paperzoo's layerNorm: as batchNormTraining" },
  { config: geluGradConfig, kind: 'added', why: "paperzoo's gelu: as batchNormTraining" },
  { config: softmaxCrossEntropyGradConfig, kind: 'added', why: "paperzoo's softmaxCrossEntropy: as batchNormTraining" },
];

const stockGradients = new Map<string, GradConfig | undefined>();

/**
 * Register {@link GRADIENTS}. An 'added' gradient never replaces one that is already registered
 * (someone else's fix wins); a 'replaced' one always replaces the stock one, which is kept for
 * {@link withStockGradients}.
 */
export function registerGradients(): void {
  for (const { config, kind } of GRADIENTS) {
    const existing = tf.getGradient(config.kernelName);
    if (kind === 'added' && existing != null) continue;
    if (!stockGradients.has(config.kernelName)) stockGradients.set(config.kernelName, existing);
    tf.registerGradient(config);
  }
}

/**
 * Run `fn` with tfjs' stock gradients put back for the given kernels (default: every one paperzoo
 * registered; a gradient paperzoo added is then absent), then restore paperzoo's. For tests and
 * benchmarks that show what stock tfjs does.
 */
export async function withStockGradients<T>(fn: () => T | Promise<T>, kernelNames?: readonly string[]): Promise<T> {
  const names = [...stockGradients.keys()].filter((n) => kernelNames == null || kernelNames.includes(n));
  const ours = names.map((n) => tf.getGradient(n));
  const set = (n: string, config: GradConfig | undefined): void => {
    if (config != null) tf.registerGradient(config);
    else tf.unregisterGradient(n);
  };
  names.forEach((n) => set(n, stockGradients.get(n)));
  try {
    return await fn();
  } finally {
    names.forEach((n, i) => set(n, ours[i]));
  }
}
