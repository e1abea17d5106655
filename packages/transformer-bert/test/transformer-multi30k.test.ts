/**
 * What the transformer-multi30k app relies on: the decoder's causal mask holds exactly (§3.2.3), the parallel
 * teacher-forced pass equals the step-by-step decoder that search uses, and the model has the tutorial's
 * parameter count.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, makeRng, type BackendName } from '@paperzoo/tensor';
import { padTimeMajor } from '@paperzoo/seq-models';
import { Transformer, futureTokenCheck } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

const backends = (['cpu', 'wasm', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);
const VOCAB = 13;
const PAD = 1;

/** A small model with every tutorial feature on (learned positions, √d scale, dropout — off here as training is false). */
const smallModel = (o: { positions?: 'learned' | 'sinusoidal' } = {}) =>
  new Transformer({ sourceVocabSize: VOCAB + 2, targetVocabSize: VOCAB, size: 16, heads: 4, innerSize: 24, encoderLayers: 2, decoderLayers: 2, sourcePad: PAD, maxLength: 20, dropout: 0.1, seed: 5, ...o });

/** Random sentences <sos>=2 … <eos>=3 of different lengths, padded, time-major: source [S, B], target [T, B]. */
function batch(): { source: tf.Tensor2D; target: tf.Tensor2D } {
  const rng = makeRng(11);
  const sentence = (length: number, vocab: number) => Int32Array.from([2, ...Array.from({ length }, () => 4 + Math.floor(rng() * (vocab - 4))), 3]);
  const lengths = [7, 3, 9, 5];
  return { source: padTimeMajor(lengths.map((l) => sentence(l + 1, VOCAB + 2)), PAD), target: padTimeMajor(lengths.map((l) => sentence(l, VOCAB)), PAD) };
}

describe('the Transformer at the tutorial\'s scale', () => {
  it('has the parameter count notebook 6 prints at its vocabularies (7,853 de / 5,893 en): 9,038,341', () => {
    const model = new Transformer({ sourceVocabSize: 7853, targetVocabSize: 5893, size: 256, heads: 8, innerSize: 512, encoderLayers: 3, decoderLayers: 3, sourcePad: 1, maxLength: 100, dropout: 0.1, allocate: false });
    expect(model.parameterCount()).toBe(9_038_341);
  });
});

describe.each(backends)('the decoder\'s causal mask on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each(['learned', 'sinusoidal'] as const)('%s positions: changing target tokens after t leaves the logits at steps ≤ t bit-identical, for every t', async (positions) => {
    const model = smallModel({ positions });
    const { source, target } = batch();
    futureTokenCheck(model, source, target, 0); // builds the cached sinusoid table once, outside the leak check
    await assertNoLeaks(() => {
      for (let t = 0; t < target.shape[0] - 1; t++) {
        const c = futureTokenCheck(model, source, target, t);
        expect(c.compared).toBe((t + 1) * 4 * VOCAB);
        expect(c.changed, `t = ${t}`).toBe(0);
      }
    });
    tf.dispose([source, target]);
    model.dispose();
  });

  it('the check is not vacuous: changing the token at t + 1 changes the logits of step t + 1', () => {
    const model = smallModel();
    const { source, target } = batch();
    const t = 2;
    const logits = (y: tf.Tensor2D) => {
      const l = model.forward(source, y, { training: false, teacherForcing: 1 });
      const values = l.arraySync();
      l.dispose();
      return values;
    };
    const changed = tf.tidy(() => {
      const rows = tf.unstack(target) as tf.Tensor1D[];
      rows[t + 1] = tf.cast(tf.mod(tf.add(rows[t + 1], 1), VOCAB), 'int32') as tf.Tensor1D;
      return tf.stack(rows) as tf.Tensor2D;
    });
    const [a, b] = [logits(target), logits(changed)];
    expect(a[t]).toEqual(b[t]);
    expect(a[t + 1]).not.toEqual(b[t + 1]);
    tf.dispose([source, target, changed]);
    model.dispose();
  });

  it('the parallel teacher-forced logits equal the step-by-step decodeStep logits (search\'s path) within 1e-5', () => {
    const model = smallModel();
    const { source, target } = batch();
    const parallel = model.forward(source, target, { training: false, teacherForcing: 1 }); // [T−1, B, V]
    const columns = tf.unstack(target) as tf.Tensor1D[];
    let state = model.encode(source, false);
    const stepwise: tf.Tensor2D[] = [];
    for (let t = 0; t < target.shape[0] - 1; t++) {
      const out = model.decodeStep(columns[t], state, false);
      tf.dispose(state as unknown as tf.TensorContainer);
      state = out.state;
      stepwise.push(out.logits);
    }
    const p = parallel.dataSync();
    const s = tf.stack(stepwise).dataSync();
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - s[i]));
    expect(s.length).toBe(p.length);
    expect(worst).toBeLessThan(1e-5);
    tf.dispose([parallel, ...columns, ...stepwise, source, target, state as unknown as tf.TensorContainer]);
    model.dispose();
  });
});
