/**
 * The fused Adam/AdamW update (PaperzooAdamUpdate of @paperzoo/tensor-native) against the composed one:
 *
 * - the kernel on native against the composed tfjs ops on cpu, bit for bit: random shapes (below and
 *   above the size the addon splits over its OpenMP threads), negative values, several steps, with and
 *   without AdamW's decay and a clipping factor;
 * - whole Adam/AdamW runs (decay on some variables, clipping by global norm that clips and that does
 *   not, clipValue and l2) on native with the kernel against the same runs with the kernel
 *   unregistered, bit for bit, and the fused path leaving no tensor behind;
 * - the fused path is taken on native (one PaperzooAdamUpdate per variable) and never on cpu.
 *
 * Skipped (visibly) where the native backend is unavailable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE, assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { Adam, AdamW, type Optimizer } from '../src/index.js';

const native = await initBackend({ backend: 'native' }).then(
  () => true,
  () => false,
);

/** Deterministic values in [lo, hi). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * a) / 2 ** 32;
  });
}

/** got equals want bit for bit (NaN payloads aside), with the first differing element in the message. */
function expectSameBits(label: string, got: Float32Array, want: Float32Array): void {
  expect(got.length, label).toBe(want.length);
  const i = want.findIndex((w, k) => !Object.is(w, got[k]) && !(Number.isNaN(w) && Number.isNaN(got[k])));
  expect(i, i < 0 ? label : `${label}[${i}]: ${got[i]} vs ${want[i]}`).toBe(-1);
}

/** PaperzooAdamUpdate's attributes. */
type Step = Record<'learningRate' | 'beta1' | 'beta2' | 'epsilon' | 'step' | 'decayFactor' | 'gradScale', number>;

/** The composed ops of Adam.update / AdamW.update (and the clipped gradient g·scale), in their order. */
function composed(theta: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: Step): tf.Tensor[] {
  const grad = tf.mul(g, tf.scalar(s.gradScale));
  const m1 = tf.add(tf.mul(m, s.beta1), tf.mul(grad, 1 - s.beta1));
  const v1 = tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(grad), 1 - s.beta2));
  const d = tf.div(tf.div(m1, 1 - s.beta1 ** s.step), tf.add(tf.sqrt(tf.div(v1, 1 - s.beta2 ** s.step)), s.epsilon));
  return [tf.sub(s.decayFactor === 1 ? theta : tf.mul(theta, s.decayFactor), tf.mul(d, s.learningRate)), m1, v1];
}

/** Five steps from the same state on `backend`, fused (runKernel) or composed: θ, m, v after each. */
async function steps(backend: 'cpu' | 'native', shape: number[], seed: number, decay: number, scale: number): Promise<Float32Array[][]> {
  await initBackend({ backend });
  const n = tf.util.sizeFromShape(shape);
  let state = [values(n, seed, -2, 2), new Float32Array(n), new Float32Array(n)].map((x) => tf.tensor(x, shape));
  const out: Float32Array[][] = [];
  for (let t = 1; t <= 5; t++) {
    const g = tf.tensor(values(n, seed + 10 * t, -3, 3), shape);
    const s: Step = { learningRate: 3e-3 * t, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, step: t, decayFactor: 1 - 3e-3 * t * decay, gradScale: scale };
    const next = backend === 'native' ? tf.engine().runKernel<tf.Tensor[]>(ADAM_UPDATE, { value: state[0], gradient: g, m: state[1], v: state[2] }, { ...s }) : tf.tidy(() => composed(state[0], g, state[1], state[2], s));
    tf.dispose([...state, g]);
    state = next;
    out.push(state.map((x) => x.dataSync() as Float32Array));
  }
  tf.dispose(state);
  return out;
}

/** A small model's variables (some matrices, some vectors, one above the addon's threading size) and a loss with negative values. */
function model(seed: number): { vars: tf.Variable[]; loss: () => tf.Scalar } {
  const shapes = [[7, 5], [5], [3, 4, 6], [1], [200, 200]];
  const vars = shapes.map((s, i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(s), seed + i, -1.5, 1.5), s), true, `fusedAdam${seed}_${i}`));
  const loss = () =>
    tf.tidy(() => {
      const terms = vars.map((w, i) => tf.sum(tf.mul(tf.sin(tf.mul(w, 1.7 + i)), tf.tensor(values(w.size, seed + 100 + i, -4, 4), w.shape))));
      return tf.addN(terms) as tf.Scalar;
    });
  return { vars, loss };
}

/** Six steps of `make()` on native: every variable and slot after each step (with the kernel, or with it unregistered). */
function run(make: () => Optimizer, seed: number, withKernel: boolean): Float32Array[][] {
  const saved = tf.getKernel(ADAM_UPDATE, 'native');
  if (!withKernel && saved != null) tf.unregisterKernel(ADAM_UPDATE, 'native');
  try {
    const { vars, loss } = model(seed);
    const opt = make();
    const out: Float32Array[][] = [];
    for (let t = 0; t < 6; t++) {
      const { value, grads } = tf.variableGrads(loss, vars);
      opt.applyGradients(grads);
      tf.dispose([value, grads]);
      const weights = opt.getWeightsSync();
      out.push([...vars.map((v) => v.dataSync() as Float32Array), ...weights.slice(1).map((w) => w.tensor.dataSync() as Float32Array)]);
      tf.dispose(weights.map((w) => w.tensor));
    }
    opt.dispose();
    tf.dispose(vars);
    return out;
  } finally {
    if (!withKernel && saved != null) tf.registerKernel(saved);
  }
}

const OPTIMIZERS: Record<string, () => Optimizer> = {
  Adam: () => new Adam({ learningRate: 1e-2 }),
  'AdamW (matrices decay)': () => new AdamW({ learningRate: 1e-2, weightDecay: 0.1, beta2: 0.95, decays: (v) => v.shape.length >= 2 }),
  'AdamW, clipNorm that clips': () => new AdamW({ learningRate: (t) => 1e-2 / (t + 1), weightDecay: 0.1, clipNorm: 1 }),
  'AdamW, clipNorm that does not clip': () => new AdamW({ learningRate: 1e-2, weightDecay: 0.1, clipNorm: 1e6 }),
  'Adam, clipValue, l2 and clipNorm': () => new Adam({ learningRate: 1e-2, epsilon: 1e-6, clipValue: 0.5, l2: 1e-3, clipNorm: 2 }),
};

describe.skipIf(!native)('fused Adam/AdamW update (PaperzooAdamUpdate, native)', () => {
  afterAll(() => tf.disposeVariables());

  for (const [shape, decay, scale] of [
    [[3], 0, 1],
    [[17, 3], 0.1, 1],
    [[5, 9, 7], 0, 0.37],
    [[256, 160], 0.01, 0.052],
    [[300, 301], 0.1, 1],
  ] as const) {
    it(`equals the composed ops on cpu bit for bit: [${shape.join(', ')}], decay ${decay}, gradScale ${scale}, 5 steps`, async () => {
      const fused = await steps('native', [...shape], shape.length * 7 + 1, decay, scale);
      const want = await steps('cpu', [...shape], shape.length * 7 + 1, decay, scale);
      want.forEach((w, t) => ['θ', 'm', 'v'].forEach((name, k) => expectSameBits(`${name} after step ${t + 1}`, fused[t][k], w[k])));
    });
  }

  for (const [name, make] of Object.entries(OPTIMIZERS)) {
    it(`${name}: six steps on native equal the same run with the kernel unregistered, bit for bit`, async () => {
      await initBackend({ backend: 'native' });
      const fused = run(make, 11, true);
      const plain = run(make, 11, false);
      plain.forEach((w, t) => w.forEach((x, k) => expectSameBits(`tensor ${k} after step ${t + 1}`, fused[t][k], x)));
    });
  }

  it('runs one PaperzooAdamUpdate per variable on native, none on cpu, and leaves no tensor behind', async () => {
    for (const backend of ['native', 'cpu'] as const) {
      await initBackend({ backend });
      const { vars, loss } = model(3);
      const opt = new AdamW({ weightDecay: 0.1, clipNorm: 1 });
      const { value, grads } = tf.variableGrads(loss, vars);
      opt.applyGradients(grads); // creates the slots
      const info = await tf.profile(() => opt.applyGradients(grads));
      expect(info.kernels.filter((k) => k.name === ADAM_UPDATE).length, backend).toBe(backend === 'native' ? vars.length : 0);
      await assertNoLeaks(() => opt.applyGradients(grads));
      tf.dispose([value, grads]);
      opt.dispose();
      tf.dispose(vars);
    }
  });
});
