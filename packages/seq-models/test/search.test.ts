import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, makeRng } from '@paperzoo/tensor';
import { beamSearch, gatherState, greedySearch, lengthPenalty, type LengthNormalization, type SearchModel } from '../src/search.js';

/**
 * A toy "model": a fixed random table of next-token log-probabilities indexed by (position, last token),
 * log p(v | t, last) = table[t][last][v]. The state is the position of each hypothesis, an int32 tensor
 * [hyps] (plus a float tensor riding along, to exercise nested states), so the search's state handling
 * (select, dispose) runs on real tensors.
 */
function tableModel(seed: number, vocab: number, maxLength: number, sharpness = 2) {
  const rng = makeRng(seed);
  const table = new Float32Array(maxLength * vocab * vocab);
  for (let row = 0; row < maxLength * vocab; row++) {
    const logits = Array.from({ length: vocab }, () => sharpness * (rng() * 2 - 1));
    const lse = Math.log(logits.reduce((s, z) => s + Math.exp(z), 0));
    logits.forEach((z, v) => (table[row * vocab + v] = z - lse));
  }
  const tableTensor = tf.tensor2d(table, [maxLength * vocab, vocab]);
  type State = { position: tf.Tensor1D; carry: tf.Tensor2D[] };
  const model: SearchModel<State> = {
    step(tokens, state) {
      return tf.tidy(() => {
        const index = tf.add<tf.Tensor1D>(tf.mul(state.position, tf.scalar(vocab, 'int32')), tf.tensor1d(tokens, 'int32')); // [hyps]
        const logProbs = tf.gather<tf.Tensor2D>(tableTensor, index); // [hyps, V]
        return { logProbs, state: { position: tf.add<tf.Tensor1D>(state.position, tf.scalar(1, 'int32')), carry: [tf.add<tf.Tensor2D>(state.carry[0], 1)] } };
      });
    },
  };
  const initial = (): State => ({ position: tf.tensor1d([0], 'int32'), carry: [tf.zeros<tf.Rank.R2>([1, 3])] });
  const logp = (t: number, last: number, v: number) => table[(t * vocab + last) * vocab + v];
  return { model, initial, logp, dispose: () => tableTensor.dispose() };
}

/** Every sequence up to maxLength (ending at the first eos), its log-probability summed in the search's order. */
function exhaustive(logp: (t: number, last: number, v: number) => number, o: { vocab: number; bos: number; eos: number; maxLength: number }, norm: LengthNormalization) {
  let best = { tokens: [] as number[], logProb: -Infinity, score: -Infinity };
  let count = 0;
  const walk = (tokens: number[], lp: number) => {
    const last = tokens.length > 0 ? tokens[tokens.length - 1] : o.bos;
    for (let v = 0; v < o.vocab; v++) {
      const next = [...tokens, v];
      const logProb = lp + logp(tokens.length, last, v);
      if (v === o.eos || next.length === o.maxLength) {
        count++;
        const score = logProb / lengthPenalty(next.length, norm);
        if (score > best.score) best = { tokens: next, logProb, score };
      } else walk(next, logProb);
    }
  };
  walk([], 0);
  return { best, count };
}

/** A stateless model whose log-probabilities are the table's row of the last token. */
function rowModel(table: tf.Tensor2D): SearchModel<null> {
  return { step: (tokens) => ({ logProbs: tf.tidy(() => tf.gather<tf.Tensor2D>(table, tf.tensor1d(tokens, 'int32'))), state: null }), select: () => null };
}

const NORMS: LengthNormalization[] = [{ kind: 'none' }, { kind: 'average' }, { kind: 'gnmt', alpha: 0.6 }, { kind: 'gnmt', alpha: 1 }];

describe.each(['cpu', 'wasm'] as const)('search on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('beam width 1 is greedy search: the same tokens and the same log-probability, bit for bit', async () => {
    for (let s = 0; s < 20; s++) {
      const m = tableModel(s, 7, 6);
      const o = { bos: 1, eos: 2, maxLength: 6 };
      const init = m.initial();
      await assertNoLeaks(async () => {
        const greedy = await greedySearch(m.model, init, o);
        const beam = await beamSearch(m.model, init, { ...o, beamWidth: 1 });
        expect(beam.best.tokens).toEqual(greedy.tokens);
        expect(beam.best.logProb).toBe(greedy.logProb);
        expect(beam.best.finished).toBe(greedy.finished);
        expect(beam.hypotheses).toHaveLength(1);
      });
      tf.dispose(init);
      m.dispose();
    }
  });

  it('with B ≥ V^maxLength beam search is the exhaustive search, under every length normalisation', async () => {
    const o = { vocab: 4, bos: 1, eos: 0, maxLength: 4 };
    for (let s = 0; s < 8; s++) {
      const m = tableModel(100 + s, o.vocab, o.maxLength);
      const init = m.initial();
      for (const norm of NORMS) {
        const exact = exhaustive(m.logp, o, norm);
        const beam = await assertNoLeaks(() => beamSearch(m.model, init, { ...o, beamWidth: o.vocab ** o.maxLength, lengthNormalization: norm }));
        expect(beam.hypotheses).toHaveLength(exact.count);
        expect(beam.best.tokens).toEqual(exact.best.tokens);
        expect(beam.best.logProb).toBe(exact.best.logProb);
        expect(beam.best.score).toBe(exact.best.score);
      }
      tf.dispose(init);
      m.dispose();
    }
  });

  it('the best beam is at least as likely as greedy on these random tables (B = 2, 3, 5; no normalisation)', async () => {
    // not a theorem for B < V^T (greedy's prefix can be pruned by prefixes that later do worse); checked
    // on these pinned tables, and a table where it fails is below
    for (let s = 0; s < 30; s++) {
      const m = tableModel(200 + s, 6, 5);
      const o = { bos: 1, eos: 2, maxLength: 5 };
      const init = m.initial();
      const greedy = await greedySearch(m.model, init, o);
      for (const beamWidth of [2, 3, 5]) {
        const beam = await beamSearch(m.model, init, { ...o, beamWidth });
        expect(beam.best.logProb).toBeGreaterThanOrEqual(greedy.logProb);
      }
      tf.dispose(init);
      m.dispose();
    }
  });

  it('a table where beam search (B = 2) finds a less likely sequence than greedy: the property is not a theorem', async () => {
    // tokens 0 eos, 1 bos, 2 x, 3 y, 4 y1, 5 y2, 6 x'; the row is the last token. Greedy: bos → x (0.5) → x' (0.3)
    // → eos (0.99), P = 0.1485. Beam 2 keeps x and y (0.4), then y→y1 and y→y2 (0.2 each) push out x→x' (0.15),
    // and y1, y2 lead nowhere likely (uniform next token): P ≤ 0.2 / 7.
    const row = (p: Record<number, number>) => Array.from({ length: 7 }, (_, v) => Math.log(p[v] ?? (1 - Object.values(p).reduce((a, b) => a + b, 0)) / (7 - Object.keys(p).length)));
    const table = tf.tensor2d([row({}), row({ 2: 0.5, 3: 0.4 }), row({ 6: 0.3 }), row({ 4: 0.5, 5: 0.5 }), row({}), row({}), row({ 0: 0.99 })]);
    const model = rowModel(table);
    const o = { bos: 1, eos: 0, maxLength: 3 };
    const greedy = await greedySearch(model, null, o);
    const beam = await beamSearch(model, null, { ...o, beamWidth: 2 });
    expect(greedy.tokens).toEqual([2, 6, 0]);
    expect(Math.exp(greedy.logProb)).toBeCloseTo(0.1485, 6);
    expect(beam.best.logProb).toBeLessThan(greedy.logProb);
    expect((await beamSearch(model, null, { ...o, beamWidth: 3 })).best.tokens).toEqual([2, 6, 0]);
    table.dispose();
  });

  it('length normalisation: lp values, and it picks the longer hypothesis that raw log P ranks lower', async () => {
    expect(lengthPenalty(1, { kind: 'gnmt', alpha: 0.6 })).toBe(1);
    expect(lengthPenalty(7, { kind: 'gnmt', alpha: 1 })).toBe(2);
    expect(lengthPenalty(4, { kind: 'average' })).toBe(4);
    // vocab {0: eos, 1: bos, 2: a}; the row is the last token: from bos, p(eos) = 0.6, p(a) = 0.39; after a,
    // p(eos) = 0.99. Raw: [eos] (ln 0.6 = −0.51) beats [a, eos] (ln 0.39 + ln 0.99 = −0.95); averaged, −0.51
    // loses to −0.95 / 2 = −0.48.
    const ln = Math.log;
    const table = tf.tensor2d([[-20, -20, -20], [ln(0.6), ln(0.01), ln(0.39)], [ln(0.99), -20, -20]]);
    const model = rowModel(table);
    const o = { bos: 1, eos: 0, maxLength: 3, beamWidth: 3 };
    await assertNoLeaks(async () => {
      const raw = await beamSearch(model, null, o);
      expect(raw.best.tokens).toEqual([0]);
      expect(raw.best.logProb).toBeCloseTo(ln(0.6), 6);
      const avg = await beamSearch(model, null, { ...o, lengthNormalization: { kind: 'average' } });
      expect(avg.best.tokens).toEqual([2, 0]);
      expect(avg.best.score).toBeCloseTo((ln(0.39) + ln(0.99)) / 2, 6);
      // GNMT with α = 1: lp(2) = 7/6, not enough to overturn −0.51
      const gnmt = await beamSearch(model, null, { ...o, lengthNormalization: { kind: 'gnmt', alpha: 1 } });
      expect(gnmt.best.tokens).toEqual([0]);
    });
    table.dispose();
  });

  it('gatherState keeps the structure; the caller keeps its initial state; bad options throw', async () => {
    const m = tableModel(7, 5, 4);
    const init = m.initial();
    const picked = gatherState(init, Int32Array.of(0, 0, 0));
    expect(picked.position.shape).toEqual([3]);
    expect(picked.carry[0].shape).toEqual([3, 3]);
    tf.dispose(picked);
    await beamSearch(m.model, init, { bos: 1, eos: 2, maxLength: 4, beamWidth: 3 });
    expect(init.position.isDisposed).toBe(false);
    await expect(beamSearch(m.model, init, { bos: 1, eos: 2, maxLength: 0, beamWidth: 3 })).rejects.toThrow(/maxLength must be a positive integer/);
    await expect(beamSearch(m.model, init, { bos: 1, eos: 2, maxLength: 3, beamWidth: 0 })).rejects.toThrow(/beamWidth must be a positive integer/);
    tf.dispose(init);
    m.dispose();
  });
});
