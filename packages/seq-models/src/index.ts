/**
 * @paperzoo/seq-models — recurrent networks as code, each file opening with its paper.
 */
export * from './layers.js';
export * from './rnn.js';
export * from './language-model.js';
export * from './lm-training.js';
export {
  corpusBleu,
  sacreBleu,
  sacreBleuFromStatistics,
  tokenize13a,
  TORCHTEXT_BLEU,
  NMT_BLEU,
  type BleuResult,
  type CorpusBleuOptions,
  type ReferenceLengthRule,
  type SacreBleuOptions,
  type SacreBleuResult,
  type SacreBleuSmoothing,
} from './bleu.js';
export { buildVocabulary, compareCodePoints, TokenVocabulary, SEQ2SEQ_SPECIALS, type BuildVocabularyOptions } from './vocabulary.js';
export {
  greedySearch,
  beamSearch,
  gatherState,
  lengthPenalty,
  type SearchModel,
  type StepOutput,
  type SearchOptions,
  type BeamSearchOptions,
  type BeamSearchResult,
  type Hypothesis,
  type LengthNormalization,
} from './search.js';
export { tokenizeMulti30k, tokenizeChars, MULTI30K_VOCAB_SIZES, type Multi30kLanguage } from './tokenize.js';
export { EncoderDecoder, LstmSeq2Seq, ContextGruSeq2Seq, disposeState, type Seq2SeqOptions, type DecodeOptions, type LstmSeq2SeqOptions, type ContextGruSeq2SeqOptions, type ContextState } from './seq2seq.js';
export { AdditiveAttention, AttentionSeq2Seq, type AdditiveAttentionOptions, type AttentionSeq2SeqOptions, type AttentionState } from './attention.js';
export {
  padTimeMajor,
  pairBatches,
  evaluateSeq2Seq,
  freeRunningAccuracy,
  trainSeq2Seq,
  greedyTranslate,
  compareSearches,
  type SearchComparison,
  type SentencePairs,
  type PairBatch,
  type TrainSeq2SeqOptions,
  type TrainSeq2SeqResult,
  type TranslateOptions,
} from './seq2seq-training.js';
export { syntheticPairs, SYNTHETIC_IDS, type SyntheticPairsOptions } from './synthetic-translation.js';
export { loadMulti30kTranslation, multi30kBleu, type Multi30kTranslation } from './multi30k.js';
