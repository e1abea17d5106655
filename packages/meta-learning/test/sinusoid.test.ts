/**
 * The sinusoid task distribution (MAML §5.1), the meta-test protocol, and meta-training through `fit`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { getRngState, initBackend, seed, tf } from '@paperzoo/tensor';
import { Mlp, SINUSOID_TASKS, disposeSinusoidBatch, evaluateSinusoid, sampleSinusoidBatch } from '../src/index.js';


beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

describe('sinusoid tasks', () => {
  it('A ∈ [0.1, 5], φ ∈ [0, π], x ∈ [−5, 5], y = A·sin(x − φ); support and query split as inputa / inputb', () => {
    seed(3);
    const b = sampleSinusoidBatch(200, 10, 7);
    try {
      expect(b.supportX.shape).toEqual([200, 10, 1]);
      expect(b.queryY.shape).toEqual([200, 7, 1]);
      const [sx, sy, qx, qy] = [b.supportX, b.supportY, b.queryX, b.queryY].map((t) => t.dataSync());
      for (let t = 0; t < 200; t++) {
        expect(b.amplitude[t]).toBeGreaterThanOrEqual(SINUSOID_TASKS.amplitude[0]);
        expect(b.amplitude[t]).toBeLessThanOrEqual(SINUSOID_TASKS.amplitude[1]);
        expect(b.phase[t]).toBeGreaterThanOrEqual(0);
        expect(b.phase[t]).toBeLessThanOrEqual(Math.PI);
        for (let i = 0; i < 10; i++) expect(sy[t * 10 + i]).toBeCloseTo(b.amplitude[t] * Math.sin(sx[t * 10 + i] - b.phase[t]), 4);
        for (let i = 0; i < 7; i++) expect(qy[t * 7 + i]).toBeCloseTo(b.amplitude[t] * Math.sin(qx[t * 7 + i] - b.phase[t]), 4);
      }
      const xs = [...sx, ...qx];
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(-5);
      expect(Math.max(...xs)).toBeLessThanOrEqual(5);
      expect(Math.min(...xs)).toBeLessThan(-4.9); // spread over the whole range
      expect(Math.max(...xs)).toBeGreaterThan(4.9);
      // E[A] = 2.55 over U[0.1, 5]
      expect(b.amplitude.reduce((s, a) => s + a, 0) / 200).toBeGreaterThan(2.2);
      expect(b.amplitude.reduce((s, a) => s + a, 0) / 200).toBeLessThan(2.9);
    } finally {
      disposeSinusoidBatch(b);
    }
    expect(() => sampleSinusoidBatch(0, 1, 1)).toThrow(/tasks must be a positive integer/);
  });

  it('meta-test: the same tasks for every call with a seed, the global generator untouched, 0 steps = no change', () => {
    const net = new Mlp({ seed: 1 });
    try {
      seed(9);
      const before = JSON.stringify(getRngState());
      const a = evaluateSinusoid(net, { shots: 5, steps: 3, learningRate: 0.01, tasks: 50, seed: 'x' });
      const b = evaluateSinusoid(net, { shots: 5, steps: 3, learningRate: 0.01, tasks: 50, seed: 'x' });
      expect(JSON.stringify(getRngState())).toBe(before);
      expect(a).toEqual(b);
      expect(a.mse).toHaveLength(4);
      // an untrained net (σ = 0.01 weights) predicts ≈ 0: MSE ≈ E[A²]/2 = (5³ − 0.1³)/(3·4.9)/2 ≈ 4.25
      expect(a.mse[0]).toBeGreaterThan(2.5);
      expect(a.mse[0]).toBeLessThan(6.5);
      expect(a.ci95[0]).toBeGreaterThan(0);
      const other = evaluateSinusoid(net, { shots: 5, steps: 1, learningRate: 0.01, tasks: 50, seed: 'y' });
      expect(other.mse[0]).not.toBe(a.mse[0]);
      expect(tf.memory().numTensors).toBe(Object.keys(net.variables).length);
    } finally {
      net.dispose();
    }
  });
});
