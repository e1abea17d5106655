/**
 * PacGAN packing and WGAN-GP's gradient penalty:
 * - packing's shapes and layout; packing m = 1 is the plain GAN (the same D scores and losses);
 * - the penalty's gradient with respect to the critic's parameters (a second-order gradient through
 *   the critic) against float64 central finite differences of the penalty, on a tiny tanh MLP critic
 *   and on a tiny maxout critic (the one the mixtures app trains);
 * - ‖∇D(x̂)‖ of a linear critic D(x) = w·x + b is ‖w‖ at every x̂ (closed form).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, makeRng, tf } from '@paperzoo/tensor';
import { MixtureDiscriminator, criticGradientNorms, discriminatorLoss, gradientPenalty, pack, packRows } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

describe('packing (Lin et al. 2018 §3)', () => {
  it('m parts [n, d] → [n, m·d], example i = (x₁ᵢ, …, x_mᵢ); packRows groups m consecutive rows', () => {
    const out = assertNoLeaksSync(() =>
      tf.tidy(() => {
        const a = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
        const b = tf.tensor2d([[10, 20], [30, 40], [50, 60]]);
        const packed = pack([a, b]);
        const rows = packRows(tf.tensor2d([[1, 2], [10, 20], [3, 4], [30, 40]]), 2);
        return { shape: packed.shape, values: packed.arraySync(), rows: rows.arraySync() };
      }),
    );
    expect(out.shape).toEqual([3, 4]);
    expect(out.values).toEqual([[1, 2, 10, 20], [3, 4, 30, 40], [5, 6, 50, 60]]);
    expect(out.rows).toEqual([[1, 2, 10, 20], [3, 4, 30, 40]]);
    expect(() => packRows(tf.zeros<tf.Rank.R2>([3, 2]), 2)).toThrow(RangeError);
  });

  it('m = 1 is the plain GAN: same discriminator scores and losses as the unpacked batch', () => {
    const d = new MixtureDiscriminator({ inputs: 2, hidden: [8, 8], pieces: 3, seed: 5 });
    try {
      const [packedLoss, plainLoss, same] = assertNoLeaksSync(() =>
        tf.tidy(() => {
          const real = tf.randomNormal<tf.Rank.R2>([16, 2], 0, 1, 'float32', 1);
          const fake = tf.randomNormal<tf.Rank.R2>([16, 2], 0, 1, 'float32', 2);
          const packed = discriminatorLoss('non-saturating', d.apply(pack([real])), d.apply(pack([fake])));
          const plain = discriminatorLoss('non-saturating', d.apply(real), d.apply(fake));
          return [packed.arraySync(), plain.arraySync(), tf.all(tf.equal(d.apply(pack([fake])), d.apply(fake))).arraySync()];
        }),
      );
      expect(packedLoss).toBe(plainLoss);
      expect(same).toBe(1);
    } finally {
      d.dispose();
    }
  });

  it('a PacGAN2 discriminator takes 4 inputs and scores each packed pair once: [n, 4] → [n, 1]', () => {
    const d = new MixtureDiscriminator({ inputs: 4, hidden: [8], pieces: 2, seed: 1 });
    try {
      const shape = assertNoLeaksSync(() => tf.tidy(() => d.apply(pack([tf.zeros<tf.Rank.R2>([5, 2]), tf.ones<tf.Rank.R2>([5, 2])])).shape));
      expect(shape).toEqual([5, 1]);
      expect(d.parameterShapes()['h0/kernel']).toEqual([4, 16]);
    } finally {
      d.dispose();
    }
  });
});

/** Central differences of a float64 function of a parameter vector. */
function finiteDifferences(f: (p: Float64Array) => number, p: Float64Array, h = 1e-6): Float64Array {
  return p.map((_, i) => {
    const up = Float64Array.from(p);
    const down = Float64Array.from(p);
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

describe('WGAN-GP gradient penalty (Gulrajani et al. 2017, Alg. 1 l. 6–7)', () => {
  const rng = makeRng('gp');
  const n = 5;
  const inputs = 2;
  const hidden = 3;
  const x = Array.from({ length: n * inputs }, () => 2 * rng() - 1);
  const fake = Array.from({ length: n * inputs }, () => 2 * rng() - 1);
  const eps = Array.from({ length: n }, () => rng());
  const xHat = x.map((v, i) => eps[Math.floor(i / inputs)] * v + (1 - eps[Math.floor(i / inputs)]) * fake[i]);
  const lambda = 10;

  it('tanh MLP critic: ∂GP/∂θ (second order through the critic) equals float64 central differences', () => {
    // θ = (W [inputs, hidden], b [hidden], v [hidden], c); D(x) = v·tanh(xW + b) + c, ∇ₓD = W (v ⊙ (1 − tanh²))
    const sizes = [inputs * hidden, hidden, hidden, 1];
    const theta = Float64Array.from({ length: sizes.reduce((a, b) => a + b, 0) }, () => 1.5 * (2 * rng() - 1));
    const split = (p: ArrayLike<number>) => {
      let o = 0;
      return sizes.map((s) => Array.from({ length: s }, () => p[o++]));
    };
    const penalty64 = (p: Float64Array) => {
      const [W, b, v] = split(p);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const g = new Array<number>(inputs).fill(0);
        for (let j = 0; j < hidden; j++) {
          let a = b[j];
          for (let k = 0; k < inputs; k++) a += xHat[i * inputs + k] * W[k * hidden + j];
          const s = v[j] * (1 - Math.tanh(a) ** 2);
          for (let k = 0; k < inputs; k++) g[k] += W[k * hidden + j] * s;
        }
        sum += (Math.sqrt(g.reduce((q, e) => q + e * e, 0) + 1e-12) - 1) ** 2;
      }
      return (lambda * sum) / n;
    };
    const reference = finiteDifferences(penalty64, theta);
    const { value, grads } = assertNoLeaksSync(() =>
      tf.tidy(() => {
        const [W, b, v, c] = split(theta).map((a, i) => tf.variable(tf.tensor(a, i === 0 ? [inputs, hidden] : i === 3 ? [1] : [hidden]), true, `gp-mlp-${i}`));
        const critic = (t: tf.Tensor) => tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(t as tf.Tensor2D, W as tf.Tensor2D), b)), tf.reshape(v, [hidden, 1])), c);
        const r = tf.variableGrads(() => gradientPenalty(critic, tf.tensor2d(x, [n, inputs]), tf.tensor2d(fake, [n, inputs]), tf.tensor1d(eps), lambda), [W, b, v, c] as tf.Variable[]);
        const out = { value: r.value.arraySync(), grads: [W, b, v, c].flatMap((w) => Array.from(r.grads[w.name]?.dataSync() ?? new Float32Array(w.size))) }; // c has no gradient: it does not move ∇ₓD
        [W, b, v, c].forEach((w) => w.dispose());
        return out;
      }),
    );
    expect(value).toBeCloseTo(penalty64(theta), 4);
    const scale = Math.max(...reference.map(Math.abs));
    reference.forEach((r, i) => expect(Math.abs(grads[i] - r)).toBeLessThan(2e-3 * scale + 1e-5));
    expect(reference.slice(0, inputs * hidden).some((r) => Math.abs(r) > 1e-3)).toBe(true); // the first layer's weights get a gradient
  });

  it('maxout critic (the app\'s): ∂GP/∂θ equals float64 central differences', () => {
    const d = new MixtureDiscriminator({ inputs, hidden: [4], pieces: 3, initStd: 0.8, seed: 9 });
    try {
      const names = Object.keys(d.variables);
      const theta = Float64Array.from(names.flatMap((k) => Array.from(d.variables[k].dataSync())));
      const shapes = names.map((k) => d.variables[k].shape);
      const penalty64 = (p: Float64Array) => {
        const [W, b, V, c] = ((o = 0) => shapes.map((s) => Array.from({ length: s.reduce((a, e) => a * e, 1) }, () => p[o++])))();
        const units = 4;
        const pieces = 3;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const g = new Array<number>(inputs).fill(0);
          for (let u = 0; u < units; u++) {
            let best = -Infinity;
            let arg = 0;
            for (let j = 0; j < pieces; j++) {
              let a = b[j * units + u];
              for (let k = 0; k < inputs; k++) a += xHat[i * inputs + k] * W[k * units * pieces + j * units + u];
              if (a > best) [best, arg] = [a, j];
            }
            for (let k = 0; k < inputs; k++) g[k] += V[u] * W[k * units * pieces + arg * units + u];
          }
          sum += (Math.sqrt(g.reduce((q, e) => q + e * e, 0) + 1e-12) - 1) ** 2;
        }
        return (lambda * sum) / n + 0 * c[0];
      };
      const reference = finiteDifferences(penalty64, theta);
      const grads = assertNoLeaksSync(() =>
        tf.tidy(() => {
          const r = tf.variableGrads(() => gradientPenalty((t) => d.apply(t as tf.Tensor2D), tf.tensor2d(x, [n, inputs]), tf.tensor2d(fake, [n, inputs]), tf.tensor1d(eps), lambda), Object.values(d.variables));
          return names.flatMap((k) => Array.from(r.grads[d.variables[k].name]?.dataSync() ?? new Float32Array(d.variables[k].size)));
        }),
      );
      const scale = Math.max(...reference.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      reference.forEach((r, i) => expect(Math.abs(grads[i] - r)).toBeLessThan(2e-3 * scale + 1e-5));
    } finally {
      d.dispose();
    }
  });

  it('linear critic D(x) = w·x + b: ‖∇D(x̂)‖ = ‖w‖ at every interpolate, and the penalty is λ(‖w‖ − 1)²', () => {
    const w = [0.3, -1.2, 2.0];
    const norm = Math.hypot(...w);
    const [norms, gp] = assertNoLeaksSync(() =>
      tf.tidy(() => {
        const critic = (t: tf.Tensor) => tf.add(tf.matMul(t as tf.Tensor2D, tf.tensor2d(w, [3, 1])), 0.7);
        const a = tf.randomNormal([6, 3], 0, 1, 'float32', 3);
        const b = tf.randomNormal([6, 3], 0, 1, 'float32', 4);
        const e = tf.randomUniform<tf.Rank.R1>([6], 0, 1, 'float32', 5);
        return [Array.from(criticGradientNorms(critic, a).dataSync()), gradientPenalty(critic, a, b, e, 10).arraySync()];
      }),
    );
    for (const v of norms) expect(v).toBeCloseTo(norm, 5);
    expect(gp).toBeCloseTo(10 * (norm - 1) ** 2, 4);
  });
});
