/**
 * A synthetic translation task: random token sequences and their copy or reversal. Small enough to train in
 * seconds, and long inputs on demand — the two effects the 2014 papers report as a function of source
 * length show on it:
 *
 * - Bahdanau, Cho & Bengio 2015 (https://arxiv.org/abs/1409.0473), Fig. 2: a decoder that sees the source
 *   only through one fixed-length vector loses accuracy as the source grows; one with attention does not;
 * - Sutskever, Vinyals & Le 2014 (https://arxiv.org/abs/1409.3215), §3.3: reading the source backwards makes
 *   the first target words' dependencies short ("minimal time lag"), and learning faster.
 *
 * Ids follow the seq2seq vocabularies (SEQ2SEQ_SPECIALS): 0 `<unk>`, 1 `<pad>`, 2 `<sos>`, 3 `<eos>`, content
 * tokens 4 … 4 + vocabSize − 1. Every sentence is `<sos>` x_1 … x_L `<eos>`.
 */
import { makeRng } from '@paperzoo/tensor';
import type { SentencePairs } from './seq2seq-training.js';

/** The special ids of {@link syntheticPairs}. */
export const SYNTHETIC_IDS = { unk: 0, pad: 1, sos: 2, eos: 3, firstToken: 4 } as const;

/** Options of {@link syntheticPairs}. */
export interface SyntheticPairsOptions {
  /** Pairs to draw. */
  count: number;
  /** Content lengths are uniform in [minLength, maxLength]. */
  minLength: number;
  maxLength: number;
  /** Content tokens (ids 4 … 4 + vocabSize − 1), drawn uniformly. */
  vocabSize: number;
  /** The target is the source ('copy') or the source backwards ('reverse'). */
  task: 'copy' | 'reverse';
  /** Seed of the task's own generator (independent of the global one). */
  seed: number;
}

/** Random pairs (this file's header); sizes: count × [L + 2] ids each side. */
export function syntheticPairs(o: SyntheticPairsOptions): SentencePairs {
  if (!(Number.isInteger(o.minLength) && o.minLength >= 1 && o.maxLength >= o.minLength)) throw new RangeError(`syntheticPairs: need 1 ≤ minLength ≤ maxLength, got ${o.minLength} and ${o.maxLength}`);
  const rng = makeRng(`synthetic:${o.task}:${o.seed}`);
  const source: Int32Array[] = [];
  const target: Int32Array[] = [];
  for (let i = 0; i < o.count; i++) {
    const length = o.minLength + Math.floor(rng() * (o.maxLength - o.minLength + 1));
    const content = Array.from({ length }, () => SYNTHETIC_IDS.firstToken + Math.floor(rng() * o.vocabSize));
    const out = o.task === 'copy' ? content : [...content].reverse();
    source.push(Int32Array.from([SYNTHETIC_IDS.sos, ...content, SYNTHETIC_IDS.eos]));
    target.push(Int32Array.from([SYNTHETIC_IDS.sos, ...out, SYNTHETIC_IDS.eos]));
  }
  return { source, target };
}
