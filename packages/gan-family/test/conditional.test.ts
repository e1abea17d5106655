/**
 * The conditional GAN of Mirza & Osindero 2014 (labels concatenated to G's noise and D's input):
 * shapes; the same noise with another label gives another image; G's gradient through D(G(z|y)|y)
 * reaches every generator variable, and in G's first layer only the weight rows of the labels present in
 * the batch get a gradient (the others multiply zeros: exactly 0); nothing leaks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, seed, tf } from '@paperzoo/tensor';
import { ConditionalDiscriminator, ConditionalGenerator, concatLabels, generatorLoss } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

describe('conditional GAN', () => {
  it('conditions G and D on the label; gradients reach G through D, only in the rows of the labels used', () => {
    seed(3);
    const g = new ConditionalGenerator({ noiseDim: 8, hidden: [16], outputs: 12, seed: 1 });
    const d = new ConditionalDiscriminator({ inputs: 12, hiddenUnits: [6], pieces: 2, seed: 1 });
    try {
      assertNoLeaksSync(() => {
        tf.tidy(() => {
          expect(concatLabels(tf.zeros([2, 3]), [1, 0], 4).arraySync()).toEqual([[0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 1, 0, 0, 0]]);
          const z = g.sampleNoise(4);
          expect(z.shape).toEqual([4, 8]);
          const zMin = tf.min(z).dataSync()[0];
          expect(zMin).toBeGreaterThanOrEqual(0);
          const labels = [2, 2, 5, 5];
          const x = g.apply(z, labels);
          expect(x.shape).toEqual([4, 12]);
          const other = g.apply(z, [7, 7, 7, 7]);
          expect(tf.max(tf.abs(tf.sub(x, other))).dataSync()[0]).toBeGreaterThan(1e-4);
          expect(d.apply(x, labels).shape).toEqual([4]);
          expect(tf.max(tf.abs(tf.sub(d.apply(x, labels), d.apply(x, [0, 1, 3, 4])))).dataSync()[0]).toBeGreaterThan(0);
          const { grads } = tf.variableGrads(() => generatorLoss('non-saturating', d.apply(g.apply(z, labels), labels)), Object.values(g.variables));
          for (const name of Object.keys(g.variables)) expect(tf.max(tf.abs(grads[g.variables[name].name])).dataSync()[0]).toBeGreaterThan(0);
          const rows = tf.abs(grads[g.variables['h0/kernel'].name]).sum(1).arraySync() as number[]; // [8 + 10] input rows
          for (let c = 0; c < 10; c++) {
            if (c === 2 || c === 5) expect(rows[8 + c]).toBeGreaterThan(0);
            else expect(rows[8 + c]).toBe(0);
          }
        });
      });
    } finally {
      g.dispose();
      d.dispose();
    }
  });
});
