import { describe, expect, it } from 'vitest';
import { readWikiText2, wikiText2Folder } from './wikitext.js';
import { makeRng } from '@paperzoo/tensor';
import { BYTE_TO_CHAR, ByteLevelBpe, GPT2_SPLIT_PATTERN, learnByteLevelBpe, learnMergesFromWordCounts } from '../src/bpe.js';

/** Sennrich et al. 2016, Algorithm 1: the listing's dictionary, its words split into characters plus '</w>'. */
const PAPER_VOCAB: [string[], number][] = [
  [['l', 'o', 'w', '</w>'], 5],
  [['l', 'o', 'w', 'e', 'r', '</w>'], 2],
  [['n', 'e', 'w', 'e', 's', 't', '</w>'], 6],
  [['w', 'i', 'd', 'e', 's', 't', '</w>'], 3],
];

/** A random well-formed string: ASCII, whitespace runs, Latin-1, CJK, combining marks, emoji, any code point. */
function randomString(random: () => number, length: number): string {
  const pools = [
    () => String.fromCodePoint(0x20 + Math.floor(random() * 95)),
    () => [' ', '  ', '\n', '\t', '\r\n', '\u00a0', '\u3000', '\n\n  '][Math.floor(random() * 8)],
    () => String.fromCodePoint(0xa0 + Math.floor(random() * 0x160)),
    () => String.fromCodePoint(0x4e00 + Math.floor(random() * 0x5000)),
    () => 'e\u0301',
    () => ['😀', '👩‍👩‍👧', '🇫🇷', '🎭'][Math.floor(random() * 4)],
    () => {
      // any scalar value (no lone surrogates: UTF-8 cannot hold them)
      const cp = Math.floor(random() * 0x10f800);
      return String.fromCodePoint(cp < 0xd800 ? cp : cp + 0x800);
    },
  ];
  let s = '';
  for (let i = 0; i < length; i++) s += pools[Math.floor(random() * pools.length)]();
  return s;
}

const TRAIN = `The cat sat on the mat. The cat's hat is flat; the mat isn't.\nthe the the cat cat   mat\n`;

describe('learnMergesFromWordCounts (Sennrich et al. 2016, Algorithm 1)', () => {
  it("the listing's dictionary gives the 10 merges its Python code prints, in order", () => {
    // python3 running Algorithm 1 verbatim prints these (ties go to the pair met first; e.g. merge 6 is
    // ('n','e') over ('e','w') and ('w','est</w>'), all of count 6). Figure 1's merges (r·, lo, low, er· from
    // {low, lowest, newer, wider}, every pair tied) follow another tie order and are not reproduced.
    const { merges, pairCounts, symbols } = learnMergesFromWordCounts(PAPER_VOCAB, 10);
    expect(merges).toEqual([
      ['e', 's'],
      ['es', 't'],
      ['est', '</w>'],
      ['l', 'o'],
      ['lo', 'w'],
      ['n', 'e'],
      ['ne', 'w'],
      ['new', 'est</w>'],
      ['low', '</w>'],
      ['w', 'i'],
    ]);
    expect(pairCounts).toEqual([9, 9, 9, 7, 7, 6, 6, 6, 5, 3]);
    expect(symbols.slice(-10)).toEqual(['es', 'est', 'est</w>', 'lo', 'low', 'ne', 'new', 'newest</w>', 'low</w>', 'wi']);
  });

  it('stops when no pair is left or the most frequent is below minPairCount; maxSymbols caps the table', () => {
    expect(learnMergesFromWordCounts([[['a', 'b'], 1]], 5).merges).toEqual([['a', 'b']]);
    expect(learnMergesFromWordCounts([[['a', 'b'], 1]], 5, { minPairCount: 2 }).merges).toEqual([]);
    expect(learnMergesFromWordCounts(PAPER_VOCAB, 10, { maxSymbols: 12 }).symbols).toHaveLength(12);
  });

  it('merges left to right without overlap, and a symbol remade by another path is the same symbol', () => {
    // 'a a a' → 'aa a' (as the paper's regex substitution)
    const { merges } = learnMergesFromWordCounts([[['a', 'a', 'a'], 1]], 2);
    expect(merges).toEqual([
      ['a', 'a'],
      ['aa', 'a'],
    ]);
    const twoPaths = learnMergesFromWordCounts(
      [
        [['x', 'a', 'b', 'c'], 3],
        [['a', 'b', 'c', 'y'], 2],
      ],
      3,
    );
    expect(twoPaths.merges).toEqual([
      ['a', 'b'],
      ['ab', 'c'],
      ['x', 'abc'],
    ]);
  });
});

describe('ByteLevelBpe (GPT-2 §2.2)', () => {
  const bpe = learnByteLevelBpe(TRAIN, { numMerges: 40 });

  it('GPT-2 byte characters: space Ġ, newline Ċ, 256 distinct printable characters', () => {
    expect(BYTE_TO_CHAR[32]).toBe('Ġ');
    expect(BYTE_TO_CHAR[10]).toBe('Ċ');
    expect(BYTE_TO_CHAR[33]).toBe('!');
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
  });

  it("GPT-2's regex cuts words with their leading space, contractions, and whitespace runs", () => {
    expect(bpe.split("Hello  world's 42!!\n\n x")).toEqual(['Hello', ' ', ' world', "'s", ' 42', '!!', '\n\n', ' x']);
    expect(bpe.pattern).toBe(GPT2_SPLIT_PATTERN);
  });

  it('learns frequent pieces and encodes them as one token', () => {
    expect(bpe.tokens).toContain('Ġthe');
    expect(bpe.tokenize(' the cat')).toEqual(['Ġthe', 'Ġcat']);
    expect(bpe.vocabSize).toBe(256 + bpe.merges.length);
  });

  it('decode(encode(s)) === s exactly: whitespace, newlines, BOM, unicode, emoji, unseen characters', () => {
    const cases = ['', ' ', '   \n\t\r\n  ', '\uFEFFbom first', 'naïve café — “quotes”', '日本語のテキスト', '👩‍👩‍👧 🇫🇷 e\u0301', 'the    cat\n\n\nsat  '];
    for (const s of cases) expect(bpe.decode(bpe.encode(s))).toBe(s);
  });

  it('seeded fuzz: 300 random strings round-trip exactly', () => {
    const random = makeRng(1508_07909);
    const big = learnByteLevelBpe(Array.from({ length: 50 }, () => randomString(random, 40)), { numMerges: 200 });
    for (let i = 0; i < 300; i++) {
      const s = randomString(random, Math.floor(random() * 60));
      expect(big.decode(big.encode(s))).toBe(s);
      expect(bpe.decode(bpe.encode(s))).toBe(s);
    }
  });

  it('is deterministic: the same text gives the same merges; JSON save and load give the same tokeniser', () => {
    const again = learnByteLevelBpe(TRAIN, { numMerges: 40 });
    expect(again.merges).toEqual(bpe.merges);
    const loaded = ByteLevelBpe.fromJSON(JSON.parse(JSON.stringify(bpe)));
    expect(loaded.merges).toEqual(bpe.merges);
    expect(loaded.tokens).toEqual(bpe.tokens);
    expect(Array.from(loaded.encode(TRAIN))).toEqual(Array.from(bpe.encode(TRAIN)));
    const json = bpe.toJSON();
    expect(json.merges[0]).toEqual([...bpe.merges[0]]);
    expect(() => ByteLevelBpe.fromJSON({ ...json, tokens: json.tokens.slice(1) })).toThrow(/do not follow/);
  });

  it('encoding a training chunk gives its training segmentation (merges applied in rank order)', () => {
    // with enough merges each frequent chunk becomes one token
    const full = learnByteLevelBpe('lowest lowest lowest newer newer wider', { numMerges: 100, minPairCount: 1 });
    expect(full.tokenize('lowest newer wider')).toEqual(['lowest', 'Ġnewer', 'Ġwider']);
  });
});

const wiki = wikiText2Folder('the WikiText-2 BPE test');

describe('ByteLevelBpe on WikiText-2', () => {
  it.skipIf(wiki === null)('tokens per character fall as merges grow; valid text round-trips exactly', () => {
    const train = readWikiText2(wiki!, 'train');
    const valid = readWikiText2(wiki!, 'valid');
    const sample = valid.slice(0, 200_000);
    const ratios = [0, 500, 2000, 8000].map((numMerges) => {
      const bpe = numMerges === 0 ? new ByteLevelBpe([]) : learnByteLevelBpe(train, { numMerges });
      const ids = bpe.encode(sample);
      expect(bpe.decode(ids)).toBe(sample);
      return ids.length / sample.length;
    });
    for (let i = 1; i < ratios.length; i++) expect(ratios[i]).toBeLessThan(ratios[i - 1]);
    expect(ratios[0]).toBeGreaterThanOrEqual(1); // bytes: at least one per character
    expect(ratios[3]).toBeLessThan(0.3); // 8,000 merges: under 0.3 tokens per character
  });
});
