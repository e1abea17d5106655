/**
 * BLEU — K. Papineni, S. Roukos, T. Ward, W.-J. Zhu, "BLEU: a Method for Automatic Evaluation of Machine
 * Translation", ACL 2002, §2. https://aclanthology.org/P02-1040/
 *
 * Over a corpus of candidates c_i with reference sets R_i, the modified (clipped) n-gram precision is
 *
 *   p_n = Σ_i Σ_{g ∈ n-grams(c_i)} min(count_{c_i}(g), max_{r ∈ R_i} count_r(g))  /  Σ_i (|c_i| − n + 1)⁺   (§2.1.1)
 *
 * and with c = Σ|c_i| (the translation length) and r = Σ r_i (the reference length, one r_i per segment),
 *
 *   BP = 1 if c > r, else exp(1 − r / c)                                                       (§2.2.2)
 *   BLEU = BP · exp(Σ_{n=1}^{N} w_n log p_n),   N = 4, w_n = 1/N                                  (§2.3)
 *
 * Two functions, for the two BLEUs people report:
 * - {@link corpusBleu}: the unsmoothed score on pre-tokenised token lists, in [0, 1], as torchtext's
 *   `bleu_score` and Hugging Face evaluate's "bleu" (which is tensorflow/nmt's `compute_bleu`) compute.
 * - {@link sacreBleu}: sacreBLEU's default — detokenised strings, the mteval-v13a tokenizer, 'exp' smoothing,
 *   in [0, 100] (M. Post, "A Call for Clarity in Reporting BLEU Scores", WMT 2018, https://aclanthology.org/W18-6319/).
 */
import { splitWords } from '@paperzoo/datasets';

/** Which reference length r_i a segment contributes to the brevity penalty. */
export type ReferenceLengthRule = 'closest' | 'shortest';

/** Options of {@link corpusBleu}. */
export interface CorpusBleuOptions {
  /** Largest n-gram order N (4 in the paper, torchtext and nmt). */
  maxOrder?: number;
  /**
   * Weights w_1…w_N of the log precisions (default uniform 1/N). Used as given, not renormalised
   * (torchtext's `weights`; its test passes `[0.33] * 3`).
   */
  weights?: readonly number[];
  /**
   * r_i: `'closest'` — the reference length closest to |c_i|, the first listed one on a tie (torchtext's
   * `min(refs_len_list, key=lambda x: abs(c - x))`; Papineni's "best match length"); `'shortest'` — the
   * shortest reference (tensorflow/nmt `compute_bleu`, hence Hugging Face evaluate "bleu"). Equal with one
   * reference per segment. Default `'closest'`.
   */
  referenceLength?: ReferenceLengthRule;
  /**
   * Lin & Och (2004) add-one smoothing of every order, p_n = (m_n + 1) / (l_n + 1) (tensorflow/nmt's and HF's
   * `smooth=True`). Default false.
   */
  smooth?: boolean;
}

/** torchtext `bleu_score(candidate_corpus, references_corpus)` (torchtext/data/metrics.py). */
export const TORCHTEXT_BLEU: Readonly<CorpusBleuOptions> = { referenceLength: 'closest' };
/** tensorflow/nmt `compute_bleu` and Hugging Face `evaluate.load("bleu")` (metrics/bleu/bleu.py). */
export const NMT_BLEU: Readonly<CorpusBleuOptions> = { referenceLength: 'shortest' };

/** The score and its sufficient statistics. */
export interface BleuResult {
  /** BLEU in [0, 1]. */
  bleu: number;
  /** p_1 … p_N in [0, 1] (0 for an order with no candidate n-gram, unsmoothed). */
  precisions: number[];
  /** BP. */
  brevityPenalty: number;
  /** c / r (Infinity when r = 0 < c, 0 when c = 0). */
  lengthRatio: number;
  /** c = Σ |c_i|. */
  translationLength: number;
  /** r = Σ r_i. */
  referenceLength: number;
  /** Clipped matches m_n per order. */
  matches: number[];
  /** Candidate n-grams l_n = Σ (|c_i| − n + 1)⁺ per order. */
  possibleMatches: number[];
}

/** An unambiguous key for an n-gram: each token prefixed by its length. */
function ngramKey(tokens: readonly string[], start: number, n: number): string {
  let key = '';
  for (let k = start; k < start + n; k++) key += `${tokens[k].length}:${tokens[k]}`;
  return key;
}

/** Counts of every n-gram of orders 1…maxOrder, one map per order. */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number>[] {
  const counts: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = ngramKey(tokens, i, n);
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    counts.push(m);
  }
  return counts;
}

/** max over references of each n-gram's count (Counter `|` in all three projects). */
function mergedReferenceCounts(references: readonly (readonly string[])[], maxOrder: number): Map<string, number>[] {
  const merged = Array.from({ length: maxOrder }, () => new Map<string, number>());
  for (const ref of references) {
    ngramCounts(ref, maxOrder).forEach((m, order) => {
      for (const [g, c] of m) if (c > (merged[order].get(g) ?? 0)) merged[order].set(g, c);
    });
  }
  return merged;
}

/** Clipped matches and candidate n-gram totals of one segment, per order. */
function clippedMatches(candidate: readonly string[], refCounts: Map<string, number>[], maxOrder: number): { matches: number[]; totals: number[] } {
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  ngramCounts(candidate, maxOrder).forEach((m, order) => {
    for (const [g, c] of m) {
      totals[order] += c;
      matches[order] += Math.min(c, refCounts[order].get(g) ?? 0);
    }
  });
  return { matches, totals };
}

function checkCorpus(fn: string, hypotheses: number, references: readonly (readonly unknown[])[]): void {
  if (hypotheses !== references.length) {
    throw new RangeError(`${fn}: ${hypotheses} candidates but ${references.length} reference sets; pass one set of references per candidate`);
  }
  references.forEach((refs, i) => {
    if (refs.length === 0) throw new RangeError(`${fn}: candidate ${i} has no reference; each needs at least one`);
  });
}

function checkMaxOrder(fn: string, maxOrder: number): void {
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new RangeError(`${fn}: maxOrder must be a positive integer, got ${maxOrder}`);
}

/**
 * Corpus BLEU (Papineni et al. 2002, §2; equations in this file's header) of pre-tokenised candidates, each
 * against one or more pre-tokenised references, in [0, 1]. Unsmoothed by default: any order with no match
 * gives 0.
 *
 * `candidates[i]` is a token list; `references[i]` the list of reference token lists of candidate i.
 *
 * Matches the two Python implementations it is tested against, which differ only in r_i (see
 * {@link CorpusBleuOptions.referenceLength}):
 * - torchtext `bleu_score` — `referenceLength: 'closest'` ({@link TORCHTEXT_BLEU}, the default). Its score is
 *   float32 arithmetic (agrees to ~1e-7); it joins and resplits n-grams on spaces, so tokens that contain a
 *   space are miscounted there and not here.
 * - tensorflow/nmt `compute_bleu` = Hugging Face evaluate "bleu" on its tokens — `referenceLength: 'shortest'`
 *   ({@link NMT_BLEU}); `smooth: true` is its Lin & Och smoothing.
 *
 * Edge cases, where the Python ones raise: c = 0 gives BLEU 0 with BP 0 (nmt divides by zero; torchtext returns
 * 0); r = 0 < c gives BP 1, ratio Infinity (nmt divides by zero).
 *
 * @throws RangeError when the corpora differ in length, a candidate has no reference, or weights ≠ maxOrder.
 */
export function corpusBleu(
  candidates: readonly (readonly string[])[],
  references: readonly (readonly (readonly string[])[])[],
  options: CorpusBleuOptions = {},
): BleuResult {
  const maxOrder = options.maxOrder ?? options.weights?.length ?? 4;
  checkMaxOrder('corpusBleu', maxOrder);
  const weights = options.weights ?? new Array<number>(maxOrder).fill(1 / maxOrder);
  if (weights.length !== maxOrder) throw new RangeError(`corpusBleu: ${weights.length} weights for maxOrder ${maxOrder}; give one weight per order`);
  checkCorpus('corpusBleu', candidates.length, references);
  const rule = options.referenceLength ?? 'closest';

  const matches = new Array<number>(maxOrder).fill(0);
  const possibleMatches = new Array<number>(maxOrder).fill(0);
  let translationLength = 0;
  let referenceLength = 0;
  candidates.forEach((candidate, i) => {
    const refs = references[i];
    const c = candidate.length;
    translationLength += c;
    let best = refs[0].length;
    for (const ref of refs) {
      const len = ref.length;
      if (rule === 'shortest' ? len < best : Math.abs(c - len) < Math.abs(c - best)) best = len;
    }
    referenceLength += best;
    const seg = clippedMatches(candidate, mergedReferenceCounts(refs, maxOrder), maxOrder);
    for (let n = 0; n < maxOrder; n++) {
      matches[n] += seg.matches[n];
      possibleMatches[n] += seg.totals[n];
    }
  });

  const precisions = matches.map((m, n) => {
    if (options.smooth) return (m + 1) / (possibleMatches[n] + 1);
    return possibleMatches[n] > 0 ? m / possibleMatches[n] : 0;
  });
  const logMean = Math.min(...precisions) > 0 ? precisions.reduce((s, p, n) => s + weights[n] * Math.log(p), 0) : -Infinity;
  const brevityPenalty = translationLength >= referenceLength ? 1 : translationLength === 0 ? 0 : Math.exp(1 - referenceLength / translationLength);
  const lengthRatio = translationLength === 0 ? 0 : translationLength / referenceLength;
  return { bleu: brevityPenalty * Math.exp(logMean), precisions, brevityPenalty, lengthRatio, translationLength, referenceLength, matches, possibleMatches };
}

// ---------------------------------------------------------------------------------------------------------
// sacreBLEU

/** Python's `str.rstrip()` whitespace (as `str.isspace`). */
// eslint-disable-next-line no-control-regex -- \x1c-\x1f are whitespace for Python's str.rstrip()
const PY_TRAILING_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

/**
 * The mteval-v13a tokenizer as sacreBLEU's `Tokenizer13a` (sacrebleu/tokenizers/tokenizer_13a.py and
 * tokenizer_re.py): unescape `&quot; &amp; &lt; &gt;`, drop `<skipped>` and `-\n`, then split off
 * the ASCII symbols `{|}~[\]^_\`` and space–`&`, `(`–`+`, `:`–`@`, `/`; split `.` and `,` unless between
 * digits; split `-` after a digit. Returns the tokens (sacreBLEU joins them with single spaces).
 */
export function tokenize13a(line: string): string[] {
  let s = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (s.includes('&')) s = s.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  s = ` ${s} `
    .replace(/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu, ' $1 ')
    .replace(/([^0-9])([.,])/gu, '$1 $2 ')
    .replace(/([.,])([^0-9])/gu, ' $1 $2')
    .replace(/([0-9])(-)/gu, '$1 $2 ');
  return splitWords(s);
}

/** sacreBLEU's smoothing methods (Chen & Cherry 2014, https://aclanthology.org/W14-3346/). */
export type SacreBleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';

/** Options of {@link sacreBleu}; the defaults are sacreBLEU's `BLEU()` defaults. */
export interface SacreBleuOptions {
  /** `'13a'` (default) or `'none'` (split on whitespace only). */
  tokenize?: '13a' | 'none';
  /** Smoothing (default `'exp'`, NIST's method 3: the k-th order without a match counts 1 / (2^k · total)). */
  smooth?: SacreBleuSmoothing;
  /** The value for `'floor'` (default 0.1) and `'add-k'` (default 1). */
  smoothValue?: number;
  /** Lowercase before tokenising (default false). */
  lowercase?: boolean;
  /** Largest n-gram order (default 4). */
  maxOrder?: number;
  /** Average only over the orders up to the last one the hypotheses have n-grams of (default false; sentence BLEU turns it on). */
  effectiveOrder?: boolean;
}

/** sacreBLEU's `BLEUScore`. */
export interface SacreBleuResult {
  /** BLEU in [0, 100]. */
  score: number;
  /** Matches per order. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Precisions per order in [0, 100] (smoothed where smoothing applied). */
  precisions: number[];
  /** BP. */
  brevityPenalty: number;
  /** Hypothesis length in tokens. */
  sysLen: number;
  /** Reference length: the closest reference per segment, the shorter one on a tie. */
  refLen: number;
}

/**
 * sacreBLEU's `BLEU.compute_bleu` (sacrebleu/metrics/bleu.py): the score from corpus statistics, with smoothing
 * and effective order, exactly as sacreBLEU (log 0 is floored at −9999999999 as its `my_log`).
 */
export function sacreBleuFromStatistics(
  stats: { counts: readonly number[]; totals: readonly number[]; sysLen: number; refLen: number },
  options: Pick<SacreBleuOptions, 'smooth' | 'smoothValue' | 'effectiveOrder' | 'maxOrder'> = {},
): SacreBleuResult {
  const maxOrder = options.maxOrder ?? 4;
  checkMaxOrder('sacreBleuFromStatistics', maxOrder);
  const method = options.smooth ?? 'exp';
  const smoothValue = options.smoothValue ?? (method === 'floor' ? 0.1 : 1);
  const counts = [...stats.counts];
  const totals = [...stats.totals];
  const { sysLen, refLen } = stats;
  const brevityPenalty = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = (score: number): SacreBleuResult => ({ score, counts, totals, precisions, brevityPenalty, sysLen, refLen });
  if (!counts.some((c) => c !== 0)) return result(0);

  let smoothMteval = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (method === 'add-k' && n > 1) {
      counts[n - 1] += smoothValue;
      totals[n - 1] += smoothValue;
    }
    if (totals[n - 1] === 0) break;
    if (options.effectiveOrder) effOrder = n;
    if (counts[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totals[n - 1]);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / totals[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * counts[n - 1]) / totals[n - 1];
    }
  }
  const myLog = (p: number) => (p === 0 ? -9999999999 : Math.log(p));
  return result(brevityPenalty * Math.exp(precisions.slice(0, effOrder).reduce((s, p) => s + myLog(p), 0) / effOrder));
}

/**
 * sacreBLEU's corpus BLEU (`sacrebleu.corpus_bleu(hyps, refs)`, M. Post, WMT 2018,
 * https://aclanthology.org/W18-6319/): BLEU (this file's header) on detokenised strings, each `rstrip`ped,
 * optionally lowercased and cut by {@link tokenize13a}; r_i the closest reference length (the shorter on a
 * tie); orders without a match smoothed by 'exp' (the k-th such order gets precision 1 / (2^k · l_n)); the
 * score in [0, 100].
 *
 * `references[i]` are the references of `hypotheses[i]` (any number ≥ 1). sacreBLEU itself takes reference
 * *streams* — `refs[j][i]` is reference j of hypothesis i — so its `refs` is the transpose of this argument.
 *
 * @throws RangeError when the corpora differ in length or a hypothesis has no reference.
 */
export function sacreBleu(hypotheses: readonly string[], references: readonly (readonly string[])[], options: SacreBleuOptions = {}): SacreBleuResult {
  const maxOrder = options.maxOrder ?? 4;
  checkMaxOrder('sacreBleu', maxOrder);
  checkCorpus('sacreBleu', hypotheses.length, references);
  const tokenize = (options.tokenize ?? '13a') === '13a' ? tokenize13a : splitWords;
  const prepare = (s: string) => tokenize((options.lowercase ? s.toLowerCase() : s).replace(PY_TRAILING_WHITESPACE, ''));
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hypothesis, i) => {
    const refs = references[i].map(prepare);
    const hyp = prepare(hypothesis);
    let closest = -1;
    for (const ref of refs) {
      const diff = Math.abs(hyp.length - ref.length);
      const best = Math.abs(hyp.length - closest);
      if (closest < 0 || diff < best || (diff === best && ref.length < closest)) closest = ref.length;
    }
    sysLen += hyp.length;
    refLen += closest;
    const seg = clippedMatches(hyp, mergedReferenceCounts(refs, maxOrder), maxOrder);
    for (let n = 0; n < maxOrder; n++) {
      counts[n] += seg.matches[n];
      totals[n] += seg.totals[n];
    }
  });
  return sacreBleuFromStatistics({ counts, totals, sysLen, refLen }, options);
}
