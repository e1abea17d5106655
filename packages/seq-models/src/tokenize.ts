/**
 * Word tokenisation for Multi30k German and English, approximating the spaCy tokenizers (`de_core_news_sm`,
 * `en_core_web_sm`) that the bentrevett/pytorch-seq2seq tutorials use — `[t.text.lower() for t in
 * nlp.tokenizer(sentence)]` — and character tokenisation for tiny-shakespeare (char-rnn, nanoGPT).
 *
 * spaCy's algorithm (spacy/tokenizer.pyx, `Tokenizer.explain`, https://github.com/explosion/spaCy), per
 * whitespace-separated chunk: a chunk that is a special case is replaced by its tokens; otherwise strip
 * prefixes from the front and suffixes from the back, one at a time, alternately, re-checking special cases;
 * then split what is left at its infixes. The prefix, suffix and infix patterns below are spaCy's
 * (spacy/lang/punctuation.py, spacy/lang/de/punctuation.py, spacy/lang/char_classes.py at commit
 * f69c32f7a033366ec0d49ec94e5a4feb885d5157) with two simplifications: its alphabet classes are
 * Unicode's `\p{L}` / `\p{Ll}` / `\p{Lu}` and its icon class `\p{So}`. What is approximate: the special cases
 * (spaCy has thousands, generated: we keep the contraction rules and a few abbreviations), no URL matching,
 * and no matcher pass for special cases that span affixes.
 *
 * How close: vocabularies built on Multi30k train with `min_freq = 2` plus the four specials `<unk> <pad> <sos>
 * <eos>` come to 7,852 (de) and 5,893 (en) tokens against the tutorial's spaCy 7,853 and 5,893 — one German
 * type short, English exact ({@link MULTI30K_VOCAB_SIZES}, pinned in test/tokenize.test.ts).
 */
import { splitWords } from '@paperzoo/datasets';

/** The languages {@link tokenizeMulti30k} knows. */
export type Multi30kLanguage = 'de' | 'en';

/**
 * Vocabulary sizes on Multi30k train (`min_freq = 2`, specials `<unk> <pad> <sos> <eos>`): ours as measured in
 * test/tokenize.test.ts, and the tutorial's with spaCy (bentrevett/pytorch-seq2seq, notebook 1).
 */
export const MULTI30K_VOCAB_SIZES = {
  ours: { de: 7_852, en: 5_893 },
  spacy: { de: 7_853, en: 5_893 },
} as const;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const split = (s: string) => s.trim().split(' ');

// spacy/lang/char_classes.py
const PUNCT = split('… …… , : ; ! ? ¿ ؟ ¡ ( ) [ ] { } < > _ # * & 。 ？ ！ ， 、 ； ： ～ · । ، ۔ ؛ ٪');
const QUOTES = split('\' " ” “ ` ‘ ´ ’ ‚ , „ » « 「 」 『 』 （ ） 〔 〕 【 】 《 》 〈 〉 〈 〉 ⟦ ⟧');
const HYPHENS = split('- – — -- --- —— ~');
const CURRENCY = split('$ £ € ¥ ฿ US$ C$ A$ ₽ ﷼ ₴ ₠ ₡ ₢ ₣ ₤ ₥ ₦ ₧ ₨ ₩ ₪ ₫ € ₭ ₮ ₯ ₰ ₱ ₲ ₳ ₴ ₵ ₶ ₷ ₸ ₹ ₺ ₻ ₼ ₽ ₾ ₿');
const UNITS = split(
  'km km² km³ m m² m³ dm dm² dm³ cm cm² cm³ mm mm² mm³ ha µm nm yd in ft kg g mg µg t lb oz m/s km/h kmh mph hPa Pa mbar mb MB kb KB gb GB tb TB T G M K %',
);
const ELLIPSES = ['\\.\\.+', '…'];
const ICONS = ['\\p{So}'];
const ALPHA = '\\p{L}';
const LOWER = '\\p{Ll}';
const UPPER = '\\p{Lu}';
/** A character class of every character of the strings (spaCy pastes joined lists into classes). */
const charsOf = (...lists: string[][]) => [...new Set(lists.flat().join(''))].map((c) => (c === '-' ? '\\-' : esc(c))).join('');
const CONCAT_QUOTES = charsOf(QUOTES);
/** `PUNCT` is `"|".join(...)` in spaCy, so the period lookbehind's class also holds `|` and `(?:)`. */
const PERIOD_AFTER = charsOf(PUNCT, ['|(?:)'], QUOTES);

const alt = (items: string[]) => items.map((p) => `(?:${p})`).join('|');
const literal = (items: string[]) => items.map(esc);

const BASE_PREFIXES = ['§', '%', '=', '—', '–', '\\+(?![0-9])', ...literal(PUNCT), ...ELLIPSES, ...literal(QUOTES), ...literal(CURRENCY), ...ICONS];
const suffixTail = (periodAfterDigit: boolean) => [
  '(?<=[0-9])\\+',
  '(?<=°[FfCcKk])\\.',
  `(?<=[0-9])(?:${literal(CURRENCY).join('|')})`,
  `(?<=[0-9])(?:${literal(UNITS).join('|')})`,
  `(?<=[${periodAfterDigit ? '0-9' : ''}${LOWER}%²\\-\\+${PERIOD_AFTER}])\\.`,
  `(?<=[${UPPER}][${UPPER}])\\.`,
];

interface Rules {
  prefix: RegExp;
  suffix: RegExp;
  infix: RegExp;
  special: (chunk: string) => string[] | undefined;
}

const prefixRe = (items: string[]) => new RegExp(`^(?:${alt(items)})`, 'u');
const suffixRe = (items: string[]) => new RegExp(`(?:${alt(items)})$`, 'u');
const infixRe = (items: string[]) => new RegExp(alt(items), 'gu');

// English: spacy/lang/en/tokenizer_exceptions.py generates contractions for pronouns and auxiliaries in
// every case; we split the same endings off any alphabetic base.
const EN_ABBREVIATIONS = new Set(['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'St.', 'Jr.', 'Sr.', 'vs.', 'etc.', 'e.g.', 'i.e.', 'a.m.', 'p.m.', 'Mt.', 'Inc.', 'Co.', 'Ltd.', 'U.S.', 'Ave.', 'Jan.', 'Feb.', 'Aug.', 'Sept.', 'Oct.', 'Nov.', 'Dec.']);
const EN_WHOLE = new Map<string, string[]>(Object.entries({ cannot: ['can', 'not'], gonna: ['gon', 'na'], gotta: ['got', 'ta'], wanna: ['wan', 'na'], "won't": ['wo', "n't"], "can't": ['ca', "n't"], "shan't": ['sha', "n't"], "ain't": ['ai', "n't"] }));
function englishSpecial(chunk: string): string[] | undefined {
  if (EN_ABBREVIATIONS.has(chunk)) return [chunk];
  const lower = chunk.toLowerCase();
  const parts = EN_WHOLE.get(lower);
  if (parts) {
    let at = 0;
    return parts.map((part) => chunk.slice(at, (at += part.length)));
  }
  const m = /^(\p{L}+)(n['’]t|['’](?:m|re|ll|ve|d))$/iu.exec(chunk);
  return m ? [m[1], m[2]] : undefined;
}

// German: spacy/lang/de/tokenizer_exceptions.py (its clitics and a few of its abbreviations).
const DE_CLITICS = new Set(["auf'm", "du's", "er's", "hinter'm", "ich's", "ihr's", "sie's", "unter'm", "vor'm", "wir's", "über'm"]);
const DE_WHOLE = new Set(["'S", "'s", "S'", "s'", "'n", "'ne", "'nen", "'nem", 'z.B.', 'z.b.', 'bzw.', 'ca.', 'usw.', 'Nr.', 'Dr.', 'Str.', 'St.', 'Hr.', 'Fr.', 'Prof.', 'evtl.', 'ggf.', 'inkl.', 'd.h.', 'u.a.', 'v.a.']);
function germanSpecial(chunk: string): string[] | undefined {
  if (DE_WHOLE.has(chunk)) return [chunk];
  if (DE_CLITICS.has(chunk)) {
    const at = chunk.indexOf("'");
    return [chunk.slice(0, at), chunk.slice(at)];
  }
  return undefined;
}

const RULES: Record<Multi30kLanguage, Rules> = {
  en: {
    prefix: prefixRe(BASE_PREFIXES),
    suffix: suffixRe([...literal(PUNCT), ...ELLIPSES, ...literal(QUOTES), ...ICONS, "'s", "'S", '’s', '’S', '—', '–', ...suffixTail(true)]),
    infix: infixRe([
      ...ELLIPSES,
      ...ICONS,
      '(?<=[0-9])[+\\-*^](?=[0-9-])',
      `(?<=[${LOWER}${CONCAT_QUOTES}])\\.(?=[${UPPER}${CONCAT_QUOTES}])`,
      `(?<=[${ALPHA}]),(?=[${ALPHA}])`,
      `(?<=[${ALPHA}0-9])(?:${literal(HYPHENS).join('|')})(?=[${ALPHA}])`,
      `(?<=[${ALPHA}0-9])[:<>=/](?=[${ALPHA}])`,
    ]),
    special: englishSpecial,
  },
  de: {
    prefix: prefixRe(['``', ...BASE_PREFIXES]),
    suffix: suffixRe(["''", '/', ...literal(PUNCT), ...ELLIPSES, ...literal(QUOTES), ...ICONS, ...suffixTail(false)]),
    infix: infixRe([
      ...ELLIPSES,
      ...ICONS,
      `(?<=[${LOWER}])\\.(?=[${UPPER}])`,
      `(?<=[${ALPHA}])[,!?](?=[${ALPHA}])`,
      `(?<=[${ALPHA}])[:<>=](?=[${ALPHA}])`,
      `(?<=[${ALPHA}]),(?=[${ALPHA}])`,
      `(?<=[0-9${ALPHA}])\\/(?=[0-9${ALPHA}])`,
      `(?<=[${ALPHA}])([${charsOf(QUOTES).replace("'", '')}\\)\\]\\(\\[])(?=[${ALPHA}])`,
      `(?<=[${ALPHA}])--(?=[${ALPHA}])`,
      '(?<=[0-9])-(?=[0-9])',
    ]),
    special: germanSpecial,
  },
};

/** Splits one whitespace-free chunk as spaCy's `Tokenizer.explain` does (prefixes, suffixes, specials, infixes). */
function splitChunk(chunk: string, rules: Rules, out: string[]): void {
  const suffixes: string[] = [];
  let s = chunk;
  while (s) {
    const special = rules.special(s);
    if (special) {
      out.push(...special);
      break;
    }
    let stop = false;
    while (!stop && (rules.prefix.test(s) || rules.suffix.test(s))) {
      if (rules.special(s)) break;
      const p = rules.prefix.exec(s);
      if (p) {
        if (p[0].length === 0) break;
        out.push(s.slice(0, p[0].length));
        s = s.slice(p[0].length);
        if (rules.special(s)) continue;
      }
      const m = rules.suffix.exec(s);
      if (m) {
        if (m.index === s.length) stop = true;
        else {
          suffixes.push(s.slice(m.index));
          s = s.slice(0, m.index);
        }
      }
    }
    if (!s) break;
    const special2 = rules.special(s);
    if (special2) {
      out.push(...special2);
      break;
    }
    let offset = 0;
    for (const match of s.matchAll(rules.infix)) {
      const start = match.index;
      if (offset === 0 && start === 0) continue;
      if (start > offset) out.push(s.slice(offset, start));
      if (match[0]) out.push(match[0]);
      offset = start + match[0].length;
    }
    if (offset < s.length) out.push(s.slice(offset));
    break;
  }
  for (let i = suffixes.length - 1; i >= 0; i--) out.push(suffixes[i]);
}

/**
 * Tokenises a Multi30k sentence like spaCy's `de`/`en` tokenizer (this file's header), lowercased unless
 * `lower: false` — the bentrevett/pytorch-seq2seq preprocessing. "Two men, don't-stop." →
 * `two men , do n't - stop .` (en).
 */
export function tokenizeMulti30k(sentence: string, language: Multi30kLanguage, options: { lower?: boolean } = {}): string[] {
  const rules = RULES[language];
  const out: string[] = [];
  for (const chunk of splitWords(sentence)) splitChunk(chunk, rules, out);
  return (options.lower ?? true) ? out.map((t) => t.toLowerCase()) : out;
}

/** Character tokens of a text: its Unicode code points (char-rnn / nanoGPT `shakespeare_char`, as `buildCharCorpus`). */
export function tokenizeChars(text: string): string[] {
  return Array.from(text);
}
