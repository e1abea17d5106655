/**
 * WGAN's critic step (Arjovsky et al. Alg. 1): after the update every critic parameter lies in [−c, c]
 * exactly (and some sit on the boundary), the returned Wasserstein estimate is −(critic loss) and equals
 * E[f(x)] − E[f(G(z))] recomputed; WGAN-GP's step (Gulrajani et al. Alg. 1) runs on a critic without
 * batch norm and leaks nothing; the generator step moves only G; layerGradientNorms against tf.grad.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaksSync } from '@paperzoo/tensor';
import { RMSProp, Adam } from '@paperzoo/core-autograd';
import { DcganDiscriminator, DcganGenerator, MlpCritic, WGAN_GP_DEFAULTS, clipWeights, layerGradientNorms, layerInputGradientNorms, maxAbsWeight, wganCriticStep, wganGeneratorStep } from '../src/index.js';

describe.each(['cpu', 'native'] as const)('WGAN steps on %s', (backend) => {
  it('weight clipping keeps every critic parameter in [−c, c]; the estimate is −loss', async () => {
    await initBackend({ backend });
    const g = new DcganGenerator({ width: 2, latent: 4, seed: 1 });
    const d = new DcganDiscriminator({ width: 2, seed: 2 });
    const opt = new RMSProp({ learningRate: 5e-2 }); // large, so that the update pushes weights past c
    const real = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 1);
    const z = tf.randomNormal<tf.Rank.R2>([4, 4], 0, 1, 'float32', 2);
    const c = 0.01;
    try {
      const vars = Object.values(d.variables);
      const gBefore = g.variables['up2/kernel'].dataSync().slice();
      for (let i = 0; i < 3; i++) {
        const r = wganCriticStep({ generator: (zz, t) => g.apply(zz, { training: t }), critic: (x, t) => d.apply(x as tf.Tensor4D, { training: t }), criticVariables: vars, optimizer: opt, real, z, clip: c });
        expect(r.wasserstein.dataSync()[0]).toBeCloseTo(-r.loss.dataSync()[0], 6);
        tf.dispose([r.loss, r.wasserstein]);
      }
      expect(maxAbsWeight(vars)).toBeLessThanOrEqual(c); // exact: clipByValue's bounds are c in float32
      const all = vars.flatMap((v) => Array.from(v.dataSync()));
      expect(all.every((w) => Math.abs(w) <= Math.fround(c))).toBe(true);
      expect(all.filter((w) => Math.abs(w) === Math.fround(c)).length).toBeGreaterThan(0);
      expect(g.variables['up2/kernel'].dataSync()).toEqual(gBefore); // the critic step leaves G alone
      const og = new RMSProp({ learningRate: 5e-3 });
      const loss = wganGeneratorStep({ generator: (zz, t) => g.apply(zz, { training: t }), critic: (x, t) => d.apply(x as tf.Tensor4D, { training: t }), generatorVariables: Object.values(g.variables), optimizer: og, z });
      loss.dispose();
      og.dispose();
      expect(g.variables['up2/kernel'].dataSync()).not.toEqual(gBefore);
      expect(maxAbsWeight(vars)).toBeLessThanOrEqual(c);
    } finally {
      g.dispose(); d.dispose(); opt.dispose(); tf.dispose([real, z]);
    }
  });

  it('clipWeights clips exactly', async () => {
    await initBackend({ backend });
    const v = tf.variable(tf.tensor1d([-1, -0.01, 0.005, 0.5, 2]));
    clipWeights([v], 0.01);
    expect(Array.from(v.dataSync())).toEqual([-0.01, -0.01, 0.005, 0.01, 0.01].map(Math.fround));
    v.dispose();
  });

  it('WGAN-GP critic step (no batch norm) runs and leaks nothing; per-layer gradient norms match tf.grad', async () => {
    await initBackend({ backend });
    const g = new DcganGenerator({ width: 2, latent: 4, seed: 1 });
    const d = new DcganDiscriminator({ width: 2, batchNorm: false, seed: 2 });
    const opt = new Adam(WGAN_GP_DEFAULTS);
    const real = tf.randomUniform([4, 28, 28, 1], -1, 1, 'float32', 1);
    const z = tf.randomNormal<tf.Rank.R2>([4, 4], 0, 1, 'float32', 2);
    const epsilon = tf.randomUniform([4], 0, 1, 'float32', 3);
    const step = () => wganCriticStep({ generator: (zz, t) => g.apply(zz, { training: t }), critic: (x) => d.apply(x as tf.Tensor4D), criticVariables: Object.values(d.variables), optimizer: opt, real, z, penalty: { epsilon } });
    const mlp = new MlpCritic({ inputs: 784, hidden: [8, 8], seed: 4 });
    try {
      tf.dispose(Object.values(step()));
      const r = assertNoLeaksSync(() => step(), { allow: 2 });
      expect(Number.isFinite(r.loss.dataSync()[0])).toBe(true);
      tf.dispose([r.loss, r.wasserstein]);
      const ws = mlp.weights.map((p) => p.variableOf());
      const fake = tf.randomUniform([4, 784], -1, 1, 'float32', 5);
      const norms = assertNoLeaksSync(() => layerGradientNorms((x) => mlp.apply(x), ws, real, fake));
      expect(norms.length).toBe(3);
      const direct = tf.tidy(() => tf.norm(tf.grad((w: tf.Tensor) => mlp.withParameters({ 'layer0/kernel': w }, () => tf.sub<tf.Scalar>(tf.mean(mlp.apply(fake)), tf.mean(mlp.apply(real)))))(ws[0])).dataSync()[0]);
      expect(norms[0]).toBeCloseTo(direct, 5);
      const inputNorms = assertNoLeaksSync(() => layerInputGradientNorms(mlp, real, fake));
      expect(inputNorms.length).toBe(3);
      // at the input: ‖∂L/∂x‖ over both batches, by tf.grads directly
      const inputDirect = tf.tidy(() => {
        const [gr, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sub<tf.Scalar>(tf.mean(mlp.apply(b)), tf.mean(mlp.apply(a))))([tf.reshape(real, [4, 784]), fake]);
        return Math.sqrt(tf.add(tf.sum(tf.square(gr)), tf.sum(tf.square(gf))).dataSync()[0]);
      });
      expect(inputNorms[0]).toBeCloseTo(inputDirect, 5);
      fake.dispose();
    } finally {
      g.dispose(); d.dispose(); opt.dispose(); mlp.dispose(); tf.dispose([real, z, epsilon]);
    }
  });
});
