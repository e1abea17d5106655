/**
 * cpu-backend kernels paperzoo replaces. The cpu backend is the reference for forward values, not for
 * every gradient; each replacement here was found wrong (or unusably slow) against the float64
 * reference in ../../test/reference.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as loops from './loops.js';
import { baseKernel, overrideKernel } from './registry.js';
import type { KernelFix } from './wasm.js';

type Shape4 = [number, number, number, number];

/** The part of tfjs-backend-cpu's MathBackendCPU these kernels use. */
interface CpuBackend extends tf.KernelBackend {
  data: { get(dataId: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
}

function values<T extends Float32Array | Int32Array>(backend: CpuBackend, t: TensorInfo): T {
  return backend.data.get(t.dataId).values as T;
}

const avgPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad } = attrs as any;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad);
  const dx = new Float32Array(input.shape.reduce((p, q) => p * q, 1));
  loops.avgPoolBackprop(values<Float32Array>(b, dy), info, dx);
  return b.makeTensorInfo(input.shape, 'float32', dx);
};

const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const size = outShape.reduce((p, q) => p * q, 1);
  const out = x.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  let ids = values<Int32Array>(b, segmentIds);
  if (!(ids instanceof Int32Array)) ids = Int32Array.from(ids);
  loops.unsortedSegmentSum(values<Float32Array | Int32Array>(b, x), ids, numSegments, out);
  return b.makeTensorInfo(outShape, x.dtype === 'int32' ? 'int32' : 'float32', out);
};

/**
 * Stock cpu BatchMatMul loops over max(batchA, batchB) entries, so when both operands broadcast
 * batch dims against each other ([2,1,m,k]·[1,3,k,n] → [2,3,m,n]) it fills only part of the output.
 * Tile both operands to the full batch shape first; everything else goes to the stock kernel as is.
 */
const batchMatMul: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const stock = baseKernel('BatchMatMul', 'cpu')!;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const sizeA = outerA.reduce((p, q) => p * q, 1);
  const sizeB = outerB.reduce((p, q) => p * q, 1);
  if (sizeA === 1 || sizeB === 1 || (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]))) return stock.kernelFunc(args);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const tile = baseKernel('Tile', 'cpu')!;
  const full = (t: TensorInfo): TensorInfo => {
    const padded = [...Array<number>(outer.length - (t.shape.length - 2)).fill(1), ...t.shape];
    const reps = [...outer.map((d, i) => d / padded[i]), 1, 1];
    return tile.kernelFunc({ inputs: { x: { dataId: t.dataId, shape: padded, dtype: t.dtype } }, backend, attrs: { reps } }) as TensorInfo;
  };
  const fa = full(a);
  const fb = full(b);
  const out = stock.kernelFunc({ inputs: { a: fa, b: fb }, backend, attrs }) as TensorInfo;
  (backend as CpuBackend).disposeData(fa.dataId);
  (backend as CpuBackend).disposeData(fb.dataId);
  return out;
};

/**
 * Stock cpu Conv2DBackpropFilter reads every element through TensorBuffer.get (index arithmetic per
 * read): 93% of a cpu LeNet-5 step. The same sums over flat arrays, in float64, are ~50× faster.
 */
const conv2DBackpropFilter: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as any;
  const format = backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  if (format !== 'channelsLast') return baseKernel('Conv2DBackpropFilter', 'cpu')!.kernelFunc(args);
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, format);
  const dW64 = new Float64Array(filterShape.reduce((p: number, q: number) => p * q, 1));
  const b = backend as CpuBackend;
  loops.conv2dFilterBackprop(values<Float32Array>(b, x), values<Float32Array>(b, dy), info, dW64);
  return b.makeTensorInfo(filterShape, 'float32', Float32Array.from(dW64));
};

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Stock cpu depthwise backprop kernels ignore dilations in their loops (and read via TensorBuffer.get). */
const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const dW = new Float32Array(filterShape.reduce((p, q) => p * q, 1));
  loops.depthwiseFilterBackprop(values<Float32Array>(b, x), values<Float32Array>(b, dy), info, dW);
  return b.makeTensorInfo(filterShape, 'float32', dW);
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as CpuBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
  const info = backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations ?? 1, pad, dimRoundingMode, true);
  const dx = new Float32Array(inputShape.reduce((p, q) => p * q, 1));
  loops.depthwiseInputBackprop(values<Float32Array>(b, dy), values<Float32Array>(b, filter), info, dx);
  return b.makeTensorInfo(inputShape, 'float32', dx);
};

export const CPU_KERNELS: readonly KernelFix[] = [
  { kernelName: 'AvgPoolGrad', stock: 'wrong', why: "stock divides by the full window size; the forward pass divides by the in-bounds count ('same' borders)", kernelFunc: avgPoolGrad },
  { kernelName: 'Conv2DBackpropFilter', stock: 'slow', why: 'stock reads every element through TensorBuffer.get: 93% of a cpu LeNet-5 step; flat float64 loops are ~50× faster', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'BatchMatMul', stock: 'wrong', why: 'when both operands broadcast batch dims ([2,1,m,k]·[1,3,k,n]) stock fills only part of the output', kernelFunc: batchMatMul },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', stock: 'wrong', why: 'stock ignores dilations (unreachable before paperzoo lifted the gradient’s dilation-1 assertion) and reads via TensorBuffer.get', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', stock: 'wrong', why: 'stock ignores dilations (as above)', kernelFunc: depthwiseBackpropInput },
  { kernelName: 'UnsortedSegmentSum', stock: 'slow', why: 'stock loops over every segment (O(segments × size)); embedding gradients over a vocabulary took minutes', kernelFunc: unsortedSegmentSum },
];

/** Register {@link CPU_KERNELS} for the cpu backend, replacing the stock kernels. */
export function registerCpuKernels(): void {
  for (const { kernelName, kernelFunc } of CPU_KERNELS) overrideKernel(kernelName, 'cpu', kernelFunc);
}
