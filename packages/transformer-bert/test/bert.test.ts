/**
 * BERT (../src/bert.ts): the masking of §3.1 / A.1 on a large sample, BERT-Tiny's parameter count against
 * google-research/bert's configuration, padding that does not reach the real tokens (exactly), no leaks in a
 * training step, the warm-up/linear-decay schedule, and pinned numbers for a seed.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, seed, assertNoLeaksSync, softmaxCrossEntropy, type BackendName } from '@paperzoo/tensor';
import { AdamW } from '@paperzoo/core-autograd';
import { Bert, bertLearningRate, maskTokens, maskedLmBatch, sentenceBatches } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

const [PAD, UNK, CLS, SEP, MASK] = [0, 1, 2, 3, 4];
const SPECIALS = [PAD, CLS, SEP, MASK];

/** `batch` sequences `[CLS] t… [SEP] [PAD]…` of random lengths in [length/2, length] (a seeded LCG, not the global generator). */
function sequences(batch: number, length: number, vocabSize: number, rngSeed = 1): Int32Array {
  let state = rngSeed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ids = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) {
    const real = Math.floor(length / 2 + next() * (length / 2 + 1));
    for (let t = 0; t < length; t++) ids[b * length + t] = t === 0 ? CLS : t === real - 1 ? SEP : t >= real ? PAD : 5 + Math.floor(next() * (vocabSize - 5));
    if (next() < 0.1) ids[b * length + 1] = UNK; // [UNK] is an ordinary token: it may be chosen
  }
  return ids;
}

describe('maskTokens (§3.1 Task #1, A.1)', () => {
  it('chooses 15% of the non-special positions, never a special one, and replaces 80/10/10', () => {
    seed(3);
    const [batch, length, vocabSize] = [600, 128, 1000];
    const ids = sequences(batch, length, vocabSize);
    const m = maskTokens(ids, [batch, length], { vocabSize, maskId: MASK, specialIds: SPECIALS });
    const candidates = ids.filter((id) => !SPECIALS.includes(id)).length;
    expect(m.positions.length / candidates).toBeCloseTo(0.15, 2); // round(N·0.15) per sequence
    let [masked, random, unchanged] = [0, 0, 0];
    const chosen = new Set(m.positions);
    m.positions.forEach((p, i) => {
      expect(SPECIALS).not.toContain(ids[p]);
      expect(m.labels[i]).toBe(ids[p]);
      if (i > 0) expect(p).toBeGreaterThan(m.positions[i - 1]);
      if (m.inputIds[p] === MASK) masked++;
      else if (m.inputIds[p] === ids[p]) unchanged++;
      else {
        random++;
        expect(SPECIALS).not.toContain(m.inputIds[p]);
      }
    });
    for (let p = 0; p < ids.length; p++) if (!chosen.has(p)) expect(m.inputIds[p]).toBe(ids[p]);
    const n = m.positions.length; // ≈ 8,600: σ of a 10% share ≈ 0.3 pp
    expect(n).toBeGreaterThan(8000);
    expect(Math.abs(masked / n - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(random / n - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(unchanged / n - 0.1)).toBeLessThan(0.015);
    // every sequence gets round(N·0.15) (at least 1), capped by maxPredictions
    const capped = maskTokens(ids, [batch, length], { vocabSize, maskId: MASK, specialIds: SPECIALS, maxPredictions: 5 });
    const perRow = new Map<number, number>();
    for (const p of capped.positions) perRow.set(Math.floor(p / length), (perRow.get(Math.floor(p / length)) ?? 0) + 1);
    expect(Math.max(...perRow.values())).toBe(5);
  });

  it('gives the same masks for the same seed, pinned', () => {
    const ids = Int32Array.from([CLS, 10, 11, 12, 13, 14, 15, 16, 17, SEP, CLS, 20, 21, 22, 23, 24, 25, 26, SEP, PAD]);
    const run = () => {
      seed(42);
      return maskTokens(ids, [2, 10], { vocabSize: 30, maskId: MASK, specialIds: SPECIALS, maskProbability: 0.3 });
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(Array.from(a.positions)).toEqual(PINNED_POSITIONS);
    expect(Array.from(a.inputIds)).toEqual(PINNED_INPUTS);
  });
});

describe('Bert', () => {
  it('has BERT-Tiny\'s parameter count (google-research/bert uncased_L-2_H-128_A-2: 4,385,920 in the encoder with its pooler)', () => {
    const tiny = new Bert({ vocabSize: 30522, maxPositions: 512, layers: 2, heads: 2, size: 128, padId: 0, allocate: false });
    const d = 128;
    const embeddings = 30522 * d + 512 * d + 2 * d + 2 * d; // word, position, token type, LayerNorm γ β
    const layer = 4 * (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d) + 2 * d; // Q K V O, LN, W_1 b_1, W_2 b_2, LN
    expect(embeddings).toBe(3_972_864);
    expect(layer).toBe(198_272);
    expect(tiny.parameterCountsByLayer()).toEqual({ embeddings, encoder: 2 * layer, masked_lm: d * d + d + 2 * d + 30522, pooler: d * d + d, classifier: 2 * d + 2 });
    expect(embeddings + 2 * layer + d * d + d).toBe(4_385_920); // BertModel: the published "4.4M"
    expect(tiny.parameterCount()).toBe(4_385_920 + 47_290 + 258); // + cls/predictions (transform, LN, output bias) + a 2-way classifier
  });

  const backends = (['cpu', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);
  describe.each(backends)('on %s', (backend) => {
    const make = () => new Bert({ vocabSize: 50, maxPositions: 16, layers: 2, heads: 2, size: 16, padId: PAD, seed: 5 });

    it('keeps the outputs at real positions exactly unchanged when the padded positions change', async () => {
      await initBackend({ backend });
      const model = make();
      try {
        const real = tf.tensor2d([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], [2, 6], 'int32');
        const a = tf.tensor2d([[CLS, 7, 8, 9, 10, SEP], [CLS, 11, SEP, PAD, PAD, PAD]], [2, 6], 'int32');
        const b = tf.tensor2d([[CLS, 7, 8, 9, 10, SEP], [CLS, 11, SEP, 30, 41, 12]], [2, 6], 'int32');
        const types = tf.tensor2d([[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]], [2, 6], 'int32');
        const ha = model.encode({ ids: a }, { training: false }); // default mask: ids ≠ [PAD]
        const hb = model.encode({ ids: b, tokenTypes: types, attentionMask: real }, { training: false });
        expect(ha.shape).toEqual([2, 6, 16]);
        const va = ha.arraySync();
        const vb = hb.arraySync();
        expect(vb[0]).toEqual(va[0]);
        expect(vb[1].slice(0, 3)).toEqual(va[1].slice(0, 3)); // bit for bit
        expect(vb[1][3]).not.toEqual(va[1][3]);
        const ca = model.classify({ ids: a }, { training: false });
        const cb = model.classify({ ids: b, tokenTypes: types, attentionMask: real }, { training: false });
        expect(cb.shape).toEqual([2, 2]);
        expect(cb.arraySync()).toEqual(ca.arraySync());
        tf.dispose([real, a, b, types, ha, hb, ca, cb]);
      } finally {
        model.dispose();
      }
    });

    it('trains a masked-LM step and a classification step without leaking tensors', async () => {
      await initBackend({ backend });
      seed(9);
      const model = make();
      const optimizer = new AdamW({ learningRate: 1e-2, decays: (v) => v.shape.length >= 2 });
      try {
        const ids = sequences(8, 12, 50, 3);
        const lmStep = () => {
          const batch = maskedLmBatch(ids, [8, 12], { vocabSize: 50, maskId: MASK, specialIds: SPECIALS });
          const cost = optimizer.minimize(() => model.maskedLmLoss(batch, { training: true }), true, Object.values(model.variablesFor('masked-lm')))!;
          const value = cost.dataSync()[0];
          tf.dispose([cost, batch.ids, batch.positions, batch.labels]);
          return value;
        };
        const first = lmStep(); // creates AdamW's moments
        expect(first).toBeGreaterThan(Math.log(50) - 0.5);
        expect(first).toBeLessThan(Math.log(50) + 0.5); // near-uniform predictions at N(0, 0.02²) initialisation
        assertNoLeaksSync(lmStep, { label: 'masked-LM step' });
        let last = first;
        for (let i = 0; i < 30; i++) last = lmStep();
        expect(last).toBeLessThan(first - 0.5);

        const [batch] = sentenceBatches([Int32Array.from([7, 8, 9]), Int32Array.from([10])], [1, 0], { batch: 2, maxLength: 8, clsId: CLS, sepId: SEP, padId: PAD, shuffle: false });
        expect(batch.x.arraySync()).toEqual([[CLS, 7, 8, 9, SEP], [CLS, 10, SEP, PAD, PAD]]);
        const variables = Object.values(model.variablesFor('classification'));
        const classifyStep = () => tf.dispose(optimizer.minimize(() => softmaxCrossEntropy(tf.oneHot(batch.y, 2), model.apply(batch.x, { training: true })), true, variables)!);
        classifyStep();
        assertNoLeaksSync(classifyStep, { label: 'classification step' });
        tf.dispose([batch.x, batch.y]);
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    });
  });

  it('gives pinned outputs for a seed (cpu)', async () => {
    await initBackend({ backend: 'cpu' });
    const model = new Bert({ vocabSize: 50, maxPositions: 16, layers: 2, heads: 2, size: 16, padId: PAD, seed: 11 });
    const ids = tf.tensor2d([[CLS, 7, MASK, 9, SEP]], [1, 5], 'int32');
    const positions = tf.tensor1d([2], 'int32');
    const logits = model.maskedLmLogits(model.encode({ ids }, { training: false }), positions);
    const values = Array.from(logits.dataSync().slice(0, 4));
    expect(values.map((v) => Number(v.toFixed(6)))).toEqual(PINNED_LOGITS);
    tf.dispose([ids, positions, logits]);
    model.dispose();
  });
});

describe('bertLearningRate (A.2, optimization.py)', () => {
  it('warms up linearly to the peak, then decays linearly to 0', () => {
    const lr = bertLearningRate({ learningRate: 1e-4, warmupSteps: 10, totalSteps: 100 });
    expect(lr(0)).toBe(0);
    expect(lr(5)).toBeCloseTo(5e-5, 15);
    expect(lr(10)).toBeCloseTo(9e-5, 15); // 1e-4 · (1 − 10/100)
    expect(lr(55)).toBeCloseTo(4.5e-5, 15);
    expect(lr(100)).toBe(0);
    expect(lr(150)).toBe(0);
  });
});

const PINNED_POSITIONS = [5, 6, 14, 17]; // 2 per sequence: round(0.3 · 8), round(0.3 · 7)
const PINNED_INPUTS = [CLS, 10, 11, 12, 13, 14, MASK, 16, 17, SEP, CLS, 20, 21, 22, MASK, 24, 25, MASK, SEP, PAD]; // position 5 chosen and left unchanged
const PINNED_LOGITS = [-0.221626, -0.044513, -0.007595, 0.073475];
