/**
 * A recurrent language model: embedding → stacked RNN/LSTM/GRU → linear → softmax over the vocabulary,
 * p(w_{t+1} | w_1..w_t). The model of Zaremba, Sutskever & Vinyals 2014 ("Recurrent Neural Network
 * Regularization", arXiv:1409.2329, §3–4) and of pytorch/examples' word_language_model:
 *
 *   x_t = E[w_t]                       [B, e]      (dropout on it: §3, non-recurrent connection)
 *   h^l_t = cell(h^{l-1}_t, h^l_{t-1})  [B, u]      (dropout between layers, never on h^l_{t-1})
 *   logits_t = dropout(h^L_t)·W + b     [B, V]
 *
 * Optional weight tying (Press & Wolf 2017, "Using the Output Embedding to Improve Language Models",
 * arXiv:1608.05859; Inan et al. 2017): W = Eᵀ, which needs e = u.
 */
import { tf, Module, dropout, type Initializer } from '@paperzoo/tensor';
import { Embedding, Linear } from './layers.js';
import { RecurrentStack, type CellType, type GruVariant, type LayerState } from './rnn.js';

/** Options of {@link RecurrentLanguageModel}. */
export interface LanguageModelOptions {
  vocabSize: number;
  embeddingSize: number;
  hiddenSize: number;
  layers: number;
  cell: CellType;
  gruVariant?: GruVariant;
  /** Dropout rate on every non-recurrent connection (0 = none). */
  dropout?: number;
  /** Tie the output matrix to the embedding (needs embeddingSize = hiddenSize). */
  tieWeights?: boolean;
  /** One init for every parameter (Zaremba: U(±0.1)); default: PyTorch's per layer. */
  init?: Initializer;
  seed?: number;
  allocate?: boolean;
  /** Model name (seeds the init); default `<cell>-lm`. */
  name?: string;
}

/** Logits and the states after the window. */
export interface LanguageModelOutput {
  /** [T·B, V], time-major rows: row t·B + b is step t of column b. */
  logits: tf.Tensor2D;
  states: LayerState[];
}

export class RecurrentLanguageModel extends Module {
  readonly embedding: Embedding;
  readonly rnn: RecurrentStack;
  readonly output: Linear | null;
  readonly outputBias: ReturnType<Module['store']['add']> | null;
  readonly options: Required<Pick<LanguageModelOptions, 'dropout' | 'tieWeights'>> & LanguageModelOptions;

  constructor(options: LanguageModelOptions) {
    super(options.name ?? `${options.cell}-lm`);
    this.options = { dropout: 0, tieWeights: false, ...options };
    const { vocabSize, embeddingSize, hiddenSize, init } = options;
    if (this.options.tieWeights && embeddingSize !== hiddenSize) throw new RangeError(`${this.modelName}: tieWeights needs embeddingSize = hiddenSize, got ${embeddingSize} and ${hiddenSize}`);
    if (!(this.options.dropout >= 0 && this.options.dropout < 1)) throw new RangeError(`${this.modelName}: dropout must be in [0, 1), got ${this.options.dropout}`);
    this.embedding = new Embedding(this.store, 'embedding', vocabSize, embeddingSize, init);
    this.rnn = new RecurrentStack(this.store, 'rnn', { cell: options.cell, gruVariant: options.gruVariant, inputSize: embeddingSize, hiddenSize, layers: options.layers, init });
    if (this.options.tieWeights) {
      this.output = null;
      this.outputBias = this.store.add('output/bias', [vocabSize], init ?? { kind: 'zeros' });
    } else {
      this.output = new Linear(this.store, 'output', hiddenSize, vocabSize, init ? { init, biasInit: init } : {});
      this.outputBias = null;
    }
    this.build(options);
  }

  zeroState(batch: number): LayerState[] {
    return this.rnn.zeroState(batch);
  }

  /** tokens [T, B] int32 and the states before them → logits [T·B, V] and the states after. */
  forward(tokens: tf.Tensor2D, states: readonly LayerState[], opts: { training: boolean }): LanguageModelOutput {
    const [steps, batch] = tokens.shape;
    const rate = opts.training ? this.options.dropout : 0;
    const drop = <T extends tf.Tensor>(t: T): T => (rate > 0 ? dropout(t, rate) : t);
    let finals: LayerState[] = [];
    const logits = tf.tidy(() => {
      const x = drop(this.embedding.apply(tokens) as tf.Tensor3D); // [T, B, e]
      const { outputs, states: s } = this.rnn.forward(x, states, drop); // [T, B, u]
      finals = s;
      const top = drop(tf.reshape<tf.Rank.R2>(outputs, [steps * batch, this.options.hiddenSize])); // [T·B, u]
      if (this.output) return this.output.apply(top); // [T·B, V]
      return tf.add<tf.Tensor2D>(tf.matMul(top, this.embedding.table.value, false, true), this.outputBias!.value); // top·Eᵀ + b
    });
    return { logits, states: finals };
  }
}

/**
 * The largest hidden size whose language model (`options` with that hiddenSize) has at most `target`
 * trainable parameters: how papers compare cells "at an equal number of parameters" (Chung et al. 2014,
 * Table 1). Counted without allocating.
 */
export function hiddenSizeForParameterCount(options: Omit<LanguageModelOptions, 'hiddenSize' | 'allocate'>, target: number): number {
  const count = (hiddenSize: number) => new RecurrentLanguageModel({ ...options, hiddenSize, allocate: false }).parameterCount();
  if (count(1) > target) throw new RangeError(`hiddenSizeForParameterCount: even 1 unit gives ${count(1)} parameters, more than ${target}`);
  let [lo, hi] = [1, 1];
  while (count(hi) <= target) hi *= 2;
  while (lo < hi - 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid) <= target) lo = mid;
    else hi = mid;
  }
  return lo;
}
