/**
 * Byte-pair encoding — Sennrich, Haddow & Birch 2016, "Neural Machine Translation of Rare Words with Subword
 * Units", https://arxiv.org/abs/1508.07909, §3.2 and Algorithm 1 — in the byte-level form of GPT-2 (Radford et
 * al. 2019, "Language Models are Unsupervised Multitask Learners", §2.2 "Input Representation").
 *
 * Algorithm 1 (learning): start from words split into symbols, each word type with its corpus count; repeat
 * `numMerges` times: count every adjacent symbol pair over the word types (a pair in a word of count f counts
 * f), take the most frequent pair (a, b), and replace every occurrence of it, left to right and not
 * overlapping, by the new symbol ab. The merges, in that order, are the learned "vocabulary".
 * {@link learnMergesFromWordCounts} runs exactly this on a word-frequency table; ties (two pairs equally
 * frequent) go to the pair that occurs first — the earliest word type (in the order given: order of first
 * appearance in the corpus), then the leftmost position — which is what the paper's Python listing does
 * (`max` over a dict returns the first maximal key in insertion order). Symbols are strings, as in the paper:
 * a merged symbol that equals an existing one (reached by another merge path) *is* that symbol.
 * Pair counts are kept incrementally: a merge only re-counts the word types that contain the merged pair,
 * never the corpus.
 *
 * Byte-level (GPT-2 §2.2): the base vocabulary is the 256 bytes, so every string — whitespace runs, newlines,
 * emoji, characters never seen in training — has an encoding, and `decode(encode(s)) === s` exactly for every
 * well-formed string (a lone UTF-16 surrogate is not one: UTF-8 encodes it as U+FFFD). Text is first cut into
 * chunks by GPT-2's regex ({@link GPT2_SPLIT_PATTERN}: contractions, letter runs, digit runs, other-symbol runs,
 * each with at most one leading space; whitespace runs) and merges never cross a chunk. Bytes are written as
 * GPT-2's printable characters ({@link BYTE_TO_CHAR}: space is `Ġ`, newline `Ċ`), so merges and tokens read as
 * text in the saved JSON. Ids: byte b is id b (not GPT-2's encoder.json order); each merge that makes a new
 * token gets the next id, 256, 257, ….
 *
 * Encoding (GPT-2's `Encoder.bpe`): within a chunk, repeatedly merge (all occurrences of) the adjacent pair with
 * the lowest merge rank until no learned pair is left; this gives the same tokens as applying the merges in
 * learned order, since a merge can only create pairs of higher rank.
 *
 * Shapes: `encode(text: string) → Int32Array [numTokens]`, `decode(ids: [numTokens]) → string`.
 */
import { compareCodePoints } from '@paperzoo/seq-models';

/** A learned merge: the left and right token strings that join into one. */
export type BpeMerge = readonly [left: string, right: string];

/** Options of {@link learnMergesFromWordCounts}. */
export interface LearnMergesOptions {
  /** How two symbols join into the merged symbol's string (default: concatenation, as Algorithm 1). */
  join?: (left: string, right: string) => string;
  /** Stop when the most frequent pair occurs fewer times than this (default 1: merge while any pair is left). */
  minPairCount?: number;
  /** Stop once the symbol table (alphabet plus new merged symbols) holds this many symbols (default no limit). */
  maxSymbols?: number;
  /** The initial symbols in id order (default: every symbol of the words, in code-point order). */
  alphabet?: readonly string[];
}

/** What {@link learnMergesFromWordCounts} learned. */
export interface LearnedMerges {
  /** Symbols by id: the alphabet, then each new merged symbol in the order it was made. */
  symbols: string[];
  /** The merges in learned order (a merge's rank is its index). */
  merges: BpeMerge[];
  /** How often each merged pair occurred when it was merged (non-increasing). */
  pairCounts: number[];
}

/** Pair (a, b) of symbol ids as one number; ids stay below 2^21. */
const PAIR_BASE = 2 ** 21;
const pairKey = (a: number, b: number): number => a * PAIR_BASE + b;

/** Merges every (a, b) of `symbols` into `merged`, left to right, not overlapping. */
function mergePair(symbols: readonly number[], a: number, b: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(merged);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}

/** The first occurrence of a pair: its earliest word, then its leftmost position there. */
function firstOccurrence(key: number, words: ReadonlySet<number>, sequences: readonly number[][]): [word: number, position: number] {
  let word = Infinity;
  for (const w of words) if (w < word) word = w;
  const s = sequences[word];
  const a = Math.floor(key / PAIR_BASE);
  const b = key % PAIR_BASE;
  for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) return [word, i];
  throw new Error('learnMergesFromWordCounts: internal error, a pair is missing from a word that holds it');
}

/**
 * Algorithm 1 of Sennrich et al. 2016 (this file's header) on a word-frequency table: `words` are
 * `[symbols, count]` in corpus order of first appearance (the order breaks ties), e.g. the paper's
 * `[['l','o','w','</w>'], 5]`. Runs `numMerges` merges or fewer (when no pair of `minPairCount` is left or
 * `maxSymbols` is reached).
 */
export function learnMergesFromWordCounts(words: Iterable<readonly [symbols: readonly string[], count: number]>, numMerges: number, options: LearnMergesOptions = {}): LearnedMerges {
  const join = options.join ?? ((left: string, right: string) => left + right);
  const minPairCount = Math.max(1, options.minPairCount ?? 1);
  const maxSymbols = options.maxSymbols ?? Infinity;
  const wordSymbols: (readonly string[])[] = [];
  const counts: number[] = [];
  for (const [symbols, count] of words) {
    if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`learnMergesFromWordCounts: a word count must be a positive integer, got ${count}`);
    wordSymbols.push(symbols);
    counts.push(count);
  }
  const symbols = [...(options.alphabet ?? [...new Set(wordSymbols.flat())].sort(compareCodePoints))];
  const idOf = new Map(symbols.map((t, i) => [t, i]));
  if (idOf.size !== symbols.length) throw new RangeError('learnMergesFromWordCounts: the alphabet repeats a symbol');
  const sequences = wordSymbols.map((s) =>
    s.map((t) => {
      const id = idOf.get(t);
      if (id === undefined) throw new RangeError(`learnMergesFromWordCounts: the symbol ${JSON.stringify(t)} is not in the alphabet`);
      return id;
    }),
  );

  // count of each pair, the word types holding it, and the pairs by count (to find the most frequent)
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const byCount = new Map<number, Set<number>>();
  sequences.forEach((s, w) => {
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      pairCount.set(k, (pairCount.get(k) ?? 0) + counts[w]);
      let set = pairWords.get(k);
      if (!set) pairWords.set(k, (set = new Set()));
      set.add(w);
    }
  });
  let maxCount = 0;
  for (const [k, c] of pairCount) {
    let set = byCount.get(c);
    if (!set) byCount.set(c, (set = new Set()));
    set.add(k);
    if (c > maxCount) maxCount = c;
  }

  const merges: BpeMerge[] = [];
  const pairCounts: number[] = [];
  while (merges.length < numMerges && symbols.length < maxSymbols) {
    // a merge never makes a pair more frequent than the one merged, so the maximum only falls
    while (maxCount >= minPairCount && !byCount.get(maxCount)?.size) maxCount--;
    if (maxCount < minPairCount) break;
    let best = -1;
    let bestAt: [number, number] = [Infinity, Infinity];
    const tied = byCount.get(maxCount)!;
    if (tied.size === 1) best = tied.values().next().value!;
    else {
      for (const k of tied) {
        const at = firstOccurrence(k, pairWords.get(k)!, sequences);
        if (at[0] < bestAt[0] || (at[0] === bestAt[0] && at[1] < bestAt[1])) [best, bestAt] = [k, at];
      }
    }
    const a = Math.floor(best / PAIR_BASE);
    const b = best % PAIR_BASE;
    const mergedString = join(symbols[a], symbols[b]);
    let merged = idOf.get(mergedString);
    if (merged === undefined) {
      merged = symbols.length;
      if (merged >= PAIR_BASE) throw new RangeError(`learnMergesFromWordCounts: more than ${PAIR_BASE} symbols`);
      symbols.push(mergedString);
      idOf.set(mergedString, merged);
    }
    merges.push([symbols[a], symbols[b]]);
    pairCounts.push(maxCount);

    // re-count the pairs of the word types that hold (a, b): all their old pairs out, all their new pairs in
    const delta = new Map<number, number>();
    for (const w of [...pairWords.get(best)!]) {
      const before = sequences[w];
      const after = mergePair(before, a, b, merged);
      const f = counts[w];
      const oldKeys = new Set<number>();
      const newKeys = new Set<number>();
      for (let i = 0; i + 1 < before.length; i++) {
        const k = pairKey(before[i], before[i + 1]);
        delta.set(k, (delta.get(k) ?? 0) - f);
        oldKeys.add(k);
      }
      for (let i = 0; i + 1 < after.length; i++) {
        const k = pairKey(after[i], after[i + 1]);
        delta.set(k, (delta.get(k) ?? 0) + f);
        newKeys.add(k);
      }
      for (const k of oldKeys) if (!newKeys.has(k)) pairWords.get(k)!.delete(w);
      for (const k of newKeys) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
      sequences[w] = after;
    }
    for (const [k, d] of delta) {
      if (d === 0) continue;
      const old = pairCount.get(k) ?? 0;
      const now = old + d;
      if (old > 0) byCount.get(old)!.delete(k);
      if (now > 0) {
        pairCount.set(k, now);
        let set = byCount.get(now);
        if (!set) byCount.set(now, (set = new Set()));
        set.add(k);
        if (now > maxCount) maxCount = now;
      } else {
        pairCount.delete(k);
        pairWords.delete(k);
      }
    }
  }
  return { symbols, merges, pairCounts };
}

/**
 * GPT-2's pre-tokenisation regex (openai/gpt-2 src/encoder.py, `self.pat`): English contractions, a letter run,
 * a digit run or a run of other symbols — each with at most one leading space — then whitespace runs (a run
 * before a word leaves its last space to that word). Its matches cover every character of a string.
 */
export const GPT2_SPLIT_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * GPT-2's `bytes_to_unicode` (openai/gpt-2 src/encoder.py): byte b → a printable character, itself for the 188
 * printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`), else U+0100 + n for the n-th other byte (space → `Ġ`,
 * newline → `Ċ`). Index by byte value.
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(printable(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++));
  return out;
})();

const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));
const utf8 = new TextEncoder();
/** `ignoreBOM: true` keeps a leading U+FEFF (the default decoder would drop it and break the round trip). */
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The saved form of a {@link ByteLevelBpe}: readable JSON, one merge per entry, tokens in id order. */
export interface ByteLevelBpeJson {
  /** Format tag. */
  type: 'byte-level-bpe';
  /** The pre-tokenisation regex source (flags `gu`). */
  pattern: string;
  /** Merges in rank order, bytes written as {@link BYTE_TO_CHAR}. */
  merges: [string, string][];
  /** Tokens by id (the 256 bytes, then merged tokens) — for reading; checked against the merges on load. */
  tokens: string[];
}

/** Options of {@link learnByteLevelBpe}. */
export interface LearnByteLevelBpeOptions {
  /** Number of merges to learn (the vocabulary is 256 + the new tokens they make). */
  numMerges: number;
  /** Pre-tokenisation regex source, flags `gu` (default {@link GPT2_SPLIT_PATTERN}). */
  pattern?: string;
  /** Stop early when the most frequent pair occurs fewer times (default 2: a pair seen once is not merged). */
  minPairCount?: number;
}

/** Cache of chunk encodings, cleared when it grows past this many chunks. */
const CACHE_LIMIT = 100_000;

/** A byte-level BPE tokeniser (GPT-2 §2.2; this file's header): learned merges, encode, decode. */
export class ByteLevelBpe {
  /** The merges in rank order. */
  readonly merges: readonly BpeMerge[];
  /** Tokens by id, bytes written as {@link BYTE_TO_CHAR}: ids 0–255 are the bytes, then merged tokens. */
  readonly tokens: readonly string[];
  /** The pre-tokenisation regex source (flags `gu`). */
  readonly pattern: string;
  private readonly regex: RegExp;
  private readonly ranks = new Map<number, { rank: number; id: number }>();
  private readonly tokenBytes: Uint8Array[];
  private readonly cache = new Map<string, number[]>();

  /** A tokeniser of merges learned by {@link learnByteLevelBpe} (or loaded); `pattern` defaults to GPT-2's. */
  constructor(merges: readonly BpeMerge[], pattern: string = GPT2_SPLIT_PATTERN) {
    const tokens = [...BYTE_TO_CHAR];
    const idOf = new Map(tokens.map((t, i) => [t, i]));
    merges.forEach(([left, right], rank) => {
      const l = idOf.get(left);
      const r = idOf.get(right);
      if (l === undefined || r === undefined) throw new RangeError(`ByteLevelBpe: merge ${rank} (${left} ${right}) joins a token not made before it`);
      let id = idOf.get(left + right);
      if (id === undefined) {
        id = tokens.length;
        tokens.push(left + right);
        idOf.set(left + right, id);
      }
      // a pair can be learned twice when one of its tokens is remade by another merge path; the first rank counts
      if (!this.ranks.has(pairKey(l, r))) this.ranks.set(pairKey(l, r), { rank, id });
    });
    this.merges = merges.map(([l, r]) => [l, r] as const);
    this.tokens = tokens;
    this.pattern = pattern;
    this.regex = new RegExp(pattern, 'gu');
    this.tokenBytes = tokens.map((t) => Uint8Array.from(t, (c) => CHAR_TO_BYTE.get(c)!));
  }

  /** Number of token ids (256 + the merged tokens). */
  get vocabSize(): number {
    return this.tokens.length;
  }

  /** The chunks the pre-tokenisation regex cuts `text` into; they concatenate to `text` (gaps become chunks too). */
  split(text: string): string[] {
    const chunks: string[] = [];
    let end = 0;
    for (const m of text.matchAll(this.regex)) {
      if (m.index > end) chunks.push(text.slice(end, m.index));
      if (m[0]) chunks.push(m[0]);
      end = m.index + m[0].length;
    }
    if (end < text.length) chunks.push(text.slice(end));
    return chunks;
  }

  /** Token ids of `text`: `[numTokens]`. */
  encode(text: string): Int32Array {
    const ids: number[] = [];
    for (const chunk of this.split(text)) for (const id of this.encodeChunk(chunk)) ids.push(id);
    return Int32Array.from(ids);
  }

  /** The token strings of `text` (bytes as {@link BYTE_TO_CHAR}), for reading. */
  tokenize(text: string): string[] {
    return Array.from(this.encode(text), (id) => this.tokens[id]);
  }

  /** The text of token ids; byte sequences that are not UTF-8 decode to U+FFFD (GPT-2's `errors='replace'`). */
  decode(ids: ArrayLike<number>): string {
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      const bytes = this.tokenBytes[ids[i]];
      if (bytes === undefined) throw new RangeError(`ByteLevelBpe.decode: id ${ids[i]} is not in 0..${this.vocabSize - 1}`);
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      out.set(this.tokenBytes[ids[i]], at);
      at += this.tokenBytes[ids[i]].length;
    }
    return utf8Decoder.decode(out);
  }

  /** The saved form (see {@link ByteLevelBpeJson}); `JSON.stringify` calls it. */
  toJSON(): ByteLevelBpeJson {
    return { type: 'byte-level-bpe', pattern: this.pattern, merges: this.merges.map(([l, r]) => [l, r]), tokens: [...this.tokens] };
  }

  /** A tokeniser from its saved form; throws when the tokens listed do not follow from the merges. */
  static fromJSON(json: ByteLevelBpeJson): ByteLevelBpe {
    if (json.type !== 'byte-level-bpe') throw new RangeError(`ByteLevelBpe.fromJSON: type '${String(json.type)}' is not 'byte-level-bpe'`);
    const bpe = new ByteLevelBpe(json.merges, json.pattern);
    if (json.tokens && (json.tokens.length !== bpe.tokens.length || json.tokens.some((t, i) => t !== bpe.tokens[i]))) {
      throw new RangeError('ByteLevelBpe.fromJSON: the tokens listed do not follow from the merges');
    }
    return bpe;
  }

  /** BPE of one chunk (GPT-2 `Encoder.bpe`): merge the lowest-ranked pair present until none is left. */
  private encodeChunk(chunk: string): number[] {
    const hit = this.cache.get(chunk);
    if (hit) return hit;
    let symbols = Array.from(utf8.encode(chunk));
    for (;;) {
      let best: { rank: number; id: number } | undefined;
      let a = 0;
      let b = 0;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const m = this.ranks.get(pairKey(symbols[i], symbols[i + 1]));
        if (m && (best === undefined || m.rank < best.rank)) [best, a, b] = [m, symbols[i], symbols[i + 1]];
      }
      if (!best) break;
      symbols = mergePair(symbols, a, b, best.id);
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(chunk, symbols);
    return symbols;
  }
}

/**
 * Learns a byte-level BPE (GPT-2 §2.2) from text: cuts it into chunks with the pre-tokenisation regex, counts
 * the chunk types (in order of first appearance), writes each as its UTF-8 bytes and runs Algorithm 1
 * ({@link learnMergesFromWordCounts}) over the 256 bytes as alphabet. `text` may be one string or many
 * (documents, lines); chunks never span two of them.
 */
export function learnByteLevelBpe(text: string | Iterable<string>, options: LearnByteLevelBpeOptions): ByteLevelBpe {
  const pattern = options.pattern ?? GPT2_SPLIT_PATTERN;
  const splitter = new ByteLevelBpe([], pattern);
  const chunkCounts = new Map<string, number>();
  for (const part of typeof text === 'string' ? [text] : text) for (const chunk of splitter.split(part)) chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
  const words = Array.from(chunkCounts, ([chunk, count]) => [Array.from(utf8.encode(chunk), (b) => BYTE_TO_CHAR[b]), count] as const);
  const learned = learnMergesFromWordCounts(words, options.numMerges, { alphabet: BYTE_TO_CHAR, minPairCount: options.minPairCount ?? 2 });
  return new ByteLevelBpe(learned.merges, pattern);
}
