/**
 * Prototypical Networks' loss (eq. 1–2, Algorithm 1) against a float64 computation, its gradient against
 * central differences of that computation, and the conv encoder's shapes and parameter counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { assertNoLeaksSync, initBackend, makeRng, tf } from '@paperzoo/tensor';
import { ConvEncoder, prototypicalLoss, prototypes, squaredEuclidean } from '../src/index.js';

/** Float64 ProtoNets loss with a linear embedding z = x·W: returns the loss and accuracy. */
function protoLoss64(w: Float64Array, dIn: number, dOut: number, support: Float64Array[], query: Float64Array[], labels: number[], ways: number, shots: number): { loss: number; accuracy: number } {
  const embed = (x: Float64Array) => Array.from({ length: dOut }, (_, o) => x.reduce((s, v, i) => s + v * w[i * dOut + o], 0));
  const zs = support.map(embed);
  const protos = Array.from({ length: ways }, (_, k) => Array.from({ length: dOut }, (_, o) => zs.slice(k * shots, (k + 1) * shots).reduce((s, z) => s + z[o], 0) / shots));
  let loss = 0;
  let correct = 0;
  query.map(embed).forEach((z, i) => {
    const logits = protos.map((c) => -c.reduce((s, v, o) => s + (z[o] - v) ** 2, 0));
    const max = Math.max(...logits);
    const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
    loss -= logits[labels[i]] - lse;
    if (logits.indexOf(max) === labels[i]) correct++;
  });
  return { loss: loss / query.length, accuracy: correct / query.length };
}


beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

describe('Prototypical Networks', () => {
  const rng = makeRng(5);
  const [ways, shots, queries, dIn, dOut] = [4, 3, 2, 6, 5];
  const f32 = (n: number, s = 1) => Float64Array.from(Float32Array.from({ length: n }, () => (2 * rng() - 1) * s));
  const w = f32(dIn * dOut, 0.8);
  const support = Array.from({ length: ways * shots }, () => f32(dIn));
  const query = Array.from({ length: ways * queries }, () => f32(dIn));
  const labels = Array.from({ length: ways * queries }, (_, i) => Math.floor(i / queries));
  // images [n, 1, 1, dIn]: the "encoder" is x·W
  const asImages = (xs: Float64Array[]) => tf.tensor4d(Float32Array.from(xs.flatMap((x) => Array.from(x))), [xs.length, 1, 1, dIn]);

  it('prototypes are class means; distances are squared Euclidean', () => {
    tf.tidy(() => {
      const z = tf.tensor2d([1, 2, 3, 4, 10, 20, 30, 40], [4, 2]); // 2 ways × 2 shots
      expect(Array.from(prototypes(z, 2, 2).dataSync())).toEqual([2, 3, 20, 30]);
      expect(Array.from(squaredEuclidean(tf.tensor2d([0, 0, 1, 1], [2, 2]), tf.tensor2d([3, 4], [1, 2])).dataSync())).toEqual([25, 13]);
      expect(() => prototypes(z, 3, 2)).toThrow(/4 support embeddings for 3 ways × 2 shots/);
    });
  });

  it('loss and accuracy equal the float64 computation; the gradient equals its central differences', () => {
    const want = protoLoss64(w, dIn, dOut, support, query, labels, ways, shots);
    const h = 1e-6;
    const fd = Float64Array.from(w, (_, i) => {
      const up = Float64Array.from(w);
      up[i] += h;
      const down = Float64Array.from(w);
      down[i] -= h;
      return (protoLoss64(up, dIn, dOut, support, query, labels, ways, shots).loss - protoLoss64(down, dIn, dOut, support, query, labels, ways, shots).loss) / (2 * h);
    });
    assertNoLeaksSync(() => {
      tf.tidy(() => {
        const [xs, xq] = [asImages(support), asImages(query)];
        const y = tf.tensor1d(labels, 'int32');
        const wt = tf.tensor2d(Float32Array.from(w), [dIn, dOut]);
        const embed = (m: tf.Tensor) => (x: tf.Tensor4D): tf.Tensor2D => tf.matMul(tf.reshape<tf.Rank.R2>(x, [x.shape[0], dIn]), m);
        const r = prototypicalLoss(embed(wt), xs, xq, y, ways, shots);
        expect(r.loss.dataSync()[0]).toBeCloseTo(want.loss, 5);
        expect(r.accuracy.dataSync()[0]).toBeCloseTo(want.accuracy, 6);
        const g = tf.grad((m: tf.Tensor) => prototypicalLoss(embed(m), xs, xq, y, ways, shots).loss)(wt).dataSync();
        const err = Math.sqrt(fd.reduce((s, v, i) => s + (g[i] - v) ** 2, 0) / fd.reduce((s, v) => s + v * v, 0));
        expect(err).toBeLessThan(1e-4);
      });
    });
  });
});

describe('ConvEncoder', () => {
  it('ProtoNets variant: 28×28 → 64-d embeddings, 111,936 parameters (4 × [conv 3×3 + bias, BN γ β])', () => {
    const enc = new ConvEncoder({ variant: 'protonets', seed: 1 });
    try {
      expect(enc.parameterCount()).toBe(9 * 64 + 64 + 128 + 3 * (9 * 64 * 64 + 64 + 128));
      tf.tidy(() => {
        const x = tf.randomUniform<tf.Rank.R4>([3, 28, 28, 1], 0, 1, 'float32', 1);
        expect(enc.apply(x, { training: false }).shape).toEqual([3, 64]);
        const before = enc.stateVariables['block1/bn/moving_mean'].dataSync()[0];
        enc.apply(x, { training: true });
        expect(enc.stateVariables['block1/bn/moving_mean'].dataSync()[0]).not.toBe(before); // running statistics move in training mode
      });
    } finally {
      enc.dispose();
    }
  });

  it('MAML variant: strided, β-only batch norm, spatial mean, dense head; 112,005 parameters at 5 ways', () => {
    const enc = new ConvEncoder({ variant: 'maml', classes: 5, seed: 1 });
    try {
      expect(enc.parameterCount()).toBe(9 * 64 + 64 + 3 * (9 * 64 * 64 + 64) + 4 * 64 + 64 * 5 + 5);
      expect(Object.keys(enc.stateVariables)).toEqual([]);
      tf.tidy(() => {
        expect(enc.apply(tf.zeros<tf.Rank.R4>([2, 28, 28, 1])).shape).toEqual([2, 5]);
      });
      expect(() => new ConvEncoder({ variant: 'maml', allocate: false })).toThrow(/classes ≥ 2/);
    } finally {
      enc.dispose();
    }
  });
});
