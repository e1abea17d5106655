/**
 * Additive attention and the attention-based encoder–decoder — D. Bahdanau, K. Cho, Y. Bengio, "Neural
 * Machine Translation by Jointly Learning to Align and Translate", ICLR 2015 (https://arxiv.org/abs/1409.0473),
 * §3 and Appendix A, in the form of bentrevett/pytorch-seq2seq notebook 3 (2024).
 *
 * Encoder (§3.2, App. A.2.1): a bidirectional GRU reads the source; the annotation of word j is
 * h_j = [→h_j; ←h_j] [2u]. The decoder starts at s_0 = tanh(W_s [→h_S; ←h_1] + b) (the notebook uses the
 * last state of each direction; the paper ←h_1 only).
 *
 * Attention (§3.1, eq. 5–6; App. A.1.2 for a):
 *
 *   e_tj = a(s_{t−1}, h_j) = vᵀ tanh(W s_{t−1} + U h_j + b)      scores     [B, S]
 *   α_tj = exp(e_tj) / Σ_k exp(e_tk)                               weights    [B, S]
 *   c_t  = Σ_j α_tj h_j                                            context    [B, 2u]
 *
 * U h_j + b does not depend on t: it is computed once per sentence (`projectKeys`), as the paper notes.
 * W [u, a] and U [2u, a] are the two blocks of the notebook's `attn_fc` over cat(s, h) ([u + 2u, a] plus
 * the bias b), v [a] its `v_fc` (no bias).
 *
 * Decoder (notebook 3): s_t = GRU([E_y[y_{t−1}]; c_t], s_{t−1}); logits = W_o [s_t; c_t; E_y[y_{t−1}]] + b_o.
 * The notebook attends over padded source positions too; `maskPadding` sets their scores to −∞ instead.
 */
import { tf, type Initializer, type Parameter, type ParameterStore } from '@paperzoo/tensor';
import { Embedding, Linear } from './layers.js';
import { RecurrentLayer } from './rnn.js';
import { EncoderDecoder, reverseTime, type Seq2SeqOptions } from './seq2seq.js';

/** Options of {@link AdditiveAttention}. */
export interface AdditiveAttentionOptions {
  /** Size of the decoder state s (the query). */
  querySize: number;
  /** Size of an annotation h_j (the key and value). */
  keySize: number;
  /** Size of the hidden layer of a (the notebook: the decoder's hidden size). */
  attentionSize: number;
  /** Init of W, U and v; default U(±1/√fan_in) as torch.nn.Linear over cat(s, h). */
  init?: Initializer;
  /** Init of b; default as `init`. */
  biasInit?: Initializer;
}

/** a(s, h) = vᵀ tanh(W s + U h + b) (this file's header, eq. 6 and App. A.1.2). */
export class AdditiveAttention {
  readonly queryKernel: Parameter; // W [querySize, a]
  readonly keyKernel: Parameter; // U [keySize, a]
  readonly bias: Parameter; // b [a]
  readonly scoreVector: Parameter; // v [a, 1]

  constructor(store: ParameterStore, readonly name: string, readonly options: AdditiveAttentionOptions) {
    const { querySize, keySize, attentionSize } = options;
    const torchDefault: Initializer = { kind: 'uniform', limit: 1 / Math.sqrt(querySize + keySize) };
    const init = options.init ?? torchDefault;
    this.queryKernel = store.add(`${name}/queryKernel`, [querySize, attentionSize], init);
    this.keyKernel = store.add(`${name}/keyKernel`, [keySize, attentionSize], init);
    this.bias = store.add(`${name}/bias`, [attentionSize], options.biasInit ?? init);
    this.scoreVector = store.add(`${name}/scoreVector`, [attentionSize, 1], options.init ?? { kind: 'uniform', limit: 1 / Math.sqrt(attentionSize) });
  }

  /** U h_j + b for every annotation: keys [B, S, keySize] → [B, S, a]. Once per sentence. */
  projectKeys(keys: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length, size] = keys.shape;
      const flat = tf.matMul(tf.reshape<tf.Rank.R2>(keys, [batch * length, size]), this.keyKernel.value); // [B·S, a]
      return tf.reshape(tf.add(flat, this.bias.value), [batch, length, this.options.attentionSize]);
    });
  }

  /**
   * The weights α_t [B, S] (eq. 6) for queries s_{t−1} [B, querySize], given the projected keys [B, S, a];
   * with `mask` [B, S] (1 = a real source token, 0 = padding) padded positions get weight 0.
   */
  weights(query: tf.Tensor2D, projectedKeys: tf.Tensor3D, mask?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [batch, length, size] = projectedKeys.shape;
      const q = tf.expandDims(tf.matMul(query, this.queryKernel.value as tf.Tensor2D), 1); // W s [B, 1, a]
      const energy = tf.tanh(tf.add(projectedKeys, q)); // [B, S, a]
      let scores = tf.reshape<tf.Rank.R2>(tf.matMul(tf.reshape<tf.Rank.R2>(energy, [batch * length, size]), this.scoreVector.value), [batch, length]); // e_t [B, S]
      if (mask) scores = tf.where(tf.cast(mask, 'bool'), scores, tf.fill([batch, length], -1e9));
      return tf.softmax(scores); // α_t [B, S]
    });
  }

  /** c_t = Σ_j α_tj h_j: weights [B, S] and values [B, S, keySize] → [B, keySize]. */
  static context(weights: tf.Tensor2D, values: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => tf.squeeze<tf.Tensor2D>(tf.matMul(tf.expandDims(weights, 1), values), [1])); // [B, 1, S]·[B, S, k]
  }
}

/** The decoder state of {@link AttentionSeq2Seq}, all batch-major. */
export interface AttentionState {
  [key: string]: tf.Tensor;
  /** s_{t−1} [B, u]. */
  h: tf.Tensor2D;
  /** The annotations h_j [B, S, 2u]. */
  annotations: tf.Tensor3D;
  /** U h_j + b [B, S, a]. */
  projectedKeys: tf.Tensor3D;
  /** 1 for a real source token, 0 for padding [B, S] (all ones without `maskPadding`). */
  mask: tf.Tensor2D;
}

/** Options of {@link AttentionSeq2Seq}. */
export interface AttentionSeq2SeqOptions extends Seq2SeqOptions {
  /** Weight init; default N(0, 0.01) (notebook 3). */
  init?: Initializer;
  /** Bias init; default zeros (notebook 3). */
  biasInit?: Initializer;
  /** Give padded source positions zero attention (needs `pad`); the notebook does not. */
  maskPadding?: boolean;
  /** The padding id of the source (for `maskPadding`). */
  pad?: number;
}

/**
 * Bahdanau et al. 2015 as notebook 3 (this file's header): encoder and decoder hidden size u, attention
 * size u, embedding e; 20,518,405 parameters at the notebook's vocabularies (7,853 de, 5,893 en).
 */
export class AttentionSeq2Seq extends EncoderDecoder<AttentionState> {
  readonly sourceEmbedding: Embedding;
  readonly forwardEncoder: RecurrentLayer;
  readonly backwardEncoder: RecurrentLayer;
  readonly bridge: Linear;
  readonly attention: AdditiveAttention;
  readonly targetEmbedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Linear;

  constructor(readonly attentionOptions: AttentionSeq2SeqOptions) {
    super(attentionOptions, 'attention-seq2seq');
    const { sourceVocabSize, targetVocabSize, embeddingSize: e, hiddenSize: u } = attentionOptions;
    if (attentionOptions.maskPadding && attentionOptions.pad === undefined) throw new RangeError(`${this.modelName}: maskPadding needs the pad id`);
    const init = attentionOptions.init ?? { kind: 'normal', std: 0.01 };
    const biasInit = attentionOptions.biasInit ?? { kind: 'zeros' };
    const gru = { cell: 'gru', gruVariant: 'reset-after', hiddenSize: u, init, biasInit } as const;
    this.sourceEmbedding = new Embedding(this.store, 'encoder/embedding', sourceVocabSize, e, init);
    this.forwardEncoder = new RecurrentLayer(this.store, 'encoder/forward', { ...gru, inputSize: e });
    this.backwardEncoder = new RecurrentLayer(this.store, 'encoder/backward', { ...gru, inputSize: e });
    this.bridge = new Linear(this.store, 'encoder/bridge', 2 * u, u, { init, biasInit });
    this.attention = new AdditiveAttention(this.store, 'decoder/attention', { querySize: u, keySize: 2 * u, attentionSize: u, init, biasInit });
    this.targetEmbedding = new Embedding(this.store, 'decoder/embedding', targetVocabSize, e, init);
    this.decoder = new RecurrentLayer(this.store, 'decoder/gru', { ...gru, inputSize: e + 2 * u });
    this.output = new Linear(this.store, 'decoder/output', u + 2 * u + e, targetVocabSize, { init, biasInit });
    this.build(attentionOptions);
  }

  encode(source: tf.Tensor2D, training: boolean): AttentionState {
    return tf.tidy(() => {
      const batch = source.shape[1];
      const x = this.drop(this.sourceEmbedding.apply(source) as tf.Tensor3D, training); // [S, B, e]
      const fwd = this.forwardEncoder.forward(x, this.forwardEncoder.zeroState(batch)); // →h [S, B, u]
      const bwd = this.backwardEncoder.forward(reverseTime(x), this.backwardEncoder.zeroState(batch)); // ←h, read from the end
      const annotations = tf.transpose<tf.Tensor3D>(tf.concat([fwd.outputs, reverseTime(bwd.outputs)], 2), [1, 0, 2]); // h_j [B, S, 2u]
      const h = tf.tanh(this.bridge.apply(tf.concat([fwd.state.h, bwd.state.h], 1))); // s_0 [B, u]
      tf.dispose([fwd.state.h, bwd.state.h]);
      const mask = this.attentionOptions.maskPadding ? tf.cast(tf.notEqual(tf.transpose(source), this.attentionOptions.pad!), 'float32') : tf.ones([batch, source.shape[0]]); // [B, S]
      return { h, annotations, projectedKeys: this.attention.projectKeys(annotations), mask: mask as tf.Tensor2D };
    });
  }

  /** One decoder step; also returns the attention weights α_t [B, S]. */
  attend(tokens: tf.Tensor1D, state: AttentionState, training: boolean): { logits: tf.Tensor2D; state: AttentionState; weights: tf.Tensor2D } {
    return tf.tidy(() => {
      const embedded = this.drop(this.targetEmbedding.apply(tokens) as tf.Tensor2D, training); // [B, e]
      const weights = this.attention.weights(state.h, state.projectedKeys, this.attentionOptions.maskPadding ? state.mask : undefined); // α_t [B, S]
      const context = AdditiveAttention.context(weights, state.annotations); // c_t [B, 2u]
      const { h } = this.decoder.step(tf.concat([embedded, context], 1), { h: state.h, c: null }); // s_t [B, u]
      const logits = this.output.apply(tf.concat([h, context, embedded], 1)); // [B, 3u + e] → [B, V]
      const next = { h, annotations: state.annotations.clone(), projectedKeys: state.projectedKeys.clone(), mask: state.mask.clone() };
      return { logits, state: next, weights };
    });
  }

  decodeStep(tokens: tf.Tensor1D, state: AttentionState, training: boolean): { logits: tf.Tensor2D; state: AttentionState } {
    const { logits, state: next, weights } = this.attend(tokens, state, training);
    weights.dispose();
    return { logits, state: next };
  }
}
