import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, seed } from '@paperzoo/tensor';
import { LstmSeq2Seq, ContextGruSeq2Seq, disposeState, type EncoderDecoder } from '../src/seq2seq.js';
import { AdditiveAttention, AttentionSeq2Seq } from '../src/attention.js';
import { beamSearch, greedySearch } from '../src/search.js';
import { padTimeMajor } from '../src/seq2seq-training.js';
import { syntheticPairs, SYNTHETIC_IDS } from '../src/synthetic-translation.js';

const tiny = { sourceVocabSize: 9, targetVocabSize: 7, embeddingSize: 4, hiddenSize: 5, seed: 3 };
const builders: Record<string, (o?: { dropout?: number }) => EncoderDecoder<unknown>> = {
  lstm: (o = {}) => new LstmSeq2Seq({ ...tiny, ...o, layers: 2, init: { kind: 'uniform', limit: 0.5 } }),
  gru: (o = {}) => new ContextGruSeq2Seq({ ...tiny, ...o, init: { kind: 'uniform', limit: 0.5 } }),
  attention: (o = {}) => new AttentionSeq2Seq({ ...tiny, ...o, init: { kind: 'uniform', limit: 0.5 }, biasInit: { kind: 'uniform', limit: 0.5 } }),
};
/** Two source sentences of different lengths (padded with 1) and targets of 4 rows. */
const batch = () => ({
  source: padTimeMajor([Int32Array.of(2, 5, 6, 7, 3), Int32Array.of(2, 8, 3)], 1), // [5, 2]
  target: padTimeMajor([Int32Array.of(2, 4, 5, 3), Int32Array.of(2, 6, 3)], 1), // [4, 2]
});

describe('seq2seq parameter counts equal the notebooks\' printed counts (vocabularies 7,853 de / 5,893 en)', () => {
  const sizes = { sourceVocabSize: 7853, targetVocabSize: 5893, embeddingSize: 256, hiddenSize: 512, dropout: 0.5, allocate: false };
  it('notebook 1, Sutskever et al.: 13,898,501', () => expect(new LstmSeq2Seq({ ...sizes, layers: 2 }).parameterCount()).toBe(13_898_501));
  it('notebook 2, Cho et al.: 14,219,781', () => expect(new ContextGruSeq2Seq(sizes).parameterCount()).toBe(14_219_781));
  it('notebook 3, Bahdanau et al.: 20,518,405', () => expect(new AttentionSeq2Seq(sizes).parameterCount()).toBe(20_518_405));
});

describe.each(['cpu'] as const)('seq2seq models on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each(Object.keys(builders))('%s: logits [T−1, B, V], a finite loss, and no leaked tensors (forward, loss, gradients)', async (name) => {
    const model = builders[name]({ dropout: 0.3 });
    const { source, target } = batch();
    await assertNoLeaks(() => {
      const logits = model.forward(source, target, { training: true, teacherForcing: 0.5 });
      expect(logits.shape).toEqual([3, 2, 7]);
      logits.dispose();
      const { value, grads } = tf.variableGrads(() => model.loss(source, target, 1, { training: true, teacherForcing: 0.5 }));
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).length).toBe(Object.keys(model.variables).length);
      tf.dispose([value, ...Object.values(grads)]);
    });
    tf.dispose([source, target]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: the teacher-forcing coins and dropout come from the global generator: the same seed gives the same loss', (name) => {
    const model = builders[name]({ dropout: 0.3 });
    const { source, target } = batch();
    const run = (s: number) => {
      seed(s);
      return Array.from({ length: 3 }, () => model.loss(source, target, 1, { training: true, teacherForcing: 0.5 }).dataSync()[0]);
    };
    expect(run(7)).toEqual(run(7));
    tf.dispose([source, target]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: the loss ignores padding: a padded batch gives each sentence\'s token-weighted mean', (name) => {
    const model = builders[name]();
    const { source, target } = batch();
    const o = { training: false, teacherForcing: 1 };
    const both = model.loss(source, target, 1, o).dataSync()[0];
    // sentence 2 alone has 2 predicted tokens, sentence 1 alone 3: the batch mean weighs them 3 : 2
    const one = (s: Int32Array, t: Int32Array) => model.loss(padTimeMajor([s], 1), padTimeMajor([t], 1), 1, o).dataSync()[0];
    const first = one(Int32Array.of(2, 5, 6, 7, 3), Int32Array.of(2, 4, 5, 3));
    const second = one(Int32Array.of(2, 8, 3, 1, 1), Int32Array.of(2, 6, 3)); // the source padded as in the batch
    expect(both).toBeCloseTo((3 * first + 2 * second) / 5, 5);
    tf.dispose([source, target]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: gradients equal central finite differences (float32, ε = 1e-2)', (name) => {
    const model = builders[name]();
    const { source, target } = batch();
    const loss = () => model.loss(source, target, 1, { training: false, teacherForcing: 1 });
    const { value, grads } = tf.variableGrads(loss);
    value.dispose();
    const eps = 1e-2;
    for (const [key, variable] of Object.entries(model.variables)) {
      const g = grads[variable.name].dataSync();
      const values = variable.dataSync().slice();
      for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
        const at = (delta: number) => {
          const copy = values.slice();
          copy[i] += delta;
          variable.assign(tf.tensor(copy, variable.shape));
          return loss().dataSync()[0];
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        variable.assign(tf.tensor(values, variable.shape));
        expect(Math.abs(numeric - g[i]), `${name} ${key}[${i}]: numeric ${numeric}, analytic ${g[i]}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(g[i]));
      }
    }
    tf.dispose([source, target, ...Object.values(grads)]);
    model.dispose();
  });

  it.each(Object.keys(builders))('%s: beam search of width 1 is greedy search, bit for bit, on the model', async (name) => {
    const model = builders[name]();
    for (const source of syntheticPairs({ count: 5, minLength: 2, maxLength: 6, vocabSize: 5, task: 'copy', seed: 1 }).source) {
      const { model: m, state } = model.searchModel(Array.from(source));
      const o = { bos: SYNTHETIC_IDS.sos, eos: SYNTHETIC_IDS.eos, maxLength: 8 };
      await assertNoLeaks(async () => {
        const greedy = await greedySearch(m, state, o);
        const beam = await beamSearch(m, state, { ...o, beamWidth: 1 });
        expect(beam.best.tokens).toEqual(greedy.tokens);
        expect(beam.best.logProb).toBe(greedy.logProb);
        const wide = await beamSearch(m, state, { ...o, beamWidth: 4 });
        expect(wide.best.tokens.length).toBeGreaterThan(0);
      });
      disposeState(state);
    }
    model.dispose();
  });

  it('Sutskever §3.3: reverseSource reads the source backwards (= the plain model on the reversed source)', () => {
    const reversed = new LstmSeq2Seq({ ...tiny, layers: 1, reverseSource: true });
    const plain = new LstmSeq2Seq({ ...tiny, layers: 1 });
    const target = padTimeMajor([Int32Array.of(2, 4, 5, 3)], 1);
    const o = { training: false, teacherForcing: 1 };
    const a = reversed.loss(padTimeMajor([Int32Array.of(2, 5, 6, 7, 3)], 1), target, 1, o).dataSync()[0];
    const b = plain.loss(padTimeMajor([Int32Array.of(3, 7, 6, 5, 2)], 1), target, 1, o).dataSync()[0];
    expect(a).toBe(b);
    reversed.dispose();
    plain.dispose();
    target.dispose();
  });

  it('Bahdanau eq. 6: attention weights are a distribution over the source; with maskPadding, padded positions get none', () => {
    const masked = new AttentionSeq2Seq({ ...tiny, maskPadding: true, pad: 1, init: { kind: 'uniform', limit: 0.5 } });
    const { source, target } = batch();
    const state = masked.encode(source, false);
    const { logits, state: next, weights } = masked.attend(tf.tensor1d([2, 2], 'int32'), state, false); // weights [B, S]
    expect(weights.shape).toEqual([2, 5]);
    const w = weights.arraySync();
    for (const row of w) expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 6);
    expect(w[1].slice(3)).toEqual([0, 0]); // sentence 2 has 3 tokens, 2 pads
    expect(Math.min(...w[0])).toBeGreaterThan(0);
    tf.dispose([logits, weights, source, target]);
    disposeState(state);
    disposeState(next);
    masked.dispose();
  });

  it('AdditiveAttention.context is Σ_j α_j h_j', () => {
    const weights = tf.tensor2d([[0.25, 0.75]]);
    const values = tf.tensor3d([[[1, 2], [3, 4]]]);
    expect(AdditiveAttention.context(weights, values).arraySync()).toEqual([[2.5, 3.5]]);
    tf.dispose([weights, values]);
  });
});
