/**
 * Native kernels of transformer training (native/transformer.cc): the fused layer norm and exact GELU
 * that @paperzoo/tensor's `layerNorm` and `gelu` dispatch to, the first-order softmax gradient its
 * Softmax gradient dispatches to, and Select (tf.where: the causal mask of attention) and Tile of
 * non-float tensors (tf.where broadcasting a bool mask), which the cpu kernels do element by element.
 *
 * Imported by ./kernels.ts (which appends {@link TRANSFORMER_KERNELS} to NATIVE_KERNELS) and importing
 * its helpers back: the cycle is safe because nothing here uses them before a kernel runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { FALLBACK, f32, float32Inputs, output, type CpuLikeBackend, type NativeKernel } from './kernels.js';

const size = tf.util.sizeFromShape;

/** x [..., C] and gamma, beta [C]: rows (the product of the leading dims) and C, or an error. */
function layerNormGeometry(kernelName: string, x: TensorInfo, ...perChannel: TensorInfo[]): { rows: number; c: number } {
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || perChannel.some((t) => size(t.shape) !== c)) {
    throw new Error(`@paperzoo/tensor-native: ${kernelName}: gamma/beta must be [${c}] for x [${x.shape.join(', ')}]`);
  }
  return { rows: c === 0 ? 0 : size(x.shape) / c, c };
}

/**
 * PaperzooLayerNorm: inputs x [..., C], gamma [C], beta [C]; attr epsilon; outputs y (x's shape),
 * mean and rstd = 1/√(σ² + ε) [...] (one per row, saved for the backward kernel).
 */
const layerNorm: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const { x, gamma, beta } = float32Inputs(be, 'PaperzooLayerNorm', t);
  const { rows } = layerNormGeometry('PaperzooLayerNorm', t.x, t.gamma, t.beta);
  const lead = t.x.shape.slice(0, -1);
  const y = output(be, t.x.shape);
  const mean = output(be, lead);
  const rstd = output(be, lead);
  if (rows > 0 && y.values.length > 0) addon.layerNorm(x, gamma, beta, (attrs as unknown as { epsilon: number }).epsilon, y.values, mean.values, rstd.values);
  return [y.info, mean.info, rstd.info];
};

/** PaperzooLayerNormGrad: inputs x, gamma, mean, rstd (the forward kernel's), dy; outputs dx, dgamma, dbeta. */
const layerNormGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; rstd: TensorInfo; dy: TensorInfo };
  const a = float32Inputs(be, 'PaperzooLayerNormGrad', t);
  const { rows, c } = layerNormGeometry('PaperzooLayerNormGrad', t.x, t.gamma);
  if (a.mean.length !== rows || a.rstd.length !== rows || a.dy.length !== a.x.length) throw new Error('@paperzoo/tensor-native: PaperzooLayerNormGrad: mismatched shapes');
  const dx = output(be, t.x.shape);
  const dgamma = output(be, [c], true);
  const dbeta = output(be, [c], true);
  if (rows > 0 && c > 0) addon.layerNormGrad(a.x, a.gamma, a.mean, a.rstd, a.dy, dx.values, dgamma.values, dbeta.values);
  return [dx.info, dgamma.info, dbeta.info];
};

/** PaperzooGelu: input x; output x·Φ(x), the exact GELU. */
const gelu: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { x } = float32Inputs(be, 'PaperzooGelu', inputs as { x: TensorInfo });
  const y = output(be, (inputs.x as TensorInfo).shape);
  if (x.length > 0) addon.gelu(x, y.values);
  return y.info;
};

/** PaperzooGeluGrad: inputs x, dy (one shape); output dy·(Φ(x) + x·φ(x)). */
const geluGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const a = float32Inputs(be, 'PaperzooGeluGrad', inputs as { x: TensorInfo; dy: TensorInfo });
  if (a.x.length !== a.dy.length) throw new Error('@paperzoo/tensor-native: PaperzooGeluGrad: x and dy differ in size');
  const dx = output(be, (inputs.x as TensorInfo).shape);
  if (a.x.length > 0) addon.geluGrad(a.x, a.dy, dx.values);
  return dx.info;
};

/** PaperzooSoftmaxGrad: inputs y (a softmax over the last axis) and dy of one shape; output y·(dy − Σ dy·y) per row. */
const softmaxGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { y: TensorInfo; dy: TensorInfo };
  const a = float32Inputs(be, 'PaperzooSoftmaxGrad', t);
  if (a.y.length !== a.dy.length || t.y.shape.length === 0) throw new Error('@paperzoo/tensor-native: PaperzooSoftmaxGrad: y and dy must have one shape of rank ≥ 1');
  const cols = t.y.shape[t.y.shape.length - 1];
  const dx = output(be, t.y.shape);
  if (a.y.length > 0) addon.softmaxGrad(a.y, a.dy, dx.values, a.y.length / cols, cols);
  return dx.info;
};

/** Select (tf.where) of float32 a and b with a bool condition, all of one size (tf.where broadcasts first). */
const select: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { condition, t, e } = inputs as { condition: TensorInfo; t: TensorInfo; e: TensorInfo };
  const [av, bv] = [f32(be, t), f32(be, e)];
  const cv = condition.dtype === 'bool' ? be.data.get(condition.dataId).values : null;
  const n = size(t.shape);
  if (av == null || bv == null || !(cv instanceof Uint8Array) || cv.length !== n || bv.length !== n || n < 64) return FALLBACK;
  const out = output(be, t.shape);
  addon.select(cv, av, bv, out.values);
  return out.info;
};

/**
 * Tile of a bool or int32 tensor (float32 has the strided-copy kernel of ./kernels.ts): built axis by
 * axis from the last, each axis's repeats one block copy (TypedArray.copyWithin) per outer index. The
 * cpu kernel reads and writes every element through a TensorBuffer: broadcasting a [1, 1, 64, 64]
 * causal mask to [12, 4, 64, 64] took 15 ms there.
 */
export const tileOtherDtypes: NativeKernel = ({ inputs, backend, attrs }) => {
  const be = backend as CpuLikeBackend;
  const { x } = inputs as { x: TensorInfo };
  const { reps } = attrs as unknown as { reps: number[] };
  const xv = be.data.get(x.dataId).values;
  if ((x.dtype !== 'bool' && x.dtype !== 'int32') || !(xv instanceof Uint8Array || xv instanceof Int32Array) || reps.length !== x.shape.length) return FALLBACK;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const make = (n: number): Uint8Array | Int32Array => (x.dtype === 'bool' ? new Uint8Array(n) : new Int32Array(n));
  if (size(outShape) === 0) return be.makeTensorInfo(outShape, x.dtype, make(0));
  // cur: x tiled along the axes after d
  const shape = [...x.shape];
  let cur: Uint8Array | Int32Array = xv;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (reps[d] === 1) continue;
    const outer = size(shape.slice(0, d));
    const block = size(shape.slice(d)); // one outer index's slab of cur
    const next = make(outer * block * reps[d]);
    for (let o = 0; o < outer; o++) {
      const to = o * block * reps[d];
      next.set(cur.subarray(o * block, (o + 1) * block), to);
      for (let k = 1; k < reps[d]; k *= 2) next.copyWithin(to + k * block, to, to + Math.min(k, reps[d] - k) * block); // doubling copies
    }
    shape[d] *= reps[d];
    cur = next;
  }
  return be.makeTensorInfo(outShape, x.dtype, cur === xv ? xv.slice() : cur);
};

export const TRANSFORMER_KERNELS: readonly { kernelName: string; library: string; kernel: NativeKernel }[] = [
  { kernelName: 'PaperzooLayerNorm', library: 'C++ row loop (OpenMP)', kernel: layerNorm },
  { kernelName: 'PaperzooLayerNormGrad', library: 'C++ row loop + column sums (OpenMP)', kernel: layerNormGrad },
  { kernelName: 'PaperzooGelu', library: 'C++ loop (libm erfc, OpenMP)', kernel: gelu },
  { kernelName: 'PaperzooGeluGrad', library: 'C++ loop (libm erfc/exp, OpenMP)', kernel: geluGrad },
  { kernelName: 'PaperzooSoftmaxGrad', library: 'C++ row loop (OpenMP)', kernel: softmaxGrad },
  { kernelName: 'Select', library: 'C++ loop (OpenMP)', kernel: select },
];
