/**
 * Elementwise binary maths with broadcasting: add, sub, mul, div, pow.
 *
 * Backpropagation (Rumelhart, Hinton & Williams 1986, "Learning representations by back-propagating
 * errors", https://doi.org/10.1038/323533a0, eq. (7)) for `out = f(a, b)` elementwise:
 *
 *   ∂E/∂a_i = Σ_{k reads a_i} ∂E/∂out_k · ∂f/∂a(a_i, b_k)      (sum over the broadcast copies)
 *
 * with the local derivatives
 *   add: 1, 1   sub: 1, −1   mul: b, a   div: 1/b, −a/b²   pow: b·a^(b−1), a^b·ln a (0 where a ≤ 0).
 */
import { broadcastIndex, broadcastShapes } from './broadcast.js';
import { Tensor, asTensor, sizeOf, type TensorLike } from './tensor.js';

type Derivative = (a: number, b: number, out: number) => number;

function binary(op: string, x: TensorLike, y: TensorLike, f: (a: number, b: number) => number, dfa: Derivative, dfb: Derivative): Tensor {
  const a = asTensor(x);
  const b = asTensor(y);
  const shape = broadcastShapes(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) data[k] = f(a.data[ia[k]], b.data[ib[k]]);
  return Tensor.fromOp(data, shape, [a, b], op, (out) => {
    for (let k = 0; k < data.length; k++) {
      const g = out.grad[k];
      const av = a.data[ia[k]];
      const bv = b.data[ib[k]];
      a.grad[ia[k]] += g * dfa(av, bv, data[k]);
      b.grad[ib[k]] += g * dfb(av, bv, data[k]);
    }
  });
}

/** a + b (broadcasting). */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary('add', a, b, (x, y) => x + y, () => 1, () => 1);
}

/** a − b (broadcasting). */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary('sub', a, b, (x, y) => x - y, () => 1, () => -1);
}

/** a · b elementwise (broadcasting). */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary('mul', a, b, (x, y) => x * y, (_x, y) => y, (x) => x);
}

/** a / b elementwise (broadcasting). */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary('div', a, b, (x, y) => x / y, (_x, y) => 1 / y, (x, y) => -x / (y * y));
}

/**
 * a^b elementwise (broadcasting). The gradient with respect to the exponent, a^b·ln a, is taken as 0
 * where a ≤ 0 (as tfjs does), where ln a is undefined.
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    'pow',
    a,
    b,
    (x, y) => x ** y,
    (x, y) => y * x ** (y - 1),
    (x, _y, out) => (x > 0 ? out * Math.log(x) : 0),
  );
}
