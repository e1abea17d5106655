/**
 * MAML's meta-gradient through two inner steps of the conv encoder with batch normalisation (the
 * 'maml' variant: strided convolutions, batch statistics, β only), against central differences of a
 * float64 reference (conv64.ts), on every CPU backend; β of the first block is not adapted (the
 * authors' code adapts no BN parameter), which the reference mirrors.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, softmaxCrossEntropy, type BackendName } from '@paperzoo/tensor';
import * as ref from '../../tensor/test/reference.js';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { ConvEncoder, mamlObjective, type MamlTask, type Params } from '../src/index.js';
import { convMetaGradientFD, convParamNames, type ConvParams, type ConvTask64 } from './conv64.js';
import { normError } from './mlp64.js';

const WAYS = 3;
const CHANNELS = 3;
const BLOCKS = 2;
const SIZE = 6; // 6 → 3 → 2
const STEPS = 2;
const ALPHA = 0.4;
const NAMES = convParamNames(BLOCKS);
const ADAPTED = NAMES.map((n) => n !== 'block1/bn/beta');

function problem(seed: number): { params: ConvParams; tasks: ConvTask64[] } {
  const random = ref.rng(seed);
  const shapes: number[][] = [];
  for (let b = 0; b < BLOCKS; b++) shapes.push([3, 3, b === 0 ? 1 : CHANNELS, CHANNELS], [CHANNELS], [CHANNELS]);
  shapes.push([CHANNELS, WAYS], [WAYS]);
  const params = shapes.map((s) => ref.randomTensor(s, random, -0.8, 0.8));
  const labels = (perClass: number) => ({ data: Float64Array.from({ length: WAYS * perClass * WAYS }, (_, i) => (Math.floor(Math.floor(i / WAYS) / perClass) === i % WAYS ? 1 : 0)), shape: [WAYS * perClass, WAYS] });
  const images = (n: number) => ref.randomTensor([n, SIZE, SIZE, 1], random, -1, 1);
  const pair = (x: ref.Tensor64, y: ref.Tensor64): [ref.Tensor64, ref.Tensor64] => [x, y];
  const tasks = [0, 1].map((): ConvTask64 => ({ support: pair(images(WAYS), labels(1)), query: pair(images(2 * WAYS), labels(2)) }));
  return { params, tasks };
}

const tensor = (t: ref.Tensor64) => tf.tensor(Float32Array.from(t.data), t.shape);
const BACKENDS: BackendName[] = ['cpu', 'wasm', 'native'];

describe('MAML meta-gradient through the conv encoder with batch norm', () => {
  const cases = [7, 8].map(problem);
  const fd = cases.map((c) => convMetaGradientFD(c.params, c.tasks, STEPS, ALPHA, ADAPTED, 1e-3));
  // the encoder only provides the forward pass; its own variables are never read (every parameter is substituted)
  const encoder = new ConvEncoder({ variant: 'maml', classes: WAYS, channels: CHANNELS, blocks: BLOCKS, allocate: false });

  for (const backend of BACKENDS) {
    it.skipIf(!AVAILABLE[backend]).each([0, 1])(`on ${backend}, case %i, vs float64 central differences`, async (i) => {
      await initBackend({ backend });
      const c = cases[i];
      tf.engine().startScope();
      try {
        const tasks: MamlTask[] = c.tasks.map((t) => {
          const [sx, sy, qx, qy] = [...t.support, ...t.query].map(tensor);
          const loss = (x: tf.Tensor, y: tf.Tensor) => (p: Params) => encoder.withParameters(p, () => softmaxCrossEntropy(y, encoder.apply(x as tf.Tensor4D, { training: true })));
          return { support: loss(sx, sy), query: loss(qx, qy) };
        });
        const theta = c.params.map(tensor);
        const grads = tf.grads((...ws: tf.Tensor[]) => mamlObjective(Object.fromEntries(NAMES.map((n, k) => [n, ws[k]])), tasks, { steps: STEPS, learningRate: ALPHA, adapt: (n) => n !== 'block1/bn/beta' }))(theta);
        const flat = Float64Array.from(grads.flatMap((g) => Array.from(g.dataSync())));
        expect(normError(flat, fd[i])).toBeLessThan(5e-4);
      } finally {
        tf.engine().endScope();
      }
    });
  }

  it('the second-order term is large here (first order would fail the tests above)', () => {
    const c = cases[0];
    const firstOrder = convMetaGradientFD(c.params, c.tasks, STEPS, 0, ADAPTED, 1e-3); // α = 0: no adaptation at all, for scale
    expect(normError(firstOrder, fd[0])).toBeGreaterThan(0.05);
  });
});
