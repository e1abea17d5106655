import { describe, expect, it } from 'vitest';
import { readWikiText2, wikiText2Folder } from './wikitext.js';
import { BasicTokenizer, BERT_SPECIAL_TOKENS, BertTokenizer, joinWordPieces, learnWordPieceVocabulary, WordpieceTokenizer } from '../src/wordpiece.js';

// google-research/bert tokenization_test.py's vocabulary for the WordPiece cases
const TEST_VOCAB = [...BERT_SPECIAL_TOKENS, 'want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',', 'low', 'lowest', '##aff', '##able'];

describe('BasicTokenizer (google-research/bert tokenization.py)', () => {
  it('lowercases and splits on whitespace and punctuation', () => {
    expect(new BasicTokenizer().tokenize(' \tHeLLo!how  \n Are yoU?  ')).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
  });

  it('strips accents when lowercasing (NFD, drop combining marks), keeps case and accents otherwise', () => {
    expect(new BasicTokenizer().tokenize('H\u00E9llo')).toEqual(['hello']);
    expect(new BasicTokenizer({ lowerCase: false }).tokenize(' \tHeLLo!how  \n Are yoU?  ')).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(new BasicTokenizer({ lowerCase: false }).tokenize('H\u00E9llo')).toEqual(['H\u00E9llo']);
    expect(new BasicTokenizer({ lowerCase: true, stripAccents: false }).tokenize('H\u00E9llo')).toEqual(['h\u00E9llo']);
  });

  it('puts CJK ideographs apart, one token each', () => {
    expect(new BasicTokenizer().tokenize('ah\u535A\u63A8zz')).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
    expect(new BasicTokenizer({ tokenizeChineseChars: false }).tokenize('ah\u535A\u63A8zz')).toEqual(['ah\u535a\u63a8zz']);
  });

  it('drops control characters, NUL and U+FFFD; unicode punctuation and ASCII symbols are punctuation', () => {
    expect(new BasicTokenizer().tokenize('a\u0000b\uFFFDc\u0007d e\u00A0f')).toEqual(['abcd', 'e', 'f']);
    expect(new BasicTokenizer().tokenize('“quoted”—dash $5 a+b')).toEqual(['“', 'quoted', '”', '—', 'dash', '$', '5', 'a', '+', 'b']);
  });
});

describe('WordpieceTokenizer (greedy longest-match-first)', () => {
  const wordpiece = new WordpieceTokenizer(TEST_VOCAB);

  it('"unaffable" → un ##aff ##able (the docstring of google-research/bert)', () => {
    expect(wordpiece.tokenizeWord('unaffable')).toEqual(['un', '##aff', '##able']);
  });

  it("tokenization_test.py's cases: [UNK] for a word with an unmatched part, empty text → no tokens", () => {
    expect(wordpiece.tokenize('')).toEqual([]);
    expect(wordpiece.tokenize('unwanted running')).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(wordpiece.tokenize('unwantedX running')).toEqual(['[UNK]', 'runn', '##ing']);
  });

  it('longest match first, and words over 100 characters are [UNK]', () => {
    expect(wordpiece.tokenizeWord('lowest')).toEqual(['lowest']);
    expect(new WordpieceTokenizer(['a', '##a']).tokenizeWord('a'.repeat(100))).toHaveLength(100);
    expect(new WordpieceTokenizer(['a', '##a']).tokenizeWord('a'.repeat(101))).toEqual(['[UNK]']);
  });
});

describe('BertTokenizer', () => {
  const bert = new BertTokenizer(TEST_VOCAB);

  it('special ids are their places in the vocabulary; encode maps unknown words to [UNK]', () => {
    expect([bert.padId, bert.unkId, bert.clsId, bert.sepId, bert.maskId]).toEqual([0, 1, 2, 3, 4]);
    expect(bert.tokenize('UNwant\u00E9d,running')).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(Array.from(bert.encode('unwanted xyz'))).toEqual([9, 6, 7, 1]);
    expect(bert.decode(bert.encode('UNwanted, running'))).toBe('unwanted , running');
  });

  it('encodePair: [CLS] a [SEP] b [SEP], segments 0 then 1, longest-first truncation, padding', () => {
    const tok = (s: string) => Array.from(bert.encode(s));
    const pair = bert.encodePair('unwanted running', 'low', 16);
    expect(Array.from(pair.inputIds)).toEqual([bert.clsId, ...tok('unwanted running'), bert.sepId, ...tok('low'), bert.sepId]);
    expect(Array.from(pair.tokenTypeIds)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(Array.from(pair.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // a has 5 tokens, b 1: cut a from its end until 5 + 1 ≤ 7 − 3 … a keeps 3
    const cut = bert.encodePair('unwanted running', 'low', 7);
    expect(Array.from(cut.inputIds)).toEqual([bert.clsId, ...tok('unwanted'), bert.sepId, ...tok('low'), bert.sepId]);
    // ties cut b: a and b of 2 tokens each into 3 + 3 specials → a 2, b 1
    const tie = bert.encodePair('runn ing', 'want want', 6);
    expect(Array.from(tie.inputIds)).toEqual([bert.clsId, ...tok('runn ing'), bert.sepId, ...tok('want'), bert.sepId].slice(0, 6));
    const single = bert.encodePair('low lowest', undefined, 6, { pad: true });
    expect(Array.from(single.inputIds)).toEqual([bert.clsId, ...tok('low lowest'), bert.sepId, 0, 0]);
    expect(Array.from(single.tokenTypeIds)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(single.attentionMask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(() => bert.encodePair('a', 'b', 2)).toThrow(RangeError);
  });

  it('vocab.txt round trip; joinWordPieces glues ## pieces', () => {
    const again = BertTokenizer.fromVocabFile(bert.toVocabFile());
    expect(again.vocab.words).toEqual(TEST_VOCAB);
    expect(joinWordPieces(['un', '##aff', '##able', 'low'])).toEqual(['unaffable', 'low']);
    expect(() => new BertTokenizer(['[PAD]', '[UNK]'])).toThrow(/no \[CLS\]/);
  });

  it('learns a vocabulary from a small text: whole frequent words, every seen character bare and as ##', () => {
    const text = 'the lower lowest low low. The newest widest new!\n'.repeat(5) + 'zebra';
    const learned = learnWordPieceVocabulary(text, { vocabSize: 60 });
    expect(learned.vocabSize).toBeLessThanOrEqual(60);
    expect(learned.vocab.words.slice(0, 5)).toEqual([...BERT_SPECIAL_TOKENS]);
    for (const piece of ['z', '##z', 'the', 'low']) expect(learned.vocab.has(piece)).toBe(true);
    expect(learned.tokenize('zebra')).not.toContain('[UNK]');
    expect(learnWordPieceVocabulary(text, { vocabSize: 60 }).vocab.words).toEqual(learned.vocab.words);
    expect(() => learnWordPieceVocabulary(text, { vocabSize: 10 })).toThrow(/below/);
  });
});

const wiki = wikiText2Folder('the WikiText-2 WordPiece test');

describe('WordPiece vocabulary learned on WikiText-2 train', () => {
  it.skipIf(wiki === null)('reaches 8,000 tokens; frequent words whole, rare words split; joining ## pieces gives back the words', () => {
    const train = readWikiText2(wiki!, 'train');
    const bert = learnWordPieceVocabulary(train, { vocabSize: 8000 });
    expect(bert.vocabSize).toBe(8000);
    for (const word of ['the', 'of', 'and', 'game', 'season', 'war']) expect(bert.tokenize(word)).toEqual([word]);
    for (const word of ['counterrevolutionaries', 'unquestionably', 'photosynthesis']) {
      const pieces = bert.tokenize(word);
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.slice(1).every((p) => p.startsWith('##'))).toBe(true);
      expect(joinWordPieces(pieces)).toEqual([word]);
    }
    const valid = readWikiText2(wiki!, 'valid').slice(0, 100_000);
    const tokens = bert.tokenize(valid);
    expect(joinWordPieces(tokens)).toEqual(bert.basic.tokenize(valid));
    // fewer than 2% [UNK]: only words with characters never seen in train
    expect(tokens.filter((t) => t === '[UNK]').length / tokens.length).toBeLessThan(0.02);
  });
});
