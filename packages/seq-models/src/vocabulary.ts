/**
 * A token vocabulary built from a corpus as torchtext's `build_vocab_from_iterator`
 * (torchtext/vocab/vocab_factory.py, https://github.com/pytorch/text) builds it for the seq2seq tutorials
 * (bentrevett/pytorch-seq2seq: `min_freq=2`, specials `<unk> <pad> <sos> <eos>`):
 *
 *   1. count every token of every token list;
 *   2. sort by frequency descending, ties by the token itself ascending — torchtext's
 *      `sorted(counter.items(), key=lambda x: (-x[1], x[0]))`, Python's code-point string order, *not*
 *      order of first appearance;
 *   3. keep the first `maxTokens − |specials|` of that order (when `maxTokens` is given);
 *   4. drop the specials from it, then the tokens with frequency < `minFreq`;
 *   5. put the specials, in the order given, first (or last with `specialsFirst: false`).
 *
 * It is the `Vocabulary` of `@paperzoo/datasets` (id ↔ token map, `encode`/`decode`) with an unknown token:
 * `encode` maps a token not in the vocabulary to `<unk>` (torchtext's `set_default_index(vocab['<unk>'])`).
 */
import { Vocabulary } from '@paperzoo/datasets';

/** The four special tokens of the pytorch-seq2seq tutorials, in their order (ids 0–3). */
export const SEQ2SEQ_SPECIALS = ['<unk>', '<pad>', '<sos>', '<eos>'] as const;

/** Options of {@link buildVocabulary}. */
export interface BuildVocabularyOptions {
  /** Least count a token needs to be kept (torchtext `min_freq`, default 1). */
  minFreq?: number;
  /** Special tokens, in id order (default none). */
  specials?: readonly string[];
  /** Specials before (default) or after the counted tokens (torchtext `special_first`). */
  specialsFirst?: boolean;
  /** Keep only the `maxTokens − specials.length` most frequent tokens (torchtext `max_tokens`). */
  maxTokens?: number;
  /** The token unknown ones encode to (default `'<unk>'` when it is among the specials, else none: encode throws). */
  unknown?: string;
}

/** Python's `str` order: by code point (JavaScript's `<` compares UTF-16 code units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A {@link Vocabulary} whose `encode` maps unknown tokens to an unknown token's id by default. */
export class TokenVocabulary extends Vocabulary {
  /** The unknown token, or undefined when unknown tokens are an error. */
  readonly unknown: string | undefined;

  /** A vocabulary of `tokens` in id order; `unknown` must be one of them. */
  constructor(tokens: Iterable<string>, unknown?: string) {
    super(tokens);
    if (unknown !== undefined && !this.has(unknown)) throw new RangeError(`TokenVocabulary: the unknown token '${unknown}' is not in the vocabulary`);
    this.unknown = unknown;
  }

  /** Ids of tokens; a token not in the vocabulary gets the id of `unknown` (default: this vocabulary's). */
  override encode(tokens: readonly string[], unknown: string | undefined = this.unknown): Int32Array {
    return super.encode(tokens, unknown);
  }
}

/**
 * Builds a {@link TokenVocabulary} from token lists with torchtext's `build_vocab_from_iterator` rules (this
 * file's header): specials first, then by frequency descending, ties in code-point order.
 */
export function buildVocabulary(tokenLists: Iterable<readonly string[]>, options: BuildVocabularyOptions = {}): TokenVocabulary {
  const minFreq = options.minFreq ?? 1;
  const specials = options.specials ?? [];
  if (new Set(specials).size !== specials.length) throw new RangeError(`buildVocabulary: specials repeat a token: ${specials.join(' ')}`);
  const counts = new Map<string, number>();
  for (const tokens of tokenLists) for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let sorted = [...counts].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  if (options.maxTokens !== undefined) {
    if (!(specials.length < options.maxTokens)) throw new RangeError(`buildVocabulary: maxTokens ${options.maxTokens} leaves no room beside ${specials.length} specials`);
    sorted = sorted.slice(0, options.maxTokens - specials.length);
  }
  const special = new Set(specials);
  const kept = sorted.filter(([t, c]) => !special.has(t) && c >= minFreq).map(([t]) => t);
  const tokens = (options.specialsFirst ?? true) ? [...specials, ...kept] : [...kept, ...specials];
  const unknown = options.unknown ?? (special.has('<unk>') ? '<unk>' : undefined);
  return new TokenVocabulary(tokens, unknown);
}
