/**
 * Shape ops: reshape and transpose. They move values without changing them, so backpropagation
 * (Rumelhart, Hinton & Williams 1986, https://doi.org/10.1038/323533a0, eq. (7)) moves each gradient
 * back to where its value came from:
 *
 *   reshape:   ∂E/∂x = reshape(∂E/∂out, shape(x))
 *   transpose: ∂E/∂x = transpose(∂E/∂out, perm⁻¹)
 */
import { Tensor, sizeOf, stridesOf } from './tensor.js';

/** The same values in a new shape with as many elements; one axis may be −1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const inferred = shape.indexOf(-1);
  let target = shape.slice();
  if (inferred >= 0) {
    const known = sizeOf(shape.filter((_, i) => i !== inferred));
    target = shape.map((d, i) => (i === inferred ? x.size / known : d));
  }
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: [${x.shape.join(', ')}] has ${x.size} elements, [${shape.join(', ')}] does not`);
  }
  return Tensor.fromOp(x.data.slice(), target, [x], 'reshape', (out) => {
    for (let i = 0; i < x.size; i++) x.grad[i] += out.grad[i];
  });
}

/** Permute the axes: out axis i is input axis perm[i] (default: reverse the axes). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const rank = x.rank;
  const p = perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (p.length !== rank || new Set(p).size !== rank || p.some((a) => a < 0 || a >= rank)) {
    throw new RangeError(`transpose: perm [${p.join(', ')}] is not a permutation of ${rank} axes`);
  }
  const outShape = p.map((a) => x.shape[a]);
  const inStrides = stridesOf(x.shape);
  const source = new Int32Array(x.size); // for each output element, the input element it copies
  const counter = new Array<number>(rank).fill(0);
  for (let k = 0; k < x.size; k++) {
    let offset = 0;
    for (let i = 0; i < rank; i++) offset += counter[i] * inStrides[p[i]];
    source[k] = offset;
    for (let i = rank - 1; i >= 0; i--) {
      if (++counter[i] < outShape[i]) break;
      counter[i] = 0;
    }
  }
  const data = new Float64Array(x.size);
  for (let k = 0; k < x.size; k++) data[k] = x.data[source[k]];
  return Tensor.fromOp(data, outShape, [x], 'transpose', (out) => {
    for (let k = 0; k < x.size; k++) x.grad[source[k]] += out.grad[k];
  });
}
