/**
 * Every op of the n-d engine against central finite differences in float64 (docs/style.md §6).
 * L = Σ op(inputs) ⊙ R for a fixed random R, so each check is a generic vector–Jacobian product.
 * Tolerance: |analytic − FD| ≤ 1e-7 + 1e-6·|FD| with h = 1e-5 (truncation error O(h²) ≈ 1e-10,
 * rounding ≈ 1e-16/h ≈ 1e-11; linear ops agree to rounding).
 */
import { describe, expect, it } from 'vitest';
import { Value, add, conv2d, matmul, maxPool, mul, reshape, sum, tensor, zeros } from '../src/index.js';
import { OP_CASES } from './engine-cases.js';
import { expectClose, finiteDifferences, randomTensor, rng, weightedSum } from './helpers.js';

const FD_TOLERANCE = { atol: 1e-7, rtol: 1e-6 };

describe('n-d engine gradients vs central finite differences (float64)', () => {
  OP_CASES.forEach((c, caseIndex) => {
    it(c.name, () => {
      const r = rng(`fd-${caseIndex}`);
      const inputs = c.inputs.map((spec) => randomTensor(r, spec));
      const out = c.ours(inputs);
      const weights = randomTensor(r, { shape: out.shape.slice() }).data;
      // analytic: seed ∂L/∂out = R and backpropagate
      out.backward(weights);
      const expected = finiteDifferences(c.ours, inputs, weights);
      inputs.forEach((x, i) => expectClose(x.grad, expected[i], FD_TOLERANCE, `${c.name}: ∂L/∂input${i}`));
      expect(Number.isFinite(weightedSum(out, weights))).toBe(true);
    });
  });
});

describe('scalar Value engine vs central finite differences', () => {
  const ops: Array<[string, (a: Value, b: Value) => Value, [number, number]]> = [
    ['add', (a, b) => a.add(b), [0.7, -1.3]],
    ['sub', (a, b) => a.sub(b), [0.7, -1.3]],
    ['mul', (a, b) => a.mul(b), [0.7, -1.3]],
    ['div', (a, b) => a.div(b), [0.7, -1.3]],
    ['pow', (a, b) => a.pow(b), [1.7, -0.4]],
    ['neg', (a) => a.neg(), [0.7, 0]],
    ['exp', (a) => a.exp(), [0.7, 0]],
    ['log', (a) => a.log(), [0.7, 0]],
    ['tanh', (a) => a.tanh(), [0.7, 0]],
    ['sigmoid', (a) => a.sigmoid(), [-0.7, 0]],
    ['relu (positive)', (a) => a.relu(), [0.7, 0]],
    ['relu (negative)', (a) => a.relu(), [-0.7, 0]],
    ['a composite: tanh(a·b + a)² / (1 + e^b) − log(a)', (a, b) => a.mul(b).add(a).tanh().pow(2).div(b.exp().add(1)).sub(a.log()), [0.9, -0.6]],
  ];
  for (const [name, f, [a0, b0]] of ops) {
    it(name, () => {
      const a = new Value(a0);
      const b = new Value(b0);
      f(a, b).backward();
      const h = 1e-6;
      const fdA = (f(new Value(a0 + h), new Value(b0)).data - f(new Value(a0 - h), new Value(b0)).data) / (2 * h);
      const fdB = (f(new Value(a0), new Value(b0 + h)).data - f(new Value(a0), new Value(b0 - h)).data) / (2 * h);
      expectClose([a.grad, b.grad], [fdA, fdB], FD_TOLERANCE, name);
    });
  }

  it('a value used twice receives both gradients (d(x·x)/dx = 2x), and a long chain does not overflow the stack', () => {
    const x = new Value(3);
    x.mul(x).backward();
    expect(x.grad).toBe(6);
    const y = new Value(1);
    let z = y;
    for (let i = 0; i < 100_000; i++) z = z.add(1);
    z.backward();
    expect(y.grad).toBe(1);
  });
});

describe('Tensor engine mechanics', () => {
  it('accumulates gradients across backward calls until zeroGrad, like micrograd and PyTorch leaves', () => {
    const x = tensor([1, 2, 3]);
    const loss = () => sum(mul(x, x)); // Σ x², gradient 2x
    loss().backward();
    loss().backward();
    expect(Array.from(x.grad)).toEqual([4, 8, 12]);
    x.zeroGrad();
    loss().backward();
    expect(Array.from(x.grad)).toEqual([2, 4, 6]);
  });

  it('needs a seed to backpropagate from a non-scalar, and says so', () => {
    expect(() => mul(tensor([1, 2]), 2).backward()).toThrow(/needs a seed/);
    const x = tensor([1, 2]);
    mul(x, 3).backward([1, 10]);
    expect(Array.from(x.grad)).toEqual([3, 30]);
  });

  it('rejects shapes that do not broadcast or multiply, naming them', () => {
    expect(() => add(zeros([2, 3]), zeros([2]))).toThrow(/\[2, 3\] and \[2\] cannot be broadcast/);
    expect(() => matmul(zeros([2, 3]), zeros([2, 3]))).toThrow(/do not multiply/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/do not fill/);
  });

  it('builds tensors from nested arrays, infers a reshape axis, and computes conv output sizes like tfjs', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(reshape(t, [3, -1]).shape).toEqual([3, 2]);
    expect(conv2d(zeros([1, 7, 6, 1]), zeros([3, 2, 1, 1]), { strides: 2, pad: 'same' }).shape).toEqual([1, 4, 3, 1]);
    expect(conv2d(zeros([1, 7, 6, 1]), zeros([3, 3, 1, 1]), { strides: [2, 1], pad: 'valid' }).shape).toEqual([1, 3, 4, 1]);
    expect(maxPool(zeros([1, 5, 5, 1]), { filterSize: 3, strides: 2, pad: 1 }).shape).toEqual([1, 3, 3, 1]);
  });
});
