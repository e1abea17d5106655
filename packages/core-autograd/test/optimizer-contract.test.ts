/**
 * The optimizer interface: tf.train calling conventions, no leaked tensors per step, exact
 * checkpoints, learning-rate schedules, clipping, penalties, and AdamW's decoupled decay.
 */
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ag from '../src/index.js';
import { expectClose } from './helpers.js';

const FLOAT32 = { atol: 1e-6, rtol: 1e-6 };

/** Every optimizer in a non-trivial configuration. */
const OPTIMIZERS: Array<[string, () => ag.Optimizer]> = [
  ['SGD', () => new ag.SGD({ learningRate: 0.1 })],
  ['SGD + l1 + l2 + clipValue + clipNorm', () => new ag.SGD({ learningRate: 0.1, l1: 0.01, l2: 0.02, clipValue: 0.5, clipNorm: 0.7 })],
  ['Momentum', () => new ag.Momentum({ learningRate: 0.05, momentum: 0.9 })],
  ['Nesterov', () => new ag.Nesterov({ learningRate: 0.05, momentum: 0.9 })],
  ['Adagrad', () => new ag.Adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.1 })],
  ['RMSProp centred + momentum', () => new ag.RMSProp({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ['Adadelta', () => new ag.Adadelta()],
  ['Adam with a schedule', () => new ag.Adam({ learningRate: (step) => 0.1 / Math.sqrt(step + 1) })],
  ['AMSGrad', () => new ag.AMSGrad({ learningRate: 0.1 })],
  ['AdamW', () => new ag.AdamW({ learningRate: 0.1, weightDecay: 0.1 })],
  ['Nadam', () => new ag.Nadam({ learningRate: 0.1 })],
  ['RAdam', () => new ag.RAdam({ learningRate: 0.1 })],
  ['Adamax', () => new ag.Adamax({ learningRate: 0.1 })],
  ['Lookahead(Nadam), k = 3', () => new ag.Lookahead(new ag.Nadam({ learningRate: 0.1 }), { k: 3 })],
];

let counter = 0;

/** Two variables and a loss; `step(opt)` applies one update. */
function model() {
  const id = ++counter;
  const w = tf.variable(tf.tensor2d([[0.5, -1.2], [0.3, 0.8], [-0.7, 0.1]]), true, `contract${id}/w`); // [3, 2]
  const b = tf.variable(tf.tensor1d([0.2, -0.4]), true, `contract${id}/b`); // [2]
  const x = tf.tensor2d([[1, 2, -1], [0.5, -1, 2], [-2, 0.3, 1], [1, 1, 1]]); // [4, 3]
  const y = tf.tensor2d([[1, 0], [0, 1], [-1, 1], [0.5, 0.5]]); // [4, 2]
  const loss = () => tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), y))));
  return {
    w,
    b,
    step(opt: ag.Optimizer) {
      const { value, grads } = tf.variableGrads(loss, [w, b]);
      opt.applyGradients(grads);
      tf.dispose([value, grads]);
    },
    values: () => [...w.dataSync(), ...b.dataSync()],
    dispose: () => tf.dispose([w, b, x, y]),
  };
}

describe('optimizer contract (cpu backend)', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  afterAll(() => tf.disposeVariables());

  describe('no tensor leaks: after the first step creates the slots, a step leaves the live tensor count unchanged', () => {
    for (const [name, make] of OPTIMIZERS) {
      it(name, async () => {
        const m = model();
        const opt = make();
        m.step(opt); // creates the slots
        for (let t = 0; t < 4; t++) await assertNoLeaks(() => m.step(opt), { label: `${name}, step ${t + 2}` });
        // getWeights returns copies owned by the caller
        await assertNoLeaks(async () => tf.dispose((await opt.getWeights()).map((w) => w.tensor)), { label: `${name}, getWeights` });
        const before = tf.memory().numTensors;
        opt.dispose();
        m.dispose();
        expect(tf.memory().numTensors).toBeLessThan(before);
      });
    }
  });

  describe('checkpoints are exact: restoring getWeights() into a fresh optimizer continues bit for bit', () => {
    for (const [name, make] of OPTIMIZERS) {
      it(name, async () => {
        const m = model();
        const opt = make();
        for (let t = 0; t < 4; t++) m.step(opt);
        const savedW = tf.clone(m.w);
        const savedB = tf.clone(m.b);
        const saved = await opt.getWeights();
        const continued: number[][] = [];
        for (let t = 0; t < 4; t++) {
          m.step(opt);
          continued.push(m.values());
        }
        opt.dispose();

        m.w.assign(savedW);
        m.b.assign(savedB);
        const restored = make();
        await restored.setWeights(saved);
        expect(restored.iterations).toBe(4);
        for (let t = 0; t < 4; t++) {
          m.step(restored);
          expect(m.values(), `${name}: step ${t + 5} after restore`).toEqual(continued[t]);
        }
        restored.dispose();
        tf.dispose([savedW, savedB, ...saved.map((w) => w.tensor)]);
        m.dispose();
      });
    }

    it("lays the state out as tfjs does: 'iter' first, then '<variable>/<slot>'", async () => {
      const m = model();
      const opt = new ag.Adam();
      m.step(opt);
      const weights = await opt.getWeights();
      expect(weights.map((w) => w.name)).toEqual(['iter', `${m.w.name}/m`, `${m.w.name}/v`, `${m.b.name}/m`, `${m.b.name}/v`]);
      expect(weights[0].tensor.dtype).toBe('int32');
      tf.dispose(weights.map((w) => w.tensor));
      expect(() => opt.setWeightsSync([{ name: `${m.w.name}/velocity`, tensor: tf.zeros([3, 2]) }])).toThrow(/not a slot/);
      opt.dispose();
      m.dispose();
    });
  });

  describe('calling conventions', () => {
    it('accepts tf.variableGrads output, a NamedTensor list, or a Map keyed by variable — all the same update', () => {
      const results = (['map', 'list', 'byVariable'] as const).map((form) => {
        const m = model();
        const opt = new ag.Momentum({ learningRate: 0.1 });
        for (let t = 0; t < 2; t++) {
          const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.add<tf.Scalar>(tf.sum(tf.square(m.w)), tf.sum(m.b))), [m.w, m.b]);
          if (form === 'map') opt.applyGradients(grads);
          if (form === 'list') opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
          if (form === 'byVariable') opt.applyGradients(new Map<tf.Variable, tf.Tensor>([[m.w, grads[m.w.name]], [m.b, grads[m.b.name]]]));
          tf.dispose([value, grads]);
        }
        const out = m.values();
        opt.dispose();
        m.dispose();
        return out;
      });
      expect(results[1]).toEqual(results[0]);
      expect(results[2]).toEqual(results[0]);
    });

    it('works through tf.Optimizer.minimize, and is a tf.Optimizer for tfjs code', () => {
      const w = tf.variable(tf.scalar(3), true, 'minimize/w');
      const opt = new ag.SGD({ learningRate: 0.25 });
      const cost = opt.minimize(() => tf.square(w), true);
      expect(cost?.dataSync()[0]).toBe(9);
      expect(w.dataSync()[0]).toBeCloseTo(3 - 0.25 * 6, 6);
      expect(opt instanceof tf.Optimizer).toBe(true);
      expect(opt instanceof ag.SGD).toBe(true);
      expect(opt instanceof ag.Adam).toBe(false);
      expect(tf.train.sgd(0.1) instanceof ag.Optimizer).toBe(false);
      expect(opt.getClassName()).toBe('paperzoo.SGD');
      tf.dispose([cost!, w]);
      opt.dispose();
    });

    it('skips null gradients and names a variable it cannot find', () => {
      const w = tf.variable(tf.scalar(1), true, 'nullgrad/w');
      const opt = new ag.SGD({ learningRate: 0.1 });
      opt.applyGradients({ [w.name]: null as unknown as tf.Tensor });
      expect(w.dataSync()[0]).toBe(1);
      const g = tf.scalar(1);
      expect(() => opt.applyGradients({ 'no/such/variable': g })).toThrow(/no variable named 'no\/such\/variable'/);
      expect(() => opt.applyGradients({ [w.name]: tf.ones([2]) })).toThrow(/shape \[2\]/);
      tf.dispose([w, g]);
      opt.dispose();
    });
  });

  describe('learning rate as a number or a schedule', () => {
    it('calls the schedule with the number of updates already applied (0, 1, 2, …)', () => {
      const seen: number[] = [];
      const opt = new ag.SGD({
        learningRate: (step) => {
          seen.push(step);
          return 0.1 / (1 + step);
        },
      });
      const w = tf.variable(tf.scalar(1), true, 'schedule/w');
      for (let t = 0; t < 3; t++) {
        const g = tf.scalar(1);
        opt.applyGradients({ [w.name]: g });
        g.dispose();
      }
      expect(seen).toEqual([0, 1, 2]);
      expect(w.dataSync()[0]).toBeCloseTo(1 - 0.1 - 0.05 - 0.1 / 3, 6);
      expect(opt.currentLearningRate()).toBeCloseTo(0.025, 12);
      opt.learningRate = 0.5; // may be changed between steps
      expect(opt.currentLearningRate()).toBe(0.5);
      tf.dispose(w);
      opt.dispose();
    });

    it('rejects a negative or non-finite learning rate, naming the step', () => {
      expect(() => new ag.SGD({ learningRate: -1 })).toThrow(/finite number ≥ 0/);
      const opt = new ag.SGD({ learningRate: (step) => (step < 1 ? 0.1 : Number.NaN) });
      const w = tf.variable(tf.scalar(1), true, 'schedule-bad/w');
      const g = tf.scalar(1);
      opt.applyGradients({ [w.name]: g });
      expect(() => opt.applyGradients({ [w.name]: g })).toThrow(/from the schedule at step 1/);
      tf.dispose([w, g]);
    });
  });

  describe('clipping (Pascanu et al. 2013)', () => {
    it('clipByValue clips each element to [−c, c]', () => {
      const [clipped] = ag.clipByValue([tf.tensor1d([3, -0.5, -4, 1])], 1);
      expect(Array.from(clipped.dataSync())).toEqual([1, -0.5, -1, 1]);
      clipped.dispose();
    });

    it('clipByGlobalNorm rescales all tensors by c/‖g‖ when ‖g‖ > c, and leaves them alone otherwise', () => {
      const grads = [tf.tensor1d([3, 4]), tf.tensor1d([12])]; // ‖g‖ = 13
      const { grads: clipped, norm } = ag.clipByGlobalNorm(grads, 6.5);
      expect(norm.dataSync()[0]).toBeCloseTo(13, 5);
      expectClose([...clipped[0].dataSync(), ...clipped[1].dataSync()], [1.5, 2, 6], FLOAT32, 'clipped');
      const { grads: kept, norm: norm2 } = ag.clipByGlobalNorm(grads, 20);
      expectClose([...kept[0].dataSync(), ...kept[1].dataSync()], [3, 4, 12], FLOAT32, 'unclipped');
      tf.dispose([...grads, ...clipped, ...kept, norm, norm2]);
    });

    it('an optimizer with clipNorm steps along the clipped gradient; clipValue first, then the global norm', () => {
      const w = tf.variable(tf.tensor1d([0, 0]), true, 'clip/w');
      const g = tf.tensor1d([3, 4]);
      const opt = new ag.SGD({ learningRate: 1, clipNorm: 1 });
      opt.applyGradients({ [w.name]: g });
      expectClose(w.dataSync(), [-0.6, -0.8], FLOAT32, 'clipNorm');
      const both = new ag.SGD({ learningRate: 1, clipValue: 3, clipNorm: 100 });
      both.applyGradients({ [w.name]: g });
      expectClose(w.dataSync(), [-3.6, -3.8], FLOAT32, 'clipValue');
      tf.dispose([w, g]);
      expect(() => new ag.SGD({ learningRate: 1, clipNorm: 0 })).toThrow(/clipNorm must be a finite number > 0/);
      expect(() => new ag.SGD({ learningRate: 1, clipValue: -1 })).toThrow(/clipValue must be a finite number > 0/);
    });
  });

  describe('L1 / L2 penalties', () => {
    it('l2 = λ adds λθ to the gradient: the same as differentiating loss + (λ/2)‖θ‖² (l2Penalty)', () => {
      const lambda = 0.3;
      const a = model();
      const b = model();
      const withOption = new ag.SGD({ learningRate: 0.1, l2: lambda, l1: 0 });
      const inLoss = new ag.SGD({ learningRate: 0.1 });
      const lossOf = (m: ReturnType<typeof model>) => () =>
        tf.tidy(() => tf.add<tf.Scalar>(tf.sum(tf.square(m.w)), ag.l2Penalty([m.w, m.b], lambda)));
      for (let t = 0; t < 3; t++) {
        const ga = tf.variableGrads(() => tf.tidy(() => tf.sum<tf.Scalar>(tf.square(a.w))), [a.w, a.b]);
        // b has no loss gradient in the plain loss: give it zeros so the penalty still applies
        withOption.applyGradients({ ...ga.grads, [a.b.name]: tf.zerosLike(a.b) });
        const gb = tf.variableGrads(lossOf(b), [b.w, b.b]);
        inLoss.applyGradients(gb.grads);
        tf.dispose([ga.value, ga.grads, gb.value, gb.grads]);
      }
      expectClose(a.values(), b.values(), FLOAT32, 'l2 option vs penalty in the loss');
      a.dispose();
      b.dispose();
    });

    it('l1 = λ adds λ·sign(θ); l1Penalty = λ‖θ‖₁ and l2Penalty = (λ/2)‖θ‖²', () => {
      const w = tf.variable(tf.tensor1d([0.5, -2, 0]), true, 'l1/w');
      const g = tf.zeros([3]);
      new ag.SGD({ learningRate: 0.1, l1: 1 }).applyGradients({ [w.name]: g });
      expectClose(w.dataSync(), [0.4, -1.9, 0], FLOAT32, 'l1 step');
      const l1 = ag.l1Penalty([w], 2);
      const l2 = ag.l2Penalty([w], 2);
      expect(l1.dataSync()[0]).toBeCloseTo(2 * (0.4 + 1.9), 5);
      expect(l2.dataSync()[0]).toBeCloseTo(0.4 ** 2 + 1.9 ** 2, 5);
      tf.dispose([w, g, l1, l2]);
    });
  });

  describe('AdamW (Loshchilov & Hutter 2019): decoupled weight decay', () => {
    it('with zero gradient, AdamW shrinks every weight by exactly (1 − ηλ) per step; Adam with an L2 penalty does not', () => {
      const eta = 0.1;
      const lambda = 0.1;
      const start = [1, -2, 3, 0.01];
      const run = (opt: ag.Optimizer, name: string) => {
        const w = tf.variable(tf.tensor1d(start), true, name);
        const zero = tf.zeros([start.length]);
        const out: number[][] = [];
        for (let t = 0; t < 5; t++) {
          opt.applyGradients({ [w.name]: zero });
          out.push(Array.from(w.dataSync()));
        }
        tf.dispose([w, zero]);
        opt.dispose();
        return out;
      };
      const adamw = run(new ag.AdamW({ learningRate: eta, weightDecay: lambda }), 'adamw/w');
      adamw.forEach((w, t) => expectClose(w, start.map((v) => v * (1 - eta * lambda) ** (t + 1)), FLOAT32, `AdamW after step ${t + 1}`));

      const adamL2 = run(new ag.Adam({ learningRate: eta, l2: lambda }), 'adam-l2/w');
      // Adam normalises λθ by √v̂: the first step moves every weight by ≈ η·sign(θ), whatever its size
      expectClose(adamL2[0], start.map((v) => v - eta * Math.sign(v)), { atol: 1e-5, rtol: 0 }, 'Adam + L2, step 1');
      const ratios = adamL2[0].map((v, i) => v / start[i]);
      expect(Math.max(...ratios) - Math.min(...ratios)).toBeGreaterThan(0.5);
    });
  });

  describe('Lookahead', () => {
    it('owns its inner optimizer (dispose frees both) and reads its learning rate', () => {
      const inner = new ag.Adam({ learningRate: 0.01 });
      const opt = new ag.Lookahead(inner, { k: 2 });
      expect(opt.currentLearningRate()).toBe(0.01);
      const m = model();
      m.step(opt);
      const before = tf.memory().numTensors;
      opt.dispose();
      expect(before - tf.memory().numTensors).toBe(2 /* slow */ + 4 /* m, v */);
      m.dispose();
      expect(() => new ag.Lookahead(new ag.SGD({ learningRate: 1 }), { k: 0 })).toThrow(/k must be/);
    });
  });
});
