import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { Adam, AdamW, zeroGradientRatios } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('zero-gradient decay (Loshchilov & Hutter 2019)', () => {
  it('AdamW: every weight is multiplied by (1 − ηλ) per step', async () => {
    const ratios = await assertNoLeaks(() => zeroGradientRatios(new AdamW({ learningRate: 0.05, weightDecay: 0.2 }), 7));
    for (const r of ratios) expect(r).toBeCloseTo((1 - 0.05 * 0.2) ** 7, 6);
  });

  it('Adam + L2: λθ/√v̂ ≈ sign θ, so every weight moves by about η per step whatever its size', async () => {
    const ratios = await assertNoLeaks(() => zeroGradientRatios(new Adam({ learningRate: 1e-3, l2: 0.1 }), 3));
    // θ_0 = [1e-3, 0.1, 1, −5]. The large weights each move by ≈ η = 1e-3 per step (ratio ≈ 1 − 3η/|θ_0|),
    // the smallest is pushed through zero: no common factor.
    expect(ratios[1]).toBeCloseTo(1 - 3e-3 / 0.1, 3);
    expect(ratios[2]).toBeCloseTo(1 - 3e-3 / 1, 4);
    expect(ratios[3]).toBeCloseTo(1 - 3e-3 / 5, 5);
    expect(ratios[0]).toBeLessThan(0);
  });

  it('AdamW decays: only the variables it selects shrink (nanoGPT decays matrices, not biases or gains)', () => {
    const matrix = tf.variable(tf.tensor2d([[1, -2], [3, 4]]), true, 'decay-test/matrix');
    const vector = tf.variable(tf.tensor1d([1, -2]), true, 'decay-test/vector');
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.5, decays: (v) => v.shape.length >= 2 });
    for (let i = 0; i < 3; i++) tf.tidy(() => opt.applyGradients({ [matrix.name]: tf.zerosLike(matrix), [vector.name]: tf.zerosLike(vector) }));
    Array.from(matrix.dataSync()).forEach((x, i) => expect(x).toBeCloseTo([1, -2, 3, 4][i] * (1 - 0.1 * 0.5) ** 3, 6)); // three float32 roundings
    expect(Array.from(vector.dataSync())).toEqual([1, -2]);
    opt.dispose();
    tf.dispose([matrix, vector]);
  });
});
