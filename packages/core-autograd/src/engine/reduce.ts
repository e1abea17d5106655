/**
 * Reductions over axes: sum, mean, max.
 *
 * Backpropagation (Rumelhart, Hinton & Williams 1986, https://doi.org/10.1038/323533a0, eq. (7)):
 *
 *   sum:  out_j = Σ_{i→j} x_i            ∂E/∂x_i = ∂E/∂out_j
 *   mean: out_j = (1/n) Σ_{i→j} x_i      ∂E/∂x_i = ∂E/∂out_j / n
 *   max:  out_j = max_{i→j} x_i          ∂E/∂x_i = ∂E/∂out_j · [x_i = out_j]
 *
 * where i→j means input element i is reduced into output element j. For max, every element equal to
 * the maximum receives the full gradient (tfjs's convention; ties have measure zero on random inputs).
 */
import { Tensor, sizeOf, stridesOf } from './tensor.js';

interface Reduction {
  shape: number[];
  /** For each input element, the output element it is reduced into. */
  target: Int32Array;
  /** How many input elements feed each output element. */
  count: number;
}

function normalizeAxes(rank: number, axis?: number | readonly number[]): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const axes = list.map((a) => (a < 0 ? a + rank : a));
  for (const a of axes) if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`axis ${a} out of range for rank ${rank}`);
  return [...new Set(axes)].sort((p, q) => p - q);
}

function plan(shape: readonly number[], axis: number | readonly number[] | undefined, keepDims: boolean): Reduction {
  const axes = normalizeAxes(shape.length, axis);
  const reduced = new Set(axes);
  const kept = shape.map((d, i) => (reduced.has(i) ? 1 : d)); // same rank, reduced axes → 1
  const keptStrides = stridesOf(kept);
  const size = sizeOf(shape);
  const target = new Int32Array(size);
  const counter = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < size; k++) {
    let j = 0;
    for (let a = 0; a < shape.length; a++) if (!reduced.has(a)) j += counter[a] * keptStrides[a];
    target[k] = j;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++counter[a] < shape[a]) break;
      counter[a] = 0;
    }
  }
  let count = 1;
  for (const a of axes) count *= shape[a];
  const outShape = keepDims ? kept : shape.filter((_, i) => !reduced.has(i));
  return { shape: outShape, target, count };
}

/** Σ over `axis` (all axes when omitted). */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const { shape, target } = plan(x.shape, axis, keepDims);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < x.size; i++) data[target[i]] += x.data[i];
  return Tensor.fromOp(data, shape, [x], 'sum', (out) => {
    for (let i = 0; i < x.size; i++) x.grad[i] += out.grad[target[i]];
  });
}

/** Mean over `axis` (all axes when omitted). */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const { shape, target, count } = plan(x.shape, axis, keepDims);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < x.size; i++) data[target[i]] += x.data[i] / count;
  return Tensor.fromOp(data, shape, [x], 'mean', (out) => {
    for (let i = 0; i < x.size; i++) x.grad[i] += out.grad[target[i]] / count;
  });
}

/** Maximum over `axis` (all axes when omitted). */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const { shape, target } = plan(x.shape, axis, keepDims);
  const data = new Float64Array(sizeOf(shape)).fill(-Infinity);
  for (let i = 0; i < x.size; i++) if (x.data[i] > data[target[i]]) data[target[i]] = x.data[i];
  return Tensor.fromOp(data, shape, [x], 'max', (out) => {
    for (let i = 0; i < x.size; i++) if (x.data[i] === data[target[i]]) x.grad[i] += out.grad[target[i]];
  });
}
