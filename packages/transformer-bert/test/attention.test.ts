import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, makeRng, type BackendName } from '@paperzoo/tensor';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { scaledDotProductAttention, causalMask, paddingMask, sinusoidalPositions, noamLearningRate, smoothedLabels, MASKED } from '../src/index.js';

const backends = (['cpu', 'wasm', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);

/** Eq. 1 in float64 loops: q [Tq, d], k [Tk, d], v [Tk, dv], bias [Tq, Tk]. */
function attention64(q: number[][], k: number[][], v: number[][], bias: number[][]): number[][] {
  const d = q[0].length;
  return q.map((qi, i) => {
    const scores = k.map((kj, j) => qi.reduce((s, x, c) => s + x * kj[c], 0) / Math.sqrt(d) + bias[i][j]);
    const max = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - max));
    const z = e.reduce((a, b) => a + b, 0);
    return v[0].map((_, c) => e.reduce((s, w, j) => s + (w / z) * v[j][c], 0));
  });
}

describe.each(backends)('scaled dot-product attention on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('matches eq. 1 in float64 on random shapes, with negative inputs and a causal mask', async () => {
    const rng = makeRng(`sdpa-${backend}`);
    for (const [tq, tk, d, dv] of [[3, 5, 4, 2], [7, 7, 8, 8], [1, 9, 3, 5]]) {
      const rand = (r: number, c: number) => Array.from({ length: r }, () => Array.from({ length: c }, () => (rng() - 0.5) * 6));
      const q = rand(tq, d), k = rand(tk, d), v = rand(tk, dv);
      const bias = Array.from({ length: tq }, (_, i) => Array.from({ length: tk }, (_, j) => (tq === tk && j > i ? MASKED : 0)));
      const [qt, kt, vt] = [tf.tensor4d(q.flat(), [1, 1, tq, d]), tf.tensor4d(k.flat(), [1, 1, tk, d]), tf.tensor4d(v.flat(), [1, 1, tk, dv])];
      await assertNoLeaks(() => {
        const mask = tq === tk ? causalMask(tq) : null;
        const { output, weights } = scaledDotProductAttention(qt, kt, vt, { mask });
        const expected = attention64(q, k, v, bias).flat();
        const got = output.dataSync();
        expected.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 4));
        const w = weights.dataSync();
        if (tq === tk) for (let i = 0; i < tq; i++) for (let j = i + 1; j < tk; j++) expect(w[i * tk + j]).toBe(0); // exactly 0 in float32
        tf.dispose([output, weights]);
        mask?.dispose();
      });
      tf.dispose([qt, kt, vt]);
    }
  });

  it('its gradient with respect to q, k and v matches central differences in float64', () => {
    const rng = makeRng(`sdpa-grad-${backend}`);
    const [t, d] = [4, 3];
    const vals = Array.from({ length: 3 * t * d }, () => (rng() - 0.5) * 2);
    const probe = Array.from({ length: t * d }, () => rng() - 0.5); // loss = Σ probe ⊙ output
    const loss64 = (x: number[]) => {
      const m = (o: number) => Array.from({ length: t }, (_, i) => x.slice(o + i * d, o + (i + 1) * d));
      const bias = Array.from({ length: t }, (_, i) => Array.from({ length: t }, (_, j) => (j > i ? MASKED : 0)));
      return attention64(m(0), m(t * d), m(2 * t * d), bias).flat().reduce((s, y, i) => s + y * probe[i], 0);
    };
    const grads = tf.tidy(() => {
      const mask = causalMask(t);
      const f = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(scaledDotProductAttention(q, k, v, { mask }).output, tf.tensor4d(probe, [1, 1, t, d])));
      const all = tf.tensor1d(vals);
      const part = (i: number) => tf.reshape(tf.slice(all, i * t * d, t * d), [1, 1, t, d]);
      return tf.grads(f)([part(0), part(1), part(2)]).map((g) => Array.from(g.dataSync()));
    }).flat();
    const h = 1e-6;
    vals.forEach((_, i) => {
      const up = [...vals], down = [...vals];
      up[i] += h;
      down[i] -= h;
      expect(grads[i]).toBeCloseTo((loss64(up) - loss64(down)) / (2 * h), 3);
    });
  });

  it('paddingMask masks exactly the padding keys, broadcast [B, 1, 1, T]', () => {
    const m = paddingMask(tf.tensor2d([[5, 6, 0], [7, 0, 0]], [2, 3], 'int32'), 0);
    expect(m.shape).toEqual([2, 1, 1, 3]);
    expect(Array.from(m.dataSync())).toEqual([0, 0, MASKED, 0, MASKED, MASKED]);
    m.dispose();
  });
});

describe('positions, schedules, label smoothing', () => {
  it('sinusoidal positions are §3.5\'s sin/cos pairs', () => {
    const p = sinusoidalPositions(50, 16);
    const v = p.arraySync();
    expect(v[0].filter((_, i) => i % 2 === 0)).toEqual(Array(8).fill(0));
    expect(v[0].filter((_, i) => i % 2 === 1)).toEqual(Array(8).fill(1));
    expect(v[37][6]).toBeCloseTo(Math.sin(37 / 10000 ** (6 / 16)), 6);
    expect(v[37][7]).toBeCloseTo(Math.cos(37 / 10000 ** (6 / 16)), 6);
    p.dispose();
  });

  it('eq. 3 peaks at step = warmup_steps: d^−0.5 · warmup^−0.5 (512, 4000 → 6.99e-4), linear before, 1/√step after', () => {
    const lr = noamLearningRate({ size: 512, warmupSteps: 4000 });
    expect(lr(3999)).toBeCloseTo(512 ** -0.5 * 4000 ** -0.5, 12);
    expect(lr(1999) / lr(999)).toBeCloseTo(2, 12);
    expect(lr(15999) / lr(3999)).toBeCloseTo(0.5, 12);
    expect(Math.max(...Array.from({ length: 10000 }, (_, s) => lr(s)))).toBe(lr(3999));
  });

  it('smoothed labels: (1 − ε) on the target plus ε/V everywhere, rows summing to 1', () => {
    const q = smoothedLabels(tf.tensor1d([2, 0], 'int32'), 4, 0.1);
    const rows = q.arraySync();
    expect(rows[0][2]).toBeCloseTo(0.9 + 0.025, 6);
    expect(rows[0][1]).toBeCloseTo(0.025, 6);
    for (const r of rows) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    q.dispose();
  });
});
