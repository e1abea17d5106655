/**
 * BERT — J. Devlin, M.-W. Chang, K. Lee, K. Toutanova, "BERT: Pre-training of Deep Bidirectional
 * Transformers for Language Understanding", NAACL 2019, https://arxiv.org/abs/1810.04805, §3 and
 * Appendix A.1, as google-research/bert `modeling.py` and `run_pretraining.py` write it:
 *
 *   x_0 = Dropout(LN(E_tok[ids] + E_pos[0..T) + E_seg[types]))    [B, T, d]   §3 "Input/Output Representations", Fig. 2
 *   x_l = LN(x' + Dropout(FFN(x'))),  x' = LN(x_{l−1} + Dropout(Attn(x_{l−1})))   post-norm layers (./block.ts), no causal mask
 *   FFN(x) = GELU(x W_1 + b_1) W_2 + b_2,  d_ff = 4d                            (Vaswani et al. 2017 §3.3; GELU as BERT)
 *
 * Heads on the encoder's output h = x_L:
 *
 *   masked LM (§3.1 Task #1; `cls/predictions`):   z = LN(GELU(h_i W_t + b_t)),  p(·|i) = softmax(z E_tokᵀ + b_V)   [M, V]
 *     (the output layer tied to the input embeddings, one bias per word; only at the M chosen positions i)
 *   pooler (`bert/pooler`):                         c = tanh(h_[CLS] W_p + b_p)                                 [B, d]
 *   classifier (§4.1, `run_classifier.py`):         logits = Dropout(c) W_c + b_c                              [B, K]
 *
 * LN's ε is 1e-12, dropout 0.1 on the embeddings, the attention weights and every residual branch
 * (A.2: "dropout probability of 0.1 on all layers"), every weight and embedding starts from a normal
 * truncated at two standard deviations, std 0.02 (`initializer_range`), every bias at 0 and every LN at
 * γ = 1, β = 0. Attention sees only the real tokens: padding is masked out of the keys (./masks.ts), so
 * the outputs at real positions do not depend on what the padded positions hold.
 *
 * Departures: GELU is the exact x·Φ(x) (./ops.ts; modeling.py uses the tanh approximation); there is no
 * next-sentence-prediction head (§3.1 Task #2; see {@link maskTokens} for what pre-training does here).
 *
 * BERT-Tiny (Turc et al. 2019, "Well-Read Students Learn Better"): 2 layers, d = 128, 2 heads, d_ff = 512.
 */
import { tf, Module, dropout, gelu, random, randomInt, softmaxCrossEntropy, type Initializer, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { Embedding, Linear, type LinearOptions } from '@paperzoo/seq-models';
import { TransformerLayer } from './block.js';
import { LayerNorm } from './layer-norm.js';
import { keyPaddingMask } from './masks.js';
import { LearnedPositions } from './positions.js';

/** The shape and recipe of a {@link Bert} (google-research/bert's `BertConfig`, plus the classifier). */
export interface BertOptions extends ModuleOptions {
  /** V, the vocabulary size (`vocab_size`). */
  vocabSize: number;
  /** Longest input (`max_position_embeddings`, 512 in BERT). */
  maxPositions: number;
  /** Segment (token type) vocabulary (`type_vocab_size`; default 2: sentence A and B). */
  typeVocabSize?: number;
  /** Encoder layers L (`num_hidden_layers`). */
  layers: number;
  /** Attention heads A (`num_attention_heads`). */
  heads: number;
  /** d, the hidden size H (`hidden_size`). */
  size: number;
  /** d_ff (`intermediate_size`; default 4·size). */
  innerSize?: number;
  /** Dropout on the embeddings and every residual branch (`hidden_dropout_prob`; default 0.1). */
  hiddenDropout?: number;
  /** Dropout on the attention weights (`attention_probs_dropout_prob`; default 0.1). */
  attentionDropout?: number;
  /** Std of the truncated-normal initialiser (`initializer_range`; default 0.02). */
  initializerRange?: number;
  /** LayerNorm ε (default 1e-12, modeling.py's). */
  normEpsilon?: number;
  /** Id of `[PAD]`: keys holding it are masked out when no explicit attention mask is given. */
  padId: number;
  /** Classes K of the classification head (default 2; 0 = no pooler and no classifier). */
  classes?: number;
  name?: string;
}

/** One batch of inputs: ids, and optionally the segments and which tokens are real. */
export interface BertInputs {
  /** Token ids [B, T] int32. */
  ids: tf.Tensor2D;
  /** Segment (token type) ids [B, T] int32: 0 for `[CLS] A [SEP]`, 1 for `B [SEP]` (default all 0). */
  tokenTypes?: tf.Tensor2D;
  /** 1 for a real token, 0 for padding, [B, T] (modeling.py's `input_mask`; default ids ≠ padId). */
  attentionMask?: tf.Tensor2D;
}

/** A masked-LM batch: corrupted inputs, and where and what to predict (see {@link maskTokens}). */
export interface MaskedLmBatch extends BertInputs {
  /** The chosen positions as flat indices b·T + t into the batch, [M] int32 (`masked_lm_positions`). */
  positions: tf.Tensor1D;
  /** The original tokens at those positions, [M] int32 (`masked_lm_ids`). */
  labels: tf.Tensor1D;
}

/** BERT's encoder with its masked-LM, pooler and classification heads (the file's header). */
export class Bert extends Module {
  readonly tokens: Embedding;
  readonly positions: LearnedPositions;
  readonly segments: Embedding;
  readonly embeddingNorm: LayerNorm;
  readonly layers: TransformerLayer[];
  /** The masked-LM head's transform W_t, b_t (`cls/predictions/transform/dense`). */
  readonly lmTransform: Linear;
  readonly lmNorm: LayerNorm;
  /** b_V [V], the output bias of the tied masked-LM layer (`cls/predictions/output_bias`). */
  readonly lmBias: Parameter;
  readonly pooler: Linear | null;
  readonly classifier: Linear | null;
  readonly options: Required<Omit<BertOptions, keyof ModuleOptions | 'name'>>;

  constructor(options: BertOptions) {
    super(options.name ?? 'bert');
    const o = (this.options = { typeVocabSize: 2, innerSize: 4 * options.size, hiddenDropout: 0.1, attentionDropout: 0.1, initializerRange: 0.02, normEpsilon: 1e-12, classes: 2, ...options });
    for (const [key, rate] of [['hiddenDropout', o.hiddenDropout], ['attentionDropout', o.attentionDropout]] as const) {
      if (!(rate >= 0 && rate < 1)) throw new RangeError(`${this.modelName}: ${key} must be in [0, 1), got ${rate}`);
    }
    const init: Initializer = { kind: 'truncatedNormal', std: o.initializerRange };
    const linear: LinearOptions = { init, biasInit: { kind: 'zeros' } };
    const norm = (name: string) => new LayerNorm(this.store, name, o.size, { epsilon: o.normEpsilon });
    this.tokens = new Embedding(this.store, 'embeddings/word', o.vocabSize, o.size, init); // E_tok [V, d]
    this.positions = new LearnedPositions(this.store, 'embeddings/position', o.maxPositions, o.size, init); // E_pos [T_max, d]
    this.segments = new Embedding(this.store, 'embeddings/token_type', o.typeVocabSize, o.size, init); // E_seg [2, d]
    this.embeddingNorm = norm('embeddings/norm');
    this.layers = Array.from({ length: o.layers }, (_, l) => new TransformerLayer(this.store, `encoder/layer${l + 1}`, {
      size: o.size, heads: o.heads, innerSize: o.innerSize, activation: 'gelu', norm: 'post', normEpsilon: o.normEpsilon, projection: linear, outputProjection: linear,
    }));
    this.lmTransform = new Linear(this.store, 'masked_lm/transform', o.size, o.size, linear); // W_t [d, d]
    this.lmNorm = norm('masked_lm/norm');
    this.lmBias = this.store.add('masked_lm/output_bias', [o.vocabSize], { kind: 'zeros' }); // b_V [V]
    this.pooler = o.classes > 0 ? new Linear(this.store, 'pooler', o.size, o.size, linear) : null; // W_p [d, d]
    this.classifier = o.classes > 0 ? new Linear(this.store, 'classifier', o.size, o.classes, linear) : null; // W_c [d, K]
    this.build(options);
  }

  /** The encoder: inputs → h = x_L [B, T, d]. Dropout only when `training`. */
  encode(inputs: BertInputs, options: { training: boolean }): tf.Tensor3D {
    const { ids } = inputs;
    const [batch, length] = ids.shape;
    const hidden = options.training ? this.options.hiddenDropout : 0;
    const attention = options.training ? this.options.attentionDropout : 0;
    return tf.tidy(() => {
      const real = inputs.attentionMask ?? tf.cast(tf.notEqual<tf.Tensor2D>(ids, this.options.padId), 'int32'); // [B, T]
      const mask = keyPaddingMask(real); // [B, 1, 1, T]
      const types = inputs.tokenTypes ?? tf.zeros<tf.Rank.R2>([batch, length], 'int32');
      let x = tf.add<tf.Tensor3D>(tf.add(this.tokens.apply(ids), this.positions.apply(length)), this.segments.apply(types)); // [B, T, d]
      x = dropout(this.embeddingNorm.apply(x), hidden);
      for (const layer of this.layers) x = layer.apply(x, { selfMask: mask, dropout: hidden, attentionDropout: attention });
      return x;
    });
  }

  /** The masked-LM logits at flat positions [M] of h [B, T, d] → [M, V] (the header's `cls/predictions`). */
  maskedLmLogits(hidden: tf.Tensor3D, positions: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => {
      const rows = tf.gather(tf.reshape<tf.Rank.R2>(hidden, [-1, this.options.size]), positions); // [M, d]
      const z = this.lmNorm.apply(gelu(this.lmTransform.apply(rows))); // [M, d]
      return tf.add<tf.Tensor2D>(tf.matMul(z, this.tokens.table.value, false, true), this.lmBias.value); // z E_tokᵀ + b_V  [M, V]
    });
  }

  /** Mean cross-entropy (nats) of the original tokens at the chosen positions only (§3.1: "we only predict the masked words"). */
  maskedLmLoss(batch: MaskedLmBatch, options: { training: boolean }): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.maskedLmLogits(this.encode(batch, options), batch.positions); // [M, V]
      return softmaxCrossEntropy(tf.oneHot(batch.labels, this.options.vocabSize), logits);
    });
  }

  /** The pooled [CLS] vector c = tanh(h_0 W_p + b_p) of h [B, T, d] → [B, d]. */
  pool(hidden: tf.Tensor3D): tf.Tensor2D {
    if (!this.pooler) throw new Error(`${this.modelName}: built with classes: 0, so it has no pooler`);
    const pooler = this.pooler;
    return tf.tidy(() => tf.tanh(pooler.apply(tf.reshape(tf.slice(hidden, [0, 0, 0], [-1, 1, -1]), [-1, this.options.size])))); // [B, d]
  }

  /** Class logits [B, K] of a batch (§4.1 "C ∈ R^H … log(softmax(C Wᵀ))"), dropout on c when `training`. */
  classify(inputs: BertInputs, options: { training: boolean }): tf.Tensor2D {
    if (!this.classifier) throw new Error(`${this.modelName}: built with classes: 0, so it has no classifier`);
    const classifier = this.classifier;
    return tf.tidy(() => classifier.apply(dropout(this.pool(this.encode(inputs, options)), options.training ? this.options.hiddenDropout : 0))); // [B, K]
  }

  /** ids [B, T] (one segment, padding = padId) → class logits [B, K]: the {@link Bert.classify} of a `ClassifierModel`. */
  apply(ids: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor2D {
    return this.classify({ ids: ids as tf.Tensor2D }, { training: options.training ?? false });
  }

  /**
   * The trainable variables a task uses: 'masked-lm' (embeddings, encoder, masked-LM head) or
   * 'classification' (embeddings, encoder, pooler, classifier — fine-tuning leaves the masked-LM head
   * out, as run_classifier.py does).
   */
  variablesFor(task: 'masked-lm' | 'classification'): Record<string, tf.Variable> {
    const skip = task === 'masked-lm' ? ['pooler/', 'classifier/'] : ['masked_lm/'];
    return Object.fromEntries(Object.entries(this.variables).filter(([name]) => !skip.some((s) => name.startsWith(s))));
  }
}

/** Options of {@link maskTokens}. */
export interface MaskTokensOptions {
  /** V: random replacements are drawn from [0, V) less the special ids. */
  vocabSize: number;
  /** Id of `[MASK]`. */
  maskId: number;
  /** Ids never chosen and never drawn as random replacements (`[PAD]`, `[CLS]`, `[SEP]`, `[MASK]`, …). */
  specialIds: readonly number[];
  /** Fraction of the non-special positions of a sequence to predict (`masked_lm_prob`; default 0.15). */
  maskProbability?: number;
  /** At most this many per sequence (`max_predictions_per_seq`; default no limit; BERT: 20 at length 128). */
  maxPredictions?: number;
}

/** The corrupted ids and the prediction targets of {@link maskTokens}. */
export interface MaskedTokens {
  /** The ids with the chosen positions replaced, [B·T] (row-major [B, T]). */
  inputIds: Int32Array;
  /** The chosen positions as flat indices b·T + t, increasing, [M]. */
  positions: Int32Array;
  /** The original ids at those positions, [M]. */
  labels: Int32Array;
}

/**
 * BERT's masking (§3.1 Task #1, Appendix A.1; `create_instances_from_document` → `create_masked_lm_predictions`
 * of create_pretraining_data.py): in each sequence of ids [B, T] (row-major), choose
 * n = min(maxPredictions, max(1, round(N · 0.15))) of its N non-special positions uniformly without
 * replacement; replace each chosen token with `[MASK]` with probability 0.8, with a random token with
 * probability 0.1, and leave it unchanged with probability 0.1 — "the i-th token is replaced with
 * (1) the [MASK] token 80% of the time (2) a random token 10% of the time (3) the unchanged i-th token 10%
 * of the time". The loss is taken at the chosen positions only. Random draws come from the global seeded
 * generator of @paperzoo/tensor (`random`, `randomInt`), so a seed fixes the masks.
 *
 * Pre-training here is masked LM alone on one segment (`[CLS] text [SEP]`): the next-sentence task
 * (§3.1 Task #2) is dropped, as RoBERTa (Liu et al. 2019, §4.2) found it does not help.
 */
export function maskTokens(ids: Int32Array, shape: readonly [number, number], options: MaskTokensOptions): MaskedTokens {
  const [batch, length] = shape;
  if (ids.length !== batch * length) throw new RangeError(`maskTokens: ${ids.length} ids do not fill [${batch}, ${length}]`);
  const probability = options.maskProbability ?? 0.15;
  if (!(probability > 0 && probability <= 1)) throw new RangeError(`maskTokens: maskProbability must be in (0, 1], got ${probability}`);
  const special = new Set(options.specialIds);
  const drawable = Array.from({ length: options.vocabSize }, (_, i) => i).filter((i) => !special.has(i)); // random replacements
  const inputIds = Int32Array.from(ids);
  const positions: number[] = [];
  for (let b = 0; b < batch; b++) {
    const candidates: number[] = [];
    for (let t = 0; t < length; t++) if (!special.has(ids[b * length + t])) candidates.push(b * length + t);
    if (candidates.length === 0) continue;
    const count = Math.min(options.maxPredictions ?? Infinity, Math.max(1, Math.round(candidates.length * probability)));
    for (let i = 0; i < count; i++) {
      const j = i + randomInt(candidates.length - i); // a partial Fisher–Yates shuffle: the first `count` are a uniform sample
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    const chosen = candidates.slice(0, count).sort((x, y) => x - y);
    for (const p of chosen) {
      const u = random();
      if (u < 0.8) inputIds[p] = options.maskId; // 80%: [MASK]
      else if (u >= 0.9) inputIds[p] = drawable[randomInt(drawable.length)]; // 10%: a random token
      // else 10%: unchanged
      positions.push(p);
    }
  }
  const flat = Int32Array.from(positions);
  return { inputIds, positions: flat, labels: Int32Array.from(flat, (p) => ids[p]) };
}

/** {@link maskTokens} as tensors for {@link Bert.maskedLmLoss}: ids [B, T] → a {@link MaskedLmBatch} (one segment). */
export function maskedLmBatch(ids: Int32Array, shape: readonly [number, number], options: MaskTokensOptions): MaskedLmBatch {
  const m = maskTokens(ids, shape, options);
  return {
    ids: tf.tensor2d(m.inputIds, [shape[0], shape[1]], 'int32'),
    positions: tf.tensor1d(m.positions, 'int32'),
    labels: tf.tensor1d(m.labels, 'int32'),
  };
}
