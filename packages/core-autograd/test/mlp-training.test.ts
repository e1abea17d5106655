/**
 * A small MLP (4 → 8 tanh → 3, softmax cross-entropy, full-batch SGD) trained twice from the same
 * initial weights: with the float64 engine, and with @paperzoo/tensor (tf.variableGrads + this
 * package's SGD) in float32. The loss curves must agree to |Δ| ≤ 1e-6 + 1e-6·loss at every step (measured: 4e-8).
 */
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ag from '../src/index.js';
import { expectClose, randomTensor, rng, toTf } from './helpers.js';

const STEPS = 40;
const LEARNING_RATE = 0.5;
const CURVE_TOLERANCE = { atol: 1e-6, rtol: 1e-6 };

function problem() {
  const r = rng('mlp');
  const x = randomTensor(r, { shape: [32, 4] }); // [batch, 4]
  // Labels from a fixed random linear rule, so the problem is learnable.
  const rule = randomTensor(r, { shape: [4, 3] });
  const scores = ag.matmul(x, rule); // [batch, 3]
  const y = ag.zeros([32, 3]);
  for (let n = 0; n < 32; n++) {
    let best = 0;
    for (let c = 1; c < 3; c++) if (scores.data[n * 3 + c] > scores.data[n * 3 + best]) best = c;
    y.data[n * 3 + best] = 1;
  }
  const params = {
    w1: randomTensor(r, { shape: [4, 8], min: -0.8, max: 0.8 }),
    b1: randomTensor(r, { shape: [8], min: -0.1, max: 0.1 }),
    w2: randomTensor(r, { shape: [8, 3], min: -0.8, max: 0.8 }),
    b2: randomTensor(r, { shape: [3], min: -0.1, max: 0.1 }),
  };
  return { x, y, params };
}

function trainWithEngine(): number[] {
  const { x, y, params } = problem();
  const list = Object.values(params);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const hidden = ag.tanh(ag.add(ag.matmul(x, params.w1), params.b1)); // [batch, 8]
    const logits = ag.add(ag.matmul(hidden, params.w2), params.b2); // [batch, 3]
    const loss = ag.crossEntropy(logits, y);
    losses.push(loss.item());
    for (const p of list) p.zeroGrad();
    loss.backward();
    for (const p of list) for (let i = 0; i < p.size; i++) p.data[i] -= LEARNING_RATE * p.grad[i];
  }
  return losses;
}

async function trainWithTensorCore(): Promise<number[]> {
  const { x, y, params } = problem();
  const xs = toTf(x);
  const ys = toTf(y);
  const vars = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, tf.variable(toTf(p), true, `mlp/${name}`)]));
  const opt = new ag.SGD({ learningRate: LEARNING_RATE });
  const losses: number[] = [];
  const lossFn = () =>
    tf.tidy(() => {
      const hidden = tf.tanh(tf.add(tf.matMul(xs, vars.w1), vars.b1));
      const logits = tf.add(tf.matMul(hidden, vars.w2), vars.b2);
      return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(ys, logits);
    });
  for (let step = 0; step < STEPS; step++) {
    await assertNoLeaks(() => {
      const { value, grads } = tf.variableGrads(lossFn);
      losses.push(value.dataSync()[0]);
      opt.applyGradients(grads);
      tf.dispose([value, grads]);
    }, { label: `tensor-core training step ${step}` });
  }
  tf.dispose([xs, ys, ...Object.values(vars)]);
  opt.dispose();
  return losses;
}

describe('an MLP trained with the engine and with the tensor core follows the same loss curve', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });
  afterAll(() => tf.disposeVariables());

  it(`${STEPS} steps of SGD, float64 engine vs float32 tfjs cpu`, async () => {
    const engine = trainWithEngine();
    const core = await trainWithTensorCore();
    expectClose(core, engine, CURVE_TOLERANCE, 'loss curve (tensor core vs engine)');
    // and it learned something
    expect(engine[STEPS - 1]).toBeLessThan(0.6 * engine[0]);
  });
});
