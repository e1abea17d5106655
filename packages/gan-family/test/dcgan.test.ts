/**
 * DCGAN for 28×28 MNIST (src/dcgan.ts): output shapes; parameter counts against a hand count of the
 * layers; the gradient through the transposed-convolution path (G's two stride-2 transposed convs with
 * batch norm in training mode) against central finite differences of the loss, on a tiny config; one
 * training step moves both players and leaks nothing; slerp's end points and norms. On cpu and native.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaksSync } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import { DCGAN_ADAM, DcganDiscriminator, DcganGenerator, dcganStep, slerpRows } from '../src/index.js';

describe('DCGAN parameter counts (no allocation)', () => {
  it.each([[64, 100], [16, 10]])('width %i, latent %i: G and D count as the layers add up', (w, latent) => {
    const g = new DcganGenerator({ width: w, latent, allocate: false });
    // projection z → 2w·7·7 (no bias), BN γ, β on 2w, 5×5 transposed conv 2w → w, BN on w, 5×5 transposed conv w → 1 + bias
    expect(g.parameterCount()).toBe(latent * 2 * w * 49 + 2 * 2 * w + 25 * 2 * w * w + 2 * w + 25 * w + 1);
    const d = new DcganDiscriminator({ width: w, allocate: false });
    // 5×5 conv 1 → w + bias, 5×5 conv w → 2w (BN γ, β instead of a bias), dense 2w·7·7 → 1 + bias
    expect(d.parameterCount()).toBe(25 * w + w + 25 * w * 2 * w + 2 * 2 * w + 2 * w * 49 + 1);
    const critic = new DcganDiscriminator({ width: w, batchNorm: false, allocate: false });
    expect(critic.parameterCount()).toBe(25 * w + w + 25 * w * 2 * w + 2 * w + 2 * w * 49 + 1);
  });
  it('the authors\' MNIST width: 833,985 in G, 212,993 in D', () => {
    expect(new DcganGenerator({ allocate: false }).parameterCount()).toBe(833_985);
    expect(new DcganDiscriminator({ allocate: false }).parameterCount()).toBe(212_993);
  });
});

describe.each(['cpu', 'native'] as const)('DCGAN on %s', (backend) => {
  it('shapes: z [B, latent] → [B, 28, 28, 1] in [−1, 1] → logits [B, 1]', async () => {
    await initBackend({ backend });
    const g = new DcganGenerator({ width: 4, latent: 8, seed: 1 });
    const d = new DcganDiscriminator({ width: 4, seed: 2 });
    const z = tf.randomNormal<tf.Rank.R2>([3, 8], 0, 1, 'float32', 1);
    try {
      assertNoLeaksSync(() => tf.tidy(() => {
        const x = g.apply(z, { training: true });
        expect(x.shape).toEqual([3, 28, 28, 1]);
        expect(tf.max(tf.abs(x)).dataSync()[0]).toBeLessThanOrEqual(1);
        expect(d.apply(x, { training: true }).shape).toEqual([3, 1]);
        expect(d.apply(x).shape).toEqual([3, 1]);
      }), { allow: 0 });
    } finally {
      g.dispose(); d.dispose(); z.dispose();
    }
  });

  it('the transposed-conv path\'s gradient equals central finite differences (tiny G, BN in training mode)', async () => {
    await initBackend({ backend });
    const g = new DcganGenerator({ width: 2, latent: 3, seed: 7 });
    const z = tf.randomNormal<tf.Rank.R2>([4, 3], 0, 1, 'float32', 3);
    const r = tf.randomNormal([4, 28, 28, 1], 0, 1, 'float32', 4);
    const loss = () => tf.sum<tf.Scalar>(tf.mul(g.apply(z, { training: true }), r));
    try {
      for (const name of ['up1/kernel', 'up2/kernel', 'project/kernel']) {
        const v = g.variables[name];
        const grad = tf.tidy(() => tf.variableGrads(loss, [v]).grads[v.name].dataSync());
        const values = v.dataSync().slice();
        const eps = 1e-4; // the weights are N(0, 0.02): a larger step leaves the linear regime of batch norm over 4 examples
        for (const i of [0, 7, 13, values.length - 1]) {
          const at = (delta: number) => { const w = values.slice(); w[i] += delta; v.assign(tf.tensor(w, v.shape)); return tf.tidy(() => loss().dataSync()[0]); };
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          v.assign(tf.tensor(values, v.shape));
          expect(Math.abs(fd - grad[i]), `${name}[${i}]: fd ${fd}, autodiff ${grad[i]}`).toBeLessThan(0.02 * Math.abs(grad[i]) + 0.05);
        }
      }
    } finally {
      g.dispose(); z.dispose(); r.dispose();
    }
  });

  it('one step updates G and D, returns finite losses and leaks nothing', async () => {
    await initBackend({ backend });
    const g = new DcganGenerator({ width: 4, latent: 8, seed: 1 });
    const d = new DcganDiscriminator({ width: 4, seed: 2 });
    const og = new Adam(DCGAN_ADAM);
    const od = new Adam(DCGAN_ADAM);
    const real = tf.randomUniform<tf.Rank.R4>([4, 28, 28, 1], -1, 1, 'float32', 1);
    const z1 = tf.randomNormal<tf.Rank.R2>([4, 8], 0, 1, 'float32', 2);
    const z2 = tf.randomNormal<tf.Rank.R2>([4, 8], 0, 1, 'float32', 3);
    try {
      const before = [g.variables['up2/kernel'].dataSync().slice(), d.variables['conv1/kernel'].dataSync().slice()];
      dcganStep(g, d, og, od, real, z1, z2); // the optimizers' slots are allocated here
      const r = assertNoLeaksSync(() => dcganStep(g, d, og, od, real, z1, z2), { allow: 2 });
      expect(Number.isFinite(r.d_loss.dataSync()[0]) && Number.isFinite(r.g_loss.dataSync()[0])).toBe(true);
      tf.dispose([r.d_loss, r.g_loss]);
      expect(g.variables['up2/kernel'].dataSync()).not.toEqual(before[0]);
      expect(d.variables['conv1/kernel'].dataSync()).not.toEqual(before[1]);
    } finally {
      g.dispose(); d.dispose(); og.dispose(); od.dispose(); tf.dispose([real, z1, z2]);
    }
  });
});

describe('slerpRows', () => {
  it('starts at a, ends at b, keeps the norm between equal-norm end points', () => {
    const a = Float32Array.of(3, 0, 0);
    const b = Float32Array.of(0, 3, 0);
    const rows = slerpRows(a, b, 5);
    expect(Array.from(rows.subarray(0, 3))).toEqual([3, 0, 0]);
    expect(rows[12]).toBeCloseTo(0, 6);
    expect(rows[13]).toBeCloseTo(3, 6);
    expect(Math.hypot(rows[6], rows[7], rows[8])).toBeCloseTo(3, 6);
  });
});
