import { beforeAll, describe, expect, it } from 'vitest';
import { Module, initBackend, tf, type Parameter, type ModuleOptions } from '../src/index.js';

/** y = x·W + b: [B, in] → [B, out]. */
class Affine extends Module {
  readonly w: Parameter;
  readonly b: Parameter;
  constructor(inputs: number, outputs: number, options: ModuleOptions = {}) {
    super('affine');
    this.w = this.store.add('fc/kernel', [inputs, outputs], { kind: 'normal', std: 1 });
    this.b = this.store.add('fc/bias', [outputs], { kind: 'custom', values: (n, rng) => Float32Array.from({ length: n }, () => rng() - 0.5) });
    this.store.add('stats/count', [1], { kind: 'zeros' }, { trainable: false });
    this.build(options);
  }
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.w.value as tf.Tensor2D), this.b.value);
  }
}

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const values = (m: Module) => Object.values(m.variables).map((v) => Array.from(v.dataSync()));

describe('Module', () => {
  it('initialises from its seed alone: the same seed gives the same values whatever was built before', () => {
    const a = new Affine(3, 2, { seed: 5 });
    const other = new Affine(4, 4, { seed: 9 });
    const b = new Affine(3, 2, { seed: 5 });
    const c = new Affine(3, 2, { seed: 6 });
    expect(values(b)).toEqual(values(a));
    expect(values(c)).not.toEqual(values(a));
    expect(Object.keys(a.variables)).toEqual(['fc/kernel', 'fc/bias']);
    expect(Object.keys(a.stateVariables)).toEqual(['stats/count']);
    for (const m of [a, other, b, c]) m.dispose();
  });

  it('counts parameters without allocating anything', () => {
    const before = tf.memory().numTensors;
    const m = new Affine(1000, 1000, { allocate: false });
    expect(m.parameterCount()).toBe(1000 * 1000 + 1000);
    expect(m.parameterShapes()).toEqual({ 'fc/kernel': [1000, 1000], 'fc/bias': [1000] });
    expect(m.parameterCountsByLayer()).toEqual({ fc: 1001000 });
    expect(tf.memory().numTensors).toBe(before);
    expect(() => m.variables).toThrow(/allocate: false/);
  });

  it('withParameters runs the forward pass on substitutes, leaves the variables alone, and always restores them', () => {
    const m = new Affine(2, 2, { seed: 1 });
    const x = tf.tensor2d([[1, -2], [0.5, 3]]);
    const w2 = tf.tensor2d([[1, 0], [0, -1]]);
    const own = m.apply(x).arraySync();
    const swapped = m.withParameters({ 'fc/kernel': w2 }, () => m.apply(x)).arraySync();
    const b = m.b.value.arraySync() as number[];
    const expected = [[1 + b[0], 2 + b[1]], [0.5 + b[0], -3 + b[1]]];
    swapped.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
    expect(m.apply(x).arraySync()).toEqual(own);
    expect(() => m.withParameters({ 'fc/kernal': w2 }, () => 0)).toThrow(/no parameter 'fc\/kernal'/);
    expect(() => m.withParameters({ 'fc/kernel': tf.zeros([3, 2]) }, () => 0)).toThrow(/shape \[3, 2\], expected \[2, 2\]/);
    expect(() =>
      m.withParameters({ 'fc/kernel': w2 }, () => {
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(m.apply(x).arraySync()).toEqual(own);
    m.dispose();
  });

  it("gives MAML's second-order meta-gradient through adapted parameters (closed form, float64)", () => {
    // Inner: L(w) = ½‖X w − t‖², w' = w − α Xᵀ(X w − t). Outer: L'(w') = ½‖Z w' − u‖².
    // dL'/dw = (I − α XᵀX) Zᵀ(Z w' − u): the (I − α XᵀX) factor is the second-order term.
    const X = [[1, 2], [-1, 0.5], [0.3, -2]];
    const t = [[0.5], [-1], [2]];
    const Z = [[2, -1], [0.2, 0.7]];
    const u = [[1], [-0.5]];
    const alpha = 0.1;
    const m = new Affine(2, 1, { seed: 3 });
    const w0 = (m.w.value.arraySync() as number[][]).map((r) => r[0]);
    const b0 = (m.b.value.arraySync() as number[])[0];
    // float64 reference (with the bias: predictions X w + b; the bias is not adapted here)
    const mat = (A: number[][], v: number[]) => A.map((r) => r.reduce((s, a, j) => s + a * v[j], 0));
    const rX = mat(X, w0).map((p, i) => p + b0 - t[i][0]);
    const gIn = [0, 1].map((j) => X.reduce((s, r, i) => s + r[j] * rX[i], 0));
    const wA = w0.map((w, j) => w - alpha * gIn[j]);
    const rZ = mat(Z, wA).map((p, i) => p + b0 - u[i][0]);
    const gOut = [0, 1].map((j) => Z.reduce((s, r, i) => s + r[j] * rZ[i], 0));
    const XtX = [0, 1].map((j) => [0, 1].map((k) => X.reduce((s, r) => s + r[j] * r[k], 0)));
    const expected = [0, 1].map((j) => gOut[j] - alpha * [0, 1].reduce((s, k) => s + XtX[j][k] * gOut[k], 0));

    const x = tf.tensor2d(X);
    const z = tf.tensor2d(Z);
    const meta = tf.grad((w: tf.Tensor) => {
      const inner = (v: tf.Tensor) => m.withParameters({ 'fc/kernel': v }, () => tf.mul(0.5, tf.sum(tf.square(tf.sub(m.apply(x), t)))));
      const adapted = tf.sub(w, tf.mul(alpha, tf.grad(inner)(w)));
      return m.withParameters({ 'fc/kernel': adapted }, () => tf.mul<tf.Scalar>(0.5, tf.sum(tf.square(tf.sub(m.apply(z), u)))));
    })(m.w.value);
    const got = Array.from(meta.dataSync());
    got.forEach((g, j) => expect(g).toBeCloseTo(expected[j], 4));
    // a first-order approximation (dropping I − αXᵀX) differs: the check would catch a stopped gradient
    expect(Math.abs(got[0] - gOut[0]) + Math.abs(got[1] - gOut[1])).toBeGreaterThan(1e-2);
    tf.dispose([x, z, meta]);
    m.dispose();
  });
});
