/**
 * VAE and IWAE against independent references: the analytic KL (App. B) against a float64 closed form
 * and a Monte-Carlo estimate; IWAE's bound at k = 1 equals the single-sample ELBO estimator with the
 * same noise, and its Monte-Carlo mean matches the analytic-KL bound; the reparameterised gradient
 * against central differences; the importance-sampled log-likelihood (k = 5000) on a linear-Gaussian
 * model whose p(x) is known in closed form, with L_1 < L_5 < L_50 < log p(x) on average (Burda et al.
 * Theorem 1); dynamic binarisation by seed; active units of a constructed encoder; no leaked tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, makeRng, nextSeed, seed, tf } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import {
  Vae, activeUnits, binarizeOnce, dynamicBinarize, gaussianKl, importanceSampledLogLikelihood, iwaeBound, iwaeLearningRate, iwaePasses, logMeanExp, posteriorMeans,
  reparameterize, type ImportanceSampler,
} from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

const floats = (n: number, scale: number, rng: () => number) => Float32Array.from({ length: n }, () => (2 * rng() - 1) * scale);

describe('analytic KL (Kingma & Welling App. B)', () => {
  it('matches the float64 closed form and a Monte-Carlo estimate', () => {
    const rng = makeRng(1);
    const [n, j] = [4, 3];
    const mu = floats(n * j, 1.5, rng);
    const lv = floats(n * j, 1.2, rng);
    const kl = assertNoLeaksSync(() => tf.tidy(() => gaussianKl(tf.tensor2d(mu, [n, j]), tf.tensor2d(lv, [n, j])).dataSync()));
    for (let i = 0; i < n; i++) {
      let ref = 0;
      for (let u = 0; u < j; u++) ref += 0.5 * (mu[i * j + u] ** 2 + Math.exp(lv[i * j + u]) - 1 - lv[i * j + u]);
      expect(kl[i]).toBeCloseTo(ref, 5);
    }
    // E_q[log q(z) − log p(z)] over 200,000 draws, float64
    const gauss = makeRng(2);
    const normal = () => Math.sqrt(-2 * Math.log(1 - gauss())) * Math.cos(2 * Math.PI * gauss());
    const draws = 200_000;
    let mc = 0;
    for (let d = 0; d < draws; d++) {
      for (let u = 0; u < j; u++) {
        const e = normal();
        const z = mu[u] + Math.exp(0.5 * lv[u]) * e;
        mc += -0.5 * (lv[u] + e * e) + 0.5 * z * z; // log q − log p (the 2π terms cancel)
      }
    }
    expect(Math.abs(mc / draws - kl[0])).toBeLessThan(0.02);
  });
});

describe('VAE and IWAE bounds', () => {
  const model = () => new Vae({ inputSize: 6, hidden: [5], latent: 2, init: 0.5, seed: 3 });
  const x = () => tf.tensor2d(Float32Array.from({ length: 18 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [3, 6]);

  it('L_1 equals the single-sample ELBO estimator with the same ε, and its mean matches the analytic-KL bound', () => {
    const vae = model();
    try {
      assertNoLeaksSync(() => tf.tidy(() => {
        const xs = x();
        const eps = tf.randomNormal([1, 3, 2], 0, 1, 'float32', 5);
        const q = vae.encode(xs);
        const z = reparameterize(q.mean, q.logVar, eps.squeeze([0]));
        const logQ = tf.sum(tf.mul(-0.5, tf.add(tf.add(Math.log(2 * Math.PI), q.logVar), tf.square(eps.squeeze([0])))), -1);
        const logP = tf.sum(tf.mul(-0.5, tf.add(Math.log(2 * Math.PI), tf.square(z))), -1);
        const elboEstimate = tf.add(vae.logLikelihood(xs, z), tf.sub(logP, logQ)).dataSync();
        const l1 = iwaeBound(vae, xs, 1, eps).dataSync();
        for (let i = 0; i < 3; i++) expect(l1[i]).toBeCloseTo(elboEstimate[i], 4);
        // 20,000 draws of the sampled-KL estimator against the analytic-KL bound (eq. 10) with 20,000 draws
        seed(7);
        const sampled = tf.mean(vae.logWeights(xs, 20_000), 0).dataSync();
        const analytic = tf.mean(tf.stack(Array.from({ length: 200 }, () => vae.elbo(tf.tile(xs, [100, 1])).reshape([100, 3]))).reshape([20_000, 3]), 0).dataSync();
        for (let i = 0; i < 3; i++) expect(Math.abs(sampled[i] - analytic[i])).toBeLessThan(0.05);
      }));
    } finally {
      vae.dispose();
    }
  });

  it('the gradient through the reparameterised samples matches central differences', () => {
    const vae = model();
    try {
      const xs = x();
      const eps = tf.randomNormal([4, 3, 2], 0, 1, 'float32', 9);
      const w = vae.variables['mean/kernel'];
      const objective = () => tf.tidy(() => tf.sum(iwaeBound(vae, xs, 4, eps)));
      const grad = tf.tidy(() => tf.variableGrads(objective as () => tf.Scalar, [w]).grads[w.name].dataSync());
      const base = w.dataSync().slice();
      const h = 1e-2;
      for (const idx of [0, 3, 7]) {
        const at = (d: number) => {
          const p = base.slice();
          p[idx] += d;
          w.assign(tf.tensor(p, w.shape));
          return objective().dataSync()[0];
        };
        const fd = (at(h) - at(-h)) / (2 * h);
        w.assign(tf.tensor(base, w.shape));
        expect(Math.abs(grad[idx] - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
      }
      tf.dispose([xs, eps]);
    } finally {
      vae.dispose();
    }
  });

  it('one Adam step on L_5 leaks nothing and is reproducible by seed', () => {
    const run = () => {
      seed(11);
      const vae = model();
      const opt = new Adam({ learningRate: 1e-2, epsilon: 1e-4 });
      const xs = x();
      assertNoLeaksSync(() => opt.minimize(() => tf.neg(tf.mean(iwaeBound(vae, xs, 5))) as tf.Scalar, false, Object.values(vae.variables)), { allow: 2 * Object.keys(vae.variables).length }); // Adam's m and v slots, made by the first minimize
      const out = vae.variables['output/kernel'].dataSync().slice();
      tf.dispose([xs]);
      opt.dispose();
      vae.dispose();
      return out;
    };
    expect(run()).toEqual(run());
  });
});

/**
 * p(z) = N(0, I₂), p(x|z) = N(Wz + b, s²I₃): p(x) = N(b, WWᵀ + s²I) in closed form. The proposal is the
 * exact posterior shifted by 0.3 and with doubled variances, so the weights vary and L_k < log p(x).
 */
function linearGaussian(x: Float64Array) {
  const W = [[1.0, -0.5], [0.3, 0.8], [-0.7, 0.4]];
  const b = [0.1, -0.2, 0.3];
  const s2 = 0.25;
  // closed form log N(x; b, C), C = WWᵀ + s²I (3×3, float64)
  const C = W.map((ri, i) => W.map((rj, j) => ri[0] * rj[0] + ri[1] * rj[1] + (i === j ? s2 : 0)));
  const det = C[0][0] * (C[1][1] * C[2][2] - C[1][2] * C[2][1]) - C[0][1] * (C[1][0] * C[2][2] - C[1][2] * C[2][0]) + C[0][2] * (C[1][0] * C[2][1] - C[1][1] * C[2][0]);
  const inv = [0, 1, 2].map((i) => [0, 1, 2].map((j) => {
    const m = (r: number, c: number) => C[(r + 3) % 3][(c + 3) % 3];
    return (m(j + 1, i + 1) * m(j + 2, i + 2) - m(j + 1, i + 2) * m(j + 2, i + 1)) / det;
  }));
  const d = [0, 1, 2].map((i) => x[i] - b[i]);
  const quad = d.reduce((a, di, i) => a + di * d.reduce((c, dj, j) => c + inv[i][j] * dj, 0), 0);
  const exact = -0.5 * (3 * Math.log(2 * Math.PI) + Math.log(det) + quad);
  // exact posterior: Σ = (I + WᵀW/s²)⁻¹, μ = Σ Wᵀ(x − b)/s²
  const P = [0, 1].map((i) => [0, 1].map((j) => (i === j ? 1 : 0) + W.reduce((a, r) => a + r[i] * r[j], 0) / s2));
  const pd = P[0][0] * P[1][1] - P[0][1] * P[1][0];
  const S = [[P[1][1] / pd, -P[0][1] / pd], [-P[1][0] / pd, P[0][0] / pd]];
  const wtd = [0, 1].map((i) => W.reduce((a, r, k) => a + r[i] * d[k], 0) / s2);
  const mu = [0, 1].map((i) => S[i][0] * wtd[0] + S[i][1] * wtd[1]);
  const qMean = mu.map((m) => m + 0.3);
  const qLogVar = [0, 1].map((i) => Math.log(2 * S[i][i]));
  const sampler: ImportanceSampler = {
    logWeights: (xs, k) => tf.tidy(() => {
      const eps = tf.randomNormal([k, 2], 0, 1, 'float32', nextSeed());
      const z = tf.add(tf.tensor1d(qMean), tf.mul(tf.exp(tf.mul(0.5, tf.tensor1d(qLogVar))), eps)); // [k, 2]
      const mean = tf.add(tf.matMul(z, tf.tensor2d(W.flat(), [3, 2]), false, true), tf.tensor1d(b)); // [k, 3]
      const logLik = tf.mul(-0.5, tf.sum(tf.add(Math.log(2 * Math.PI * s2), tf.div(tf.square(tf.sub(xs, mean)), s2)), -1));
      const logPrior = tf.mul(-0.5, tf.sum(tf.add(Math.log(2 * Math.PI), tf.square(z)), -1));
      const logQ = tf.mul(-0.5, tf.sum(tf.add(tf.add(Math.log(2 * Math.PI), tf.tensor1d(qLogVar)), tf.square(eps)), -1));
      return tf.reshape(tf.sub(tf.add(logLik, logPrior), logQ), [k, 1]); // [k, n = 1]
    }),
  };
  return { exact, sampler };
}

describe('importance-sampled log-likelihood (Burda et al. §5, k = 5000)', () => {
  it('converges to the closed-form log p(x) of a linear-Gaussian model, and L_k rises with k below it', () => {
    seed(13);
    for (const xv of [[0.5, 0.1, -0.4], [2.0, -1.0, 1.5]]) {
      const x = Float64Array.from(xv);
      const { exact, sampler } = linearGaussian(x);
      const est = assertNoLeaksSync(() => importanceSampledLogLikelihood(sampler, Float32Array.from(x), 1, { samples: 5000, chunk: 500 }));
      expect(Math.abs(est[0] - exact)).toBeLessThan(0.02);
      const bounds = [1, 5, 50].map((k) => {
        const reps = 400;
        const v = importanceSampledLogLikelihood(sampler, new Float32Array(Array.from({ length: reps }, () => xv).flat()), reps, { samples: k, chunk: k, batch: 1 });
        return v.reduce((a, c) => a + c, 0) / reps;
      });
      expect(bounds[0]).toBeLessThan(bounds[1]);
      expect(bounds[1]).toBeLessThan(bounds[2]);
      expect(bounds[2]).toBeLessThan(exact + 0.01);
      expect(exact - bounds[0]).toBeGreaterThan(0.05); // the proposal is not exact, so L_1 is visibly below
    }
  });

  it('logMeanExp is max-shifted (no overflow at log-weights of −1000)', () => {
    const v = tf.tidy(() => logMeanExp(tf.tensor2d([-1000, -1001, -1002, -1000], [4, 1])).dataSync()[0]);
    const ref = -1000 + Math.log((2 + Math.exp(-1) + Math.exp(-2)) / 4);
    expect(v).toBeCloseTo(ref, 3);
  });
});

describe('dynamic binarisation and active units', () => {
  it('binarisation is reproducible by seed and has the intensities as its mean', () => {
    const p = Float32Array.from({ length: 20_000 }, (_, i) => (i % 5) / 4);
    const draw = (s: number) => {
      seed(s);
      return tf.tidy(() => dynamicBinarize(tf.tensor2d(p, [100, 200])).dataSync().slice());
    };
    const [a, b, c] = [draw(1), draw(1), draw(2)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (let level = 0; level < 5; level++) {
      let on = 0;
      for (let i = level; i < a.length; i += 5) on += a[i];
      expect(Math.abs(on / 4000 - level / 4)).toBeLessThan(0.03); // 4σ of a Bernoulli mean over 4,000 draws at p = ½ is 0.032
    }
    const pixels = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 37) % 256);
    expect(binarizeOnce(pixels, 0)).toEqual(binarizeOnce(pixels, 0));
    const mean = binarizeOnce(pixels, 0).reduce((s, v) => s + v, 0) / pixels.length;
    expect(Math.abs(mean - pixels.reduce((s, v) => s + v / 255, 0) / pixels.length)).toBeLessThan(0.01);
  });

  it('counts the units whose posterior mean varies with x (a constructed encoder with 3 dead units of 5)', () => {
    const vae = new Vae({ inputSize: 10, hidden: [8], latent: 5, init: 0.5, seed: 4 });
    try {
      const k = vae.variables['mean/kernel'];
      const w = k.dataSync().slice();
      for (let h = 0; h < 8; h++) for (const u of [1, 2, 4]) w[h * 5 + u] = u === 4 ? 0.001 : 0; // unit 4 nearly dead: variance ≪ 10⁻²
      k.assign(tf.tensor(w, k.shape));
      const rng = makeRng(5);
      const data = Float32Array.from({ length: 500 * 10 }, () => (rng() < 0.5 ? 1 : 0));
      const means = assertNoLeaksSync(() => posteriorMeans((x) => vae.encode(x), data, 500, 128));
      const r = activeUnits(means, 500);
      expect(r.count).toBe(2);
      expect(r.variances[0]).toBeGreaterThan(1e-2);
      expect(r.variances[1]).toBe(0);
      expect(r.variances[4]).toBeLessThan(1e-4);
    } finally {
      vae.dispose();
    }
  });

  it('Burda et al.\'s schedule: 3^i passes at 10⁻³·10^(−i/7), 3,280 passes in all', () => {
    const lr = iwaeLearningRate(10);
    expect(iwaePasses(7)).toBe(3280);
    expect(iwaePasses(2)).toBe(13);
    expect(lr(0)).toBe(1e-3);
    expect(lr(9)).toBe(1e-3);
    expect(lr(10)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(39)).toBeCloseTo(1e-3 * 10 ** (-1 / 7), 12);
    expect(lr(40)).toBeCloseTo(1e-3 * 10 ** (-2 / 7), 12);
    expect(lr(129)).toBeCloseTo(1e-3 * 10 ** (-2 / 7), 12);
    expect(lr(130)).toBeCloseTo(1e-3 * 10 ** (-3 / 7), 12);
    expect(lr(10 * 5000)).toBeCloseTo(1e-4, 12);
  });
});
