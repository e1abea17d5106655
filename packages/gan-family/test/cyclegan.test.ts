/**
 * CycleGAN (src/cyclegan.ts): the losses of eq. 2, eq. 3, §4 (least squares) and §5.2 (identity) against
 * float64 hand computations; instance norm against float64; generator and PatchGAN shapes and parameter
 * counts; the identity and cycle losses are zero for identity maps; the cycle loss's gradient through a
 * tiny G and F (reflection padding, instance norm, strided and transposed convs) against central finite
 * differences; the image history; one training step moves all four networks and leaks nothing. On cpu
 * and native.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaksSync, makeRng } from '@paperzoo/tensor';
import { Adam } from '@paperzoo/core-autograd';
import {
  CYCLEGAN_ADAM, ImagePool, PatchDiscriminator, ResnetGenerator, cycleConsistencyLoss, cycleganAdversarialLoss, cycleganDiscriminatorLoss,
  cycleganGeneratorObjective, cycleganStep, identityMappingLoss, instanceNorm, reflectPad,
} from '../src/index.js';

/** n uniform numbers in [lo, hi) from a seeded generator, as float64. */
function uniforms(n: number, key: string, lo = -1, hi = 1): Float64Array {
  const rng = makeRng(key);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rng());
}
const meanAbs64 = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / x.length;
const meanSq64 = (x: Float64Array, c: number) => x.reduce((s, v) => s + (v - c) ** 2, 0) / x.length;
const t4 = (v: Float64Array, shape: [number, number, number, number]) => tf.tensor4d(Float32Array.from(v), shape);
const val = (s: tf.Scalar) => { const v = s.dataSync()[0]; s.dispose(); return v; };

describe('CycleGAN parameter counts (no allocation)', () => {
  it.each([[64, 9, 3], [8, 2, 1]])('generator k = %i, %i blocks, %i channels counts as Appendix 7.2 adds up', (k, n, c) => {
    const conv = (size: number, cin: number, cout: number) => size * size * cin * cout + cout;
    // c7s1-k, d2k, d4k, n × (two 3×3 convs 4k → 4k), u2k, uk, c7s1-C
    const expected = conv(7, c, k) + conv(3, k, 2 * k) + conv(3, 2 * k, 4 * k) + n * 2 * conv(3, 4 * k, 4 * k) + conv(3, 4 * k, 2 * k) + conv(3, 2 * k, k) + conv(7, k, c);
    expect(new ResnetGenerator({ width: k, blocks: n, channels: c, allocate: false }).parameterCount()).toBe(expected);
  });
  it('the paper\'s 256×256 generator (k = 64, 9 blocks, RGB) has 11.38M parameters, as the authors\' code prints', () => {
    expect(new ResnetGenerator({ width: 64, blocks: 9, channels: 3, allocate: false }).parameterCount()).toBe(11_378_179);
  });
  it('PatchGAN k: 4×4 convs C → k → 2k → 1 with biases', () => {
    expect(new PatchDiscriminator({ width: 16, channels: 1, allocate: false }).parameterCount()).toBe(16 * 16 + 16 + 16 * 16 * 32 + 32 + 16 * 32 + 1);
  });
});

describe.each(['cpu', 'native'] as const)('CycleGAN on %s', (backend) => {
  it('losses equal float64 hand computations (eq. 2, §5.2, §4 least squares, eq. 3)', async () => {
    await initBackend({ backend });
    const shape: [number, number, number, number] = [2, 4, 4, 1];
    const [x, fgx, y, gfy, gy, fx] = ['x', 'fgx', 'y', 'gfy', 'gy', 'fx'].map((k) => uniforms(32, k));
    const [dReal, dFake, dFake2] = ['dr', 'df', 'df2'].map((k) => uniforms(18, k, -0.5, 1.5));
    const ts = [x, fgx, y, gfy, gy, fx].map((v) => t4(v, shape));
    const [tr, tf1, tf2] = [dReal, dFake, dFake2].map((v) => tf.tensor4d(Float32Array.from(v), [2, 3, 3, 1]));
    try {
      const cyc = meanAbs64(fgx, x) + meanAbs64(gfy, y);
      const idt = meanAbs64(gy, y) + meanAbs64(fx, x);
      expect(val(cycleConsistencyLoss(ts[0], ts[1], ts[2], ts[3]))).toBeCloseTo(cyc, 5);
      expect(val(identityMappingLoss(ts[2], ts[4], ts[0], ts[5]))).toBeCloseTo(idt, 5);
      expect(val(cycleganAdversarialLoss(tf1))).toBeCloseTo(meanSq64(dFake, 1), 5); // E[(D(G(x)) − 1)²]
      expect(val(cycleganDiscriminatorLoss(tr, tf1))).toBeCloseTo(0.5 * (meanSq64(dReal, 1) + meanSq64(dFake, 0)), 5);
      for (const identity of [0, 0.5]) {
        const o = cycleganGeneratorObjective({ dYOfGx: tf1, dXOfFy: tf2, x: ts[0], fOfGx: ts[1], y: ts[2], gOfFy: ts[3], gOfY: ts[4], fOfX: ts[5] }, { lambda: 10, identity });
        const expected = meanSq64(dFake, 1) + meanSq64(dFake2, 1) + 10 * cyc + identity * 10 * idt;
        expect(val(o.total)).toBeCloseTo(expected, 4);
        expect(val(o.cycle)).toBeCloseTo(cyc, 5);
        expect(val(o.identity)).toBeCloseTo(identity ? idt : 0, 5);
        o.adversarial.dispose();
      }
      expect(() => cycleganGeneratorObjective({ dYOfGx: tf1, dXOfFy: tf2, x: ts[0], fOfGx: ts[1], y: ts[2], gOfFy: ts[3] })).toThrow(/identity/);
    } finally {
      tf.dispose([...ts, tr, tf1, tf2]);
    }
  });

  it('the identity and cycle losses are zero for identity maps, positive otherwise', async () => {
    await initBackend({ backend });
    const x = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 1], -1, 1, 'float32', 1);
    const y = tf.randomUniform<tf.Rank.R4>([3, 8, 8, 1], -1, 1, 'float32', 2);
    try {
      const id = (t: tf.Tensor) => t;
      expect(val(identityMappingLoss(y, id(y), x, id(x)))).toBe(0);
      expect(val(cycleConsistencyLoss(x, id(id(x)), y, id(id(y))))).toBe(0);
      const neg = tf.neg(x);
      expect(val(identityMappingLoss(y, y, x, neg))).toBeGreaterThan(0.5); // E|−2x| = 1 for x ~ U(−1, 1)
      neg.dispose();
    } finally {
      tf.dispose([x, y]);
    }
  });

  it('instance norm equals a float64 per-example, per-channel standardisation', async () => {
    await initBackend({ backend });
    const [b, h, w, c] = [2, 3, 4, 2];
    const v = uniforms(b * h * w * c, 'in', -2, 3);
    const x = t4(v, [b, h, w, c]);
    try {
      const got = tf.tidy(() => instanceNorm(x).dataSync());
      for (let e = 0; e < b; e++) for (let k = 0; k < c; k++) {
        const idx = Array.from({ length: h * w }, (_, p) => (e * h * w + p) * c + k);
        const m = idx.reduce((s, i) => s + v[i], 0) / idx.length;
        const s2 = idx.reduce((s, i) => s + (v[i] - m) ** 2, 0) / idx.length; // biased, as InstanceNorm2d
        for (const i of idx) expect(got[i]).toBeCloseTo((v[i] - m) / Math.sqrt(s2 + 1e-5), 4);
      }
    } finally {
      x.dispose();
    }
  });

  it('reflection padding equals tf.mirrorPad\'s forward pass and its gradient equals the float64 adjoint (each input gets dy from every position it is copied to)', async () => {
    await initBackend({ backend });
    const [b, h, w, c, p] = [2, 5, 4, 2, 3];
    const v = uniforms(b * h * w * c, 'rp');
    const x = t4(v, [b, h, w, c]);
    const dy = uniforms(b * (h + 2 * p) * (w + 2 * p) * c, 'rp-dy');
    const dyT = t4(dy, [b, h + 2 * p, w + 2 * p, c]);
    try {
      const [ours, theirs] = tf.tidy(() => [reflectPad(x, p).dataSync(), tf.mirrorPad(x, [[0, 0], [p, p], [p, p], [0, 0]], 'reflect').dataSync()]);
      expect(Array.from(ours)).toEqual(Array.from(theirs));
      const grad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reflectPad(t as tf.Tensor4D, p), dyT)))(x).dataSync());
      const src = (i: number, n: number) => { const j = i - p; return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j; }; // padded index → source index
      const expected = new Float64Array(v.length);
      for (let e = 0; e < b; e++) for (let i = 0; i < h + 2 * p; i++) for (let j = 0; j < w + 2 * p; j++) for (let k = 0; k < c; k++) {
        expected[((e * h + src(i, h)) * w + src(j, w)) * c + k] += dy[((e * (h + 2 * p) + i) * (w + 2 * p) + j) * c + k];
      }
      expected.forEach((g, i) => expect(grad[i]).toBeCloseTo(g, 4));
      expect(() => reflectPad(x, 4)).toThrow(RangeError);
    } finally {
      tf.dispose([x, dyT]);
    }
  });

  it('shapes: G [B, 28, 28, 1] → [B, 28, 28, 1] in [−1, 1]; PatchGAN → [B, 12, 12, 1]; RGB 16×16 too', async () => {
    await initBackend({ backend });
    const g = new ResnetGenerator({ width: 4, blocks: 2, channels: 1, seed: 1 });
    const d = new PatchDiscriminator({ width: 4, channels: 1, seed: 2 });
    const g3 = new ResnetGenerator({ width: 2, blocks: 1, channels: 3, seed: 3 });
    const d3 = new PatchDiscriminator({ width: 2, channels: 3, seed: 4 });
    const x = tf.randomUniform<tf.Rank.R4>([3, 28, 28, 1], -1, 1, 'float32', 1);
    const x3 = tf.randomUniform<tf.Rank.R4>([2, 16, 16, 3], -1, 1, 'float32', 2);
    try {
      assertNoLeaksSync(() => tf.tidy(() => {
        const y = g.apply(x);
        expect(y.shape).toEqual([3, 28, 28, 1]);
        expect(tf.max(tf.abs(y)).dataSync()[0]).toBeLessThanOrEqual(1);
        expect(d.apply(y).shape).toEqual([3, 12, 12, 1]);
        expect(g3.apply(x3).shape).toEqual([2, 16, 16, 3]);
        expect(d3.apply(x3).shape).toEqual([2, 6, 6, 1]);
      }), { allow: 0 });
    } finally {
      tf.dispose([x, x3]); g.dispose(); d.dispose(); g3.dispose(); d3.dispose();
    }
  });

  it('the cycle loss\'s gradient through a tiny G and F equals central finite differences', async () => {
    await initBackend({ backend });
    const g = new ResnetGenerator({ width: 2, blocks: 1, channels: 1, seed: 5 });
    const f = new ResnetGenerator({ width: 2, blocks: 1, channels: 1, seed: 6 });
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], -1, 1, 'float32', 7);
    const y = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], -1, 1, 'float32', 8);
    // eq. 2 through both networks: F(G(x)) and G(F(y)); ×100 (gradients of order 1–100)
    const loss = () => tf.mul<tf.Scalar>(100, cycleConsistencyLoss(x, f.apply(g.apply(x)), y, g.apply(f.apply(y))));
    try {
      for (const [net, name] of [[g, 'c7s1/kernel'], [g, 'r0/b/kernel'], [g, 'u2/kernel'], [f, 'd1/kernel'], [f, 'out/kernel'], [f, 'out/bias']] as const) {
        const v = net.variables[name];
        const grad = tf.tidy(() => tf.variableGrads(loss, [v]).grads[v.name].dataSync());
        const values = v.dataSync().slice();
        for (const i of new Set([0, 5, values.length - 1].filter((k) => k < values.length))) {
          const at = (delta: number) => { const w = values.slice(); w[i] += delta; v.assign(tf.tensor(w, v.shape)); return tf.tidy(() => loss().dataSync()[0]); };
          // The loss has kinks (|·| of eq. 2, ReLU): a kink inside [w − ε, w + ε] spoils a central difference.
          // A central difference (ε = 10⁻⁴) and the two one-sided ones (ε = 3·10⁻⁵; a kink spoils at most one
          // side) are tried and the closest is judged: a wrong gradient fails all three.
          const [up, mid, down] = [3e-5, 0, -3e-5].map(at);
          const fds = [(at(1e-4) - at(-1e-4)) / 2e-4, (up - mid) / 3e-5, (mid - down) / 3e-5];
          v.assign(tf.tensor(values, v.shape));
          const fd = fds.reduce((best, d) => (Math.abs(d - grad[i]) < Math.abs(best - grad[i]) ? d : best));
          expect(Math.abs(fd - grad[i]), `${name}[${i}]: fd ${fds}, autodiff ${grad[i]}`).toBeLessThan(0.03 * Math.abs(grad[i]) + 0.3);
        }
      }
    } finally {
      g.dispose(); f.dispose(); tf.dispose([x, y]);
    }
  });

  it('the image history fills first, then returns stored images in place of new ones half the time', async () => {
    await initBackend({ backend });
    let u = 0.9; // > 0.5: swap with stored image ⌊0.9 · size⌋
    const pool = new ImagePool(2, () => u);
    const batch = (v: number) => tf.fill<tf.Rank.R4>([1, 2, 2, 1], v);
    const q = (v: number) => { const b = batch(v); const out = pool.query(b); const r = out.dataSync()[0]; tf.dispose([b, out]); return r; };
    expect([q(1), q(2)]).toEqual([1, 2]); // filling: returned as they are
    expect(q(3)).toBe(2); // full: slot 1 (image 2) returned, 3 stored there
    u = 0.1;
    expect(q(4)).toBe(4); // ≤ 0.5: the new image itself
    expect(pool.state().map((x) => x[0])).toEqual([1, 3]);
    const restored = new ImagePool(2, () => 0.9); // a checkpoint's JSON state restores the history
    restored.restore(JSON.parse(JSON.stringify(pool.state())) as number[][]);
    const b5 = batch(5); const out5 = restored.query(b5);
    expect(out5.dataSync()[0]).toBe(3); // full at once: slot 1 (image 3) returned
    tf.dispose([b5, out5]);
    const off = new ImagePool(0, () => 0.9);
    const b = batch(7); const out = off.query(b);
    expect(out.dataSync()[0]).toBe(7);
    tf.dispose([b, out]);
  });

  it('one step moves G, F, D_X and D_Y, returns finite losses and leaks nothing', async () => {
    await initBackend({ backend });
    const nets = { g: new ResnetGenerator({ width: 2, blocks: 1, channels: 1, seed: 1 }), f: new ResnetGenerator({ width: 2, blocks: 1, channels: 1, seed: 2 }), dX: new PatchDiscriminator({ width: 2, channels: 1, seed: 3 }), dY: new PatchDiscriminator({ width: 2, channels: 1, seed: 4 }) };
    const optG = new Adam(CYCLEGAN_ADAM);
    const optD = new Adam(CYCLEGAN_ADAM);
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], -1, 1, 'float32', 1);
    const y = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], -1, 1, 'float32', 2);
    const pools = { x: new ImagePool(4, makeRng('pool')), y: new ImagePool(4, makeRng('pool2')) };
    const snapshot = () => Object.values(nets).map((n) => Object.values(n.variables).map((v) => v.dataSync().slice()));
    try {
      const before = snapshot();
      const r = cycleganStep(nets, optG, optD, x, y, pools); // allocates Adam's moments on the first call
      for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
      expect(r.identity).toBeGreaterThan(0);
      const after = snapshot();
      before.forEach((net, k) => expect(net.some((w, j) => w.some((q, i) => q !== after[k][j][i])), `network ${k} moved`).toBe(true));
      assertNoLeaksSync(() => { cycleganStep(nets, optG, optD, x, y, pools, { lambda: 10, identity: 0 }); }, { allow: 0 });
    } finally {
      tf.dispose([x, y]); optG.dispose(); optD.dispose();
      for (const n of Object.values(nets)) n.dispose();
    }
  });
});
