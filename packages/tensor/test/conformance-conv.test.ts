/**
 * Conformance of the convolution kernels and gradients on every backend: forward and gradient against
 * the float64 reference (./reference.ts) and against cpu, over random shapes, strides, paddings
 * ('same', 'valid', a number, explicit), dilations, batch sizes, and inputs of both signs.
 *
 * Kernels exercised: Conv2D (forward, stock), Conv2DBackpropInput and Conv2DBackpropFilter (through
 * Conv2D's gradient, dilated ones included; ours on wasm, the filter one on cpu too),
 * DepthwiseConv2dNative and its two backprop kernels (ours on wasm and cpu).
 *
 * Tolerance: max |ours − reference| ≤ 2e-5 · max(1, max |reference|) — float32 sums of ≤ a few hundred
 * products of O(1) values.
 */
import { describe, expect, it } from 'vitest';
import { tf, withStockKernels, WebgpuUnsupportedError } from '../src/index.js';
import { ACCELERATED, ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

const TOL = 2e-5;

interface ConvCase {
  name: string;
  x: number[];
  filter: number[];
  spec: ref.ConvSpec;
}

function describeCase(x: number[], filter: number[], spec: ref.ConvSpec): string {
  const pad = typeof spec.pad === 'object' ? `[${spec.pad.slice(1, 3).map((p) => p.join(',')).join(';')}]` : String(spec.pad);
  return `x ${x.join('×')} · w ${filter.join('×')} stride ${spec.stride.join(',')} dilation ${spec.dilation.join(',')} pad ${pad}`;
}

/** Random cases, including strides > 1, dilations > 1 (tfjs allows only one of the two), all pads. */
function randomConvCases(n: number, seed: number, depthwise: boolean): ConvCase[] {
  const random = ref.rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const cases: ConvCase[] = [];
  const pads: ((i: number) => ref.Pad)[] = [
    () => 'same',
    () => 'valid',
    () => [[0, 0], [int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)], [0, 0]],
    () => int(0, 2),
  ];
  while (cases.length < n) {
    const i = cases.length;
    const stride: [number, number] = i % 3 === 0 ? [1, 1] : [int(1, 3), int(1, 3)];
    const dilation: [number, number] = stride[0] === 1 && stride[1] === 1 && i % 2 === 0 ? [int(1, 2), int(2, 3)] : [1, 1];
    const x = [int(1, 3), int(4, 10), int(4, 10), int(1, 4)];
    const filter = [int(1, 4), int(1, 4), x[3], depthwise ? int(1, 2) : int(1, 5)];
    const spec = { stride, dilation, pad: pads[i % pads.length](i) };
    if (typeof spec.pad === 'number') {
      // tfjs sizes a numeric pad's output with the filter height and row stride for both axes
      // (conv_util.computeOutputShape2D), so only square windows and equal strides are meaningful.
      filter[1] = filter[0];
      stride[1] = stride[0];
      dilation[1] = dilation[0];
    }
    const g = ref.geometry(x[1], x[2], filter[0], filter[1], stride, dilation, spec.pad);
    if (g.outH < 1 || g.outW < 1) continue;
    cases.push({ name: describeCase(x, filter, spec), x, filter, spec });
  }
  return cases;
}

const unit: [number, number] = [1, 1];
const LENET: ConvCase[] = [
  { x: [2, 32, 32, 1], filter: [5, 5, 1, 6], spec: { stride: unit, dilation: unit, pad: 'valid' as const } },
  { x: [2, 14, 14, 6], filter: [5, 5, 6, 16], spec: { stride: unit, dilation: unit, pad: 'valid' as const } },
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 6], spec: { stride: unit, dilation: unit, pad: 'same' as const } },
].map((c) => ({ ...c, name: 'LeNet ' + describeCase(c.x, c.filter, c.spec) }));

const CONV_CASES = [...LENET, ...randomConvCases(24, 7, false)];
const DEPTHWISE_CASES = randomConvCases(12, 11, true);

function tfPad(pad: ref.Pad): 'same' | 'valid' | number | tf.backend_util.ExplicitPadding {
  return pad;
}

interface Inputs {
  x: ref.Tensor64;
  w: ref.Tensor64;
  dy: ref.Tensor64;
}

function inputsFor(c: ConvCase, index: number, outShape: (x: ref.Tensor64, w: ref.Tensor64) => number[]): Inputs {
  const random = ref.rng(1000 + index);
  // Every third case is all-negative input, to catch sign-dependent bugs.
  const x = index % 3 === 2 ? ref.randomTensor(c.x, random, -2, -0.1) : ref.randomTensor(c.x, random);
  const w = ref.randomTensor(c.filter, random);
  const dy = ref.randomTensor(outShape(x, w), random);
  return { x, w, dy };
}

async function convOn(backend: Parameters<typeof on>[0], c: ConvCase, inp: Inputs): Promise<Float64Array[]> {
  return on(backend, () => {
    const x = tensor(inp.x) as tf.Tensor4D;
    const w = tensor(inp.w) as tf.Tensor4D;
    const dy = tensor(inp.dy);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => tf.conv2d(a, b, c.spec.stride, tfPad(c.spec.pad), 'NHWC', c.spec.dilation);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    return [f(x, w), dx, dw];
  });
}

async function depthwiseOn(backend: Parameters<typeof on>[0], c: ConvCase, inp: Inputs): Promise<Float64Array[]> {
  return on(backend, () => {
    const x = tensor(inp.x) as tf.Tensor4D;
    const w = tensor(inp.w) as tf.Tensor4D;
    const dy = tensor(inp.dy);
    const f = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D => tf.depthwiseConv2d(a, b, c.spec.stride, tfPad(c.spec.pad), 'NHWC', c.spec.dilation);
    const y = f(x, w);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), dy)))([x, w]);
    return [y, dx, dw];
  });
}

function expectClose(label: string, got: Float64Array, want: ArrayLike<number>, tol = TOL): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: relative error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`conv2d on ${backend}`, () => {
    it.each(CONV_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
      const inp = inputsFor(c, i, (x, w) => ref.conv2d(x, w, c.spec).shape);
      const want = ref.conv2d(inp.x, inp.w, c.spec);
      const grads = ref.conv2dBackprop(inp.x, inp.w, inp.dy, c.spec);
      const [y, dx, dw] = await convOn(backend, c, inp);
      expectClose('forward vs reference', y, want.data);
      expectClose('dx vs reference', dx, grads.dx.data);
      expectClose('dw vs reference', dw, grads.dw.data);
      if (ACCELERATED.includes(backend)) {
        const [cy, cdx, cdw] = await convOn('cpu', c, inp);
        expectClose('forward vs cpu', y, cy);
        expectClose('dx vs cpu', dx, cdx);
        expectClose('dw vs cpu', dw, cdw);
      }
    });
  });

  describe.skipIf(!AVAILABLE[backend])(`depthwiseConv2d on ${backend}`, () => {
    it.each(DEPTHWISE_CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
      const inp = inputsFor(c, i, (x, w) => ref.depthwiseConv2d(x, w, c.spec).shape);
      const want = ref.depthwiseConv2d(inp.x, inp.w, c.spec);
      const grads = ref.depthwiseConv2dBackprop(inp.x, inp.w, inp.dy, c.spec);
      const dilated = c.spec.dilation[0] !== 1 || c.spec.dilation[1] !== 1;
      if (backend === 'webgpu' && dilated) {
        // Listed unsupported on webgpu (src/kernels/webgpu.ts): the forward pass is right, the gradients
        // throw a WebgpuUnsupportedError naming the kernel; the stock kernels they replace are wrong.
        const [y] = await on(backend, () => [tf.depthwiseConv2d(tensor(inp.x) as tf.Tensor4D, tensor(inp.w) as tf.Tensor4D, c.spec.stride, tfPad(c.spec.pad), 'NHWC', c.spec.dilation)]);
        expectClose('forward vs reference', y, want.data);
        await expect(depthwiseOn(backend, c, inp)).rejects.toThrow(WebgpuUnsupportedError);
        await expect(depthwiseOn(backend, c, inp)).rejects.toThrow(/DepthwiseConv2dNativeBackprop(Input|Filter) on webgpu: dilation \d×\d is not supported/);
        const stock = await withStockKernels('webgpu', () => depthwiseOn(backend, c, inp), ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']);
        expect(ref.relError(stock[1], grads.dx.data), 'stock webgpu dx is wrong for dilation > 1').toBeGreaterThan(1e-2);
        expect(ref.relError(stock[2], grads.dw.data), 'stock webgpu dw is wrong for dilation > 1').toBeGreaterThan(1e-2);
        return;
      }
      const got = await depthwiseOn(backend, c, inp);
      expectClose('forward vs reference', got[0], want.data);
      expectClose('dx vs reference', got[1], grads.dx.data);
      expectClose('dw vs reference', got[2], grads.dw.data);
      if (ACCELERATED.includes(backend)) {
        const cpu = await depthwiseOn('cpu', c, inp);
        got.forEach((g, k) => expectClose(`output ${k} vs cpu`, g, cpu[k]));
      }
    });
  });
}
