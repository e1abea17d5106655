/**
 * Kernels that make the stock tfjs-backend-wasm 4.22.0 train (docs/backends.md, "What the stock wasm
 * backend lacks or gets wrong").
 *
 * - The convolution gradients are built from wasm's own XNNPACK kernels (Transpose, Reverse, PadV2,
 *   Slice and a strided, dilated Conv2D), called directly as kernel functions on the wasm backend so
 *   nothing touches the engine's tape or tensor count; intermediates are freed before returning.
 * - The pooling / segment / depthwise kernels are the plain loops of ./loops.ts run on views of the wasm
 *   heap (taken after every allocation, since an allocation may grow and move the heap).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as loops from './loops.js';
import { baseKernel, overrideKernel } from './registry.js';

type Conv2DInfo = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type PadAttr = 'same' | 'valid' | number | backend_util.ExplicitPadding;

/** The part of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

/** Run a stock wasm kernel directly (no engine, no tape): the result is owned by the caller. */
function run(backend: WasmBackend, kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = baseKernel(kernelName, 'wasm');
  if (kernel == null) throw new Error(`@paperzoo/tensor: the wasm backend has no '${kernelName}' kernel, which paperzoo's wasm kernels build on`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** A reshaped view of t (shares its data; never dispose it separately). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function free(backend: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** A zero-filled float32 output and a view of it. */
function zeros(backend: WasmBackend, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

function channelsLastOnly(dataFormat: unknown, kernel: string): void {
  if (dataFormat != null && backend_util.convertConv2DDataFormat(dataFormat as 'NHWC' | 'NCHW') !== 'channelsLast') {
    throw new Error(`@paperzoo/tensor: ${kernel} on wasm supports only dataFormat 'NHWC' (as wasm's Conv2D does); got '${dataFormat as string}'`);
  }
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, y, x} xPadded[b, y·s + kh·d, x·s + kw·d, ci] · dy[b, y, x, co].
 *
 * Read with the batch as the contracted channel, this is itself a convolution: input x transposed to
 * [ci, H, W, B], filter dy transposed to [OH, OW, B, co], stride = the forward dilation, dilation =
 * the forward stride, the forward padding; its output [ci, kh, kw, co] is dW up to a transpose. One
 * XNNPACK convolution (GEMM of [ci·kh·kw] × [OH·OW·B] × [co]) instead of a naive loop.
 */
export function conv2dFilterGrad(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: Conv2DInfo): TensorInfo {
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  // Pad enough at the bottom/right for every tap the forward pass read (ceil rounding can read past
  // the declared padding; those reads are zeros).
  const bottom = Math.max(info.padInfo.bottom, (outHeight - 1) * sh + (kh - 1) * dh + 1 - inHeight - top, 0);
  const right = Math.max(info.padInfo.right, (outWidth - 1) * sw + (kw - 1) * dw + 1 - inWidth - left, 0);
  const xT = run(backend, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [ci, H, W, B]
  const dyT = run(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, B, co]
  const conv = run(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [dh, dw],
    dilations: [sh, sw],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
  }); // [ci, ≥kh, ≥kw, co]
  free(backend, xT, dyT);
  let cropped = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    cropped = run(backend, 'Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(backend, conv);
  }
  if (ci === 1) return view(cropped, [kh, kw, 1, co]); // the transpose below would only move a size-1 axis
  const dW = run(backend, 'Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }); // [kh, kw, ci, co]
  free(backend, cropped);
  return dW;
}

/**
 * dx = the transposed convolution of dy: dy with stride−1 zeros inserted between its pixels, padded by
 * (k−1)·d − pad in front, convolved (stride 1, the forward dilation) with the filter flipped in space and
 * with its channel axes swapped. One XNNPACK convolution instead of wasm's scalar loop.
 */
export function conv2dInputGrad(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: Conv2DInfo): TensorInfo {
  const { batchSize, inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const owned: TensorInfo[] = [];
  let grid = dy; // [B, OH·sh, OW·sw, co] once dilated
  if (sh > 1 || sw > 1) {
    grid = run(backend, 'PadV2', { x: view(dy, [batchSize, outHeight, 1, outWidth, 1, co]) }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
      constantValue: 0,
    });
    owned.push(grid);
    grid = view(grid, [batchSize, outHeight * sh, outWidth * sw, co]);
  }
  // Front/back padding of the dilated grid so that a stride-1 'valid' convolution yields H × W.
  let padTop = (kh - 1) * dh - info.padInfo.top;
  let padLeft = (kw - 1) * dw - info.padInfo.left;
  let padBottom = inHeight + (kh - 1) * dh - padTop - grid.shape[1];
  let padRight = inWidth + (kw - 1) * dw - padLeft - grid.shape[2];
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    const begin = [0, Math.max(-padTop, 0), Math.max(-padLeft, 0), 0];
    const size = [batchSize, grid.shape[1] - begin[1] - Math.max(-padBottom, 0), grid.shape[2] - begin[2] - Math.max(-padRight, 0), co];
    grid = run(backend, 'Slice', { x: grid }, { begin, size });
    owned.push(grid);
    padTop = Math.max(padTop, 0);
    padLeft = Math.max(padLeft, 0);
    padBottom = Math.max(padBottom, 0);
    padRight = Math.max(padRight, 0);
  }
  const flipped = run(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = run(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }); // [kh, kw, co, ci]
  free(backend, flipped);
  const dx = run(backend, 'Conv2D', { x: grid, filter: swapped }, {
    strides: [1, 1],
    dilations: [dh, dw],
    pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
    dataFormat: 'NHWC',
  }); // [B, H, W, ci]
  free(backend, swapped, ...owned);
  if (dx.shape[1] !== inHeight || dx.shape[2] !== inWidth || dx.shape[3] !== ci) {
    throw new Error(`@paperzoo/tensor: internal error in wasm Conv2DBackpropInput: got ${dx.shape.join('x')}, expected ${[batchSize, inHeight, inWidth, ci].join('x')}`);
  }
  return dx;
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number; pad: PadAttr; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: Shape4;
  };
  channelsLastOnly(dataFormat, 'Conv2DBackpropFilter');
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return conv2dFilterGrad(backend as WasmBackend, x, dy, info);
};

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: [number, number] | number; pad: PadAttr; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: Shape4;
  };
  channelsLastOnly(dataFormat, 'Conv2DBackpropInput');
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  return conv2dInputGrad(backend as WasmBackend, dy, filter, info);
};

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as PoolAttrs;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const dx = zeros(b, input.shape);
  loops.maxPoolBackprop(f32(b, input), f32(b, dy), info, f32(b, dx));
  return dx;
};

const avgPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad } = attrs as unknown as PoolAttrs;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad);
  const dx = zeros(b, input.shape);
  loops.avgPoolBackprop(f32(b, dy), info, f32(b, dx));
  return dx;
};

const maxPoolWithArgmax: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x } = inputs as { x: TensorInfo };
  const { filterSize, strides, pad, includeBatchInIndex } = attrs as unknown as PoolAttrs & { includeBatchInIndex: boolean };
  const info = backend_util.computePool2DInfo(x.shape as Shape4, filterSize, strides, 1, pad);
  const pooled = b.makeOutput(info.outShape, 'float32');
  const indexes = b.makeOutput(info.outShape, 'int32');
  const at = b.typedArrayFromHeap(indexes) as Int32Array;
  loops.maxPoolArgmax(f32(b, x), info, at, f32(b, pooled));
  if (!includeBatchInIndex) {
    const perImage = info.inHeight * info.inWidth * info.inChannels;
    for (let i = 0; i < at.length; i++) if (at[i] >= 0) at[i] %= perImage;
  }
  return [pooled, indexes];
};

const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`@paperzoo/tensor: UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = b.makeOutput(outShape, x.dtype);
  const outValues = b.typedArrayFromHeap(out) as Float32Array | Int32Array;
  outValues.fill(0);
  let ids = b.typedArrayFromHeap(segmentIds);
  if (!(ids instanceof Int32Array)) ids = Int32Array.from(ids);
  loops.unsortedSegmentSum(b.typedArrayFromHeap(x) as Float32Array | Int32Array, ids, numSegments, outValues);
  return out;
};

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: PadAttr;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const dW = zeros(b, filterShape);
  loops.depthwiseFilterBackprop(f32(b, x), f32(b, dy), info, f32(b, dW));
  return dW;
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const dx = zeros(b, inputShape);
  loops.depthwiseInputBackprop(f32(b, dy), f32(b, filter), info, f32(b, dx));
  return dx;
};

const size = (shape: readonly number[]): number => shape.reduce((p, q) => p * q, 1);

/**
 * Batched matmul through XNNPACK. Stock wasm uses XNNPACK's GEMM only for an untransposed product
 * with batch 1 and otherwise a scalar blocked loop (~2 GFLOP/s, ~10× slower): every dense layer's
 * backward pass (xᵀ·dy, dy·Wᵀ) and every attention product took that loop. Here transposes are
 * materialised (one cheap copy), a shared right operand folds the batch into the rows, and a truly
 * batched product runs one GEMM per batch entry.
 */
const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { a, b: right } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const stock = baseKernel('BatchMatMul', 'wasm')!;
  const gemm = (x: TensorInfo, y: TensorInfo): TensorInfo =>
    stock.kernelFunc({ inputs: { a: x, b: y }, backend: b, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
  if (a.dtype !== 'float32' || right.dtype !== 'float32') return stock.kernelFunc({ inputs, backend, attrs });
  const owned: TensorInfo[] = [];
  const swapLast = (t: TensorInfo): TensorInfo => {
    const r = t.shape.length;
    const perm = [...Array(r - 2).keys(), r - 1, r - 2];
    const out = run(b, 'Transpose', { x: t }, { perm });
    owned.push(out);
    return out;
  };
  const lhs = transposeA ? swapLast(a) : a; // [..., M, K]
  const rhs = transposeB ? swapLast(right) : right; // [..., K, N]
  const [m, k] = lhs.shape.slice(-2);
  const n = rhs.shape[rhs.shape.length - 1];
  const outerA = lhs.shape.slice(0, -2);
  const outerB = rhs.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = size(outerA);
  const batchB = size(outerB);
  let out: TensorInfo;
  if (batchB === 1) {
    const product = gemm(view(lhs, [1, batchA * m, k]), view(rhs, [1, k, n]));
    out = view(product, [...outer, m, n]);
  } else {
    out = b.makeOutput([...outer, m, n], 'float32');
    const batch = size(outer);
    // Broadcasting: the batch entry of each operand for output entry `o`, dimension by dimension.
    const pick = (shape: number[], o: number): number => {
      let index = 0;
      let stride = 1;
      let rest = o;
      const padded = [...Array(outer.length - shape.length).fill(1), ...shape];
      const strides: number[] = [];
      for (let d = outer.length - 1; d >= 0; d--) {
        strides[d] = stride;
        stride *= padded[d];
      }
      for (let d = outer.length - 1; d >= 0; d--) {
        const coord = rest % outer[d];
        rest = Math.floor(rest / outer[d]);
        if (padded[d] !== 1) index += coord * strides[d];
      }
      return index;
    };
    for (let o = 0; o < batch; o++) {
      const ia = pick(outerA, o);
      const ib = pick(outerB, o);
      const sliceA = run(b, 'Slice', { x: view(lhs, [batchA, m, k]) }, { begin: [ia, 0, 0], size: [1, m, k] });
      const sliceB = run(b, 'Slice', { x: view(rhs, [batchB, k, n]) }, { begin: [ib, 0, 0], size: [1, k, n] });
      const product = gemm(sliceA, sliceB);
      f32(b, out).set(f32(b, product), o * m * n);
      free(b, sliceA, sliceB, product);
    }
  }
  free(b, ...owned);
  return out;
};

/** The wasm kernel of each activation tfjs' fused ops take ('linear' is none). */
const ACTIVATION_KERNEL: Record<string, string> = { relu: 'Relu', relu6: 'Relu6', elu: 'Elu', leakyrelu: 'LeakyRelu', sigmoid: 'Sigmoid', prelu: 'Prelu' };

/**
 * _FusedMatMul: act(op(a)·op(b) + bias) as our BatchMatMul, then Add (any broadcast of the bias) and
 * the activation's own kernel. Stock wasm's fused kernel gives wrong products with transposeA and
 * rejects a bias that is not a row vector (test/conformance-fused.test.ts).
 */
const fusedMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { a, b: right, bias, preluActivationWeights } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
  let out = batchMatMul({ inputs: { a, b: right }, backend, attrs: { transposeA, transposeB } }) as TensorInfo;
  const then = (next: TensorInfo): void => {
    free(b, out);
    out = next;
  };
  if (bias != null) then(run(b, 'Add', { a: out, b: bias }));
  const kernel = ACTIVATION_KERNEL[activation ?? 'linear'];
  if (kernel === 'Prelu') then(run(b, kernel, { x: out, alpha: preluActivationWeights! }));
  else if (kernel === 'LeakyRelu') then(run(b, kernel, { x: out }, { alpha: leakyreluAlpha ?? 0.2 }));
  else if (kernel != null) then(run(b, kernel, { x: out }));
  return out;
};

/**
 * OneHot of any output dtype: stock wasm's kernel writes int32 values into the output whatever its
 * dtype, so `tf.oneHot(ids, depth, 1, 0, 'float32')` reads back as denormals (1 → 1.4e-45) and a
 * fractional on/off value is truncated. Ours: fill with offValue, set onValue at each in-range index
 * (an index outside [0, depth) leaves its row off, as on cpu).
 */
const oneHot: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { indices } = inputs as { indices: TensorInfo };
  const { depth, onValue, offValue, dtype } = attrs as unknown as { depth: number; onValue: number; offValue: number; dtype: tf.DataType };
  const out = b.makeOutput([...indices.shape, depth], dtype);
  const values = b.typedArrayFromHeap(out);
  values.fill(offValue);
  const ids = b.typedArrayFromHeap(indices); // read after the allocation (it may move the heap)
  for (let i = 0; i < ids.length; i++) if (ids[i] >= 0 && ids[i] < depth) values[i * depth + ids[i]] = onValue;
  return out;
};

/** What paperzoo registers on wasm, and why (the README's kernel table is generated from this). */
export interface KernelFix {
  kernelName: string;
  /** 'missing': stock wasm has no such kernel; 'wrong': it has one that gives wrong results; 'slow'. */
  stock: 'missing' | 'wrong' | 'slow';
  why: string;
  kernelFunc: KernelFunc;
}

export const WASM_KERNELS: readonly KernelFix[] = [
  { kernelName: 'Conv2DBackpropFilter', stock: 'missing', why: 'conv training throws without it; one XNNPACK conv (batch as channels)', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'Conv2DBackpropInput', stock: 'slow', why: 'stock is a scalar loop; ours is one XNNPACK conv of the dilated dy with the flipped filter', kernelFunc: conv2DBackpropInput },
  { kernelName: 'MaxPoolGrad', stock: 'wrong', why: 'stock gives 0 gradient to windows whose max is negative (argmax search starts at 0)', kernelFunc: maxPoolGrad },
  { kernelName: 'MaxPoolWithArgmax', stock: 'wrong', why: 'same argmax search as stock MaxPoolGrad; used by the second-order max-pool gradient', kernelFunc: maxPoolWithArgmax },
  { kernelName: 'AvgPoolGrad', stock: 'wrong', why: "stock divides by the full window size; the forward pass divides by the in-bounds count ('same' borders)", kernelFunc: avgPoolGrad },
  { kernelName: '_FusedMatMul', stock: 'wrong', why: 'stock gives wrong products with transposeA and rejects a non-row bias; ours is BatchMatMul + Add + the activation', kernelFunc: fusedMatMul },
  { kernelName: 'BatchMatMul', stock: 'slow', why: 'stock uses XNNPACK only untransposed with batch 1, else a ~2 GFLOP/s scalar loop (all dense backward passes)', kernelFunc: batchMatMul },
  { kernelName: 'UnsortedSegmentSum', stock: 'missing', why: 'gradient of gather (embeddings)', kernelFunc: unsortedSegmentSum },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', stock: 'missing', why: 'depthwise-conv training', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', stock: 'missing', why: 'depthwise-conv training', kernelFunc: depthwiseBackpropInput },
  { kernelName: 'OneHot', stock: 'wrong', why: "stock writes int32 values whatever the dtype: a float32 one-hot reads back as denormals (1 → 1.4e-45), fractional on/off values are truncated", kernelFunc: oneHot },
];

/** Register {@link WASM_KERNELS} for the wasm backend, replacing stock kernels of the same name. */
export function registerWasmKernels(): void {
  for (const { kernelName, kernelFunc } of WASM_KERNELS) overrideKernel(kernelName, 'wasm', kernelFunc);
}

