import { describe, expect, it } from 'vitest';
import { buildVocabulary, compareCodePoints, SEQ2SEQ_SPECIALS, TokenVocabulary } from '../src/vocabulary.js';

// torchtext's rule: pytorch/text@a5e610638ea47b4412a29cdb708ac5f2fabb1286 torchtext/vocab/vocab_factory.py,
// build_vocab_from_iterator: sorted(counter.items(), key=lambda x: (-x[1], x[0])), then vocab() pops the
// specials and drops freq < min_freq, then inserts the specials first.
describe('buildVocabulary (torchtext build_vocab_from_iterator)', () => {
  const corpus = [['b', 'c', 'a', 'b'], ['d', 'c', 'a', 'e'], ['b', 'z', 'y']];

  it('specials first, then frequency descending, ties in code-point order (not first appearance)', () => {
    const v = buildVocabulary(corpus, { specials: SEQ2SEQ_SPECIALS });
    // b: 3; c, a: 2 (c came first, a sorts first); d, e, z, y: 1 (y sorts before z)
    expect(v.words).toEqual(['<unk>', '<pad>', '<sos>', '<eos>', 'b', 'a', 'c', 'd', 'e', 'y', 'z']);
    expect(buildVocabulary([['z', 'y', 'y', 'z', 'x']]).words).toEqual(['y', 'z', 'x']);
  });

  it('minFreq drops rare tokens; a special in the data keeps its special id; maxTokens cuts before minFreq', () => {
    expect(buildVocabulary(corpus, { minFreq: 2, specials: SEQ2SEQ_SPECIALS }).words).toEqual(['<unk>', '<pad>', '<sos>', '<eos>', 'b', 'a', 'c']);
    expect(buildVocabulary([['<eos>', 'a', '<eos>', '<eos>']], { specials: ['<unk>', '<eos>'] }).words).toEqual(['<unk>', '<eos>', 'a']);
    // the slice takes max_tokens − |specials| = 2 of the sorted list (<eos>, a) before the specials are popped
    expect(buildVocabulary([['<eos>', 'a', '<eos>', '<eos>', 'a', 'b']], { specials: ['<unk>', '<eos>'], maxTokens: 4 }).words).toEqual(['<unk>', '<eos>', 'a']);
    expect(buildVocabulary(corpus, { specials: ['<pad>'], specialsFirst: false, minFreq: 2 }).words).toEqual(['b', 'a', 'c', '<pad>']);
  });

  it('encode maps unknown tokens to <unk>; decode inverts encode', () => {
    const v = buildVocabulary(corpus, { specials: SEQ2SEQ_SPECIALS });
    const ids = v.encode(['<sos>', 'a', 'never', 'z', '<eos>']);
    expect([...ids]).toEqual([2, 5, 0, 10, 3]);
    expect(v.decode(ids)).toEqual(['<sos>', 'a', '<unk>', 'z', '<eos>']);
    expect(v.unknown).toBe('<unk>');
  });

  it('without an unknown token encode throws; bad arguments throw clearly', () => {
    expect(() => buildVocabulary(corpus).encode(['never'])).toThrow(/'never' is not in the vocabulary/);
    expect(() => new TokenVocabulary(['a'], '<unk>')).toThrow(/unknown token '<unk>' is not in the vocabulary/);
    expect(() => buildVocabulary(corpus, { specials: ['<unk>', '<unk>'] })).toThrow(/repeat/);
    expect(() => buildVocabulary(corpus, { specials: ['<unk>'], maxTokens: 1 })).toThrow(/leaves no room/);
  });

  it('compareCodePoints is Python str order, also above U+FFFF', () => {
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    // U+1F600 > U+FF61 by code point, though its UTF-16 lead surrogate 0xD83D < 0xFF61
    expect(compareCodePoints('\u{1F600}', '\uFF61')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFF61').toBe(true);
  });
});
