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
