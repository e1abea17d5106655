/**
 * Algorithm 1 of Goodfellow et al. 2014 against a float64 hand computation on a 1-D toy (G(z) = az + b,
 * D(x) = σ(wx + c)): k = 2 discriminator steps on their own real batches and noise, then one generator
 * step through the updated D, with SGD — for the minimax and the non-saturating objective, with the
 * released config's ½ on D's loss. Each player moves only on its own gradient; nothing leaks. The released
 * code's simultaneous update: both gradients at the starting parameters, from the same noise (replayed
 * from the global generator).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, randomNormal, seed, tf } from '@paperzoo/tensor';
import { SGD } from '@paperzoo/core-autograd';
import { ganSimultaneousIteration, ganTrainingIteration, type GanLossKind } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

const sig = (l: number) => 1 / (1 + Math.exp(-l));
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

function reference(kind: GanLossKind, p: { a: number; b: number; w: number; c: number }, reals: number[][], noises: number[][], lr: number, scale: number) {
  let { a, b, w, c } = p;
  reals.forEach((x, s) => {
    const f = noises[s].map((z) => a * z + b);
    const lr_ = x.map((xi) => w * xi + c);
    const lf = f.map((fj) => w * fj + c);
    // D loss = mean softplus(−l_real) + mean softplus(l_fake)
    const dw = mean(x.map((xi, i) => -sig(-lr_[i]) * xi)) + mean(f.map((fj, j) => sig(lf[j]) * fj));
    const dc = mean(lr_.map((l) => -sig(-l))) + mean(lf.map((l) => sig(l)));
    w -= lr * scale * dw;
    c -= lr * scale * dc;
  });
  const z = noises[reals.length];
  const l = z.map((zj) => w * (a * zj + b) + c);
  // ∂l/∂a = w z, ∂l/∂b = w; minimax: L = −mean softplus(l) → −σ(l); non-saturating: L = mean softplus(−l) → −σ(−l)
  const dl = l.map((lj) => (kind === 'minimax' ? -sig(lj) : -sig(-lj)));
  a -= lr * mean(dl.map((d, j) => d * w * z[j]));
  b -= lr * mean(dl.map((d) => d * w));
  return { a, b, w, c };
}

describe('ganTrainingIteration (Algorithm 1)', () => {
  for (const kind of ['minimax', 'non-saturating'] as const) {
    it(`${kind}: k = 2 D steps then one G step equal the float64 hand computation`, () => {
      const start = { a: 0.7, b: -0.2, w: 0.9, c: 0.1 };
      const reals = [[1.5, 2.0, 0.5], [2.5, 1.0, 1.8]];
      const noises = [[0.3, -1.1, 0.4], [1.2, 0.2, -0.7], [-0.5, 0.9, 1.4]];
      const vars = Object.fromEntries(Object.entries(start).map(([k, v]) => [k, tf.variable(tf.scalar(v), true, `alg1-${kind}-${k}`)]));
      const gOpt = new SGD({ learningRate: 0.5 });
      const dOpt = new SGD({ learningRate: 0.5 });
      let draw = 0;
      try {
        const realTensors = reals.map((r) => tf.tensor1d(r));
        assertNoLeaksSync(() => {
          const r = ganTrainingIteration({
            generate: (z) => tf.add(tf.mul(vars.a, z), vars.b),
            discriminate: (x) => tf.add(tf.mul(vars.w, x), vars.c),
            noise: () => tf.tensor1d(noises[draw++]),
            generatorVariables: { a: vars.a, b: vars.b },
            discriminatorVariables: { w: vars.w, c: vars.c },
            generatorOptimizer: gOpt,
            discriminatorOptimizer: dOpt,
            loss: kind,
            discriminatorLossScale: 0.5,
          }, realTensors);
          expect(Number.isFinite(r.d_loss.dataSync()[0])).toBe(true);
          tf.dispose([r.d_loss, r.g_loss]);
        }, { allow: 0 });
        tf.dispose(realTensors);
        const want = reference(kind, start, reals, noises, 0.5, 0.5);
        for (const k of ['a', 'b', 'w', 'c'] as const) expect(vars[k].dataSync()[0]).toBeCloseTo(want[k], 5);
        expect(draw).toBe(3);
      } finally {
        tf.dispose(Object.values(vars));
        gOpt.dispose();
        dOpt.dispose();
      }
    });
  }

  it('simultaneous update: both players step from the same point and the same noise (float64 hand computation)', () => {
    const start = { a: 0.7, b: -0.2, w: 0.9, c: 0.1 };
    const real = [1.5, 2.0, 0.5];
    const vars = Object.fromEntries(Object.entries(start).map(([k, v]) => [k, tf.variable(tf.scalar(v), true, `sim-${k}`)]));
    const gOpt = new SGD({ learningRate: 0.5 });
    const dOpt = new SGD({ learningRate: 0.5 });
    const drawn: number[][] = [];
    try {
      seed(4);
      const realTensor = tf.tensor1d(real);
      assertNoLeaksSync(() => {
        const r = ganSimultaneousIteration({
          generate: (z) => tf.add(tf.mul(vars.a, z), vars.b),
          discriminate: (x) => tf.add(tf.mul(vars.w, x), vars.c),
          noise: (m) => {
            const z = randomNormal([m]);
            drawn.push(Array.from(z.dataSync()));
            return z;
          },
          generatorVariables: { a: vars.a, b: vars.b },
          discriminatorVariables: { w: vars.w, c: vars.c },
          generatorOptimizer: gOpt,
          discriminatorOptimizer: dOpt,
          loss: 'non-saturating',
          discriminatorLossScale: 0.5,
        }, realTensor);
        tf.dispose([r.d_loss, r.g_loss]);
      });
      realTensor.dispose();
      expect(drawn).toHaveLength(2);
      expect(drawn[1]).toEqual(drawn[0]);
      const z = drawn[0];
      const { a, b, w, c } = start;
      const f = z.map((zj) => a * zj + b);
      const lr_ = real.map((x) => w * x + c);
      const lf = f.map((fj) => w * fj + c);
      const dw = mean(real.map((x, i) => -sig(-lr_[i]) * x)) + mean(f.map((fj, j) => sig(lf[j]) * fj));
      const dc = mean(lr_.map((l) => -sig(-l))) + mean(lf.map((l) => sig(l)));
      const da = mean(lf.map((l, j) => -sig(-l) * w * z[j]));
      const db = mean(lf.map((l) => -sig(-l) * w));
      const want = { a: a - 0.5 * da, b: b - 0.5 * db, w: w - 0.25 * dw, c: c - 0.25 * dc };
      for (const k of ['a', 'b', 'w', 'c'] as const) expect(vars[k].dataSync()[0]).toBeCloseTo(want[k], 5);
    } finally {
      tf.dispose(Object.values(vars));
      gOpt.dispose();
      dOpt.dispose();
    }
  });
});
