/**
 * Decoding a sequence model: greedy search and beam search with length normalisation.
 *
 * Beam search as in I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning with Neural
 * Networks", NeurIPS 2014, §3.2 (https://arxiv.org/abs/1409.3215): keep the B most likely partial
 * hypotheses; each step extends every live one by every token and keeps the B best of the extensions; a
 * hypothesis that emits `<eos>` leaves the beam and is finished. Log-probability of a hypothesis y_1…y_T:
 *
 *   log P(Y | X) = Σ_{t=1}^{T} log p(y_t | y_<t, X)
 *
 * Finished hypotheses of different lengths are ranked by a length-normalised score (short ones are
 * otherwise favoured, every token costing log p ≤ 0). Y. Wu et al., "Google's Neural Machine Translation
 * System", 2016, §7, eq. (14) (https://arxiv.org/abs/1609.08144), without the coverage penalty (β = 0):
 *
 *   s(Y, X) = log P(Y | X) / lp(Y),   lp(Y) = (5 + |Y|)^α / (5 + 1)^α                (`{ kind: 'gnmt', alpha }`)
 *
 * or the plain average log P(Y | X) / |Y| (`{ kind: 'average' }`), or none. |Y| counts the generated tokens,
 * `<eos>` included, `<bos>` not. All extensions in one step have the same length, so normalisation changes
 * only which finished hypothesis wins, never which extensions are kept.
 *
 * The model is any step function: given the last token of each live hypothesis ([hyps]) and its state, it
 * returns log-probabilities of the next token, [hyps, V], and the new state; `select` reorders/picks state
 * rows by hypothesis index (default: `tf.gather` on axis 0 of every tensor of a tensor-container state).
 * Scores are summed in float64 on the CPU, so results are deterministic and comparable with an exact search.
 */
import { tf } from '@paperzoo/tensor';

/** One decoding step: next-token log-probabilities of each live hypothesis and the new state. */
export interface StepOutput<S> {
  /** log p(y_t | y_<t, X), [hyps, V]. */
  logProbs: tf.Tensor2D;
  /** The state after the step (rows by hypothesis), owned by the search from then on. */
  state: S;
}

/**
 * A model to decode. The search owns every state `step` or `select` returns and frees it when replaced
 * (`dispose`); the initial state stays the caller's. A step must return new tensors, not the ones it was given.
 */
export interface SearchModel<S> {
  /** tokens: the last token of each live hypothesis, [hyps]; state: their states (rows by hypothesis). */
  step(tokens: Int32Array, state: S): StepOutput<S>;
  /** The state of the hypotheses `indices` (rows of `state`), in that order. Default: gather axis 0 of every tensor. */
  select?(state: S, indices: Int32Array): S;
  /** Frees a state. Default: `tf.dispose` of every tensor in it. */
  dispose?(state: S): void;
}

/** How finished hypotheses of different lengths are compared (this file's header). */
export type LengthNormalization = { kind: 'none' } | { kind: 'average' } | { kind: 'gnmt'; alpha: number };

/** Options of {@link greedySearch} and {@link beamSearch}. */
export interface SearchOptions {
  /** The token that starts every hypothesis (`<sos>`); it is fed to the first step and not part of the output. */
  bos: number;
  /** The token that ends a hypothesis (`<eos>`). */
  eos: number;
  /** Most tokens to generate (`<eos>` included); a hypothesis that reaches it unfinished ends there. */
  maxLength: number;
}

/** Options of {@link beamSearch}. */
export interface BeamSearchOptions extends SearchOptions {
  /** Beam width B ≥ 1 (1 is greedy search). */
  beamWidth: number;
  /** Ranking of finished hypotheses (default `{ kind: 'none' }`). */
  lengthNormalization?: LengthNormalization;
}

/** A decoded sequence. */
export interface Hypothesis {
  /** The generated tokens, `<eos>` included when it was generated, `<bos>` not. */
  tokens: number[];
  /** log P(Y | X), summed in float64. */
  logProb: number;
  /** The length-normalised score s(Y, X) it was ranked by (= logProb without normalisation). */
  score: number;
  /** Whether it ended with `<eos>` (false: cut at maxLength). */
  finished: boolean;
}

/** The outcome of {@link beamSearch}. */
export interface BeamSearchResult {
  /** The hypothesis with the highest score. */
  best: Hypothesis;
  /** Every hypothesis that left the beam (ended or reached maxLength), best score first. */
  hypotheses: Hypothesis[];
}

/** The normaliser lp(Y) of a hypothesis of `length` generated tokens. */
export function lengthPenalty(length: number, normalization: LengthNormalization): number {
  switch (normalization.kind) {
    case 'none':
      return 1;
    case 'average':
      return Math.max(length, 1);
    case 'gnmt':
      return ((5 + length) / 6) ** normalization.alpha;
  }
}

/** Every tensor in a (nested) container. */
function tensorsOf(x: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (x instanceof tf.Tensor) out.push(x);
  else if (Array.isArray(x)) for (const v of x) tensorsOf(v, out);
  else if (x !== null && typeof x === 'object') for (const v of Object.values(x)) tensorsOf(v, out);
  return out;
}

/** The default `select`: `tf.gather(t, indices, 0)` for every tensor of a container, the structure kept. */
export function gatherState<S>(state: S, indices: Int32Array): S {
  const idx = tf.tensor1d(indices, 'int32');
  const walk = (x: unknown): unknown => {
    if (x instanceof tf.Tensor) return tf.gather(x, idx, 0);
    if (Array.isArray(x)) return x.map(walk);
    if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  const out = walk(state) as S;
  idx.dispose();
  return out;
}

/** Tracks the states the search owns: frees a replaced one, never the caller's initial one. */
class StateKeeper<S> {
  private readonly callerTensors: Set<tf.Tensor>;
  /** Whether `current` came from the model (else it is the caller's initial state). */
  private owned = false;
  constructor(
    private readonly model: SearchModel<S>,
    private current: S,
  ) {
    this.callerTensors = new Set(tensorsOf(current));
  }
  get state(): S {
    return this.current;
  }
  replace(next: S): void {
    if (this.owned) this.free(this.current, next);
    this.current = next;
    this.owned = true;
  }
  release(): void {
    if (this.owned) this.free(this.current, undefined);
  }
  private free(old: S, next: S | undefined): void {
    if (this.model.dispose) {
      this.model.dispose(old);
      return;
    }
    const keep = new Set(tensorsOf(next));
    for (const t of tensorsOf(old)) if (!keep.has(t) && !this.callerTensors.has(t)) t.dispose();
  }
}

function checkOptions(fn: string, o: SearchOptions & { beamWidth?: number }): void {
  if (!Number.isInteger(o.maxLength) || o.maxLength < 1) throw new RangeError(`${fn}: maxLength must be a positive integer, got ${o.maxLength}`);
  if (o.beamWidth !== undefined && (!Number.isInteger(o.beamWidth) || o.beamWidth < 1)) throw new RangeError(`${fn}: beamWidth must be a positive integer, got ${o.beamWidth}`);
}

/** Runs one step and reads its log-probabilities, [hyps, V] row-major; frees the tensor. */
async function runStep<S>(fn: string, model: SearchModel<S>, keeper: StateKeeper<S>, tokens: Int32Array): Promise<{ logProbs: Float32Array; vocabSize: number }> {
  const out = model.step(tokens, keeper.state);
  keeper.replace(out.state);
  const [hyps, vocabSize] = out.logProbs.shape;
  if (hyps !== tokens.length) {
    out.logProbs.dispose();
    throw new RangeError(`${fn}: step returned logProbs for ${hyps} hypotheses, given ${tokens.length}; return [hyps, V]`);
  }
  const logProbs = (await out.logProbs.data()) as Float32Array;
  out.logProbs.dispose();
  return { logProbs, vocabSize };
}

/**
 * Greedy decoding: y_t = argmax_v log p(v | y_<t, X) until `<eos>` or `maxLength` tokens (the first index on
 * a tie). `state` holds one row (one source sentence). Returns log P(Y | X) summed in float64.
 */
export async function greedySearch<S>(model: SearchModel<S>, state: S, options: SearchOptions): Promise<Hypothesis> {
  checkOptions('greedySearch', options);
  const keeper = new StateKeeper(model, state);
  const tokens: number[] = [];
  let logProb = 0;
  let last = options.bos;
  try {
    while (tokens.length < options.maxLength) {
      const { logProbs, vocabSize } = await runStep('greedySearch', model, keeper, Int32Array.of(last));
      let best = 0;
      for (let v = 1; v < vocabSize; v++) if (logProbs[v] > logProbs[best]) best = v;
      logProb += logProbs[best];
      tokens.push(best);
      last = best;
      if (best === options.eos) break;
    }
  } finally {
    keeper.release();
  }
  return { tokens, logProb, score: logProb, finished: last === options.eos && tokens.length > 0 };
}

/**
 * Beam search (this file's header): B live hypotheses; each step scores all B·V extensions by
 * log P(Y | X), keeps the B best (ties to the lower hypothesis row, then the lower token id), moves those
 * ending in `<eos>` to the finished list and continues with the rest, until none is live or `maxLength`
 * tokens are generated (the live ones then finish unended). The best finished hypothesis by s(Y, X) wins.
 * With B = 1 it is {@link greedySearch}; with B ≥ V^maxLength nothing is pruned and it is an exact search.
 * `state` holds one row (one source sentence).
 */
export async function beamSearch<S>(model: SearchModel<S>, state: S, options: BeamSearchOptions): Promise<BeamSearchResult> {
  checkOptions('beamSearch', options);
  const norm = options.lengthNormalization ?? { kind: 'none' };
  const select = model.select ?? gatherState;
  const keeper = new StateKeeper(model, state);
  const finished: Hypothesis[] = [];
  const finish = (tokens: number[], logProb: number, ended: boolean) => finished.push({ tokens, logProb, score: logProb / lengthPenalty(tokens.length, norm), finished: ended });
  let live: { tokens: number[]; logProb: number }[] = [{ tokens: [], logProb: 0 }];
  try {
    for (let t = 0; t < options.maxLength && live.length > 0; t++) {
      const last = Int32Array.from(live, (h) => (h.tokens.length > 0 ? h.tokens[h.tokens.length - 1] : options.bos));
      const { logProbs, vocabSize } = await runStep('beamSearch', model, keeper, last);
      // the B best of the live·V extensions: a bounded insertion list, ordered by score then flat index
      const top: { score: number; flat: number }[] = [];
      for (let flat = 0; flat < live.length * vocabSize; flat++) {
        const score = live[Math.floor(flat / vocabSize)].logProb + logProbs[flat];
        if (top.length === options.beamWidth && !(score > top[top.length - 1].score)) continue;
        let at = top.length;
        while (at > 0 && score > top[at - 1].score) at--;
        top.splice(at, 0, { score, flat });
        if (top.length > options.beamWidth) top.pop();
      }
      const next: typeof live = [];
      const rows: number[] = [];
      for (const { score, flat } of top) {
        const row = Math.floor(flat / vocabSize);
        const token = flat % vocabSize;
        const tokens = [...live[row].tokens, token];
        if (token === options.eos) finish(tokens, score, true);
        else {
          next.push({ tokens, logProb: score });
          rows.push(row);
        }
      }
      live = next;
      if (live.length > 0 && t + 1 < options.maxLength) keeper.replace(select(keeper.state, Int32Array.from(rows)));
    }
    for (const h of live) finish(h.tokens, h.logProb, false);
  } finally {
    keeper.release();
  }
  // best score first; stable, so among equal scores the earlier finished comes first
  finished.sort((a, b) => b.score - a.score);
  return { best: finished[0], hypotheses: finished };
}
