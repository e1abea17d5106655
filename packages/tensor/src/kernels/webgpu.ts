/**
 * webgpu-backend kernels paperzoo replaces (tfjs-backend-webgpu 4.22.0). Each was found wrong by the
 * conformance suite run on webgpu (`npm run test:webgpu`, Mesa llvmpipe through Dawn's OpenGL ES
 * backend; docs/decisions/0007-webgpu-software-adapter.md) against the float64 reference in
 * ../../test/reference.ts. They are built from the stock webgpu kernels (no new shaders, except that
 * max-pool's position search is made to keep the first maximum of a window, as TensorFlow does).
 *
 * Registered for the backend name 'webgpu' after @tensorflow/tfjs-backend-webgpu is imported (its own
 * registration would otherwise replace these).
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { baseKernel, overrideKernel } from './registry.js';
import type { KernelFix } from './wasm.js';

type Shape4 = [number, number, number, number];

/** The part of tfjs-backend-webgpu's WebGPUBackend these kernels use. */
interface WebgpuBackend extends tf.KernelBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
  runWebGPUProgram(program: { shaderKey: string; getUserCode(): string }, ...rest: unknown[]): TensorInfo;
}

function stock(name: string): KernelFunc {
  const k = baseKernel(name, 'webgpu');
  if (k == null) throw new Error(`tfjs-backend-webgpu has no ${name} kernel`);
  return k.kernelFunc;
}

function run(name: string, backend: tf.KernelBackend, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
  return stock(name)({ inputs, backend, attrs: attrs as any }) as TensorInfo;
}

/**
 * Stock BatchMatMul reshapes both operands to max(batchA, batchB) entries, so when both broadcast
 * batch dims against each other ([2,1,m,k]·[1,3,k,n] → [2,3,m,n]) it throws ("Size(60) must match
 * the product of shape 2,3,4,5"). Tile both to the full batch shape first (as ./cpu.ts does for cpu).
 */
const batchMatMul: KernelFunc = (args) => {
  const { inputs, attrs } = args;
  const backend = args.backend as tf.KernelBackend;
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const sizeA = outerA.reduce((p, q) => p * q, 1);
  const sizeB = outerB.reduce((p, q) => p * q, 1);
  if (sizeA === 1 || sizeB === 1 || (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]))) return stock('BatchMatMul')(args);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const full = (t: TensorInfo): TensorInfo => {
    const padded = [...Array<number>(outer.length - (t.shape.length - 2)).fill(1), ...t.shape];
    const reps = [...outer.map((d, i) => d / padded[i]), 1, 1];
    const r = run('Reshape', backend, { x: t }, { shape: padded });
    const tiled = run('Tile', backend, { x: r }, { reps });
    backend.disposeData(r.dataId);
    return tiled;
  };
  const fa = full(a);
  const fb = full(b);
  const out = run('BatchMatMul', backend, { a: fa, b: fb }, attrs);
  backend.disposeData(fa.dataId);
  backend.disposeData(fb.dataId);
  return out;
};

/**
 * Stock UnsortedSegmentSum of int32 values writes float32 bits into the int32 output (2 reads back
 * as 1073741824). Sum in float32 (exact below 2²⁴) and cast back.
 */
const unsortedSegmentSum: KernelFunc = (args) => {
  const { inputs, attrs } = args;
  const backend = args.backend as tf.KernelBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  if (x.dtype !== 'int32') return stock('UnsortedSegmentSum')(args);
  const xf = run('Cast', backend, { x }, { dtype: 'float32' });
  const sum = run('UnsortedSegmentSum', backend, { x: xf, segmentIds }, attrs);
  const out = run('Cast', backend, { x: sum }, { dtype: 'int32' });
  backend.disposeData(xf.dataId);
  backend.disposeData(sum.dataId);
  return out;
};

/**
 * Stock max-pool position search (MaxPoolGrad, MaxPoolWithArgmax) keeps the **last** maximum of a
 * window (`value >= max`); TensorFlow, cpu and the reference keep the first, so with ties (ReLU
 * zeros, quantised inputs) the gradient went to another element. Run the stock kernel with that one
 * comparison made strict (a separate shader key, so the stock shader stays cached as it is).
 */
const STOCK_TIE = 'if (value >= currMaxValue) {';
const FIRST_MAX = 'if (maxValueFound == 0.0 || value > maxValue) {';

function withFirstMaximum(name: string): KernelFunc {
  return (args) => {
    const backend = args.backend as WebgpuBackend;
    const runProgram = backend.runWebGPUProgram;
    backend.runWebGPUProgram = function (program, ...rest) {
      if (program.shaderKey.startsWith('pool2D_max_true') && !program.shaderKey.endsWith('_firstmax')) {
        const code = program.getUserCode();
        if (!code.includes(STOCK_TIE)) throw new Error(`paperzoo: tfjs-backend-webgpu's max-pool shader changed; ${name} cannot keep the first maximum`);
        program.shaderKey += '_firstmax';
        program.getUserCode = () => code.replace(STOCK_TIE, FIRST_MAX);
      }
      return runProgram.call(this, program, ...rest);
    };
    try {
      return stock(name)(args);
    } finally {
      backend.runWebGPUProgram = runProgram;
    }
  };
}

/**
 * Stock AvgPoolGrad divides every window's gradient by the full window size, while the forward pass
 * divides by the in-bounds count ('same' and explicit padding). Scale dy by size / count per output
 * position (computed here from the shapes), then run the stock kernel.
 */
const avgPoolGrad: KernelFunc = (args) => {
  const { inputs, attrs } = args;
  const backend = args.backend as tf.KernelBackend;
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as any;
  const info = backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const size = info.filterHeight * info.filterWidth;
  const scale = new Float32Array(info.outHeight * info.outWidth);
  let partial = false;
  for (let r = 0; r < info.outHeight; r++) {
    const r0 = r * info.strideHeight - info.padInfo.top;
    const rows = Math.min(r0 + info.filterHeight, info.inHeight) - Math.max(r0, 0);
    for (let c = 0; c < info.outWidth; c++) {
      const c0 = c * info.strideWidth - info.padInfo.left;
      const cols = Math.min(c0 + info.filterWidth, info.inWidth) - Math.max(c0, 0);
      const count = rows * cols;
      scale[r * info.outWidth + c] = count > 0 ? size / count : 0;
      if (count !== size) partial = true;
    }
  }
  if (!partial) return stock('AvgPoolGrad')(args);
  const b = backend as WebgpuBackend;
  const s = b.makeTensorInfo([1, info.outHeight, info.outWidth, 1], 'float32', scale);
  const scaled = run('Multiply', backend, { a: dy, b: s });
  const out = run('AvgPoolGrad', backend, { dy: scaled, input }, attrs);
  backend.disposeData(s.dataId);
  backend.disposeData(scaled.dataId);
  return out;
};

/** Thrown where paperzoo knows a stock webgpu kernel is wrong and has no fix: never a silent wrong answer. */
export class WebgpuUnsupportedError extends Error {
  constructor(kernel: string, what: string) {
    super(`${kernel} on webgpu: ${what} is not supported${kernel === 'readSync' ? '' : ' (tfjs-backend-webgpu 4.22.0 computes it wrong); use the native, wasm or cpu backend for it'}`);
    this.name = 'WebgpuUnsupportedError';
  }
}

/**
 * Stock depthwise-conv gradients ignore dilations (relative errors 1.3–2.0 in the conformance suite's
 * dilated cases), as the stock cpu ones do. Refused with a clear error for dilation > 1; passed through otherwise.
 */
function refuseDilated(name: string): KernelFunc {
  return (args) => {
    const d = (args.attrs as { dilations?: number | [number, number] }).dilations ?? 1;
    const [dh, dw] = typeof d === 'number' ? [d, d] : d;
    if (dh !== 1 || dw !== 1) throw new WebgpuUnsupportedError(name, `dilation ${dh}×${dw}`);
    return stock(name)(args);
  };
}

/**
 * Synchronous reads (`dataSync`, `arraySync`, `bufferSync`) of a tensor that lives on the GPU: tfjs's
 * webgpu backend does them through an OffscreenCanvas, which Node has not, and Dawn has no blocking
 * buffer map. Stock throws "ReferenceError: OffscreenCanvas is not defined"; this says what to do
 * instead. Data still on the CPU side (uploaded, never used by a kernel) reads as before.
 */
export function clarifySyncReads(backend: tf.KernelBackend): void {
  const b = backend as tf.KernelBackend & { __paperzooSyncReads?: boolean };
  if (b.__paperzooSyncReads || typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  b.__paperzooSyncReads = true;
  const readSync = b.readSync.bind(b);
  b.readSync = (dataId) => {
    try {
      return readSync(dataId);
    } catch (e) {
      if (e instanceof ReferenceError && /OffscreenCanvas/.test(e.message)) {
        throw new WebgpuUnsupportedError('readSync', 'a synchronous read (dataSync, arraySync, bufferSync) of a GPU tensor under Node (no OffscreenCanvas, no blocking buffer map); use `await tensor.data()` or `await tensor.array()`');
      }
      throw e;
    }
  };
}

export interface WebgpuKernelFix extends KernelFix {
  /** Set when paperzoo refuses part of the kernel's domain with a {@link WebgpuUnsupportedError}. */
  refuses?: string;
}

export const WEBGPU_KERNELS: readonly WebgpuKernelFix[] = [
  { kernelName: 'BatchMatMul', stock: 'wrong', why: 'when both operands broadcast batch dims ([2,1,m,k]·[1,3,k,n]) stock throws a reshape error; ours tiles both first', kernelFunc: batchMatMul },
  { kernelName: 'UnsortedSegmentSum', stock: 'wrong', why: 'stock writes float32 bits into an int32 output (int32 sums read back as 1073741824); ours sums in float32 and casts', kernelFunc: unsortedSegmentSum },
  { kernelName: 'MaxPoolGrad', stock: 'wrong', why: 'stock gives a tied window’s gradient to its last maximum; TensorFlow and cpu to the first (ReLU zeros, quantised inputs)', kernelFunc: withFirstMaximum('MaxPoolGrad') },
  { kernelName: 'MaxPoolWithArgmax', stock: 'wrong', why: 'same position search as stock MaxPoolGrad: the last maximum of a tied window', kernelFunc: withFirstMaximum('MaxPoolWithArgmax') },
  { kernelName: 'AvgPoolGrad', stock: 'wrong', why: "stock divides by the full window size; the forward pass divides by the in-bounds count ('same' borders)", kernelFunc: avgPoolGrad },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', stock: 'wrong', refuses: 'dilation > 1', why: 'stock ignores dilations; paperzoo throws WebgpuUnsupportedError for dilation > 1 rather than return a wrong gradient', kernelFunc: refuseDilated('DepthwiseConv2dNativeBackpropInput') },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', stock: 'wrong', refuses: 'dilation > 1', why: 'stock ignores dilations (as above)', kernelFunc: refuseDilated('DepthwiseConv2dNativeBackpropFilter') },
];

let registered = false;

/** Register {@link WEBGPU_KERNELS} for 'webgpu' (once; after @tensorflow/tfjs-backend-webgpu is loaded). */
export function registerWebgpuKernels(): void {
  if (registered || tf.getKernel('BatchMatMul', 'webgpu') == null) return;
  registered = true;
  for (const { kernelName, kernelFunc } of WEBGPU_KERNELS) overrideKernel(kernelName, 'webgpu', kernelFunc);
}
