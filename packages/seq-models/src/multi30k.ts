/**
 * Multi30k German → English as the bentrevett/pytorch-seq2seq notebooks (2024) prepare and score it:
 *
 * - every sentence tokenised with spaCy's rules, lowercased (`tokenizeMulti30k`; the tutorial's spaCy
 *   `de_core_news_sm` / `en_core_web_sm`), and wrapped in `<sos>` … `<eos>`;
 * - vocabularies from the training split with `min_freq = 2` and the specials `<unk> <pad> <sos> <eos>`
 *   (ids 0–3): 7,852 de / 5,893 en here, 7,853 / 5,893 in the notebooks;
 * - BLEU as the notebooks' last cells: each greedy translation (`translation[1:-1]`) joined by spaces, then
 *   prediction and reference tokenised again with the English rules and lowercased, and Hugging Face
 *   evaluate's "bleu" (tensorflow/nmt `compute_bleu`, unsmoothed, N = 4) over the test set, `<unk>` kept.
 */
import { loadMulti30k, type Multi30kSplit } from '@paperzoo/datasets';
import { NMT_BLEU, corpusBleu } from './bleu.js';
import type { SentencePairs } from './seq2seq-training.js';
import { tokenizeMulti30k } from './tokenize.js';
import { SEQ2SEQ_SPECIALS, buildVocabulary, type TokenVocabulary } from './vocabulary.js';

/** The three splits, as ids, with the vocabularies and the raw English test references. */
export interface Multi30kTranslation {
  train: SentencePairs;
  valid: SentencePairs;
  test: SentencePairs;
  sourceVocab: TokenVocabulary;
  targetVocab: TokenVocabulary;
  /** The untokenised English test sentences (the BLEU references). */
  testReferences: string[];
  /** Ids of the specials (the same in both vocabularies). */
  ids: { unk: number; pad: number; sos: number; eos: number };
}

/** Loads and prepares Multi30k de → en (this file's header). */
export async function loadMulti30kTranslation(): Promise<Multi30kTranslation> {
  const splits = await Promise.all((['train', 'valid', 'test'] as Multi30kSplit[]).map((split) => loadMulti30k({ split })));
  const wrap = (tokens: string[]) => ['<sos>', ...tokens, '<eos>'];
  const tokenised = splits.map((s) => ({ de: s.source.map((x) => wrap(tokenizeMulti30k(x, 'de'))), en: s.target.map((x) => wrap(tokenizeMulti30k(x, 'en'))) }));
  const vocabOf = (lists: string[][]) => buildVocabulary(lists, { minFreq: 2, specials: SEQ2SEQ_SPECIALS });
  const sourceVocab = vocabOf(tokenised[0].de);
  const targetVocab = vocabOf(tokenised[0].en);
  const [train, valid, test] = tokenised.map((t) => ({ source: t.de.map((x) => sourceVocab.encode(x)), target: t.en.map((x) => targetVocab.encode(x)) }));
  const id = (t: string) => sourceVocab.idOf(t)!;
  return { train, valid, test, sourceVocab, targetVocab, testReferences: splits[2].target, ids: { unk: id('<unk>'), pad: id('<pad>'), sos: id('<sos>'), eos: id('<eos>') } };
}

/** The notebooks' BLEU (this file's header) of translations (target ids, `translation[1:-1]`) against English references, in [0, 100]. */
export function multi30kBleu(translations: readonly (readonly number[])[], references: readonly string[], targetVocab: TokenVocabulary): number {
  const predictions = translations.map((ids) => tokenizeMulti30k(targetVocab.decode(ids).join(' '), 'en'));
  return 100 * corpusBleu(predictions, references.map((r) => [tokenizeMulti30k(r, 'en')]), NMT_BLEU).bleu;
}
