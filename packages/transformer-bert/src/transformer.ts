/**
 * The encoder–decoder Transformer — Vaswani et al. 2017, "Attention Is All You Need", §3, Figure 1,
 * https://arxiv.org/abs/1706.03762:
 *
 *   encoder:  e_0 = Dropout(E_src[x]·s + P[0..S))               [B, S, d]
 *             e_l = EncoderLayer(e_{l−1}, source padding mask)  (self-attention, FFN; ./block.ts)
 *   decoder:  h_0 = Dropout(E_tgt[y]·s + P[0..T))               [B, T, d]
 *             h_l = DecoderLayer(h_{l−1}, e_N)                  (causal self-attention, attention over e_N, FFN)
 *   logits  = h_N W_out (+ b)                                   [B, T, V_tgt]
 *
 * s = √d (§3.4: "we multiply those weights by √d_model"); P sinusoidal (§3.5) or learned; post-norm (the
 * paper) or pre-norm; W_out = E_tgtᵀ when tied (§3.4, Press & Wolf 2017). Defaults are the recipe of the
 * PyTorch tutorial this app reproduces (bentrevett/pytorch-seq2seq, legacy notebook 6, "Attention is All
 * You Need"): learned positions, no tying, a biased output layer, ReLU, post-norm, every weight matrix
 * Glorot-uniform (its `initialize_weights`, embeddings included), biases PyTorch's default.
 *
 * It is an {@link EncoderDecoder} of @paperzoo/seq-models, so seq-models' training loop, evaluation, greedy
 * and beam search and BLEU take it as they take the recurrent models. Teacher-forced passes (training,
 * the loss) run the decoder over all target positions at once under the causal mask; `decodeStep` (search,
 * free-running) runs it again over the prefix so far (no key/value cache: at most 50 tokens here).
 * Sequences are time-major at this interface ([S, B], as seq-models), batch-major inside.
 */
import { tf, softmaxCrossEntropyPerExample, type Initializer, glorotUniform } from '@paperzoo/tensor';
import { EncoderDecoder, Embedding, Linear, type DecodeOptions } from '@paperzoo/seq-models';
import { TransformerLayer, type NormOrder } from './block.js';
import { LayerNorm } from './layer-norm.js';
import { causalMask, paddingMask } from './masks.js';
import { LearnedPositions, sinusoidalPositions } from './positions.js';
import { smoothedLabels } from './label-smoothing.js';
import type { FeedForwardActivation } from './feed-forward.js';

/** Options of {@link Transformer}. */
export interface TransformerOptions {
  sourceVocabSize: number;
  targetVocabSize: number;
  /** d_model (tutorial 256, paper 512). */
  size: number;
  /** h (tutorial 8). */
  heads: number;
  /** d_ff (tutorial 512, paper 2048). */
  innerSize: number;
  encoderLayers: number;
  decoderLayers: number;
  /** Padding id of the source (masked keys). */
  sourcePad: number;
  /** Longest sequence (positions; tutorial 100). */
  maxLength: number;
  /** P_drop (§5.4; tutorial 0.1): embeddings, residual branches, attention weights, inside the FFN. */
  dropout?: number;
  positions?: 'learned' | 'sinusoidal';
  /** Multiply embeddings by √d (default true). */
  scaleEmbeddings?: boolean;
  /** Output layer = target embeddingᵀ (default false). */
  tieWeights?: boolean;
  norm?: Extract<NormOrder, 'post' | 'pre'>;
  activation?: FeedForwardActivation;
  /** Dropout inside the FFN after the activation (tutorial: yes; default true). */
  innerDropout?: boolean;
  seed?: number;
  allocate?: boolean;
  name?: string;
}

/** The decoder's state in search: the encoder's output, the source mask and the target prefix so far. */
export interface TransformerState {
  /** e_N [hyps, S, d]. */
  memory: tf.Tensor3D;
  /** [hyps, 1, 1, S]. */
  sourceMask: tf.Tensor4D;
  /** The tokens fed so far, [hyps, t] int32 (empty before the first step: t = 0 is represented by a [hyps, 0] tensor). */
  prefix: tf.Tensor2D;
}

/** The encoder–decoder Transformer (the file's header). */
export class Transformer extends EncoderDecoder<TransformerState> {
  readonly sourceEmbedding: Embedding;
  readonly targetEmbedding: Embedding;
  readonly sourcePositions: LearnedPositions | null;
  readonly targetPositions: LearnedPositions | null;
  readonly encoder: TransformerLayer[];
  readonly decoder: TransformerLayer[];
  readonly encoderNorm: LayerNorm | null;
  readonly decoderNorm: LayerNorm | null;
  readonly out: Linear | null;
  readonly config: Required<Omit<TransformerOptions, 'seed' | 'allocate' | 'name'>>;
  private sinusoids: tf.Tensor2D | null = null;

  constructor(options: TransformerOptions) {
    super({ sourceVocabSize: options.sourceVocabSize, targetVocabSize: options.targetVocabSize, embeddingSize: options.size, hiddenSize: options.size, dropout: options.dropout, seed: options.seed, allocate: options.allocate, name: options.name }, 'transformer');
    const c = (this.config = { dropout: 0, positions: 'learned', scaleEmbeddings: true, tieWeights: false, norm: 'post', activation: 'relu', innerDropout: true, ...options });
    const { size } = c;
    const glorot = (fanIn: number, fanOut: number): Initializer => glorotUniform(fanIn, fanOut);
    this.sourceEmbedding = new Embedding(this.store, 'source_embedding', c.sourceVocabSize, size, glorot(size, c.sourceVocabSize));
    this.targetEmbedding = new Embedding(this.store, 'target_embedding', c.targetVocabSize, size, glorot(size, c.targetVocabSize));
    const learned = c.positions === 'learned';
    this.sourcePositions = learned ? new LearnedPositions(this.store, 'source_positions', c.maxLength, size, glorot(size, c.maxLength)) : null;
    this.targetPositions = learned ? new LearnedPositions(this.store, 'target_positions', c.maxLength, size, glorot(size, c.maxLength)) : null;
    const layer = (name: string, crossAttention: boolean) => new TransformerLayer(this.store, name, {
      size, heads: c.heads, innerSize: c.innerSize, activation: c.activation, norm: c.norm, crossAttention,
      projection: { init: glorot(size, size) }, outputProjection: { init: glorot(size, size) },
      feedForwardInit: { inner: { init: glorot(size, c.innerSize) }, outer: { init: glorot(c.innerSize, size) } },
    });
    this.encoder = Array.from({ length: c.encoderLayers }, (_, l) => layer(`encoder${l + 1}`, false));
    this.decoder = Array.from({ length: c.decoderLayers }, (_, l) => layer(`decoder${l + 1}`, true));
    // pre-norm needs a final LayerNorm on each stack (the residual stream is never normalised otherwise)
    this.encoderNorm = c.norm === 'pre' ? new LayerNorm(this.store, 'encoder_norm', size) : null;
    this.decoderNorm = c.norm === 'pre' ? new LayerNorm(this.store, 'decoder_norm', size) : null;
    this.out = c.tieWeights ? null : new Linear(this.store, 'output', size, c.targetVocabSize, { init: glorot(size, c.targetVocabSize) });
    this.build(options);
    if (!learned && options.allocate !== false) this.sinusoids = sinusoidalPositions(c.maxLength, size); // a constant, owned by the model
  }

  /** E[ids]·s + P, dropout: ids [B, L] → [B, L, d]. */
  private embed(embedding: Embedding, positions: LearnedPositions | null, ids: tf.Tensor2D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const length = ids.shape[1];
      const scaled = this.config.scaleEmbeddings ? tf.mul(embedding.apply(ids), Math.sqrt(this.config.size)) : embedding.apply(ids);
      const p = positions ? positions.apply(length) : tf.slice(this.sinusoidTable(), [0, 0], [length, this.config.size]);
      return this.drop(tf.add<tf.Tensor3D>(scaled, p), training);
    });
  }

  private sinusoidTable(): tf.Tensor2D {
    if (!this.sinusoids) throw new Error(`${this.modelName}: built with allocate: false, it has no position table`);
    return this.sinusoids;
  }

  private layerCall(training: boolean) {
    const rate = training ? this.config.dropout : 0;
    return { dropout: rate, attentionDropout: rate, innerDropout: this.config.innerDropout ? rate : 0 };
  }

  /** source [B, S] batch-major → e_N [B, S, d] and the source mask [B, 1, 1, S]. */
  encodeBatchMajor(source: tf.Tensor2D, training: boolean): { memory: tf.Tensor3D; sourceMask: tf.Tensor4D } {
    const sourceMask = paddingMask(source, this.config.sourcePad);
    const memory = tf.tidy(() => {
      let x = this.embed(this.sourceEmbedding, this.sourcePositions, source, training);
      for (const l of this.encoder) x = l.apply(x, { ...this.layerCall(training), selfMask: sourceMask });
      return this.encoderNorm ? this.encoderNorm.apply(x) : x;
    });
    return { memory, sourceMask };
  }

  /** The decoder over a whole target prefix: ids [B, T] → logits [B, T, V] (causal: position t sees tokens ≤ t only). */
  decodeBatchMajor(target: tf.Tensor2D, memory: tf.Tensor3D, sourceMask: tf.Tensor4D, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length] = target.shape;
      let h = this.embed(this.targetEmbedding, this.targetPositions, target, training);
      const mask = causalMask(length);
      for (const l of this.decoder) h = l.apply(h, { ...this.layerCall(training), selfMask: mask, memory, memoryMask: sourceMask });
      if (this.decoderNorm) h = this.decoderNorm.apply(h);
      const flat = tf.reshape<tf.Rank.R2>(h, [batch * length, this.config.size]);
      const logits = this.out ? this.out.apply(flat) : tf.matMul(flat, this.targetEmbedding.table.value, false, true);
      return tf.reshape<tf.Rank.R3>(logits, [batch, length, this.config.targetVocabSize]);
    });
  }

  override encode(source: tf.Tensor2D, training: boolean): TransformerState {
    return tf.tidy(() => {
      const { memory, sourceMask } = this.encodeBatchMajor(tf.transpose(source), training);
      return { memory, sourceMask, prefix: tf.zeros<tf.Rank.R2>([source.shape[1], 0], 'int32') };
    });
  }

  override decodeStep(tokens: tf.Tensor1D, state: TransformerState, training: boolean): { logits: tf.Tensor2D; state: TransformerState } {
    return tf.tidy(() => {
      const prefix = tf.concat([state.prefix, tf.reshape<tf.Rank.R2>(tokens, [-1, 1])], 1); // [B, t+1]
      const logits = this.decodeBatchMajor(prefix, state.memory, state.sourceMask, training); // [B, t+1, V]
      const t = prefix.shape[1];
      const last = tf.reshape<tf.Rank.R2>(tf.slice(logits, [0, t - 1, 0], [-1, 1, -1]), [-1, this.config.targetVocabSize]);
      return { logits: last, state: { memory: tf.clone(state.memory), sourceMask: tf.clone(state.sourceMask), prefix } };
    });
  }

  /** Teacher-forced logits of target steps 1…T−1, [T−1, B, V], in one parallel pass (free-running: seq-models' step loop). */
  override forward(source: tf.Tensor2D, target: tf.Tensor2D, o: DecodeOptions): tf.Tensor3D {
    if (o.teacherForcing < 1) return super.forward(source, target, o);
    return tf.tidy(() => {
      const [steps] = target.shape;
      const { memory, sourceMask } = this.encodeBatchMajor(tf.transpose(source), o.training);
      const input = tf.transpose(tf.slice(target, [0, 0], [steps - 1, -1])); // [B, T−1]: <sos> y_1 … y_{T−2}
      return tf.transpose(this.decodeBatchMajor(input, memory, sourceMask, o.training), [1, 0, 2]); // [T−1, B, V]
    });
  }

  /**
   * Mean cross-entropy over the non-`pad` target tokens 1…T−1 (PyTorch's `CrossEntropyLoss(ignore_index=pad,
   * label_smoothing=ε)`), teacher-forced in one pass. `labelSmoothing` ε (§5.4): the target distribution is
   * (1 − ε)·onehot + ε/V (./label-smoothing.ts).
   */
  override loss(source: tf.Tensor2D, target: tf.Tensor2D, pad: number, o: DecodeOptions & { labelSmoothing?: number }): tf.Scalar {
    if (o.teacherForcing < 1) return super.loss(source, target, pad, o);
    return tf.tidy(() => {
      const vocab = this.config.targetVocabSize;
      const logits = tf.reshape<tf.Rank.R2>(this.forward(source, target, o), [-1, vocab]); // [(T−1)·B, V]
      const truth = tf.reshape<tf.Rank.R1>(tf.slice(target, [1, 0], [-1, -1]), [-1]); // [(T−1)·B]
      const mask = tf.cast(tf.notEqual(truth, pad), 'float32');
      const perToken = softmaxCrossEntropyPerExample(smoothedLabels(truth, vocab, o.labelSmoothing ?? 0), logits);
      return tf.div<tf.Scalar>(tf.sum(tf.mul(perToken, mask)), tf.maximum(tf.sum(mask), 1));
    });
  }

  override dispose(): void {
    this.sinusoids?.dispose();
    this.sinusoids = null;
    super.dispose();
  }
}
