/**
 * The exact properties of every flow layer of NICE and RealNVP, each alone and composed, on cpu and
 * native: f⁻¹(f(x)) = x to 1e-5 in float32 (random shapes, inputs of both signs, parameters far from
 * their near-identity initialisation), and the layer's own log |det J| against a brute-force one (the
 * full Jacobian by autodiff, log |det| by a float64 LU); batch-norm in training mode (its log-det over
 * the batch statistics held fixed, as RealNVP §3.7) and evaluation mode. Also: the priors against
 * their closed forms in float64, the units of the likelihood (the [0, 256) → [0, 1] rescale adds
 * D log 256), the NLL's gradient against central differences, and no leaked tensors.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, makeRng, ParameterStore, type BackendName } from '@paperzoo/tensor';
import { AVAILABLE } from '../../tensor/test/backends.js';
import {
  AdditiveCoupling, AffineCoupling, BatchNormFlow, ConvConditioner, CouplingFlow, DiagonalScaling, GAUSSIAN_PRIOR, LOGISTIC_PRIOR, LOG_256, MlpConditioner, Squeeze,
  bitsPerDim, bruteForceLogDet, channelPartition, checkerboardPartition, flowForward, flowInverse, logAbsDet, matchedAffineHidden, nllOnByteScale, parityPartition, type FlowLayer,
} from '../src/index.js';

const BACKENDS: BackendName[] = ['cpu', 'native'];

/** Random values of both signs, std `scale`. */
function randn(shape: number[], seed: string, scale = 1.5): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => scale * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())), shape);
}

/** max |a − b| (no tensor left behind). */
function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Allocate a store and move every parameter away from its initial value (so scales and shifts are far from identity). */
function randomise(store: ParameterStore, seed: string, scale = 0.5): void {
  store.allocate(seed);
  store.parameters.forEach((p, i) => {
    const v = p.variableOf();
    const r = randn([...p.shape], `${seed}:${i}`, scale);
    v.assign(p.name.endsWith('running_variance') ? tf.add(tf.abs(r), 0.5) : r);
    r.dispose();
  });
}

/** The layers under test, each on its own input shape. */
function layerCases(): { name: string; layer: FlowLayer; shape: number[]; store: ParameterStore }[] {
  const s = (name: string) => new ParameterStore(name);
  const cases: { name: string; layer: FlowLayer; shape: number[]; store: ParameterStore }[] = [];
  let st = s('additive');
  cases.push({ name: 'additive coupling (odd/even split)', layer: new AdditiveCoupling(parityPartition(1), new MlpConditioner(st, 'm', [4, 7, 7, 4], 0.5)), shape: [3, 8], store: st });
  st = s('additive-checkerboard');
  cases.push({ name: 'additive coupling (checkerboard mask)', layer: new AdditiveCoupling(checkerboardPartition(4, 4, 2, 0), new ConvConditioner(st, 'm', { channels: 2, hidden: 5, out: 2 })), shape: [2, 4, 4, 2], store: st });
  st = s('affine');
  cases.push({ name: 'affine coupling (odd/even split)', layer: new AffineCoupling(st, 'c', parityPartition(0), new MlpConditioner(st, 'm', [4, 7, 8], 0.5), 4), shape: [3, 8], store: st });
  st = s('affine-checkerboard');
  cases.push({ name: 'affine coupling (checkerboard mask)', layer: new AffineCoupling(st, 'c', checkerboardPartition(4, 4, 2, 1), new ConvConditioner(st, 'm', { channels: 2, hidden: 5, out: 4 }), 2), shape: [2, 4, 4, 2], store: st });
  st = s('affine-channel');
  cases.push({ name: 'affine coupling (channel mask)', layer: new AffineCoupling(st, 'c', channelPartition(4, 4, 2, 0), new ConvConditioner(st, 'm', { channels: 2, hidden: 5, out: 4 }), 2), shape: [2, 4, 4, 2], store: st });
  st = s('scaling');
  cases.push({ name: 'diagonal scaling', layer: new DiagonalScaling(st, 's', [8]), shape: [3, 8], store: st });
  st = s('squeeze');
  cases.push({ name: 'squeeze', layer: new Squeeze(), shape: [2, 4, 4, 2], store: st });
  st = s('bn');
  cases.push({ name: 'batch-norm (evaluation mode)', layer: new BatchNormFlow(st, 'bn', 2), shape: [3, 4, 4, 2], store: st });
  return cases;
}

/** A composed RealNVP-style stack on 4×4×2 images: checkerboard, batch-norm, squeeze, channel-mask couplings. */
function composed(): { layers: FlowLayer[]; store: ParameterStore } {
  const st = new ParameterStore('stack');
  const layers: FlowLayer[] = [
    new AffineCoupling(st, 'c1', checkerboardPartition(4, 4, 2, 0), new ConvConditioner(st, 'm1', { channels: 2, hidden: 4, out: 4 }), 2),
    new AdditiveCoupling(checkerboardPartition(4, 4, 2, 1), new ConvConditioner(st, 'm2', { channels: 2, hidden: 4, out: 2 })),
    new BatchNormFlow(st, 'bn', 2),
    new Squeeze(),
    new AffineCoupling(st, 'c3', channelPartition(2, 2, 8, 0), new ConvConditioner(st, 'm3', { channels: 8, hidden: 4, out: 16 }), 8),
    new AffineCoupling(st, 'c4', channelPartition(2, 2, 8, 1), new ConvConditioner(st, 'm4', { channels: 8, hidden: 4, out: 16 }), 8),
  ];
  return { layers, store: st };
}

describe.each(BACKENDS)('flow layers on %s', (backend) => {
  const run = AVAILABLE[backend] ? it : it.skip;

  run('every layer: f⁻¹(f(x)) = x to 1e-5 and log |det J| = brute force, without leaks', async () => {
    await initBackend({ backend });
    for (const { name, layer, shape, store } of layerCases()) {
      randomise(store, name);
      const before = tf.memory().numTensors;
      const x = randn(shape, `x:${name}`);
      const { y, logDet } = layer.forward(x);
      const back = layer.inverse(y);
      const inverseError = maxAbsDiff(back, x);
      expect(inverseError, name).toBeLessThan(1e-5);
      expect(y.shape, name).toEqual(name === 'squeeze' ? [2, 2, 2, 8] : shape);
      const own = logDet.dataSync();
      for (let i = 0; i < shape[0]; i++) {
        const xi = tf.slice(x, i, 1);
        const brute = bruteForceLogDet((xs) => layer.forward(xs).y, xi);
        expect(Math.abs(own[i] - brute), `${name}, example ${i}: ${own[i]} vs ${brute}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(brute)));
        xi.dispose();
      }
      tf.dispose([x, y, logDet, back]);
      expect(tf.memory().numTensors, `${name} leaked`).toBe(before);
      store.dispose();
    }
  });

  run('batch-norm in training mode: batch statistics, log-det over them held fixed; the running averages move', async () => {
    await initBackend({ backend });
    const store = new ParameterStore('bn-train');
    const bn = new BatchNormFlow(store, 'bn', 3, { momentum: 0.5 });
    randomise(store, 'bn-train');
    const x = tf.add(randn([6, 2, 2, 3], 'bn-x'), 1.3);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const runningBefore = bn.runningMean.value.dataSync().slice();
    const { y, logDet } = bn.forward(x, { training: true });
    const fixed = bn.normalizeWith(x, mean, variance);
    expect(maxAbsDiff(y, fixed.y)).toBeLessThan(1e-6);
    // the map of each example with the batch's statistics held: its Jacobian, brute force
    for (let i = 0; i < 6; i += 5) {
      const xi = tf.slice(x, i, 1);
      const brute = bruteForceLogDet((xs) => bn.normalizeWith(xs, mean, variance).y, xi);
      expect(Math.abs(logDet.dataSync()[i] - brute)).toBeLessThan(1e-4 * Math.max(1, Math.abs(brute)));
      xi.dispose();
    }
    // running mean = 0.5·old + 0.5·batch mean
    const expected = Array.from(runningBefore, (v, c) => 0.5 * v + 0.5 * mean.dataSync()[c]);
    bn.runningMean.value.dataSync().forEach((v, c) => expect(v).toBeCloseTo(expected[c], 5));
    tf.dispose([x, mean, variance, y, logDet, fixed.y, fixed.logDet]);
    store.dispose();
  });

  run('a composed RealNVP-style stack (checkerboard, batch-norm, squeeze, channel masks): exact inverse and log-det', async () => {
    await initBackend({ backend });
    const { layers, store } = composed();
    randomise(store, 'stack', 0.3);
    const x = randn([2, 4, 4, 2], 'stack-x');
    const { y, logDet } = flowForward(layers, x);
    const back = flowInverse(layers, y);
    expect(maxAbsDiff(back, x)).toBeLessThan(1e-5);
    for (let i = 0; i < 2; i++) {
      const xi = tf.slice(x, i, 1);
      const brute = bruteForceLogDet((xs) => flowForward(layers, xs).y, xi);
      expect(Math.abs(logDet.dataSync()[i] - brute)).toBeLessThan(2e-4 * Math.max(1, Math.abs(brute)));
      xi.dispose();
    }
    tf.dispose([x, y, logDet, back]);
    store.dispose();
  });

  run('NICE and its affine twin: exact inverse and log-det, and the NLL gradient against central differences', async () => {
    await initBackend({ backend });
    for (const law of ['additive', 'affine'] as const) {
      const model = new CouplingFlow({ dims: 8, couplings: 4, hidden: 6, hiddenLayers: 2, law, initRange: 0.6, seed: 3 });
      const scaling = model.variables['scaling/log_scale'];
      tf.tidy(() => scaling.assign(tf.mul(randn([8], "S"), 0.3)));
      const x = randn([5, 8], `nice-x:${law}`, 1);
      const before = tf.memory().numTensors;
      const { y, logDet } = model.forward(x);
      const back = model.inverse(y);
      expect(maxAbsDiff(back, x)).toBeLessThan(1e-5);
      const xi = tf.slice(x, 0, 1);
      expect(Math.abs(logDet.dataSync()[0] - bruteForceLogDet((xs) => model.forward(xs).y, xi))).toBeLessThan(1e-4);
      tf.dispose([y, logDet, xi, back]);
      expect(tf.memory().numTensors).toBe(before);
      // gradient of the mean NLL w.r.t. a few weights, against central differences (float32, h = 1e-2)
      const nll = () => tf.neg(tf.mean(model.logProb(x))) as tf.Scalar;
      const { grads } = tf.variableGrads(nll);
      for (const name of ['coupling1/layer1/kernel', 'coupling4/layer3/bias', 'scaling/log_scale']) {
        const v = model.variables[name];
        const values = v.dataSync().slice();
        const g = grads[v.name].dataSync();
        for (const k of [0, values.length - 1]) {
          const at = (delta: number) => {
            const moved = values.slice();
            moved[k] += delta;
            tf.tidy(() => v.assign(tf.tensor(moved, v.shape)));
            return tf.tidy(() => nll().dataSync()[0]);
          };
          const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
          tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
          expect(Math.abs(fd - g[k]), `${law} ${name}[${k}]: FD ${fd} vs grad ${g[k]}`).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
        }
      }
      tf.dispose([x, ...Object.values(grads)]);
      model.dispose();
    }
  });
});

describe('priors, units and sizes', () => {
  it('the logistic and Gaussian priors against their closed forms in float64', async () => {
    await initBackend({ backend: 'cpu' });
    const h = [-30, -4.5, -1, -1e-3, 0, 0.7, 3, 12];
    const logistic = h.reduce((s, v) => s + (-v - 2 * Math.log1p(Math.exp(-v))), 0); // log(e^{−h} / (1 + e^{−h})²)
    const gaussian = h.reduce((s, v) => s - 0.5 * v * v - 0.5 * Math.log(2 * Math.PI), 0);
    const t = tf.tensor2d([h]);
    expect(LOGISTIC_PRIOR.logProb(t).dataSync()[0]).toBeCloseTo(logistic, 3);
    expect(GAUSSIAN_PRIOR.logProb(t).dataSync()[0]).toBeCloseTo(gaussian, 3);
    t.dispose();
  });

  it('the units: the [0, 256) → [0, 1] rescale has log |det| = −D log 256; bits/dim from nats', async () => {
    await initBackend({ backend: 'cpu' });
    const store = new ParameterStore('rescale');
    const rescale = new DiagonalScaling(store, 'r', [6]);
    store.allocate('rescale');
    rescale.logScale.variableOf().assign(tf.fill([6], -LOG_256));
    const k = tf.tensor2d([[0.5, 17.2, 255.9, 100, 3, 64.25]]);
    expect(bruteForceLogDet((xs) => rescale.forward(xs).y, k)).toBeCloseTo(-6 * Math.log(256), 3);
    expect(nllOnByteScale(-1980.5, 784) - -1980.5).toBeCloseTo(784 * Math.log(256), 9);
    expect(bitsPerDim(-1980.5, 784)).toBeCloseTo((784 * Math.log(256) - 1980.5) / (784 * Math.LN2), 9); // ≈ 4.36 bits/dim
    expect(logAbsDet(Float64Array.from([2, 1, 1, 3]), 2)).toBeCloseTo(Math.log(5), 12);
    k.dispose();
    store.dispose();
  });

  it('NICE\'s MNIST model has 19,158,352 parameters; the affine twin is matched to within 1%', () => {
    const nice = new CouplingFlow({ dims: 784, couplings: 4, hidden: 1000, hiddenLayers: 5, law: 'additive', allocate: false });
    expect(nice.parameterCount()).toBe(4 * (392 * 1000 + 1000 + 4 * (1000 * 1000 + 1000) + 1000 * 392 + 392) + 784);
    const m = matchedAffineHidden({ dims: 784, couplings: 4, hiddenLayers: 5, additiveHidden: 1000 });
    expect(m.affine).toBeLessThanOrEqual(m.additive);
    expect((m.additive - m.affine) / m.additive).toBeLessThan(0.01);
  });
});
