import { describe, expect, it, beforeAll } from 'vitest';
import { tf, initBackend, assertNoLeaks } from '@paperzoo/tensor';
import { LeNet5, lenet5Input, C3_CONNECTIONS } from '../src/index.js';

describe.each(['cpu', 'wasm'] as const)('LeNet-5 on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('has the trainable parameter counts of §II.B', () => {
    const net = new LeNet5();
    const v = net.variables;
    // The paper: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164.
    expect(v['c1/kernel'].size + v['c1/bias'].size).toBe(156);
    expect(v['s2/coef'].size + v['s2/bias'].size).toBe(12);
    expect(C3_CONNECTIONS.reduce((n, c) => n + c.length, 0) * 25 + 16).toBe(1516);
    expect(v['s4/coef'].size + v['s4/bias'].size).toBe(32);
    expect(v['c5/kernel'].size + v['c5/bias'].size).toBe(48120);
    expect(v['f6/kernel'].size + v['f6/bias'].size).toBe(10164);
    // Output: 84×10 + 10 (linear head instead of the paper's 840-weight RBF layer).
    expect(net.parameterCount()).toBe(156 + 12 + 1516 + 32 + 48120 + 10164 + 850);
    net.dispose();
  });

  it('keeps unconnected C3 weights at zero through training and maps [B,32,32,1] to [B,10] without leaks', async () => {
    const net = new LeNet5({ seed: 3 });
    const images = tf.randomUniform([8, 28, 28], 0, 255, 'float32', 1);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const opt = tf.train.sgd(0.1);
    // One warm-up step creates nothing persistent for plain SGD; the loop must not leak.
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) {
        const cost = opt.minimize(() => {
          const logits = net.apply(lenet5Input(images));
          expect(logits.shape).toEqual([8, 10]);
          return tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, logits);
        }, true);
        cost?.dispose();
      }
    });
    const kernel = net.variables['c3/kernel'].arraySync() as number[][][][];
    // C3 map 0 reads S2 maps 0,1,2 only (Table I): weights from map 5 stay exactly 0.
    expect(kernel[2][2][5][0]).toBe(0);
    expect(kernel[2][2][0][0]).not.toBe(0);
    tf.dispose([images, labels]);
    opt.dispose();
    net.dispose();
  });

  it('is deterministic in its seed', () => {
    const a = new LeNet5({ seed: 1 });
    const b = new LeNet5({ seed: 1 });
    const c = new LeNet5({ seed: 2 });
    const av = a.variables['c5/kernel'].dataSync();
    expect(Array.from(b.variables['c5/kernel'].dataSync())).toEqual(Array.from(av));
    expect(Array.from(c.variables['c5/kernel'].dataSync())).not.toEqual(Array.from(av));
    // Uniform ±√(3/Fᵢ) with Fᵢ = 400 for C5 by default; ±2.4/Fᵢ with init: 'paper'.
    expect(Math.max(...Array.from(av).map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(3 / 400));
    expect(Math.max(...Array.from(av).map(Math.abs))).toBeGreaterThan(0.9 * Math.sqrt(3 / 400));
    const p = new LeNet5({ seed: 1, init: 'paper' });
    expect(Math.max(...Array.from(p.variables['c5/kernel'].dataSync()).map(Math.abs))).toBeLessThanOrEqual(2.4 / 400);
    p.dispose();
    [a, b, c].forEach((n) => n.dispose());
  });
});
