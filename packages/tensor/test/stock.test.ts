/**
 * What stock tfjs 4.22.0 does for every kernel paperzoo replaces or adds — pinned, so the README's
 * kernel table says what is measured, and so a tfjs upgrade that fixes one shows up here (the
 * override can then go). Each case runs the stock kernel (put back with withStockKernels) against the
 * float64 reference.
 */
import { describe, expect, it } from 'vitest';
import { tf, withStockKernels } from '../src/index.js';
import { on, tensor } from './backends.js';
import * as ref from './reference.js';

const valid: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'valid' };
const same: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'same' };

function poolCase(negative: boolean): { x: ref.Tensor64; dy: ref.Tensor64 } {
  const random = ref.rng(42);
  const x = ref.randomTensor([2, 7, 7, 3], random, negative ? -3 : -1, negative ? -0.5 : 1);
  return { x, dy: ref.randomTensor([2, 4, 4, 3], random) };
}

async function stockAndOurs(backend: 'cpu' | 'wasm', kernel: string, fn: () => tf.Tensor[]): Promise<{ stock: Float64Array[]; ours: Float64Array[] }> {
  const ours = await on(backend, fn);
  const stock = await withStockKernels(backend, () => on(backend, fn), [kernel]);
  return { stock, ours };
}

describe('stock wasm', () => {
  it('MaxPoolGrad: wrong where a window’s max is negative (gradient 0 or misplaced)', async () => {
    const { x, dy } = poolCase(true);
    const want = ref.maxPoolBackprop(x, dy, [3, 3], same).data;
    const { stock, ours } = await stockAndOurs('wasm', 'MaxPoolGrad', () => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'), tensor(dy))))(tensor(x))]);
    expect(ref.relError(stock[0], want)).toBeGreaterThan(0.1);
    expect(ref.relError(ours[0], want)).toBeLessThan(1e-6);
  });

  it('MaxPoolWithArgmax: wrong argmax where a window’s max is negative', async () => {
    const { x } = poolCase(true);
    const want = Array.from(ref.maxPool(x, [3, 3], same).argmax);
    const { stock, ours } = await stockAndOurs('wasm', 'MaxPoolWithArgmax', () => [tf.maxPoolWithArgmax(tensor(x) as tf.Tensor4D, 3, 2, 'same', true).indexes]);
    expect(Array.from(stock[0])).not.toEqual(want);
    expect(Array.from(ours[0])).toEqual(want);
  });

  it('OneHot: wrong for a float32 output (int32 bits written into it) and for fractional on/off values', async () => {
    const fn = () => [tf.oneHot(tf.tensor1d([2, 0, -1, 5], 'int32'), 4, 0.9, 0.025, 'float32')];
    const want = [0.025, 0.025, 0.9, 0.025, 0.9, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025];
    const { stock, ours } = await stockAndOurs('wasm', 'OneHot', fn);
    expect(ref.relError(stock[0], Float64Array.from(want))).toBeGreaterThan(0.5);
    Array.from(ours[0]).forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
    const cpu = await on('cpu', fn);
    expect(Array.from(ours[0])).toEqual(Array.from(cpu[0]));
    const ints = await on('wasm', () => [tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4)]); // the int32 default still right
    expect(Array.from(ints[0])).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('AvgPoolGrad: wrong at "same" borders (divides by the full window, the forward pass by the in-image count)', async () => {
    const { x, dy } = poolCase(false);
    const want = ref.avgPoolBackprop(x, dy, [3, 3], same).data;
    const { stock, ours } = await stockAndOurs('wasm', 'AvgPoolGrad', () => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 2, 'same'), tensor(dy))))(tensor(x))]);
    expect(ref.relError(stock[0], want)).toBeGreaterThan(0.05);
    expect(ref.relError(ours[0], want)).toBeLessThan(1e-6);
  });

  it.each(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'UnsortedSegmentSum'])('%s: missing (training throws)', async (kernel) => {
    const grad = (): tf.Tensor[] => {
      const x = tf.ones([1, 4, 4, 2]);
      if (kernel === 'UnsortedSegmentSum') return [tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, [0, 0, 1])))(tf.ones([3, 2]))];
      const conv = kernel === 'Conv2DBackpropFilter' ? (w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same') : (w: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
      return [tf.grad((w: tf.Tensor) => tf.sum(conv(w)))(tf.ones([2, 2, 2, 1]))];
    };
    await expect(withStockKernels('wasm', () => on('wasm', grad), [kernel])).rejects.toThrow(new RegExp(`'${kernel}' not registered`));
    await expect(on('wasm', grad)).resolves.toHaveLength(1);
  });

  it.each(['Conv2DBackpropInput', 'BatchMatMul'])('%s: correct, only slow (see bench/tensor.ts)', async (kernel) => {
    const random = ref.rng(7);
    const a = ref.randomTensor([3, 9, 11], random);
    const b = ref.randomTensor([3, 7, 11], random);
    const x = ref.randomTensor([2, 8, 8, 3], random);
    const w = ref.randomTensor([3, 3, 3, 4], random);
    const dy = ref.randomTensor([2, 4, 4, 4], random);
    const spec: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'same' };
    const fn = (): tf.Tensor[] =>
      kernel === 'BatchMatMul' ? [tf.matMul(tensor(a), tensor(b), false, true)] : [tf.conv2dTranspose(tensor(dy) as tf.Tensor4D, tensor(w) as tf.Tensor4D, [2, 8, 8, 3], 2, 'same')];
    const want = kernel === 'BatchMatMul' ? ref.matMul(a, b, false, true).data : ref.conv2dBackprop(x, w, dy, spec).dx.data;
    const { stock, ours } = await stockAndOurs('wasm', kernel, fn);
    expect(ref.relError(stock[0], want)).toBeLessThan(2e-5);
    expect(ref.relError(ours[0], want)).toBeLessThan(2e-5);
  });
});

describe('stock cpu', () => {
  it('OneHot: wrong for a float32 output (int32 bits written into it) and for fractional on/off values', async () => {
    const fn = () => [tf.oneHot(tf.tensor1d([2, 0, -1, 5], 'int32'), 4, 0.9, 0.025, 'float32')];
    const want = [0.025, 0.025, 0.9, 0.025, 0.9, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025];
    const { stock, ours } = await stockAndOurs('wasm', 'OneHot', fn);
    expect(ref.relError(stock[0], Float64Array.from(want))).toBeGreaterThan(0.5);
    Array.from(ours[0]).forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
    const cpu = await on('cpu', fn);
    expect(Array.from(ours[0])).toEqual(Array.from(cpu[0]));
    const ints = await on('wasm', () => [tf.oneHot(tf.tensor1d([1, 3], 'int32'), 4)]); // the int32 default still right
    expect(Array.from(ints[0])).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it('AvgPoolGrad: wrong at "same" borders (divides by the full window, the forward pass by the in-image count)', async () => {
    const { x, dy } = poolCase(false);
    const want = ref.avgPoolBackprop(x, dy, [3, 3], same).data;
    const { stock, ours } = await stockAndOurs('cpu', 'AvgPoolGrad', () => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 2, 'same'), tensor(dy))))(tensor(x))]);
    expect(ref.relError(stock[0], want)).toBeGreaterThan(0.05);
    expect(ref.relError(ours[0], want)).toBeLessThan(1e-6);
    // ... and right where no window is partial ('valid'):
    const wantValid = ref.avgPoolBackprop(x, ref.randomTensor([2, 3, 3, 3], ref.rng(1)), [3, 3], valid).data;
    const stockValid = await withStockKernels('cpu', () => on('cpu', () => [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 2, 'valid'), tensor(ref.randomTensor([2, 3, 3, 3], ref.rng(1))))))(tensor(x))]), ['AvgPoolGrad']);
    expect(ref.relError(stockValid[0], wantValid)).toBeLessThan(1e-6);
  });

  it('Conv2DBackpropFilter: correct, only slow (see bench/tensor.ts)', async () => {
    const random = ref.rng(8);
    const x = ref.randomTensor([2, 8, 8, 3], random);
    const w = ref.randomTensor([3, 3, 3, 4], random);
    const dy = ref.randomTensor([2, 4, 4, 4], random);
    const want = ref.conv2dBackprop(x, w, dy, { stride: [2, 2], dilation: [1, 1], pad: 'same' }).dw.data;
    const { stock, ours } = await stockAndOurs('cpu', 'Conv2DBackpropFilter', () => [
      tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(tensor(x) as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), tensor(dy))))(tensor(w)),
    ]);
    expect(ref.relError(stock[0], want)).toBeLessThan(2e-5);
    expect(ref.relError(ours[0], want)).toBeLessThan(2e-5);
  });

  it('BatchMatMul: wrong when both operands broadcast batch dims', async () => {
    const random = ref.rng(3);
    const a = ref.randomTensor([2, 1, 4, 6], random);
    const b = ref.randomTensor([1, 3, 6, 5], random);
    const want = ref.matMul(a, b).data;
    const { stock, ours } = await stockAndOurs('cpu', 'BatchMatMul', () => [tf.matMul(tensor(a), tensor(b))]);
    expect(stock[0].length !== want.length || ref.relError(stock[0], want) > 0.1).toBe(true);
    expect(ref.relError(ours[0], want)).toBeLessThan(2e-5);
  });
});
