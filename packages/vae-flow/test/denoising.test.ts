/**
 * The denoising autoencoder's masking noise (exactly ⌊νd⌉ components destroyed per row, a different
 * subset per row and per call, uniform over positions) and its loss: the cross-entropy of the
 * reconstruction of the corrupted input against the CLEAN input (Vincent et al. 2008, eq. 4).
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, seed, assertNoLeaksSync } from '@paperzoo/tensor';
import { DeepAutoencoder, maskingNoise, denoisingLoss } from '../src/index.js';

describe('denoising autoencoder', () => {
  it('masking noise destroys exactly round(ν·d) components of each row, different ones per row, each position about equally often', async () => {
    await initBackend({ backend: 'cpu' });
    seed(1);
    const [n, d, nu] = [400, 50, 0.25];
    const ones = tf.ones<tf.Rank.R2>([n, d]);
    const noisy = assertNoLeaksSync(() => maskingNoise(ones, nu), { allow: 1 });
    const m = noisy.arraySync();
    for (const row of m) expect(row.filter((v) => v === 0).length).toBe(Math.round(nu * d));
    expect(new Set(m.map((row) => row.join(''))).size).toBeGreaterThan(n - 2);
    // per-position destruction rate: mean ν, binomial σ = √(ν(1−ν)/n) ≈ 0.022; allow 5σ
    for (let j = 0; j < d; j++) expect(Math.abs(m.reduce((s, row) => s + (row[j] === 0 ? 1 : 0), 0) / n - nu)).toBeLessThan(0.11);
    const kept = tf.tidy(() => tf.sum(tf.mul(maskingNoise(tf.fill<tf.Rank.R2>([2, 4], 0.7), 0), 1)).dataSync()[0]);
    expect(kept).toBeCloseTo(0.7 * 8, 5);
    tf.dispose([ones, noisy]);
  });
  it('the loss is the cross-entropy against the clean input, not the corrupted one', async () => {
    await initBackend({ backend: 'cpu' });
    const model = new DeepAutoencoder({ sizes: [8, 3], seed: 2, name: 'dae' });
    tf.tidy(() => model.variables['dec0/bias'].assign(tf.fill([8], 2))); // outputs near 0.88, so which target is used shows in the loss
    const x = tf.randomUniform<tf.Rank.R2>([6, 8], 0, 1, 'float32', 4);
    seed(7);
    const loss = assertNoLeaksSync(() => tf.tidy(() => denoisingLoss(model, x, 0.5).dataSync()[0]));
    seed(7); // the same corruption again
    const [clean, corrupted] = tf.tidy(() => {
      const xc = maskingNoise(x, 0.5);
      const z = model.reconstruct(xc);
      const ce = (t: tf.Tensor) => tf.div(tf.neg(tf.sum(tf.add(tf.mul(t, tf.log(z)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, z)))))), 6).dataSync()[0];
      return [ce(x), ce(xc)];
    });
    expect(Math.abs(loss - clean)).toBeLessThan(1e-4);
    expect(Math.abs(loss - corrupted)).toBeGreaterThan(0.1);
    x.dispose();
    model.dispose();
  });
});
