/**
 * Elementwise unary maths: neg, exp, log, tanh, sigmoid, relu.
 *
 * Backpropagation (Rumelhart, Hinton & Williams 1986, https://doi.org/10.1038/323533a0, eq. (7)) for
 * `out = f(x)` elementwise is one multiplication per element:
 *
 *   ∂E/∂x_i = ∂E/∂out_i · f′(x_i)
 *
 *   neg: −1   exp: e^x (= out)   log: 1/x   tanh: 1 − out²   sigmoid: out(1 − out)   relu: [x > 0]
 *
 * sigmoid is the 1986 paper's unit, eq. (2): y_j = 1/(1 + e^{−x_j}), with dy/dx = y(1 − y).
 */
import { Tensor } from './tensor.js';

function unary(op: string, x: Tensor, f: (v: number) => number, df: (v: number, out: number) => number): Tensor {
  const data = new Float64Array(x.size);
  for (let i = 0; i < data.length; i++) data[i] = f(x.data[i]);
  return Tensor.fromOp(data, x.shape.slice(), [x], op, (out) => {
    for (let i = 0; i < data.length; i++) x.grad[i] += out.grad[i] * df(x.data[i], data[i]);
  });
}

/** −x */
export function neg(x: Tensor): Tensor {
  return unary('neg', x, (v) => -v, () => -1);
}

/** e^x */
export function exp(x: Tensor): Tensor {
  return unary('exp', x, Math.exp, (_v, out) => out);
}

/** ln x (natural logarithm) */
export function log(x: Tensor): Tensor {
  return unary('log', x, Math.log, (v) => 1 / v);
}

/** tanh x */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', x, Math.tanh, (_v, out) => 1 - out * out);
}

/** σ(x) = 1/(1 + e^−x) */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', x, (v) => 1 / (1 + Math.exp(-v)), (_v, out) => out * (1 - out));
}

/** max(0, x); the gradient at exactly 0 is 0 (as in tfjs). */
export function relu(x: Tensor): Tensor {
  return unary('relu', x, (v) => (v > 0 ? v : 0), (v) => (v > 0 ? 1 : 0));
}
