import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { corpusBleu, sacreBleu, sacreBleuFromStatistics, tokenize13a, NMT_BLEU, TORCHTEXT_BLEU } from '../src/bleu.js';

/** Reference values from the projects' own test suites, at these commits. */
const TORCHTEXT = 'pytorch/text@a5e610638ea47b4412a29cdb708ac5f2fabb1286 test/torchtext_unittest/data/test_metrics.py';
const NMT = 'tensorflow/nmt@0be864257a76c151eef20ea689755f08bc1faf4e nmt/utils/evaluation_utils_test.py';
const HF = 'huggingface/evaluate@a7dd338386a4fae9a1767e05eb9ef9479513d9e8 metrics/bleu/README.md';
const SACRE = 'mjpost/sacrebleu@f615c7286d4d813370efb824d94fc2bfcd3a6b94 test/test_bleu.py';

const split = (s: string) => s.split(' ');

describe(`corpusBleu against torchtext bleu_score (${TORCHTEXT})`, () => {
  // torchtext computes the score in float32 and its test compares to 7 decimals
  const close = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(5e-7);
  const bleu = (c: string[][], r: string[][][], o = {}) => corpusBleu(c, r, { ...TORCHTEXT_BLEU, ...o }).bleu;

  it('full match, no 4-gram, partial match, bigrams only, multi-sentence, empty', () => {
    expect(bleu([split('My full pytorch test')], [[split('My full pytorch test'), split('Completely Different')]])).toBe(1);
    expect(bleu([split('My full pytorch')], [[split('My full pytorch test'), split('Completely Different')]])).toBe(0);
    close(bleu([split('My full pytorch test')], [[split('My full pytorch test !'), ['Different']]]), 0.7788007);
    close(bleu([split('My pytorch test')], [[split('My full pytorch test'), ['Different']]], { maxOrder: 2, weights: [0.5, 0.5] }), 0.5066641);
    close(bleu([split('My full pytorch test'), split('Another Sentence')], [[split('My full pytorch test'), split('Completely Different')], [split('No Match')]]), 0.8408964);
    expect(bleu([[]], [[[]]])).toBe(0);
  });

  it('the long input compared with NLTK, at orders 4, 3 (weights 0.33), 2 and 1', () => {
    const cand = [split('Lucille B has 3 sons'), split('She loves all her children equally'), split('No match here at all')];
    const refs = [
      [split('I heard Lucille has three sons'), split('Rumor has it Lucille has 3 sons !')],
      [split('I love all my children equally'), split('She loves all her children equally')],
      [split('I have made a terrible mistake'), split('Big mistake')],
    ];
    close(bleu(cand, refs), 0.4573199);
    close(bleu(cand, refs, { maxOrder: 3, weights: [0.33, 0.33, 0.33] }), 0.4901113);
    close(bleu(cand, refs, { maxOrder: 2, weights: [0.5, 0.5] }), 0.5119535);
    close(bleu(cand, refs, { maxOrder: 1, weights: [1] }), 0.5515605);
  });
});

describe('corpusBleu against tensorflow/nmt compute_bleu = Hugging Face evaluate "bleu"', () => {
  it(`the README examples (${HF}), tokenised by 13a as HF does`, () => {
    const preds = ['hello there general kenobi', 'foo bar foobar'].map(tokenize13a);
    const one = corpusBleu(preds, [['hello there general kenobi'], ['foo bar foobar']].map((r) => r.map(tokenize13a)), NMT_BLEU);
    expect(one).toMatchObject({ bleu: 1, precisions: [1, 1, 1, 1], brevityPenalty: 1, lengthRatio: 1, translationLength: 7, referenceLength: 7 });
    const two = corpusBleu(preds, [['hello there general kenobi', 'hello there!'], ['foo bar foobar']].map((r) => r.map(tokenize13a)), NMT_BLEU);
    // the shortest reference ("hello there !", 3 tokens) sets r: 3 + 3 = 6
    expect(two).toMatchObject({ bleu: 1, precisions: [1, 1, 1, 1], brevityPenalty: 1, lengthRatio: 7 / 6, translationLength: 7, referenceLength: 6 });
    // torchtext's closest-length rule picks the 4-token reference instead
    expect(corpusBleu(preds, [['hello there general kenobi', 'hello there!'], ['foo bar foobar']].map((r) => r.map(tokenize13a))).referenceLength).toBe(7);
  });

  it(`3,000 WMT de→en sentences give 22.5855084573 (${NMT}, testEvaluate, BPE references)`, () => {
    const lines = (f: string) => gunzipSync(readFileSync(new URL(`./fixtures/nmt-deen/${f}.gz`, import.meta.url))).toString('utf8').split('\n').slice(0, -1);
    const translations = lines('deen_output').map((l) => l.trim().split(' '));
    const references = lines('deen_ref_bpe').map((l) => [l.trim().replaceAll('@@ ', '').split(' ')]);
    expect(translations).toHaveLength(3000);
    expect(100 * corpusBleu(translations, references, NMT_BLEU).bleu).toBeCloseTo(22.5855084573, 8);
  });

  it('smooth: Lin & Och add-one on every order, as compute_bleu(smooth=True)', () => {
    const r = corpusBleu([split('a b c')], [[split('a b d e')]], { ...NMT_BLEU, smooth: true });
    // matches [2, 1, 0, 0] of [3, 2, 1, 0] → (m + 1) / (l + 1)
    expect(r.precisions).toEqual([3 / 4, 2 / 3, 1 / 2, 1]);
    expect(r.bleu).toBeCloseTo(Math.exp(1 - 4 / 3) * Math.exp((Math.log(3 / 4) + Math.log(2 / 3) + Math.log(1 / 2)) / 4), 14);
  });
});

describe('corpusBleu properties and errors', () => {
  it('a corpus against itself scores 1 under both rules, with any number of extra references', () => {
    const corpus = [split('ein mann fährt fahrrad .'), split('zwei hunde spielen im schnee mit einem ball'), split('eine frau singt')];
    for (const rule of [TORCHTEXT_BLEU, NMT_BLEU]) {
      expect(corpusBleu(corpus, corpus.map((c) => [c]), rule).bleu).toBe(1);
      expect(corpusBleu(corpus, corpus.map((c) => [c, ['x']]), TORCHTEXT_BLEU).bleu).toBe(1);
    }
  });

  it('an empty translation scores 0 with brevity penalty 0 (nmt would divide by zero)', () => {
    const r = corpusBleu([[]], [[['a', 'b']]], NMT_BLEU);
    expect(r).toMatchObject({ bleu: 0, brevityPenalty: 0, lengthRatio: 0, translationLength: 0, referenceLength: 2 });
  });

  it('candidates shorter than N score 0 unsmoothed; closest ties go to the first reference listed (torchtext)', () => {
    expect(corpusBleu([['a', 'b']], [[['a', 'b']]]).bleu).toBe(0);
    expect(corpusBleu([split('a b c d')], [[split('a b c'), split('a b c d e')]]).referenceLength).toBe(3);
    expect(corpusBleu([split('a b c d')], [[split('a b c d e'), split('a b c')]]).referenceLength).toBe(5);
  });

  it('clear errors for mismatched corpora, missing references and wrong weights', () => {
    expect(() => corpusBleu([['a']], [])).toThrow(/1 candidates but 0 reference sets/);
    expect(() => corpusBleu([['a']], [[]])).toThrow(/candidate 0 has no reference/);
    expect(() => corpusBleu([['a']], [[['a']]], { maxOrder: 4, weights: [1] })).toThrow(/1 weights for maxOrder 4/);
    expect(() => corpusBleu([['a']], [[['a']]], { maxOrder: 0 })).toThrow(/maxOrder must be a positive integer/);
  });
});

describe(`sacreBleu against sacreBLEU (${SACRE})`, () => {
  // sacreBLEU's README example; its refs are two streams, ours are per hypothesis (the transpose)
  const streams = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const refs = streams[0].map((_, i) => streams.map((s) => s[i]));
  const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const EPSILON = 1e-8;
  const within = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThan(EPSILON);
  const raw = (h: string[], r: string[][], floor: number) => sacreBleu(h, r, { tokenize: 'none', smooth: 'floor', smoothValue: floor, effectiveOrder: true }).score / 100;

  it('test_corpus_bleu: default 48.530827, empty hypotheses 0, none 49.1919566, 13a, smooth none', () => {
    within(sacreBleu(hyps, refs).score, 48.530827);
    within(sacreBleu(['', '', ''], refs).score, 0);
    within(sacreBleu(hyps, refs, { tokenize: 'none' }).score, 49.1919566);
    within(sacreBleu(hyps, refs, { tokenize: '13a' }).score, 48.530827);
    within(sacreBleu(hyps, refs, { smooth: 'none' }).score, 48.530827);
  });

  it('test_max_ngram_order: orders 1–6 give 77.65, 60.50, 53.93, 48.53, 46.14, 43.28', () => {
    const want = ['77.65', '60.50', '53.93', '48.53', '46.14', '43.28'];
    want.forEach((w, i) => expect(sacreBleu(hyps, refs, { maxOrder: i + 1 }).score.toFixed(2)).toBe(w));
  });

  it('test_raw_bleu, test_effective_order, test_offset and test_statistics (raw_corpus_bleu: no tokenisation, floor, effective order)', () => {
    within(raw(['this is a test', 'another test'], [['ref1'], ['ref2']], 0.01), 0);
    within(raw(['this is a test'], [['this is a test']], 0.01), 1);
    within(raw(['this is a fest'], [['this is a test']], 0.01), 0.223606797749979);
    within(raw(['test'], [['a test']], 0.01), 0.3678794411714425);
    within(raw(['a test'], [['a test']], 0.01), 1);
    within(raw(['a little test'], [['a test']], 0.01), 0.03218297948685433);
    within(raw(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0.1), 0.1555722182);
    within(raw(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0), 0);
    const stats = sacreBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], { tokenize: 'none', smooth: 'floor', smoothValue: 0.01, effectiveOrder: true });
    expect({ counts: stats.counts, totals: stats.totals }).toEqual({ counts: [4, 2, 1, 0], totals: [6, 5, 4, 3] });
  });

  it('test_scoring and test_degenerate_statistics (BLEU.compute_bleu)', () => {
    within(sacreBleuFromStatistics({ counts: [9, 7, 5, 3], totals: [10, 8, 6, 4], sysLen: 11, refLen: 11 }, { smooth: 'none' }).score / 100, 0.8375922397);
    const degenerate: [number[], number[], number, number, number][] = [
      [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
      [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
      [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
      [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
      [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
      [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
    ];
    for (const [counts, totals, sysLen, refLen, offset] of degenerate) {
      expect(sacreBleuFromStatistics({ counts, totals, sysLen, refLen }, { smooth: 'floor', smoothValue: offset }).score).toBe(0);
    }
  });

  it('tokenize13a: symbols (not the apostrophe) split, . and , kept inside numbers, - split after a digit, entities unescaped', () => {
    // expected outputs from sacreBLEU's own regexes run in Python
    expect(tokenize13a("It wasn't surprising.")).toEqual(['It', "wasn't", 'surprising', '.']);
    expect(tokenize13a('a.b.c 3.x x.3 ^_^ {a|b}~')).toEqual(['a', '.', 'b', '.', 'c', '3', '.', 'x', 'x', '.', '3', '^', '_', '^', '{', 'a', '|', 'b', '}', '~']);
    expect(tokenize13a('1,000.5 and 3.14, 5-6 a-b &quot;x&quot; &amp; (y)')).toEqual(['1,000.5', 'and', '3.14', ',', '5', '-', '6', 'a-b', '"', 'x', '"', '&', '(', 'y', ')']);
  });

  it('identical corpora score 100; mismatched lengths and missing references throw', () => {
    expect(sacreBleu(hyps, hyps.map((h) => [h])).score).toBeCloseTo(100, 12);
    expect(() => sacreBleu(hyps, refs.slice(1))).toThrow(/3 candidates but 2 reference sets/);
    expect(() => sacreBleu(['a'], [[]])).toThrow(/candidate 0 has no reference/);
  });
});
