/**
 * A decoder-only Transformer language model — GPT-2: A. Radford, J. Wu, R. Child, D. Luan, D. Amodei,
 * I. Sutskever, "Language Models are Unsupervised Multitask Learners", 2019, §2.3, as written in
 * A. Karpathy's nanoGPT (github.com/karpathy/nanoGPT, model.py), which this follows line by line:
 *
 *   x_0 = W_te[ids] + W_pe[0..T)                         [B, T, d]     token + learned position embeddings
 *   x_l = x_{l−1} + Attn(LN(x_{l−1}))  (causal)          [B, T, d]     pre-norm blocks (./block.ts)
 *   x_l = x_l + MLP(LN(x_l))                                           MLP: d → 4d, GELU, → d
 *   logits = LN(x_L) W_teᵀ                               [B, T, V]     the output layer tied to W_te (Press & Wolf 2017)
 *
 * Initialisation (GPT-2 §2.3, nanoGPT `_init_weights`): every linear and embedding weight N(0, 0.02²),
 * biases 0, and the projections back into the residual stream (W^O and the MLP's second layer)
 * N(0, (0.02/√(2L))²) "to account for the accumulation on the residual path with model depth".
 * `init: 'torch'` gives PyTorch's defaults instead (the lecture models of the ablation ladder).
 * Loss: the mean cross-entropy of the next character at every position.
 */
import { tf, Module, dropout, random, softmaxCrossEntropy, type Initializer, type ModuleOptions } from '@paperzoo/tensor';
import { Embedding, Linear, type LinearOptions } from '@paperzoo/seq-models';
import { TransformerLayer, type NormOrder } from './block.js';
import { LayerNorm } from './layer-norm.js';
import { causalMask } from './masks.js';
import { LearnedPositions } from './positions.js';
import type { FeedForwardActivation } from './feed-forward.js';

/** The shape and recipe of a {@link Gpt} (nanoGPT's `GPTConfig`, plus the ablation switches). */
export interface GptOptions extends ModuleOptions {
  vocabSize: number;
  /** Longest context (positions). */
  blockSize: number;
  layers: number;
  heads: number;
  /** d_model (nanoGPT `n_embd`). */
  size: number;
  /** Dropout on the embeddings, the attention weights and every residual branch (nanoGPT's one `dropout`). */
  dropout?: number;
  /** Biases in the linear layers and LayerNorms (nanoGPT's `bias`; default false, as its train.py). */
  bias?: boolean;
  /** Output layer = W_teᵀ (default true). */
  tieWeights?: boolean;
  /** d_ff (default 4·size); 0 = no MLP (the ablation ladder). */
  innerSize?: number;
  activation?: FeedForwardActivation;
  /** 'pre' (GPT-2, default) or 'none' (the ablation ladder; then no final LayerNorm either). */
  norm?: Extract<NormOrder, 'pre' | 'none'>;
  /** Residual connections (default true). */
  residual?: boolean;
  /** 'gpt2' (default: the header's) or 'torch' (PyTorch defaults: embeddings N(0, 1), linear layers U(±1/√in)). */
  init?: 'gpt2' | 'torch';
  name?: string;
}

/** A GPT: ids [B, T] → next-token logits [B, T, V]. */
export class Gpt extends Module {
  readonly tokens: Embedding;
  readonly positions: LearnedPositions;
  readonly layers: TransformerLayer[];
  readonly finalNorm: LayerNorm | null;
  readonly head: Linear | null;
  readonly options: Required<Omit<GptOptions, keyof ModuleOptions | 'name'>>;

  constructor(options: GptOptions) {
    super(options.name ?? 'gpt');
    const o = (this.options = { dropout: 0, bias: false, tieWeights: true, innerSize: 4 * options.size, activation: 'gelu', norm: 'pre', residual: true, init: 'gpt2', ...options });
    if (!(o.dropout >= 0 && o.dropout < 1)) throw new RangeError(`${this.modelName}: dropout must be in [0, 1), got ${o.dropout}`);
    if (o.norm === 'pre' && !o.residual) throw new RangeError(`${this.modelName}: pre-norm needs the residual connections (x + Sublayer(LN(x)))`);
    const gpt2 = o.init === 'gpt2';
    const normal = (std: number): Initializer => ({ kind: 'normal', std });
    const embeddingInit = gpt2 ? normal(0.02) : normal(1);
    const linear = (std: number): LinearOptions => (gpt2 ? { init: normal(std), biasInit: { kind: 'zeros' }, bias: o.bias } : { bias: o.bias });
    this.tokens = new Embedding(this.store, 'token_embedding', o.vocabSize, o.size, embeddingInit); // W_te [V, d]
    this.positions = new LearnedPositions(this.store, 'position_embedding', o.blockSize, o.size, embeddingInit); // W_pe [T_max, d]
    this.layers = Array.from({ length: o.layers }, (_, l) => new TransformerLayer(this.store, `block${l + 1}`, {
      size: o.size, heads: o.heads, innerSize: o.innerSize, activation: o.activation, norm: o.norm, residual: o.residual, normBias: o.bias,
      projection: linear(0.02), outputProjection: linear(0.02 / Math.sqrt(2 * o.layers)),
    }));
    this.finalNorm = o.norm === 'pre' ? new LayerNorm(this.store, 'final_norm', o.size, { bias: o.bias }) : null;
    this.head = o.tieWeights ? null : new Linear(this.store, 'head', o.size, o.vocabSize, linear(0.02));
    this.build(options);
  }

  /** ids [B, T] int32 (T ≤ blockSize) → logits [B, T, V]. Dropout only when `training`. */
  forward(ids: tf.Tensor2D, options: { training: boolean }): tf.Tensor3D {
    const [batch, length] = ids.shape;
    const rate = options.training ? this.options.dropout : 0;
    return tf.tidy(() => {
      const mask = causalMask(length); // [1, 1, T, T]
      let x = tf.add<tf.Tensor3D>(this.tokens.apply(ids), this.positions.apply(length)); // [B, T, d]
      x = dropout(x, rate);
      for (const layer of this.layers) x = layer.apply(x, { selfMask: mask, dropout: rate, attentionDropout: rate });
      if (this.finalNorm) x = this.finalNorm.apply(x);
      const flat = tf.reshape<tf.Rank.R2>(x, [batch * length, this.options.size]); // [B·T, d]
      const logits = this.head ? this.head.apply(flat) : tf.matMul(flat, this.tokens.table.value, false, true); // [B·T, V]
      return tf.reshape(logits, [batch, length, this.options.vocabSize]);
    });
  }

  /** Mean cross-entropy (nats) of targets [B, T] under the logits of ids [B, T]. */
  loss(ids: tf.Tensor2D, targets: tf.Tensor2D, options: { training: boolean }): tf.Scalar {
    return tf.tidy(() => {
      const logits = tf.reshape(this.forward(ids, options), [-1, this.options.vocabSize]); // [B·T, V]
      return softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), this.options.vocabSize), logits);
    });
  }

  /**
   * Sample `count` tokens after `context` (nanoGPT `generate`): the last blockSize tokens in, the last
   * position's logits / temperature, only the topK most likely kept (0 = all), one draw from the global
   * seeded generator of @paperzoo/tensor per token.
   */
  generate(context: readonly number[], count: number, options: { temperature?: number; topK?: number } = {}): number[] {
    const temperature = options.temperature ?? 1;
    const topK = options.topK ?? 0;
    if (!(temperature > 0)) throw new RangeError(`generate: temperature must be > 0, got ${temperature}`);
    if (context.length === 0) throw new RangeError('generate: give at least one context token');
    const out = [...context];
    for (let i = 0; i < count; i++) {
      const window = out.slice(-this.options.blockSize);
      const last = tf.tidy(() => {
        const logits = this.forward(tf.tensor2d(window, [1, window.length], 'int32'), { training: false }); // [1, T, V]
        return tf.softmax(tf.div(tf.reshape(tf.slice(logits, [0, window.length - 1, 0], [1, 1, -1]), [-1]), temperature)).dataSync() as Float32Array;
      });
      out.push(sampleFrom(last, topK));
    }
    return out.slice(context.length);
  }
}

/** One draw from probabilities p (keeping the topK largest when topK > 0), with the global generator. */
function sampleFrom(p: Float32Array, topK: number): number {
  let keep = Array.from(p.keys());
  if (topK > 0 && topK < p.length) keep = keep.sort((a, b) => p[b] - p[a] || a - b).slice(0, topK).sort((a, b) => a - b);
  const total = keep.reduce((s, i) => s + p[i], 0);
  let u = random() * total;
  for (const i of keep) {
    u -= p[i];
    if (u < 0) return i;
  }
  return keep[keep.length - 1];
}

/**
 * The bigram model of the ablation ladder (Karpathy, "Let's build GPT", 2023): the next token's logits
 * are a row of a [V, V] table looked up by the current token — no context beyond one token.
 */
export class BigramLanguageModel extends Module {
  readonly table: Embedding;

  constructor(readonly vocabSize: number, options: ModuleOptions = {}) {
    super('bigram');
    this.table = new Embedding(this.store, 'table', vocabSize, vocabSize); // [V, V], N(0, 1) as nn.Embedding
    this.build(options);
  }

  /** ids [B, T] → logits [B, T, V]. */
  forward(ids: tf.Tensor2D): tf.Tensor3D {
    return this.table.apply(ids) as tf.Tensor3D;
  }

  loss(ids: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => softmaxCrossEntropy(tf.oneHot(tf.reshape(targets, [-1]), this.vocabSize), tf.reshape(this.forward(ids), [-1, this.vocabSize])));
  }
}
