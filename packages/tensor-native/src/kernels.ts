/**
 * The kernels the native backend runs in the addon. Each reads its inputs' typed arrays from the
 * backend's data map and writes a fresh Float32Array that becomes the output tensor's storage: no
 * copies in either direction. Anything a kernel does not handle (another dtype, an unusual
 * broadcast, NCHW, a PReLU activation) goes to the cpu kernel of the same name, unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { ACTIVATION, ACTIVATION_GRAD, BINARY, COMPARE, REDUCE, UNARY, type Addon } from './addon.js';
import { activePool } from './pool.js';
import { LSTM_KERNELS } from './lstm-kernels.js';
import { GRU_KERNELS } from './gru-kernels.js';
import { TRANSFORMER_KERNELS, tileOtherDtypes } from './transformer-kernels.js';
import { OPTIM_KERNELS } from './optim-kernels.js';

type Shape4 = [number, number, number, number];
type PadAttr = 'same' | 'valid' | number | backend_util.ExplicitPadding;

/** The part of tfjs-backend-cpu's MathBackendCPU the kernels use. */
export interface CpuLikeBackend extends tf.KernelBackend {
  data: { get(dataId: tf.DataId): { values: backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: backend_util.BackendValues): TensorInfo;
}

const size = tf.util.sizeFromShape;

/** The float32 array of t, or null when t is not a float32 tensor stored as one. */
export function f32(b: CpuLikeBackend, t: TensorInfo | undefined): Float32Array | null {
  if (t == null || t.dtype !== 'float32') return null;
  const v = b.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : null;
}

/** A new float32 output tensor of `shape`; its values are unspecified unless `zero` (from the pool). */
export function output(b: CpuLikeBackend, shape: number[], zero = false): { info: TensorInfo; values: Float32Array } {
  const n = size(shape);
  const values = activePool()?.take(n, zero) ?? new Float32Array(n);
  return { info: b.makeTensorInfo(shape, 'float32', values), values };
}

/**
 * Elementwise ops on fewer elements than this run as the cpu kernel: the JS loop costs less than
 * crossing into the addon (~1 µs) plus this side's bookkeeping; an Add of two [8] tensors took 10.2 µs
 * on native against 7.1 µs on cpu, which is what the tiny steps of a linear model are made of.
 */
const TINY = 64;

/** Signals "let the cpu kernel do this one". */
export const FALLBACK = Symbol('fallback');
export type NativeKernel = (args: Parameters<KernelFunc>[0], addon: Addon) => TensorInfo | TensorInfo[] | typeof FALLBACK;

// ---------------------------------------------------------------------------------------------------
// Matrix products

function batchMatMulImpl(b: CpuLikeBackend, addon: Addon, a: TensorInfo, bt: TensorInfo, transposeA: boolean, transposeB: boolean): { info: TensorInfo; values: Float32Array; rows: number; n: number } | typeof FALLBACK {
  const av = f32(b, a);
  const bv = f32(b, bt);
  if (av == null || bv == null || a.shape.length < 2 || bt.shape.length < 2) return FALLBACK;
  const ra = a.shape.length;
  const rb = bt.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = transposeB ? bt.shape[rb - 1] : bt.shape[rb - 2];
  const n = transposeB ? bt.shape[rb - 2] : bt.shape[rb - 1];
  if (k !== k2) throw new Error(`Error in matMul: inner shapes (${k}) and (${k2}) of Tensors with shapes ${a.shape} and ${bt.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const outerA = a.shape.slice(0, -2);
  const outerB = bt.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = size(outerA);
  const batchB = size(outerB);
  const batch = size(outer);
  const out = output(b, [...outer, m, n], k === 0);
  if (m * n === 0) return { ...out, rows: 0, n };
  if (k === 0) return { ...out, rows: batch * m, n };
  if (batchB === 1 && !transposeA) {
    // a shared right operand: fold the batch into the rows, one GEMM
    addon.gemm(av, bv, out.values, 1, batchA * m, n, k, false, transposeB, 0, 0);
  } else if (batchA === batchB || batchA === 1 || batchB === 1) {
    addon.gemm(av, bv, out.values, batch, m, n, k, transposeA, transposeB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n);
  } else {
    // both operands broadcast batch dims against each other: one GEMM per output batch entry
    const pa = [...Array<number>(outer.length - outerA.length).fill(1), ...outerA];
    const pb = [...Array<number>(outer.length - outerB.length).fill(1), ...outerB];
    const cOut = new Float32Array(m * n);
    for (let o = 0; o < batch; o++) {
      let rest = o;
      let ia = 0;
      let ib = 0;
      let sa = 1;
      let sb = 1;
      for (let d = outer.length - 1; d >= 0; d--) {
        const coord = rest % outer[d];
        rest = Math.floor(rest / outer[d]);
        if (pa[d] !== 1) ia += coord * sa;
        if (pb[d] !== 1) ib += coord * sb;
        sa *= pa[d];
        sb *= pb[d];
      }
      addon.gemm(av.subarray(ia * m * k, (ia + 1) * m * k), bv.subarray(ib * k * n, (ib + 1) * k * n), cOut, 1, m, n, k, transposeA, transposeB, 0, 0);
      out.values.set(cOut, o * m * n);
    }
  }
  return { ...out, rows: batch * m, n };
}

/**
 * A kernel whose one tensor input is `x`: the body gets the backend, x and x's float32 values (any
 * other dtype falls back to the cpu kernel), with the attributes typed as A.
 */
function withX<A = Record<string, never>>(body: (be: CpuLikeBackend, x: TensorInfo, xv: Float32Array, attrs: A, addon: Addon) => TensorInfo | TensorInfo[] | typeof FALLBACK): NativeKernel {
  return ({ inputs, backend, attrs }, addon) => {
    const be = backend as CpuLikeBackend;
    const { x } = inputs as { x: TensorInfo };
    const xv = f32(be, x);
    return xv == null ? FALLBACK : body(be, x, xv, attrs as unknown as A, addon);
  };
}

const batchMatMul: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const r = batchMatMulImpl(backend as CpuLikeBackend, addon, a, b, transposeA, transposeB);
  return r === FALLBACK ? r : r.info;
};

const fusedMatMul: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { a, b, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string; leakyreluAlpha?: number };
  const be = backend as CpuLikeBackend;
  const act = ACTIVATION[activation ?? 'linear'];
  if (act == null || preluActivationWeights != null) return FALLBACK;
  const biasValues = bias == null ? null : f32(be, bias);
  const n = b.shape[b.shape.length - (transposeB ? 2 : 1)];
  // a bias that is not one row of n (rare: a full [m, n] one) goes to the cpu kernel whole
  if (bias != null && (biasValues == null || biasValues.length !== n)) return FALLBACK;
  const r = batchMatMulImpl(be, addon, a, b, transposeA, transposeB);
  if (r === FALLBACK) return r;
  if (biasValues != null || act !== 0) addon.biasActivation(r.values, biasValues, r.rows, r.n, act, leakyreluAlpha ?? 0.2);
  return r.info;
};

// ---------------------------------------------------------------------------------------------------
// Convolution

interface ConvAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The geometry oneDNN gets: tfjs' own computeConv2DInfo, with the bottom/right padding set so that
 * oneDNN's floor formula gives exactly tfjs' output size (ceil rounding reads zeros past the
 * declared padding). null when oneDNN cannot express it (a negative right pad).
 */
function convGeometry(info: backend_util.Conv2DInfo): Int32Array | null {
  const { batchSize, inHeight, inWidth, inChannels, outChannels, filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const fit = (declared: number, start: number, inSize: number, outSize: number, stride: number, eff: number): number => {
    if (Math.floor((inSize + start + declared - eff) / stride) + 1 === outSize) return declared;
    return (outSize - 1) * stride + eff - inSize - start;
  };
  const effH = (filterHeight - 1) * dilationHeight + 1;
  const effW = (filterWidth - 1) * dilationWidth + 1;
  const bottom = fit(info.padInfo.bottom, top, inHeight, outHeight, strideHeight, effH);
  const right = fit(info.padInfo.right, left, inWidth, outWidth, strideWidth, effW);
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return null;
  return Int32Array.of(batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth, outChannels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, top, bottom, left, right);
}

function channelsLast(dataFormat: string | undefined): boolean {
  return dataFormat == null || backend_util.convertConv2DDataFormat(dataFormat as 'NHWC' | 'NCHW') === 'channelsLast';
}

function conv2dImpl(be: CpuLikeBackend, addon: Addon, x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs, bias: TensorInfo | undefined, act: number, alpha: number): TensorInfo | typeof FALLBACK {
  const xv = f32(be, x);
  const wv = f32(be, filter);
  if (xv == null || wv == null || !channelsLast(attrs.dataFormat)) return FALLBACK;
  const bv = bias == null ? null : f32(be, bias);
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  if (bias != null && (bv == null || bv.length !== info.outChannels)) return FALLBACK;
  const geometry = convGeometry(info);
  if (geometry == null || size(info.outShape) === 0) return FALLBACK;
  const out = output(be, info.outShape);
  addon.conv2d(xv, wv, bv, out.values, geometry, act, alpha);
  return out.info;
}

const conv2D: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  return conv2dImpl(backend as CpuLikeBackend, addon, x, filter, attrs as unknown as ConvAttrs, undefined, 0, 0);
};

const fusedConv2D: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, filter, bias, preluActivationWeights } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { activation, leakyreluAlpha } = attrs as unknown as { activation: string; leakyreluAlpha?: number };
  const act = ACTIVATION[activation ?? 'linear'];
  if (act == null || preluActivationWeights != null) return FALLBACK;
  return conv2dImpl(backend as CpuLikeBackend, addon, x, filter, attrs as unknown as ConvAttrs, bias, act, leakyreluAlpha ?? 0.2);
};

/**
 * Either convolution gradient: both operands float32, channels last, a geometry oneDNN can express
 * (x's shape and the filter's, one of them from the attributes), then one addon call into a new
 * output of `outShape` (x's shape or the filter's).
 */
function convBackward(
  be: CpuLikeBackend,
  conv: ConvAttrs,
  operands: [TensorInfo, TensorInfo],
  shapes: { x: Shape4; filter: Shape4; out: Shape4; dy: number[] },
  call: (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void,
): TensorInfo | typeof FALLBACK {
  const av = f32(be, operands[0]);
  const bv = f32(be, operands[1]);
  if (av == null || bv == null || !channelsLast(conv.dataFormat)) return FALLBACK;
  const info = backend_util.computeConv2DInfo(shapes.x, shapes.filter, conv.strides, 1, conv.pad, conv.dimRoundingMode, false, 'channelsLast');
  const geometry = convGeometry(info);
  if (geometry == null || size(shapes.out) === 0) return FALLBACK;
  const out = output(be, shapes.out);
  if (size(shapes.dy) > 0) call(av, bv, out.values, geometry);
  return out.info;
}

const conv2DBackpropInput: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, ...conv } = attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  const shapes = { x: inputShape, filter: filter.shape as Shape4, out: inputShape, dy: dy.shape };
  return convBackward(backend as CpuLikeBackend, conv, [dy, filter], shapes, (dyv, wv, dx, g) => addon.conv2dBackpropInput(dyv, wv, dx, g));
};

const conv2DBackpropFilter: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, ...conv } = attrs as unknown as ConvAttrs & { filterShape: Shape4 };
  const shapes = { x: x.shape as Shape4, filter: filterShape, out: filterShape, dy: dy.shape };
  return convBackward(backend as CpuLikeBackend, conv, [x, dy], shapes, (xv, dyv, dw, g) => addon.conv2dBackpropFilter(xv, dyv, dw, g));
};

// ---------------------------------------------------------------------------------------------------
// Pooling

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function poolGeometry(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.of(info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left);
}

function poolInfo(shape: number[], attrs: PoolAttrs): backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

const maxPool = withX<PoolAttrs>((be, x, xv, attrs, addon) => {
  const info = poolInfo(x.shape, attrs);
  const out = output(be, info.outShape);
  if (size(info.outShape) > 0) addon.maxPool(xv, out.values, null, poolGeometry(info));
  return out.info;
});

const avgPool = withX<PoolAttrs>((be, x, xv, attrs, addon) => {
  const info = poolInfo(x.shape, attrs);
  const out = output(be, info.outShape);
  if (size(info.outShape) > 0) addon.avgPool(xv, out.values, poolGeometry(info));
  return out.info;
});

const maxPoolGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const xv = f32(be, input);
  const dyv = f32(be, dy);
  if (xv == null || dyv == null) return FALLBACK;
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const out = output(be, input.shape);
  if (size(info.outShape) > 0) addon.maxPoolGrad(xv, dyv, out.values, poolGeometry(info));
  return out.info;
};

const avgPoolGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const dyv = f32(be, dy);
  if (dyv == null) return FALLBACK;
  const info = poolInfo(input.shape, attrs as unknown as PoolAttrs);
  const out = output(be, input.shape);
  if (size(info.outShape) > 0) addon.avgPoolGrad(dyv, out.values, poolGeometry(info));
  return out.info;
};

// ---------------------------------------------------------------------------------------------------
// Elementwise

function unaryKernel(op: number, alphaAttr?: string, defaultAlpha = 0): NativeKernel {
  return withX<Record<string, number | undefined>>((be, x, xv, attrs, addon) => {
    if (size(x.shape) < TINY) return FALLBACK;
    const out = output(be, x.shape);
    const alpha = alphaAttr == null ? defaultAlpha : (attrs[alphaAttr] ?? defaultAlpha);
    addon.unary(op, xv, out.values, alpha);
    return out.info;
  });
}

/**
 * The broadcast of a and b to their common shape, with adjacent dimensions merged where both
 * operands step through them alike: [shape…, strides of a…, strides of b…] (stride 0: broadcast).
 */
function broadcastLayout(aShape: number[], bShape: number[], outShape: number[]): Float64Array | null {
  const rank = outShape.length;
  const pad = (s: number[]): number[] => [...Array<number>(rank - s.length).fill(1), ...s];
  const pa = pad(aShape);
  const pb = pad(bShape);
  const strides = (p: number[]): number[] => {
    const st = Array<number>(rank).fill(0);
    let s = 1;
    for (let d = rank - 1; d >= 0; d--) {
      st[d] = p[d] === 1 && outShape[d] !== 1 ? 0 : s;
      s *= p[d];
    }
    return st;
  };
  // adjacent dims merged as in a strided copy (for a single element any strides do)
  return copyLayout(outShape, strides(pa), strides(pb));
}

/** The float32 operands of a broadcast binary op, their output shape and layout; FALLBACK for cpu. */
function broadcastOperands(be: CpuLikeBackend, a: TensorInfo, b: TensorInfo): { outShape: number[]; av: Float32Array; bv: Float32Array; layout: Float64Array } | typeof FALLBACK {
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
  // by the output's size: [25, 1] + [40] is 1,000 elements, which the cpu kernel's broadcast takes 200 µs for
  if (size(outShape) < TINY) return FALLBACK;
  const av = f32(be, a);
  const bv = f32(be, b);
  if (av == null || bv == null) return FALLBACK;
  const layout = broadcastLayout(a.shape, b.shape, outShape);
  return layout == null ? FALLBACK : { outShape, av, bv, layout };
}

function binaryImpl(be: CpuLikeBackend, addon: Addon, kernelName: keyof typeof BINARY, a: TensorInfo, b: TensorInfo): { info: TensorInfo; values: Float32Array } | typeof FALLBACK {
  const ops = broadcastOperands(be, a, b);
  if (ops === FALLBACK) return FALLBACK;
  const out = output(be, ops.outShape);
  if (out.values.length > 0) addon.binary(BINARY[kernelName], ops.av, ops.bv, out.values, ops.layout);
  return out;
}

function binaryKernel(kernelName: keyof typeof BINARY): NativeKernel {
  return ({ inputs, backend }, addon) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const r = binaryImpl(backend as CpuLikeBackend, addon, kernelName, a, b);
    return r === FALLBACK ? r : r.info;
  };
}

/**
 * Comparisons of float32 tensors (broadcast as the binary ops), bool out. The cpu kernels this backend
 * inherits took 14.5 ms for a Less of two [64, 14, 14, 64] tensors (0.12 ms for a Maximum here), and
 * tfjs differentiates Maximum/Minimum (maxout) with GreaterEqual + Less and LeakyReLU's gradient, when
 * differentiated again (WGAN-GP), with Greater: 40% of a 2014-GAN step, 31% of a WGAN-GP critic step.
 */
function compareKernel(kernelName: keyof typeof COMPARE): NativeKernel {
  return ({ inputs, backend }, addon) => {
    const be = backend as CpuLikeBackend;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const ops = broadcastOperands(be, a, b);
    if (ops === FALLBACK) return FALLBACK;
    const values = new Uint8Array(size(ops.outShape));
    if (values.length > 0) addon.compare(COMPARE[kernelName], ops.av, ops.bv, values, ops.layout);
    return be.makeTensorInfo(ops.outShape, 'bool', values);
  };
}

/** LogicalNot of a bool tensor (the cpu kernel: 4.3 ms for 800k elements). */
const logicalNot: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { x } = inputs as { x: TensorInfo };
  const xv = be.data.get(x.dataId).values;
  if (x.dtype !== 'bool' || !(xv instanceof Uint8Array) || xv.length < TINY) return FALLBACK;
  const values = new Uint8Array(xv.length);
  addon.logicalNot(xv, values);
  return be.makeTensorInfo(x.shape, 'bool', values);
};

const addN: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const tensors = inputs as unknown as TensorInfo[];
  const arrays = tensors.map((t) => f32(be, t));
  if (arrays.some((v) => v == null) || tensors.some((t) => size(t.shape) !== size(tensors[0].shape))) return FALLBACK;
  const out = output(be, tensors[0].shape);
  if (tensors.length === 1) {
    out.values.set(arrays[0]!);
    return out.info;
  }
  const layout = Float64Array.of(out.values.length, 1, 1);
  addon.binary(BINARY.Add, arrays[0]!, arrays[1]!, out.values, layout);
  for (let i = 2; i < arrays.length; i++) addon.binary(BINARY.Add, out.values, arrays[i]!, out.values, layout);
  return out.info;
};

// ---------------------------------------------------------------------------------------------------
// Reductions, batch norm, softmax

function reduceKernel(op: 'Sum' | 'Max' | 'Min' | 'Mean'): NativeKernel {
  // Max names its axes reductionIndices; Sum, Mean and Min name them axis
  return withX<{ axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean }>((be, x, xv, { axis, reductionIndices, keepDims }, addon) => {
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam((op === 'Max' ? reductionIndices : axis) ?? x.shape.map((_, i) => i), x.shape).sort((p, q) => p - q);
    // a contiguous block of axes [from, to): [outer, mid, inner]
    const from = axes[0] ?? 0;
    const to = axes.length === 0 ? 0 : axes[axes.length - 1] + 1;
    if (axes.some((ax, i) => ax !== from + i)) return FALLBACK;
    const outer = size(x.shape.slice(0, from));
    const mid = size(x.shape.slice(from, to));
    const inner = size(x.shape.slice(to));
    if (mid === 0 && op !== 'Sum') return FALLBACK;
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = output(be, rank === 0 ? [] : outShape);
    if (out.values.length > 0) {
      addon.reduce(op === 'Mean' ? REDUCE.Sum : REDUCE[op], xv, out.values, outer, mid, inner);
      if (op === 'Mean') for (let i = 0; i < out.values.length; i++) out.values[i] /= mid;
    }
    return out.info;
  });
}

const fusedBatchNorm: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { x, mean, variance, offset, scale } = inputs as { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo };
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const c = x.shape[x.shape.length - 1] ?? 1;
  const xv = f32(be, x);
  const mv = f32(be, mean);
  const vv = f32(be, variance);
  const ov = offset == null ? null : f32(be, offset);
  const sv = scale == null ? null : f32(be, scale);
  const channelVector = (v: Float32Array | null, t: TensorInfo | undefined): boolean => (t == null ? true : v != null && v.length === c && t.shape.length <= 1);
  if (xv == null || mv == null || vv == null || x.shape.length === 0 || !channelVector(mv, mean) || !channelVector(vv, variance) || !channelVector(ov, offset) || !channelVector(sv, scale)) return FALLBACK;
  const out = output(be, x.shape);
  if (out.values.length > 0) addon.batchNorm(xv, mv, vv, ov, sv, out.values, c, varianceEpsilon ?? 0.001);
  return out.info;
};

const softmax: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { logits } = inputs as { logits: TensorInfo };
  const { dim } = attrs as unknown as { dim: number };
  const xv = f32(be, logits);
  const rank = logits.shape.length;
  if (xv == null || rank === 0 || (dim !== -1 && dim !== rank - 1)) return FALLBACK;
  const cols = logits.shape[rank - 1];
  const out = output(be, logits.shape);
  if (out.values.length > 0) addon.softmax(xv, out.values, out.values.length / cols, cols, false);
  return out.info;
};

// ---------------------------------------------------------------------------------------------------
// Data movement: slice, tile, pad, transpose, concat — one strided copy in the addon

function stridesOf(shape: readonly number[]): number[] {
  const st = Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) st[d] = st[d + 1] * shape[d + 1];
  return st;
}

/** [shape…, source strides…, destination strides…] with size-1 dims dropped and mergeable dims merged. */
function copyLayout(shape: number[], ss: number[], ds: number[]): Float64Array | null {
  const dims: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && a[last] === ss[d] * shape[d] && b[last] === ds[d] * shape[d]) {
      dims[last] *= shape[d];
      a[last] = ss[d];
      b[last] = ds[d];
    } else {
      dims.push(shape[d]);
      a.push(ss[d]);
      b.push(ds[d]);
    }
  }
  if (dims.length === 0) return Float64Array.of(1, 1, 1);
  if (dims.length > 8) return null;
  return Float64Array.from([...dims, ...a, ...b]);
}

const slice = withX<{ begin: number | number[]; size: number | number[] }>((be, x, xv, { begin, size: sizeAttr }, addon) => {
  const [$begin, $size] = tf.slice_util.parseSliceParams(x, begin, sizeAttr);
  // a contiguous slice is a subarray view in the cpu kernel: nothing to gain
  if (tf.slice_util.isSliceContinous(x.shape, $begin, $size)) return FALLBACK;
  const xs = stridesOf(x.shape);
  const layout = copyLayout($size, xs, stridesOf($size));
  if (layout == null) return FALLBACK;
  const out = output(be, $size);
  if (out.values.length === 0) return out.info;
  const offset = $begin.reduce((acc, b, d) => acc + b * xs[d], 0);
  addon.stridedCopy(xv.subarray(offset), out.values, layout);
  return out.info;
});

const tile = withX<{ reps: number[] }>((be, x, xv, { reps }, addon) => {
  if (reps.length !== x.shape.length) return FALLBACK;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const xs = stridesOf(x.shape);
  const os = stridesOf(outShape);
  const shape: number[] = [];
  const ss: number[] = [];
  const ds: number[] = [];
  x.shape.forEach((d, i) => {
    shape.push(reps[i], d);
    ss.push(0, xs[i]);
    ds.push(d * os[i], os[i]);
  });
  const layout = copyLayout(shape, ss, ds);
  if (layout == null) return FALLBACK;
  const out = output(be, outShape);
  if (out.values.length > 0) addon.stridedCopy(xv, out.values, layout);
  return out.info;
});

/** Tile: float32 as one strided copy; bool and int32 (a broadcast mask) as block copies (./transformer-kernels.ts). */
const tileAll: NativeKernel = (args, addon) => {
  const r = tile(args, addon);
  return r === FALLBACK ? tileOtherDtypes(args, addon) : r;
};

const padV2 = withX<{ paddings: [number, number][]; constantValue: number }>((be, x, xv, { paddings, constantValue }, addon) => {
  if (paddings.some(([p, q]) => p < 0 || q < 0)) return FALLBACK;
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const os = stridesOf(outShape);
  const layout = copyLayout([...x.shape], stridesOf(x.shape), os);
  if (layout == null) return FALLBACK;
  const out = output(be, outShape, true);
  if (constantValue !== 0) out.values.fill(constantValue);
  if (size(x.shape) === 0) return out.info;
  const offset = paddings.reduce((acc, [p], d) => acc + p * os[d], 0);
  addon.stridedCopy(xv, out.values.subarray(offset), layout);
  return out.info;
});

const transpose = withX<{ perm: number[] }>((be, x, xv, { perm }, addon) => {
  const outShape = perm.map((p) => x.shape[p]);
  const xs = stridesOf(x.shape);
  const layout = copyLayout(outShape, perm.map((p) => xs[p]), stridesOf(outShape));
  if (layout == null) return FALLBACK;
  // the identity (up to size-1 dims; GatherV2's gradient makes one): share x's storage, no copy
  if (layout.length === 3 && layout[1] === 1 && layout[2] === 1) return be.makeTensorInfo(outShape, 'float32', xv);
  const out = output(be, outShape);
  if (out.values.length > 0) addon.stridedCopy(xv, out.values, layout);
  return out.info;
});

const concat: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const tensors = (inputs as unknown as TensorInfo[]).filter((t) => size(t.shape) > 0);
  const { axis } = attrs as unknown as { axis: number };
  if (tensors.length === 0) return FALLBACK;
  const arrays = tensors.map((t) => f32(be, t));
  if (arrays.some((v) => v == null)) return FALLBACK;
  const $axis = tf.util.parseAxisParam(axis, tensors[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(tensors.map((t) => t.shape), $axis);
  const outer = size(outShape.slice(0, $axis));
  const rowOut = size(outShape.slice($axis));
  const out = output(be, outShape);
  let at = 0;
  tensors.forEach((t, i) => {
    const row = size(t.shape.slice($axis));
    addon.stridedCopy(arrays[i]!, out.values.subarray(at), Float64Array.of(outer, row, row, 1, rowOut, 1));
    at += row;
  });
  return out.info;
};

/** Pack (tf.stack) along any axis: each input a strided copy into its slot (the cpu kernel, which native used to inherit, reshapes and concatenates through its own JS loops). */
const pack: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const tensors = inputs as unknown as TensorInfo[];
  const { axis } = attrs as unknown as { axis: number };
  if (tensors.length === 0) return FALLBACK;
  const shape = tensors[0].shape;
  // mismatched shapes or dtypes: the cpu kernel says what is wrong
  if (tensors.some((t) => !tf.util.arraysEqual(t.shape, shape))) return FALLBACK;
  const arrays = tensors.map((t) => f32(be, t));
  if (arrays.some((v) => v == null)) return FALLBACK;
  const $axis = axis < 0 ? axis + shape.length + 1 : axis;
  if ($axis < 0 || $axis > shape.length) return FALLBACK;
  const outShape = [...shape.slice(0, $axis), tensors.length, ...shape.slice($axis)];
  const row = size(shape.slice($axis));
  if (row === 0 || size(shape) === 0) return FALLBACK;
  const outer = size(shape.slice(0, $axis));
  const out = output(be, outShape);
  tensors.forEach((_, i) => addon.stridedCopy(arrays[i]!, out.values.subarray(i * row), Float64Array.of(outer, row, row, 1, row * tensors.length, 1)));
  return out.info;
};

/** SplitV along any axis: each piece is a strided copy (stock cpu reads a non-last-axis split element by element). */
const splitV = withX<{ numOrSizeSplits: number | number[]; axis: number }>((be, x, xv, { numOrSizeSplits, axis }, addon) => {
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const outer = size(x.shape.slice(0, $axis));
  const inner = size(x.shape.slice($axis + 1));
  const rowIn = x.shape[$axis] * inner;
  let at = 0;
  return sizes.map((s) => {
    const shape = [...x.shape];
    shape[$axis] = s;
    if (outer === 1) {
      // split along the leading axis: each piece is a contiguous view of x's storage (the pool counts views)
      const view = be.makeTensorInfo(shape, 'float32', xv.subarray(at * inner, (at + s) * inner));
      at += s;
      return view;
    }
    const out = output(be, shape);
    if (out.values.length > 0) addon.stridedCopy(xv.subarray(at * inner), out.values, Float64Array.of(outer, s * inner, rowIn, 1, s * inner, 1));
    at += s;
    return out.info;
  });
});

/**
 * Unpack (tf.unstack, and the gradient of tf.stack): SplitV into pieces of one along the axis, the axis
 * dropped. The cpu kernel slices through a TensorBuffer when the axis is not the leading one: the
 * gradient of stacking 24 encoder states [128, 512] along axis 1 took 1.2 s there, 1 ms here.
 */
const unpack: NativeKernel = (args, addon) => {
  const { value } = args.inputs as { value: TensorInfo };
  const axis = tf.util.parseAxisParam((args.attrs as unknown as { axis: number }).axis, value.shape)[0];
  if (value.shape[axis] === 0) return FALLBACK;
  const pieces = splitV({ ...args, inputs: { x: value }, attrs: { numOrSizeSplits: value.shape[axis], axis } }, addon);
  if (pieces === FALLBACK) return FALLBACK;
  const shape = value.shape.filter((_, i) => i !== axis);
  return (pieces as TensorInfo[]).map((piece) => ({ ...piece, shape }));
};

/** GatherV2 of whole rows (axis 0, no batch dims): an embedding lookup, one row copy per index. */
/**
 * GatherV2 of float32 along any axis (batchDims 0): x [outer, n, inner] → [outer, k, inner], block copies. The
 * inherited cpu kernel walks every element through index arithmetic: a gather along H or W (CycleGAN's reflection
 * padding) was 118 of a 186 ms training step. A copy, so the values are cpu's bit for bit.
 */
const gatherV2: NativeKernel = ({ inputs, backend, attrs }) => {
  const be = backend as CpuLikeBackend;
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
  const xv = f32(be, x);
  const iv = indices.dtype === 'int32' ? be.data.get(indices.dataId).values : null;
  if (xv == null || !(iv instanceof Int32Array) || (batchDims ?? 0) !== 0) return FALLBACK;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0];
  const n = x.shape[ax];
  const outer = size(x.shape.slice(0, ax));
  const inner = size(x.shape.slice(ax + 1));
  const k = iv.length;
  for (let i = 0; i < k; i++) if (iv[i] < 0 || iv[i] >= n) return FALLBACK; // the cpu kernel reports it
  const out = output(be, [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)]);
  const o = out.values;
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < k; i++) {
      const from = (b * n + iv[i]) * inner;
      const to = (b * k + i) * inner;
      for (let j = 0; j < inner; j++) o[to + j] = xv[from + j]; // (subarray + set costs ~1 µs a block)
    }
  }
  return out.info;
};

/** Fill (tf.ones / tf.fill, e.g. in the gradient of mean): a pooled buffer, filled. */
const fill: NativeKernel = ({ backend, attrs }) => {
  const { shape, value, dtype } = attrs as unknown as { shape: number[]; value: number; dtype: tf.DataType };
  if ((dtype ?? 'float32') !== 'float32' || typeof value !== 'number') return FALLBACK;
  const out = output(backend as CpuLikeBackend, shape);
  out.values.fill(value);
  return out.info;
};

/**
 * PaperzooBatchNormGrad (native only; used by @paperzoo/tensor's FusedBatchNorm gradient): inputs x, mean, variance, dy and optional
 * scale, attr varianceEpsilon; outputs dx, dmean, dvariance, dscale, doffset in two passes.
 */
const batchNormGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { x, mean, variance, scale, dy } = inputs as { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale?: TensorInfo; dy: TensorInfo };
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const [xv, mv, vv, dyv] = [f32(be, x), f32(be, mean), f32(be, variance), f32(be, dy)];
  const sv = scale == null ? null : f32(be, scale);
  if (xv == null || mv == null || vv == null || dyv == null || (scale != null && sv == null)) throw new Error('@paperzoo/tensor-native: PaperzooBatchNormGrad takes float32 tensors');
  const c = mv.length;
  const dx = output(be, x.shape);
  const parts = [0, 1, 2, 3].map(() => output(be, [c]));
  addon.batchNormGrad(xv, mv, vv, sv, dyv, varianceEpsilon, dx.values, parts[0].values, parts[1].values, parts[2].values, parts[3].values);
  return [dx.info, ...parts.map((p) => p.info)];
};

// ---------------------------------------------------------------------------------------------------
// Fused training kernels (see @paperzoo/tensor's kernels/fused.ts, which dispatches to them)

/** PaperzooActivationGrad: dx = dy·f′ for relu and leakyrelu (v = x; attr alpha), tanh and sigmoid (v = y); attr activation. */
const activationGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { dy, v } = inputs as { dy: TensorInfo; v: TensorInfo };
  const { activation, alpha } = attrs as unknown as { activation: string; alpha?: number };
  const op = ACTIVATION_GRAD[activation];
  const dyv = f32(be, dy);
  const vv = f32(be, v);
  if (op == null || dyv == null || vv == null || dyv.length !== vv.length) throw new Error('@paperzoo/tensor-native: PaperzooActivationGrad takes float32 dy and v of one size and activation relu|leakyrelu|tanh|sigmoid');
  const out = output(be, dy.shape);
  if (out.values.length > 0) addon.activationGrad(op, dyv, vv, out.values, alpha ?? 0);
  return out.info;
};

/** The float32 arrays of named inputs, or an error naming the kernel. */
export function float32Inputs<K extends string>(be: CpuLikeBackend, kernelName: string, inputs: Record<K, TensorInfo>): Record<K, Float32Array> {
  const arrays = {} as Record<K, Float32Array>;
  for (const [name, t] of Object.entries(inputs) as [K, TensorInfo][]) {
    const v = f32(be, t);
    if (v == null) throw new Error(`@paperzoo/tensor-native: ${kernelName} takes float32 tensors (${name} is ${t.dtype})`);
    arrays[name] = v;
  }
  return arrays;
}

/** PaperzooBatchNormTraining: inputs x [..., C], scale, offset [C]; outputs y, mean, variance. */
const batchNormTraining: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  const { x, scale, offset } = float32Inputs(be, 'PaperzooBatchNormTraining', t);
  const c = t.x.shape[t.x.shape.length - 1];
  if (scale.length !== c || offset.length !== c || x.length < c) throw new Error(`@paperzoo/tensor-native: PaperzooBatchNormTraining: scale/offset must be [${c}] for x [${t.x.shape.join(', ')}]`);
  const y = output(be, t.x.shape);
  const mean = output(be, [c]);
  const variance = output(be, [c]);
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  addon.batchNormTrain(x, scale, offset, varianceEpsilon, y.values, mean.values, variance.values);
  return [y.info, mean.info, variance.info];
};

/** PaperzooBatchNormTrainingGrad: inputs x, scale, mean, variance, dy, dmean, dvariance; outputs dx, dscale, doffset. */
const batchNormTrainingGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { x: TensorInfo; scale: TensorInfo; mean: TensorInfo; variance: TensorInfo; dy: TensorInfo; dmean: TensorInfo; dvariance: TensorInfo };
  const a = float32Inputs(be, 'PaperzooBatchNormTrainingGrad', t);
  const c = a.mean.length;
  if ([a.scale, a.variance, a.dmean, a.dvariance].some((v) => v.length !== c) || a.dy.length !== a.x.length) throw new Error('@paperzoo/tensor-native: PaperzooBatchNormTrainingGrad: mismatched shapes');
  const dx = output(be, t.x.shape);
  const dscale = output(be, [c]);
  const doffset = output(be, [c]);
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  addon.batchNormTrainGrad(a.x, a.scale, a.mean, a.variance, a.dy, a.dmean, a.dvariance, varianceEpsilon, dx.values, dscale.values, doffset.values);
  return [dx.info, dscale.info, doffset.info];
};

/**
 * Cast to float32 from bool or int32. The cpu kernel this backend inherits treats those casts as lossless and
 * returns the input's storage under the new dtype (a Uint8Array or Int32Array labelled float32), which every
 * native kernel then refuses (`f32`), so everything downstream of `cast(less(u, p), 'float32')` or of a one-hot
 * cast ran on the cpu kernels: a dynamically binarised MNIST batch made the VAE's matmuls ~150× slower. Here the
 * values are copied into a Float32Array (exact: bool and int32 values up to 2²⁴ are floats). Other casts: cpu.
 */
const cast: NativeKernel = ({ inputs, backend, attrs }) => {
  const be = backend as CpuLikeBackend;
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as { dtype: string };
  if (dtype !== 'float32' || (x.dtype !== 'bool' && x.dtype !== 'int32')) return FALLBACK;
  const values = be.data.get(x.dataId).values;
  if (!(values instanceof Uint8Array || values instanceof Int32Array)) return FALLBACK;
  const out = output(be, x.shape);
  out.values.set(values);
  return out.info;
};

// ---------------------------------------------------------------------------------------------------

/** The kernels the native backend runs in the addon, and what each calls there. */
export const NATIVE_KERNELS: readonly { kernelName: string; library: string; kernel: NativeKernel }[] = [
  { kernelName: 'BatchMatMul', library: 'oneDNN matmul (or OpenBLAS sgemm: PAPERZOO_NATIVE_GEMM)', kernel: batchMatMul },
  { kernelName: '_FusedMatMul', library: 'oneDNN matmul or OpenBLAS sgemm, + fused bias/activation loop', kernel: fusedMatMul },
  { kernelName: 'Conv2D', library: 'oneDNN convolution', kernel: conv2D },
  { kernelName: 'FusedConv2D', library: 'oneDNN convolution (bias, eltwise post-op)', kernel: fusedConv2D },
  { kernelName: 'Conv2DBackpropInput', library: 'oneDNN convolution backward data', kernel: conv2DBackpropInput },
  { kernelName: 'Conv2DBackpropFilter', library: 'oneDNN convolution backward weights', kernel: conv2DBackpropFilter },
  { kernelName: 'MaxPool', library: 'C++ loop (OpenMP)', kernel: maxPool },
  { kernelName: 'MaxPoolGrad', library: 'C++ loop (OpenMP)', kernel: maxPoolGrad },
  { kernelName: 'AvgPool', library: 'C++ loop (OpenMP)', kernel: avgPool },
  { kernelName: 'AvgPoolGrad', library: 'C++ loop (OpenMP)', kernel: avgPoolGrad },
  { kernelName: 'FusedBatchNorm', library: 'C++ loop (OpenMP)', kernel: fusedBatchNorm },
  { kernelName: 'Softmax', library: 'C++ loop (OpenMP, vector exp)', kernel: softmax },
  ...(Object.keys(UNARY) as (keyof typeof UNARY)[]).map((name) => ({
    kernelName: name,
    library: 'C++ loop (OpenMP, vector math)',
    kernel: name === 'Step' || name === 'LeakyRelu' ? unaryKernel(UNARY[name], 'alpha', name === 'LeakyRelu' ? 0.2 : 0) : unaryKernel(UNARY[name]),
  })),
  ...(Object.keys(BINARY) as (keyof typeof BINARY)[]).map((name) => ({ kernelName: name, library: 'C++ loop (OpenMP, broadcast)', kernel: binaryKernel(name) })),
  ...(Object.keys(COMPARE) as (keyof typeof COMPARE)[]).map((name) => ({ kernelName: name, library: 'C++ loop (OpenMP, broadcast; bool out)', kernel: compareKernel(name) })),
  { kernelName: 'LogicalNot', library: 'C++ loop (OpenMP)', kernel: logicalNot },
  { kernelName: 'AddN', library: 'C++ loop (OpenMP)', kernel: addN },
  ...(['Sum', 'Max', 'Min', 'Mean'] as const).map((name) => ({ kernelName: name, library: 'C++ loop (OpenMP)', kernel: reduceKernel(name) })),
  { kernelName: 'GatherV2', library: 'block copies (any axis)', kernel: gatherV2 },
  { kernelName: 'Fill', library: 'pooled buffer fill', kernel: fill },
  { kernelName: 'Cast', library: 'typed-array copy (bool/int32 → float32 storage)', kernel: cast },
  { kernelName: 'PaperzooBatchNormGrad', library: 'C++ two-pass loop (OpenMP)', kernel: batchNormGrad },
  { kernelName: 'PaperzooBatchNormTraining', library: 'C++ two-pass loop (OpenMP)', kernel: batchNormTraining },
  { kernelName: 'PaperzooBatchNormTrainingGrad', library: 'C++ two-pass loop (OpenMP)', kernel: batchNormTrainingGrad },
  { kernelName: 'PaperzooActivationGrad', library: 'C++ loop (OpenMP)', kernel: activationGrad },
  ...([['Slice', slice], ['Tile', tileAll], ['PadV2', padV2], ['Transpose', transpose], ['Concat', concat], ['Pack', pack], ['SplitV', splitV], ['Unpack', unpack]] as const).map(([kernelName, kernel]) => ({ kernelName, library: 'C++ strided copy (OpenMP)', kernel })),
  ...LSTM_KERNELS,
  ...GRU_KERNELS,
  ...TRANSFORMER_KERNELS,
  ...OPTIM_KERNELS,
];

/**
 * The kernel config for `backendName`: the native kernel, or the cpu kernel `fallback` when the
 * native one declines.
 */
export function nativeKernelConfig(kernelName: string, backendName: string, kernel: NativeKernel, addon: Addon, fallback: KernelConfig | undefined): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const result = kernel(args, addon);
    if (result !== FALLBACK) return result;
    if (fallback == null) throw new Error(`@paperzoo/tensor-native: ${kernelName} is not supported for these inputs and the cpu backend has no such kernel`);
    return fallback.kernelFunc(args);
  };
  return { kernelName, backendName, kernelFunc };
}
