/**
 * MAML's meta-gradient through the full inner loop (two steps), for the functional MLP, against central
 * differences of a float64 reference of the meta-objective (mlp64.ts) — on every CPU backend. Also: the
 * batched form (θ broadcast over tasks) equals the per-task loop, first-order MAML equals its float64
 * formula and differs measurably from second order, and `mamlStep` applies exactly the meta-gradient.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, makeRng, type BackendName } from '@paperzoo/tensor';
import { SGD } from '@paperzoo/core-autograd';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { Mlp, mamlObjective, mamlStep, taskMeanMse, taskSummedMse, type MamlTask, type Params } from '../src/index.js';
import { firstOrderMetaGradient64, metaGradientFD, mlpLossGrad, normError, type Task64 } from './mlp64.js';

const SIZES = [1, 6, 5, 1];
const TASKS = 3;
const SUPPORT = 4;
const QUERY = 5;
const STEPS = 2;
const ALPHA = 0.05;
const BACKENDS: BackendName[] = ['cpu', 'wasm', 'native'];

/** Random float32-representable parameters and tasks (sinusoid-like targets, inputs in [−5, 5]). */
function problem(seed: number) {
  const rng = makeRng(seed);
  const f32 = (n: number, scale: number) => Float64Array.from(Float32Array.from({ length: n }, () => (2 * rng() - 1) * scale));
  const params: Float64Array[] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    params.push(f32(SIZES[l] * SIZES[l + 1], 1 / Math.sqrt(SIZES[l]) + 0.3));
    params.push(f32(SIZES[l + 1], 0.5));
  }
  const tasks: Task64[] = Array.from({ length: TASKS }, () => {
    const [a, p] = [0.1 + 4.9 * rng(), Math.PI * rng()];
    const xs = (n: number) => f32(n, 5);
    const supportX = xs(SUPPORT);
    const queryX = xs(QUERY);
    const y = (x: Float64Array) => Float64Array.from(Float32Array.from(x, (v) => a * Math.sin(v - p)));
    return { supportX, supportY: y(supportX), queryX, queryY: y(queryX) };
  });
  return { params, tasks };
}

const NAMES = SIZES.slice(1).flatMap((_, l) => [`layer${l + 1}/kernel`, `layer${l + 1}/bias`]);
const net = new Mlp({ sizes: SIZES, allocate: false });

function paramTensors(params: Float64Array[]): Params {
  return Object.fromEntries(NAMES.map((n, k) => [n, tf.tensor(Float32Array.from(params[k]), k % 2 ? [SIZES[(k + 1) / 2]] : [SIZES[k / 2], SIZES[k / 2 + 1]])]));
}

/** One MamlTask per task (per-task loop). */
function perTask(tasks: Task64[]): MamlTask[] {
  return tasks.map((t) => {
    const [sx, sy, qx, qy] = [t.supportX, t.supportY, t.queryX, t.queryY].map((v) => tf.tensor2d(Float32Array.from(v), [v.length, 1]));
    return { support: (p) => tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(sy, net.forward(sx, p)), query: (p) => tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(qy, net.forward(qx, p)) };
  });
}

/** One MamlTask for all tasks with θ broadcast over them (support: sum over tasks; query: mean). */
function batched(tasks: Task64[]): MamlTask {
  const stack = (key: keyof Task64) => tf.tensor3d(Float32Array.from(tasks.flatMap((t) => Array.from(t[key]))), [tasks.length, tasks[0][key].length, 1]);
  const [sx, sy, qx, qy] = [stack('supportX'), stack('supportY'), stack('queryX'), stack('queryY')];
  return { support: (p) => taskSummedMse(net.forward(sx, p), sy), query: (p) => taskMeanMse(net.forward(qx, p), qy) };
}

/** Run fn and free every tensor it made (tf.tidy for results that are not tensors). */
function scoped<T>(fn: () => T): T {
  tf.engine().startScope();
  try {
    return fn();
  } finally {
    tf.engine().endScope();
  }
}

async function onBackend<T>(backend: BackendName, fn: () => T): Promise<T> {
  await initBackend({ backend });
  return fn();
}

function metaGradient(params: Float64Array[], tasks: MamlTask[], batch?: number): Float64Array {
  return scoped(() => {
    const theta = paramTensors(params);
    const grads = tf.grads((...ws: tf.Tensor[]) => mamlObjective(Object.fromEntries(NAMES.map((n, i) => [n, ws[i]])), tasks, { steps: STEPS, learningRate: ALPHA, batch }))(NAMES.map((n) => theta[n]));
    return Float64Array.from(grads.flatMap((g) => Array.from(g.dataSync())));
  });
}

const cases = [101, 202].map((s) => problem(s));
const fd = cases.map((c) => metaGradientFD(SIZES, c.params, c.tasks, STEPS, ALPHA));

describe('MAML meta-gradient through two inner steps of the 1-6-5-1 MLP', () => {
  for (const backend of BACKENDS) {
    it.skipIf(!AVAILABLE[backend]).each([0, 1])(`on ${backend}, case %i: per-task and batched equal float64 central differences`, async (i) => {
      const c = cases[i];
      const [loop, vectorised] = await onBackend(backend, () => [metaGradient(c.params, perTask(c.tasks)), metaGradient(c.params, [batched(c.tasks)], TASKS)]);
      expect(normError(loop, fd[i])).toBeLessThan(2e-4);
      expect(normError(vectorised, fd[i])).toBeLessThan(2e-4);
    });
  }

  it('first-order MAML equals (1/n) Σ ∇L_q(θ\'_i) and differs from the exact meta-gradient', async () => {
    const c = cases[0];
    const fo = firstOrderMetaGradient64(SIZES, c.params, c.tasks, STEPS, ALPHA);
    expect(normError(fo, fd[0])).toBeGreaterThan(0.02); // the second-order term matters here, so the tests above can tell
    for (const batch of [undefined, TASKS]) {
      const got = await onBackend('cpu', () =>
        scoped(() => {
          const theta = paramTensors(c.params);
          const vars = Object.fromEntries(NAMES.map((n) => [n, tf.variable(theta[n], true, `fo_${batch}_${n}`)]));
          const before = Object.values(vars).map((v) => Float64Array.from(v.dataSync()));
          mamlStep(new SGD({ learningRate: 1 }), vars, batch ? [batched(c.tasks)] : perTask(c.tasks), { steps: STEPS, learningRate: ALPHA, batch, firstOrder: true });
          const step = Object.values(vars).flatMap((v, k) => Array.from(v.dataSync(), (x, i) => before[k][i] - x));
          tf.dispose(Object.values(vars));
          return Float64Array.from(step);
        }),
      );
      expect(normError(got, fo)).toBeLessThan(2e-4);
    }
  });

  it('mamlStep (second order) moves θ by exactly −lr × the meta-gradient and reports the pre-update loss', async () => {
    const c = cases[1];
    const result = await onBackend('cpu', () =>
      scoped(() => {
        const theta = paramTensors(c.params);
        const vars = Object.fromEntries(NAMES.map((n) => [n, tf.variable(theta[n], true, `so_${n}`)]));
        const r = mamlStep(new SGD({ learningRate: 0.5 }), vars, [batched(c.tasks)], { steps: STEPS, learningRate: ALPHA, batch: TASKS });
        const step = Float64Array.from(Object.values(vars).flatMap((v, k) => Array.from(v.dataSync(), (x, i) => (c.params[k][i] - x) / 0.5)));
        tf.dispose(Object.values(vars));
        return { r, step };
      }),
    );
    expect(normError(result.step, fd[1])).toBeLessThan(2e-4);
    const pre = c.tasks.reduce((s, t) => s + mlpLossGrad(SIZES, c.params, t.supportX, t.supportY).loss, 0) / TASKS;
    expect(result.r.preUpdateLoss).toBeCloseTo(pre, 4);
  });
});
