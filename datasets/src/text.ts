/**
 * Text corpora as integer ids: word level with a growing vocabulary and an `<eos>` token per line (exactly as
 * `data.py` of pytorch/examples `word_language_model`, used for PTB and WikiText-2 language modelling), and
 * character level (as nanoGPT's `shakespeare_char` / char-rnn), plus the `batchify` / `get_batch` helpers of
 * the same pytorch example.
 */
import { DatasetError } from './errors.js';

/** The end-of-sentence token added after every line. */
export const EOS = '<eos>';

/**
 * Splits text into lines the way Python's text mode does (`\n`, `\r\n` and `\r` end a line); a final line
 * terminator does not start an extra empty line.
 */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Python's `str.split()` with no argument: runs of Unicode whitespace (as `str.isspace`) separate words. */
// eslint-disable-next-line no-control-regex -- \x1c-\x1f are whitespace for Python's str.split()
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Splits a line into words like Python's `line.split()`. */
export function splitWords(line: string): string[] {
  const words = line.split(PY_WHITESPACE);
  if (words.length > 0 && words[0] === '') words.shift();
  if (words.length > 0 && words[words.length - 1] === '') words.pop();
  return words;
}

/** A word ↔ id map; ids are given in order of first appearance (as pytorch/examples' `Dictionary`). */
export class Vocabulary {
  /** Words by id. */
  readonly words: string[] = [];
  private readonly ids = new Map<string, number>();

  /** Creates a vocabulary holding `words` in order. */
  constructor(words: Iterable<string> = []) {
    for (const w of words) this.add(w);
  }

  /** Number of words. */
  get size(): number {
    return this.words.length;
  }

  /** Adds a word if it is new; returns its id. */
  add(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.words.push(word);
      this.ids.set(word, id);
    }
    return id;
  }

  /** The id of a word, or undefined. */
  idOf(word: string): number | undefined {
    return this.ids.get(word);
  }

  /** True when the word is in the vocabulary. */
  has(word: string): boolean {
    return this.ids.has(word);
  }

  /**
   * Ids of words. Unknown words map to `unknown`'s id when given, else raise.
   *
   * @throws {@link DatasetError} `BAD_ARGUMENT` for an unknown word without an `unknown` token
   */
  encode(words: readonly string[], unknown?: string): Int32Array {
    const unkId = unknown !== undefined ? this.ids.get(unknown) : undefined;
    const out = new Int32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      const id = this.ids.get(words[i]) ?? unkId;
      if (id === undefined) {
        throw new DatasetError('BAD_ARGUMENT', `the word '${words[i]}' is not in the vocabulary`, { remedy: 'Pass an unknown-word token, e.g. encode(words, "<unk>").' });
      }
      out[i] = id;
    }
    return out;
  }

  /** Words of ids. */
  decode(ids: ArrayLike<number>): string[] {
    return Array.from({ length: ids.length }, (_, i) => this.words[ids[i]]);
  }
}

/**
 * Turns a text into word ids, adding words to `vocab` as they appear and `<eos>` after each line
 * (`line.split() + ['<eos>']` in pytorch/examples `word_language_model/data.py`).
 */
export function tokenizeWords(text: string, vocab: Vocabulary, opts: { addEos?: boolean } = {}): Int32Array {
  const addEos = opts.addEos ?? true;
  const ids: number[] = [];
  for (const line of splitLines(text)) {
    for (const w of splitWords(line)) ids.push(vocab.add(w));
    if (addEos) ids.push(vocab.add(EOS));
  }
  return Int32Array.from(ids);
}

/** A word-level language-modelling corpus: one vocabulary over the three splits. */
export interface WordCorpus {
  /** The vocabulary, grown over train, then valid, then test (pytorch/examples `Corpus`). */
  vocab: Vocabulary;
  /** Training ids. */
  train: Int32Array;
  /** Validation ids. */
  valid: Int32Array;
  /** Test ids. */
  test: Int32Array;
}

/** Builds a {@link WordCorpus} from the three split texts, as pytorch/examples' `Corpus`. */
export function buildWordCorpus(texts: { train: string; valid: string; test: string }): WordCorpus {
  const vocab = new Vocabulary();
  const train = tokenizeWords(texts.train, vocab);
  const valid = tokenizeWords(texts.valid, vocab);
  const test = tokenizeWords(texts.test, vocab);
  return { vocab, train, valid, test };
}

/** A character-level corpus (nanoGPT `shakespeare_char`: the vocabulary is the sorted set of characters). */
export interface CharCorpus {
  /** The text. */
  text: string;
  /** Characters by id, sorted by code point. */
  chars: string[];
  /** Id of every character of the text. */
  ids: Int32Array;
  /** Character → id. */
  encode(s: string): Int32Array;
  /** Ids → string. */
  decode(ids: ArrayLike<number>): string;
}

/**
 * Builds a {@link CharCorpus}. Characters are Unicode code points; ids follow code-point order
 * (`sorted(set(text))` in Python).
 */
export function buildCharCorpus(text: string): CharCorpus {
  const codePoints = Array.from(text);
  const chars = [...new Set(codePoints)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const index = new Map(chars.map((c, i) => [c, i]));
  const encode = (s: string): Int32Array => {
    const cps = Array.from(s);
    const out = new Int32Array(cps.length);
    cps.forEach((c, i) => {
      const id = index.get(c);
      if (id === undefined) throw new DatasetError('BAD_ARGUMENT', `the character ${JSON.stringify(c)} is not in the vocabulary`, { remedy: 'Encode text drawn from the corpus alphabet.' });
      out[i] = id;
    });
    return out;
  };
  const ids = new Int32Array(codePoints.length);
  for (let i = 0; i < codePoints.length; i++) ids[i] = index.get(codePoints[i])!;
  return { text, chars, ids, encode, decode: (a) => Array.from({ length: a.length }, (_, i) => chars[a[i]]).join('') };
}

/**
 * Splits a sequence into a head and a tail at `floor(length × trainFraction)` (nanoGPT: 0.9).
 */
export function splitSequence(ids: Int32Array, trainFraction: number): { train: Int32Array; val: Int32Array } {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new DatasetError('BAD_ARGUMENT', 'trainFraction must be in (0, 1)', { expected: '0 < f < 1', actual: trainFraction, remedy: 'Pass e.g. 0.9.' });
  }
  const n = Math.floor(ids.length * trainFraction);
  return { train: ids.subarray(0, n), val: ids.subarray(n) };
}

/** A token stream cut into `batchSize` parallel columns (pytorch/examples `batchify`). */
export interface Batchified {
  /** `[steps, batchSize]` row-major: `data[t * batchSize + b]` is token t of column b. */
  data: Int32Array;
  /** Tokens per column. */
  steps: number;
  /** Number of columns. */
  batchSize: number;
}

/**
 * Cuts `ids` into `batchSize` contiguous columns, dropping the remainder: column b holds
 * `ids[b·steps … (b+1)·steps)` with `steps = floor(n / batchSize)`.
 */
export function batchify(ids: ArrayLike<number>, batchSize: number): Batchified {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DatasetError('BAD_ARGUMENT', 'batchSize must be a positive integer', { actual: batchSize, remedy: 'Pass e.g. 20.' });
  }
  const steps = Math.floor(ids.length / batchSize);
  const data = new Int32Array(steps * batchSize);
  for (let b = 0; b < batchSize; b++) for (let t = 0; t < steps; t++) data[t * batchSize + b] = ids[b * steps + t];
  return { data, steps, batchSize };
}

/**
 * The truncated-BPTT window starting at step `i` (pytorch/examples `get_batch`):
 * input = steps `[i, i + len)`, target = steps `[i + 1, i + 1 + len)`, `len = min(bptt, steps − 1 − i)`;
 * both `[len, batchSize]` row-major.
 */
export function bpttBatch(source: Batchified, i: number, bptt: number): { input: Int32Array; target: Int32Array; seqLen: number } {
  const seqLen = Math.min(bptt, source.steps - 1 - i);
  if (!(seqLen > 0)) {
    throw new DatasetError('BAD_ARGUMENT', `step ${i} leaves no target`, { expected: `0 ≤ i < ${source.steps - 1}`, actual: i, remedy: 'Iterate i from 0 to steps − 2 in strides of bptt.' });
  }
  const B = source.batchSize;
  return {
    input: source.data.slice(i * B, (i + seqLen) * B),
    target: source.data.slice((i + 1) * B, (i + 1 + seqLen) * B),
    seqLen,
  };
}
