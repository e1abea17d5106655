/**
 * BERT's tokenisation — Devlin, Chang, Lee & Toutanova 2018, "BERT: Pre-training of Deep Bidirectional
 * Transformers for Language Understanding", https://arxiv.org/abs/1810.04805, §3 ("We use WordPiece embeddings
 * (Wu et al., 2016) with a 30,000 token vocabulary … [CLS] … [SEP]") and Appendix A — as google-research/bert
 * `tokenization.py` implements it:
 *
 *   1. {@link BasicTokenizer}: clean the text (drop NUL, U+FFFD and control characters; every whitespace
 *      character becomes a space), put spaces around CJK ideographs, split on whitespace; per word: optionally
 *      lowercase and strip accents (NFD, then drop the combining marks, category Mn), then cut every
 *      punctuation character (ASCII symbols and Unicode category P) out as its own token.
 *   2. {@link WordpieceTokenizer}: greedy longest-match-first — from the start of a word take the longest
 *      prefix in the vocabulary, then from there the longest `##`-prefixed piece, and so on; a word with a
 *      part that no piece matches, or longer than 100 characters, is one `[UNK]`. "unaffable" →
 *      `un ##aff ##able`.
 *   3. {@link BertTokenizer.encodePair}: `[CLS] a [SEP] b [SEP]` with token type (segment) 0 up to and
 *      including the first `[SEP]` and 1 after it; the longer of a and b is cut from its end, one token at a
 *      time, until the pair fits (`_truncate_seq_pair` of run_classifier.py).
 *
 * Learning a vocabulary ({@link learnWordPieceVocabulary}): Google's WordPiece trainer (Schuster & Nakajima
 * 2012) is not public; we learn it as Hugging Face's `WordPieceTrainer` does (tokenizers, `trainers/wordpiece`):
 * byte-pair merges (Sennrich et al. 2016 Algorithm 1, most frequent pair first: {@link learnMergesFromWordCounts})
 * over the words of the basic tokenizer, each written as its first character then `##`-prefixed characters
 * ("low" → `l ##o ##w`), where merging `a` with `##b` gives `ab`. The likelihood criterion of the HF course
 * (merge the pair maximising count(ab) / (count(a)·count(b))) is not implemented. The vocabulary is the five
 * special tokens, then every character seen, both bare and `##`-prefixed (so a word of seen characters never
 * becomes `[UNK]`), in code-point order, then the merged pieces in merge order, up to `vocabSize`.
 *
 * Ids: `[PAD]` 0, `[UNK]` 1, `[CLS]` 2, `[SEP]` 3, `[MASK]` 4 (not BERT's 0, 100, 101, 102, 103: our vocabularies
 * have no `[unused]` slots). Shapes: `encode(text) → Int32Array [numTokens]`; `encodePair(a, b, maxLength)` →
 * `inputIds`, `tokenTypeIds`, `attentionMask`, each `[length ≤ maxLength]` (`[maxLength]` with `pad: true`).
 */
import { splitLines, splitWords } from '@paperzoo/datasets';
import { TokenVocabulary } from '@paperzoo/seq-models';
import { learnMergesFromWordCounts } from './bpe.js';

/** BERT's special tokens, in our id order: `[PAD]` 0, `[UNK]` 1, `[CLS]` 2, `[SEP]` 3, `[MASK]` 4. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** The prefix of a piece that continues a word. */
export const CONTINUATION_PREFIX = '##';

/** Options of {@link BasicTokenizer}. */
export interface BasicTokenizerOptions {
  /** Lowercase every word (BERT uncased: `do_lower_case`, default true). */
  lowerCase?: boolean;
  /** Strip accents (NFD, drop category Mn); default: as `lowerCase` (google-research/bert strips only when lowercasing). */
  stripAccents?: boolean;
  /** Put CJK ideographs apart as single tokens (default true). */
  tokenizeChineseChars?: boolean;
}

/** Control characters (category C) other than tab, newline and carriage return, plus U+FFFD (`_clean_text`). */
const CONTROL = /[^\P{C}\t\n\r]|\uFFFD/gu;
/** BERT's `_is_whitespace`: space, tab, newline, carriage return and category Zs. */
const WHITESPACE = /[\t\n\r\p{Zs}]/gu;
/** The CJK Unified Ideographs blocks of `_is_chinese_char` (not Hiragana, Katakana or Hangul). */
const CJK = /([\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}])/gu;
/** BERT's `_is_punctuation`: ASCII 33–47, 58–64, 91–96, 123–126, and category P; captured to keep it. */
const PUNCTUATION = /([!-/:-@[-`{-~]|\p{P})/u;
const COMBINING_MARK = /\p{Mn}/gu;

/** BERT's `BasicTokenizer` (this file's header, step 1): cleaning, CJK, whitespace and punctuation splitting. */
export class BasicTokenizer {
  /** Whether words are lowercased. */
  readonly lowerCase: boolean;
  /** Whether accents are stripped. */
  readonly stripAccents: boolean;
  /** Whether CJK ideographs are split apart. */
  readonly tokenizeChineseChars: boolean;
  private readonly cache = new Map<string, string[]>();

  /** A basic tokenizer; see {@link BasicTokenizerOptions} for the defaults. */
  constructor(options: BasicTokenizerOptions = {}) {
    this.lowerCase = options.lowerCase ?? true;
    this.stripAccents = options.stripAccents ?? this.lowerCase;
    this.tokenizeChineseChars = options.tokenizeChineseChars ?? true;
  }

  /** The words and punctuation of `text`. "  \tHeLLo!how  \n Are yoU?  " → `hello ! how are you ?`. */
  tokenize(text: string): string[] {
    let clean = text.replace(CONTROL, '').replace(WHITESPACE, ' ');
    if (this.tokenizeChineseChars) clean = clean.replace(CJK, ' $1 ');
    const out: string[] = [];
    for (const word of splitWords(clean)) for (const piece of this.splitWord(word)) out.push(piece);
    return out;
  }

  /** Lowercasing, accent stripping and punctuation splitting of one whitespace-free word (cached). */
  private splitWord(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    let w = word;
    if (this.lowerCase) w = w.toLowerCase();
    if (this.stripAccents) w = w.normalize('NFD').replace(COMBINING_MARK, '');
    const pieces = w.split(PUNCTUATION).filter((p) => p !== '');
    if (this.cache.size >= 200_000) this.cache.clear();
    this.cache.set(word, pieces);
    return pieces;
  }
}

/** Options of {@link WordpieceTokenizer}. */
export interface WordpieceTokenizerOptions {
  /** The token for words that cannot be pieced (default `[UNK]`). */
  unknown?: string;
  /** Longer words (in code points) are `unknown` (default 100, as BERT). */
  maxInputCharsPerWord?: number;
}

/** BERT's `WordpieceTokenizer` (this file's header, step 2): greedy longest-match-first pieces of each word. */
export class WordpieceTokenizer {
  /** The token of a word that cannot be pieced. */
  readonly unknown: string;
  /** Longer words are {@link unknown}. */
  readonly maxInputCharsPerWord: number;
  private readonly pieces: ReadonlySet<string>;
  private readonly cache = new Map<string, string[]>();

  /** A WordPiece tokenizer over the vocabulary `pieces` (`##` marks a piece that continues a word). */
  constructor(pieces: Iterable<string>, options: WordpieceTokenizerOptions = {}) {
    this.pieces = new Set(pieces);
    this.unknown = options.unknown ?? '[UNK]';
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 100;
  }

  /** The pieces of one word, or `[unknown]`. "unaffable" → `un ##aff ##able` (google-research/bert's docstring). */
  tokenizeWord(word: string): string[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const chars = Array.from(word);
    let out: string[] = [];
    let start = 0;
    while (start < chars.length && chars.length <= this.maxInputCharsPerWord) {
      let end = chars.length;
      let piece: string | undefined;
      for (; end > start && piece === undefined; end--) {
        const candidate = (start > 0 ? CONTINUATION_PREFIX : '') + chars.slice(start, end).join('');
        if (this.pieces.has(candidate)) piece = candidate;
      }
      if (piece === undefined) break;
      out.push(piece);
      start = end + 1;
    }
    if (start < chars.length) out = [this.unknown];
    if (this.cache.size >= 200_000) this.cache.clear();
    this.cache.set(word, out);
    return out;
  }

  /** The pieces of whitespace-separated words. */
  tokenize(text: string): string[] {
    return splitWords(text).flatMap((w) => this.tokenizeWord(w));
  }
}

/** Options of {@link BertTokenizer}. */
export interface BertTokenizerOptions extends BasicTokenizerOptions {
  /** Longer words (in code points) become `[UNK]` (default 100). */
  maxInputCharsPerWord?: number;
}

/** Options of {@link BertTokenizer.encodePair}. */
export interface EncodePairOptions {
  /** Pad to `maxLength` with `[PAD]` (type 0, mask 0); default false. */
  pad?: boolean;
}

/** An encoded input for BERT: ids, segment ids and attention mask, all `[length]`. */
export interface BertEncoding {
  /** Token ids: `[CLS] a [SEP] (b [SEP])`, then `[PAD]`s when padded. */
  inputIds: Int32Array;
  /** 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`, 0 for padding. */
  tokenTypeIds: Int32Array;
  /** 1 for a real token, 0 for padding. */
  attentionMask: Int32Array;
}

/** Words of WordPiece tokens: each `##` piece is glued to the token before it ("un", "##aff" → "unaff"). */
export function joinWordPieces(tokens: readonly string[]): string[] {
  const words: string[] = [];
  for (const t of tokens) {
    if (t.startsWith(CONTINUATION_PREFIX) && words.length > 0) words[words.length - 1] += t.slice(CONTINUATION_PREFIX.length);
    else words.push(t);
  }
  return words;
}

/**
 * BERT's `FullTokenizer`: {@link BasicTokenizer} then {@link WordpieceTokenizer}, with the vocabulary as a
 * {@link TokenVocabulary} (id ↔ token, unknown → `[UNK]`) and the pair encoding of fine-tuning.
 */
export class BertTokenizer {
  /** Tokens by id; holds the five {@link BERT_SPECIAL_TOKENS}. */
  readonly vocab: TokenVocabulary;
  /** The basic tokenizer (step 1). */
  readonly basic: BasicTokenizer;
  /** The WordPiece tokenizer (step 2). */
  readonly wordpiece: WordpieceTokenizer;
  /** Id of `[PAD]`. */
  readonly padId: number;
  /** Id of `[UNK]`. */
  readonly unkId: number;
  /** Id of `[CLS]`. */
  readonly clsId: number;
  /** Id of `[SEP]`. */
  readonly sepId: number;
  /** Id of `[MASK]`. */
  readonly maskId: number;

  /** A tokenizer over `tokens` in id order (e.g. the lines of a BERT `vocab.txt`); they must hold the specials. */
  constructor(tokens: Iterable<string>, options: BertTokenizerOptions = {}) {
    this.vocab = new TokenVocabulary(tokens, '[UNK]');
    const id = (t: string) => {
      const i = this.vocab.idOf(t);
      if (i === undefined) throw new RangeError(`BertTokenizer: the vocabulary has no ${t}`);
      return i;
    };
    [this.padId, this.unkId, this.clsId, this.sepId, this.maskId] = BERT_SPECIAL_TOKENS.map(id);
    this.basic = new BasicTokenizer(options);
    this.wordpiece = new WordpieceTokenizer(this.vocab.words, { maxInputCharsPerWord: options.maxInputCharsPerWord });
  }

  /** Number of tokens. */
  get vocabSize(): number {
    return this.vocab.size;
  }

  /** The WordPiece tokens of `text` (no specials added). */
  tokenize(text: string): string[] {
    return this.basic.tokenize(text).flatMap((w) => this.wordpiece.tokenizeWord(w));
  }

  /** Ids of the tokens of `text`: `[numTokens]` (no specials added). */
  encode(text: string): Int32Array {
    return this.vocab.encode(this.tokenize(text));
  }

  /** Text of ids: tokens joined by spaces, `##` pieces glued on; `[PAD]` `[CLS]` `[SEP]` dropped when `skipSpecial`. */
  decode(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): string {
    let tokens = this.vocab.decode(ids);
    if (options.skipSpecial) tokens = tokens.filter((t) => t !== '[PAD]' && t !== '[CLS]' && t !== '[SEP]');
    return joinWordPieces(tokens).join(' ');
  }

  /**
   * `[CLS] a [SEP] b [SEP]` (or `[CLS] a [SEP]` without `b`), cut to `maxLength` tokens by removing the last
   * token of the longer of a and b (b on ties) until it fits (this file's header, step 3).
   */
  encodePair(a: string, b: string | undefined, maxLength: number, options: EncodePairOptions = {}): BertEncoding {
    const specials = b === undefined ? 2 : 3;
    if (!(Number.isInteger(maxLength) && maxLength >= specials)) throw new RangeError(`encodePair: maxLength ${maxLength} leaves no room for ${specials} special tokens`);
    const idsA = Array.from(this.encode(a));
    const idsB = b === undefined ? [] : Array.from(this.encode(b));
    while (idsA.length + idsB.length > maxLength - specials) {
      if (idsA.length > idsB.length) idsA.pop();
      else idsB.pop();
    }
    const ids = [this.clsId, ...idsA, this.sepId];
    const types = ids.map(() => 0);
    if (b !== undefined) {
      for (const id of [...idsB, this.sepId]) {
        ids.push(id);
        types.push(1);
      }
    }
    const length = options.pad ? maxLength : ids.length;
    const inputIds = new Int32Array(length).fill(this.padId);
    inputIds.set(ids);
    const tokenTypeIds = new Int32Array(length);
    tokenTypeIds.set(types);
    const attentionMask = new Int32Array(length);
    attentionMask.fill(1, 0, ids.length);
    return { inputIds, tokenTypeIds, attentionMask };
  }

  /** The vocabulary as BERT's `vocab.txt`: one token per line, in id order. */
  toVocabFile(): string {
    return this.vocab.words.join('\n') + '\n';
  }

  /** A tokenizer from a `vocab.txt` (one token per line). */
  static fromVocabFile(text: string, options: BertTokenizerOptions = {}): BertTokenizer {
    return new BertTokenizer(splitLines(text), options);
  }
}

/** Options of {@link learnWordPieceVocabulary}. */
export interface LearnWordPieceOptions extends BertTokenizerOptions {
  /** The vocabulary size to reach (BERT: 30,000); fewer when the merges run out first. */
  vocabSize: number;
  /** Least count of a pair to be merged (default 2). */
  minPairCount?: number;
}

/**
 * Learns a WordPiece vocabulary from text (this file's header: BPE merges over `##`-marked characters, as Hugging
 * Face's `WordPieceTrainer`) and returns the tokenizer using it. `texts` is one string (cut into lines) or many.
 */
export function learnWordPieceVocabulary(texts: string | Iterable<string>, options: LearnWordPieceOptions): BertTokenizer {
  const basic = new BasicTokenizer(options);
  const maxChars = options.maxInputCharsPerWord ?? 100;
  const wordCounts = new Map<string, number>();
  for (const text of typeof texts === 'string' ? splitLines(texts) : texts) for (const w of basic.tokenize(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const words: [string[], number][] = [];
  const chars = new Set<string>();
  for (const [word, count] of wordCounts) {
    const cs = Array.from(word);
    if (cs.length > maxChars) continue; // such a word is [UNK] whatever the vocabulary
    for (const c of cs) chars.add(c);
    words.push([cs.map((c, i) => (i === 0 ? c : CONTINUATION_PREFIX + c)), count]);
  }
  const alphabet = [...chars].sort((x, y) => x.codePointAt(0)! - y.codePointAt(0)!);
  const symbols = [...alphabet, ...alphabet.map((c) => CONTINUATION_PREFIX + c)];
  const room = options.vocabSize - BERT_SPECIAL_TOKENS.length;
  if (room < symbols.length) throw new RangeError(`learnWordPieceVocabulary: vocabSize ${options.vocabSize} is below the ${BERT_SPECIAL_TOKENS.length} specials and ${symbols.length} character pieces`);
  const learned = learnMergesFromWordCounts(words, Infinity, {
    alphabet: symbols,
    maxSymbols: room,
    minPairCount: options.minPairCount ?? 2,
    join: (left, right) => left + right.slice(CONTINUATION_PREFIX.length),
  });
  return new BertTokenizer([...BERT_SPECIAL_TOKENS, ...learned.symbols], options);
}
