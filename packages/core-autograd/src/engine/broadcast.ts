/**
 * Broadcasting (NumPy / tfjs rules) for the n-d engine: shapes are aligned at their last axis, and an
 * axis of size 1 (or a missing one) is repeated to match the other. In the backward pass the repeated
 * axes are summed, since a value used k times receives the sum of k gradients (the chain rule of
 * Rumelhart et al. 1986, eq. (7)).
 */
import { sizeOf, stridesOf } from './tensor.js';

/** The broadcast shape of `a` and `b`, or a RangeError naming both. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of `outShape` (row-major), the index of the element of a tensor of shape
 * `inShape` that broadcasting reads there. `inShape` must broadcast to `outShape`.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const size = sizeOf(outShape);
  const inStrides = stridesOf(inShape);
  // Stride of each output axis in the input: 0 where the input repeats (size 1 or missing).
  const step = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const axis = rank - inShape.length + i;
    step[axis] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const index = new Int32Array(size);
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < size; k++) {
    index[k] = offset;
    // Advance the multi-index like an odometer, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += step[axis];
      if (counter[axis] < outShape[axis]) break;
      offset -= step[axis] * counter[axis];
      counter[axis] = 0;
    }
  }
  return index;
}
