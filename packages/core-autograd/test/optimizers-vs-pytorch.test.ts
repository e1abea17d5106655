/**
 * Every optimizer against trajectories recorded with PyTorch 1.13 in float64
 * (fixtures/pytorch-optimizers.json, written by scripts/pytorch-optimizer-fixtures.py) on
 *   f(w) = ½ Σ_i a_i (w_i − c_i)² + κ w_0 w_1,
 * 12 steps each, on the cpu and wasm backends. Where PyTorch places ε differently (RMSProp, Adamax)
 * the fixture uses ε = 0; NAdam is the corrected form (torch 1.13 double-counts μ_t, see the script).
 * Tolerance (float32 tfjs vs float64 PyTorch): |Δ| ≤ 1e-6 + 1e-6·|w| at every step (measured ≤ 2.3e-7).
 */
import { readFileSync } from 'node:fs';
import { initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ag from '../src/index.js';
import { expectClose } from './helpers.js';

interface Fixture {
  torch: string;
  problem: { a: number[]; c: number[]; kappa: number; w0: number[]; steps: number };
  cases: Array<{ name: string; optimizer: string; options: Record<string, unknown>; trajectory: number[][] }>;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/pytorch-optimizers.json', import.meta.url), 'utf8')) as Fixture;
const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };

const CLASSES: Record<string, new (options: any) => ag.Optimizer> = {
  SGD: ag.SGD,
  Momentum: ag.Momentum,
  Nesterov: ag.Nesterov,
  Adagrad: ag.Adagrad,
  RMSProp: ag.RMSProp,
  Adadelta: ag.Adadelta,
  Adam: ag.Adam,
  AMSGrad: ag.AMSGrad,
  AdamW: ag.AdamW,
  Nadam: ag.Nadam,
  RAdam: ag.RAdam,
  Adamax: ag.Adamax,
};

function run(optimizer: ag.Optimizer, steps: number): number[][] {
  const { a, c, kappa, w0 } = fixture.problem;
  const w = tf.variable(tf.tensor1d(w0));
  const [aT, cT] = [tf.tensor1d(a), tf.tensor1d(c)];
  const loss = () =>
    tf.tidy(() => {
      const quad = tf.mul(0.5, tf.sum(tf.mul(aT, tf.square(tf.sub(w, cT)))));
      const coupling = tf.mul(kappa, tf.sum(tf.mul(tf.slice(w, [0], [1]), tf.slice(w, [1], [1])))); // slice, not gather: stock wasm lacks gather's gradient
      return tf.add<tf.Scalar>(quad, coupling);
    });
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const { value, grads } = tf.variableGrads(loss, [w]);
    optimizer.applyGradients(grads);
    tf.dispose([value, grads]);
    out.push(Array.from(w.dataSync()));
  }
  tf.dispose([w, aT, cT]);
  optimizer.dispose();
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`optimizers vs PyTorch ${fixture.torch} (float64) on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend({ backend });
    });
    afterAll(() => tf.disposeVariables());

    it('covers every optimizer class except Lookahead (not in PyTorch; hand-computed in optimizers-closed-form)', () => {
      expect(new Set(fixture.cases.map((c) => c.optimizer))).toEqual(new Set(Object.keys(CLASSES)));
    });

    for (const c of fixture.cases) {
      it(`${c.name}: ${c.optimizer}(${JSON.stringify(c.options)})`, () => {
        const ours = run(new CLASSES[c.optimizer](c.options), c.trajectory.length);
        ours.forEach((w, t) => expectClose(w, c.trajectory[t], TOLERANCE, `${c.name}, w after step ${t + 1}`));
      });
    }
  });
}
