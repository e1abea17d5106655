/**
 * @paperzoo/transformer-bert — attention as code: the Transformer, GPT and BERT, each file opening with its paper.
 */
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { MASKED, causalMask, paddingMask, keyPaddingMask } from './masks.js';
export { sinusoidalPositions, LearnedPositions } from './positions.js';
export { scaledDotProductAttention, applyLinear, MultiHeadAttention, type MultiHeadAttentionOptions } from './attention.js';
export { FeedForward, type FeedForwardOptions, type FeedForwardActivation } from './feed-forward.js';
export { TransformerLayer, type TransformerLayerOptions, type LayerCall, type NormOrder } from './block.js';
export { Gpt, BigramLanguageModel, type GptOptions } from './gpt.js';
export { nanoGptLearningRate, randomWindows, estimateLoss, trainTokenModel, type TokenBatch, type TokenLossModel, type TrainTokenModelOptions, type TrainTokenModelResult } from './gpt-training.js';
export { Transformer, type TransformerOptions, type TransformerState } from './transformer.js';
export { smoothedLabels } from './label-smoothing.js';
export { noamLearningRate, bertLearningRate } from './schedules.js';
export {
  learnMergesFromWordCounts,
  learnByteLevelBpe,
  ByteLevelBpe,
  BYTE_TO_CHAR,
  GPT2_SPLIT_PATTERN,
  type BpeMerge,
  type LearnMergesOptions,
  type LearnedMerges,
  type LearnByteLevelBpeOptions,
  type ByteLevelBpeJson,
} from './bpe.js';
export {
  BasicTokenizer,
  WordpieceTokenizer,
  BertTokenizer,
  learnWordPieceVocabulary,
  joinWordPieces,
  BERT_SPECIAL_TOKENS,
  CONTINUATION_PREFIX,
  type BasicTokenizerOptions,
  type WordpieceTokenizerOptions,
  type BertTokenizerOptions,
  type EncodePairOptions,
  type BertEncoding,
  type LearnWordPieceOptions,
} from './wordpiece.js';
export { Bert, maskTokens, maskedLmBatch, type BertOptions, type BertInputs, type MaskedLmBatch, type MaskTokensOptions, type MaskedTokens } from './bert.js';
export { randomMaskedLmBatch, fixedMaskedLmBatches, evaluateMaskedLm, unigramMaskedAccuracy, pretrainMaskedLm, sentenceBatches, type WindowOptions, type MaskedLmEvaluation, type PretrainMaskedLmOptions } from './bert-training.js';
export { futureTokenCheck, type FutureTokenCheck } from './causal-check.js';
