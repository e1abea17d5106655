/**
 * The RBM update (rbm.ts) against a float64 reference of rbm.m's formulas, in a regime where the
 * sampling is deterministic (hidden biases of ±20 saturate p(h|v) to 0 or 1); the deep autoencoder's
 * cross-entropy and its gradient (the CG objective) against a float64 forward pass and its central
 * differences; unrolling; the flat parameter round trip; one CG batch lowers the loss; no leaks. On cpu
 * and native.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, makeRng, seed, assertNoLeaksSync, type BackendName } from '@paperzoo/tensor';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { DeepAutoencoder, contrastiveDivergenceStep, createRbmIncrements } from '../src/index.js';

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

/** Float64 cross-entropy of the autoencoder with parameters `p` (by name, row-major) on rows x [n, d]. */
function crossEntropy64(sizes: number[], p: Record<string, Float64Array>, x: number[][]): number {
  const layer = (h: number[], w: Float64Array, b: Float64Array, out: number, act: boolean) =>
    Array.from({ length: out }, (_, j) => {
      const a = h.reduce((s, hv, i) => s + hv * w[i * out + j], b[j]);
      return act ? sigmoid(a) : a;
    });
  const L = sizes.length - 1;
  let total = 0;
  for (const row of x) {
    let h = row;
    for (let k = 0; k < L; k++) h = layer(h, p[`enc${k}/kernel`], p[`enc${k}/bias`], sizes[k + 1], k < L - 1);
    for (let k = L - 1; k >= 0; k--) h = layer(h, p[`dec${k}/kernel`], p[`dec${k}/bias`], sizes[k], k > 0); // logits at k = 0
    total += h.reduce((s, a, j) => s + Math.log1p(Math.exp(a)) - row[j] * a, 0);
  }
  return total / x.length;
}

describe.each(['cpu', 'native'] as BackendName[])('autoencoder on %s', (backend) => {
  it.skipIf(!AVAILABLE[backend])('one CD-1 step equals rbm.m\'s update in float64 (saturated hidden units, momentum and weight cost)', async () => {
    await initBackend({ backend });
    seed(5);
    const rng = makeRng(5);
    const [V, H, B] = [5, 3, 4];
    const w0 = Array.from({ length: V * H }, () => rng() - 0.5);
    const b0 = Array.from({ length: H }, (_, j) => (j % 2 ? 20 : -20)); // p(h|v) = 0 or 1 to float32 precision
    const c0 = Array.from({ length: V }, () => rng() - 0.5);
    const dW0 = Array.from({ length: V * H }, () => 0.01 * (rng() - 0.5));
    const v = Array.from({ length: B }, () => Array.from({ length: V }, () => rng()));
    const p = { weights: tf.variable(tf.tensor2d(w0, [V, H])), hiddenBias: tf.variable(tf.tensor1d(b0)), visibleBias: tf.variable(tf.tensor1d(c0)) };
    const inc = createRbmIncrements(p, 'test-rbm');
    inc.weights.assign(tf.tensor2d(dW0, [V, H]));
    const [lr, mu, lambda] = [0.1, 0.5, 2e-4];
    const vt = tf.tensor2d(v);
    const err = assertNoLeaksSync(() => contrastiveDivergenceStep(p, inc, vt, { learningRate: lr, momentum: mu, weightCost: lambda, linearHidden: false }));
    // reference: h = p(h|v) = hidden states (saturated); v′ = σ(hWᵀ + c); p(h|v′) saturated likewise
    const hid = (x: number[]) => Array.from({ length: H }, (_, j) => sigmoid(x.reduce((s, xv, i) => s + xv * w0[i * H + j], b0[j])));
    const pos = v.map(hid);
    const neg = pos.map((h) => Array.from({ length: V }, (_, i) => sigmoid(h.reduce((s, hv, j) => s + Math.round(hv) * w0[i * H + j], c0[i]))));
    const negH = neg.map(hid);
    const W = p.weights.arraySync();
    const c = p.visibleBias.arraySync();
    let err64 = 0;
    for (let i = 0; i < V; i++) {
      for (let j = 0; j < H; j++) {
        const grad = v.reduce((s, row, n) => s + row[i] * pos[n][j] - neg[n][i] * negH[n][j], 0) / B;
        const dW = mu * dW0[i * H + j] + lr * (grad - lambda * w0[i * H + j]);
        expect(Math.abs(W[i][j] - (w0[i * H + j] + dW))).toBeLessThan(1e-6);
      }
      const dc = (mu * 0 + (lr / B) * v.reduce((s, row, n) => s + row[i] - neg[n][i], 0));
      expect(Math.abs(c[i] - (c0[i] + dc))).toBeLessThan(1e-6);
      err64 += v.reduce((s, row, n) => s + (row[i] - neg[n][i]) ** 2, 0);
    }
    expect(Math.abs(err - err64)).toBeLessThan(1e-5);
    tf.dispose([vt, p.weights, p.hiddenBias, p.visibleBias, inc.weights, inc.hiddenBias, inc.visibleBias]);
  });

  it.skipIf(!AVAILABLE[backend])('the CG objective: cross-entropy and gradient match a float64 forward pass and its central differences; unroll, flat round trip, a CG batch lowers the loss, no leaks', async () => {
    await initBackend({ backend });
    const sizes = [6, 4, 3];
    const model = new DeepAutoencoder({ sizes, seed: 1, name: 'tiny', initStd: 0.5 });
    const rng = makeRng(9);
    const x = Array.from({ length: 5 }, () => Array.from({ length: 6 }, () => rng()));
    const xt = tf.tensor2d(x);
    // unrolled at construction: U_k = W_kᵀ
    const v = model.variables;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(v['dec1/kernel'], tf.transpose(v['enc1/kernel'])))).dataSync()[0])).toBe(0);
    const flat = model.flatParameters();
    expect(flat.length).toBe(model.parameterCount());
    const params64 = () => {
      const out: Record<string, Float64Array> = {};
      let o = 0;
      for (const p of model.parameters) {
        out[p.name] = flat.slice(o, o + p.size);
        o += p.size;
      }
      return out;
    };
    const objective = model.objective(xt);
    const { value, gradient } = assertNoLeaksSync(() => objective(flat));
    expect(Math.abs(value - crossEntropy64(sizes, params64(), x)) / value).toBeLessThan(1e-5);
    const h = 1e-6;
    for (let i = 0; i < flat.length; i += 7) {
      const at = (delta: number) => {
        const p = params64();
        let o = 0;
        for (const q of model.parameters) {
          if (i >= o && i < o + q.size) p[q.name][i - o] += delta;
          o += q.size;
        }
        return crossEntropy64(sizes, p, x);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(gradient[i] - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
    }
    model.setFlatParameters(flat.map((p) => p + 0.125));
    expect(Array.from(model.flatParameters())).toEqual(Array.from(flat, (p) => Math.fround(p + 0.125)));
    model.setFlatParameters(flat);
    const before = tf.tidy(() => model.crossEntropy(xt).dataSync()[0]);
    const r = assertNoLeaksSync(() => model.fineTuneBatch(xt, 3));
    const after = tf.tidy(() => model.crossEntropy(xt).dataSync()[0]);
    expect(after).toBeLessThan(before - 0.01);
    expect(Math.abs(after - r.values[r.values.length - 1])).toBeLessThan(1e-4);
    xt.dispose();
    model.dispose();
  });
});
