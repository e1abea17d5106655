/**
 * Encoder–decoder models for translation: read a source sentence x_1…x_S, then emit the target one
 * token at a time,
 *
 *   p(y_1…y_T | x) = Π_t p(y_t | y_<t, x),   p(y_t | y_<t, x) = softmax(g(y_{t−1}, s_t, …)).
 *
 * Two models of 2014, in the form of bentrevett/pytorch-seq2seq (2024 notebooks 1 and 2; sizes, dropout
 * and init are theirs and the defaults here):
 *
 * - {@link LstmSeq2Seq}: I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning with Neural
 *   Networks", NeurIPS 2014 (https://arxiv.org/abs/1409.3215), §2: a multi-layer LSTM reads x; its final
 *   (h, c) of every layer is the decoder LSTM's initial state, and
 *     s_t = LSTM(E_y[y_{t−1}], s_{t−1}),   p(y_t | ·) = softmax(W s_t + b)            (notebook 1)
 *   §3.3 reverses the source ("c, b, a → α, β, γ"), which puts the first source words next to the first
 *   target words: `reverseSource` (notebook 1 does not).
 * - {@link ContextGruSeq2Seq}: K. Cho et al., "Learning Phrase Representations using RNN Encoder–Decoder for
 *   Statistical Machine Translation", EMNLP 2014 (https://arxiv.org/abs/1406.1078), §2.2: a GRU reads x
 *   into one context vector c = h_S; the decoder starts at s_0 = c and sees c at every step and at the output:
 *     s_t = GRU([E_y[y_{t−1}]; c], s_{t−1}),   p(y_t | ·) = softmax(W [E_y[y_{t−1}]; s_t; c] + b)   (eq. 3–4, notebook 2)
 *
 * The additive-attention model of Bahdanau et al. is in attention.ts, on the same base class.
 *
 * Training (notebooks' `Seq2Seq.forward`): the decoder's first input is `<sos>`; at each later step the
 * input is the true previous token with probability `teacherForcing` (a coin per step, drawn from
 * @paperzoo/tensor's global generator, so a seed fixes every choice) and the model's own argmax otherwise.
 * The loss is the cross-entropy averaged over the non-padding target tokens (`CrossEntropyLoss(ignore_index=pad)`).
 *
 * Shapes: sentences are time-major, source [S, B] and target [T, B] int32 (row 0 of the target is `<sos>`);
 * decoder states are batch-major ([B, …] on axis 0), so beam search can gather hypotheses' rows.
 */
import { tf, Module, dropout, random, softmaxCrossEntropyPerExample, logSoftmax, type Initializer } from '@paperzoo/tensor';
import { Embedding, Linear } from './layers.js';
import { RecurrentLayer, RecurrentStack, type LayerState } from './rnn.js';
import type { SearchModel } from './search.js';

/** Frees every tensor of a decoder state (a container of tensors; nulls allowed). */
export function disposeState(state: unknown): void {
  tf.dispose(state as tf.TensorContainer);
}

/**
 * x [S, …] read backwards along time (axis 0), as a gather: it is one fast kernel each way on every
 * backend, where `tf.reverse` is not.
 */
export function reverseTime<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.gather<T>(x, tf.range(x.shape[0] - 1, -1, -1, 'int32'), 0));
}

/** What every encoder–decoder here is built from. */
export interface Seq2SeqOptions {
  sourceVocabSize: number;
  targetVocabSize: number;
  /** Embedding size of both languages (notebooks: 256). */
  embeddingSize: number;
  /** Recurrent units (notebooks: 512). */
  hiddenSize: number;
  /** Dropout on the embeddings (and, in the LSTM, between layers); notebooks 0.5. */
  dropout?: number;
  seed?: number;
  allocate?: boolean;
  name?: string;
}

/** How {@link EncoderDecoder.forward} runs the decoder. */
export interface DecodeOptions {
  /** Dropout on (training) or off. */
  training: boolean;
  /** Probability of feeding the true previous token rather than the model's argmax (notebooks: 0.5 in training, 0 in evaluation). */
  teacherForcing: number;
}

/**
 * The base of the three models: an encoder (`encode`), a one-step decoder (`decodeStep`), and what is
 * built from them — the training forward with teacher forcing, the masked loss, and a {@link SearchModel}
 * for greedy and beam search.
 */
export abstract class EncoderDecoder<D> extends Module {
  readonly dropoutRate: number;

  constructor(readonly options: Seq2SeqOptions, defaultName: string) {
    super(options.name ?? defaultName);
    this.dropoutRate = options.dropout ?? 0;
    if (!(this.dropoutRate >= 0 && this.dropoutRate < 1)) throw new RangeError(`${this.modelName}: dropout must be in [0, 1), got ${this.dropoutRate}`);
  }

  /** source [S, B] int32 → the decoder's initial state. */
  abstract encode(source: tf.Tensor2D, training: boolean): D;

  /** The previous tokens [B] int32 and the state → next-token logits [B, V] and the new state. */
  abstract decodeStep(tokens: tf.Tensor1D, state: D, training: boolean): { logits: tf.Tensor2D; state: D };

  /** Dropout at the model's rate when training. */
  protected drop<T extends tf.Tensor>(x: T, training: boolean): T {
    return training && this.dropoutRate > 0 ? dropout(x, this.dropoutRate) : x;
  }

  /** Runs the decoder over target steps 1…T−1, calling `onStep(t, logits [B, V])` for each. */
  private unroll(source: tf.Tensor2D, target: tf.Tensor2D, o: DecodeOptions, onStep: (t: number, logits: tf.Tensor2D) => void): void {
    const steps = target.shape[0];
    if (source.shape[1] !== target.shape[1]) throw new RangeError(`${this.modelName}: source [S, B] and target [T, B] must have the same batch, got [${source.shape.join(', ')}] and [${target.shape.join(', ')}]`);
    if (steps < 2) throw new RangeError(`${this.modelName}: a target needs <sos> and at least one token, got ${steps} rows`);
    const columns = tf.unstack(target) as tf.Tensor1D[]; // T × [B]
    let state = this.encode(source, o.training);
    let input = columns[0]; // <sos>
    try {
      for (let t = 1; t < steps; t++) {
        const out = this.decodeStep(input, state, o.training);
        disposeState(state); // a gradient tape keeps what its backward pass needs
        state = out.state;
        onStep(t, out.logits);
        if (t === steps - 1) break;
        const force = o.teacherForcing >= 1 || (o.teacherForcing > 0 && random() < o.teacherForcing);
        // the argmax read back and made anew: off the gradient tape (a gather's indices take no gradient)
        input = force ? columns[t] : tf.tensor1d(tf.argMax(out.logits, 1).dataSync() as Int32Array, 'int32'); // [B]
      }
    } finally {
      disposeState(state);
    }
  }

  /** Logits of target steps 1…T−1: [T−1, B, V] (the notebooks' `outputs[1:]`). */
  forward(source: tf.Tensor2D, target: tf.Tensor2D, o: DecodeOptions): tf.Tensor3D {
    return tf.tidy(() => {
      const logits: tf.Tensor2D[] = [];
      this.unroll(source, target, o, (_, l) => logits.push(l));
      return tf.stack<tf.Tensor2D>(logits) as tf.Tensor3D;
    });
  }

  /**
   * The mean cross-entropy over the target tokens 1…T−1 that are not `pad` (PyTorch's
   * `CrossEntropyLoss(ignore_index=pad)`), computed step by step ([B, V] at a time).
   */
  loss(source: tf.Tensor2D, target: tf.Tensor2D, pad: number, o: DecodeOptions): tf.Scalar {
    return tf.tidy(() => {
      const vocab = this.options.targetVocabSize;
      const columns = tf.unstack(target) as tf.Tensor1D[];
      const sums: tf.Scalar[] = [];
      const counts: tf.Scalar[] = [];
      this.unroll(source, target, o, (t, logits) => {
        const mask = tf.cast(tf.notEqual(columns[t], pad), 'float32'); // [B]
        sums.push(tf.sum(tf.mul(softmaxCrossEntropyPerExample(tf.oneHot(columns[t], vocab), logits), mask)));
        counts.push(tf.sum(mask));
      });
      return tf.div<tf.Scalar>(tf.addN(sums), tf.maximum(tf.addN(counts), 1));
    });
  }

  /**
   * Decoding one source sentence (ids, `<sos>`/`<eos>` included as in training) with greedySearch /
   * beamSearch: the search model and the initial state (the caller disposes the state).
   */
  searchModel(sourceIds: readonly number[]): { model: SearchModel<D>; state: D } {
    const source = tf.tensor2d(Int32Array.from(sourceIds), [sourceIds.length, 1], 'int32'); // [S, 1]
    const state = this.encode(source, false);
    source.dispose();
    const model: SearchModel<D> = {
      step: (tokens, s) => {
        const input = tf.tensor1d(tokens, 'int32'); // [hyps]
        const { logits, state: next } = this.decodeStep(input, s, false);
        const logProbs = logSoftmax<tf.Tensor2D>(logits); // [hyps, V]
        tf.dispose([input, logits]);
        return { logProbs, state: next };
      },
    };
    return { model, state };
  }
}

/** Options of {@link LstmSeq2Seq}. */
export interface LstmSeq2SeqOptions extends Seq2SeqOptions {
  /** LSTM layers of the encoder and of the decoder (notebook 1: 2; the paper: 4). */
  layers: number;
  /** Read the source backwards (Sutskever et al. §3.3); off in notebook 1. */
  reverseSource?: boolean;
  /** Init of every parameter; default U(±0.08) (§3.4, notebook 1). */
  init?: Initializer;
}

/**
 * Sutskever, Vinyals & Le 2014 §2 (this file's header), as notebook 1: embedding → dropout → L-layer LSTM
 * (dropout between layers) in both encoder and decoder; the decoder starts from the encoder's final (h, c);
 * logits = W h^L_t + b. Decoder state: one {h [B, u], c [B, u]} per layer.
 */
export class LstmSeq2Seq extends EncoderDecoder<LayerState[]> {
  readonly sourceEmbedding: Embedding;
  readonly encoder: RecurrentStack;
  readonly targetEmbedding: Embedding;
  readonly decoder: RecurrentStack;
  readonly output: Linear;
  readonly reverseSource: boolean;

  constructor(options: LstmSeq2SeqOptions) {
    super(options, 'lstm-seq2seq');
    const { sourceVocabSize, targetVocabSize, embeddingSize, hiddenSize, layers } = options;
    const init = options.init ?? { kind: 'uniform', limit: 0.08 };
    this.reverseSource = options.reverseSource ?? false;
    this.sourceEmbedding = new Embedding(this.store, 'encoder/embedding', sourceVocabSize, embeddingSize, init);
    this.encoder = new RecurrentStack(this.store, 'encoder/lstm', { cell: 'lstm', inputSize: embeddingSize, hiddenSize, layers, init });
    this.targetEmbedding = new Embedding(this.store, 'decoder/embedding', targetVocabSize, embeddingSize, init);
    this.decoder = new RecurrentStack(this.store, 'decoder/lstm', { cell: 'lstm', inputSize: embeddingSize, hiddenSize, layers, init });
    this.output = new Linear(this.store, 'decoder/output', hiddenSize, targetVocabSize, { init, biasInit: init });
    this.build(options);
  }

  encode(source: tf.Tensor2D, training: boolean): LayerState[] {
    let finals: LayerState[] = [];
    tf.tidy(() => {
      const ids = this.reverseSource ? reverseTime(source) : source; // [S, B]
      const x = this.drop(this.sourceEmbedding.apply(ids) as tf.Tensor3D, training); // [S, B, e]
      finals = this.encoder.forward(x, this.encoder.zeroState(source.shape[1]), (t) => this.drop(t, training)).states; // kept: L × {h, c} [B, u]
    });
    return finals;
  }

  decodeStep(tokens: tf.Tensor1D, state: LayerState[], training: boolean): { logits: tf.Tensor2D; state: LayerState[] } {
    let next: LayerState[] = [];
    const logits = tf.tidy(() => {
      const x = this.drop(this.targetEmbedding.apply(tokens) as tf.Tensor2D, training); // [B, e]
      const { output, states } = this.decoder.step(x, state, (t) => this.drop(t, training)); // [B, u]; states kept
      next = states;
      return this.output.apply(output); // [B, V]
    });
    return { logits, state: next };
  }
}

/** The decoder state of {@link ContextGruSeq2Seq}: s_t [B, u] and the fixed context c [B, u]. */
export interface ContextState {
  [key: string]: tf.Tensor2D;
  h: tf.Tensor2D;
  context: tf.Tensor2D;
}

/** Options of {@link ContextGruSeq2Seq}. */
export interface ContextGruSeq2SeqOptions extends Seq2SeqOptions {
  /** Init of every parameter; default N(0, 0.01) (notebook 2). */
  init?: Initializer;
}

/**
 * Cho et al. 2014 §2.2 (this file's header), as notebook 2: embedding → dropout → one GRU layer reads the
 * source; its last state is the context c = s_0; the decoder GRU reads [E_y[y_{t−1}]; c] and the output
 * layer [E_y[y_{t−1}]; s_t; c]. GRU in PyTorch's reset-after form.
 */
export class ContextGruSeq2Seq extends EncoderDecoder<ContextState> {
  readonly sourceEmbedding: Embedding;
  readonly encoder: RecurrentLayer;
  readonly targetEmbedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Linear;

  constructor(options: ContextGruSeq2SeqOptions) {
    super(options, 'context-gru-seq2seq');
    const { sourceVocabSize, targetVocabSize, embeddingSize: e, hiddenSize: u } = options;
    const init = options.init ?? { kind: 'normal', std: 0.01 };
    this.sourceEmbedding = new Embedding(this.store, 'encoder/embedding', sourceVocabSize, e, init);
    this.encoder = new RecurrentLayer(this.store, 'encoder/gru', { cell: 'gru', gruVariant: 'reset-after', inputSize: e, hiddenSize: u, init });
    this.targetEmbedding = new Embedding(this.store, 'decoder/embedding', targetVocabSize, e, init);
    this.decoder = new RecurrentLayer(this.store, 'decoder/gru', { cell: 'gru', gruVariant: 'reset-after', inputSize: e + u, hiddenSize: u, init });
    this.output = new Linear(this.store, 'decoder/output', e + 2 * u, targetVocabSize, { init, biasInit: init });
    this.build(options);
  }

  encode(source: tf.Tensor2D, training: boolean): ContextState {
    return tf.tidy(() => {
      const x = this.drop(this.sourceEmbedding.apply(source) as tf.Tensor3D, training); // [S, B, e]
      const { outputs, state } = this.encoder.forward(x, this.encoder.zeroState(source.shape[1]));
      outputs.dispose();
      return { h: state.h, context: state.h.clone() }; // s_0 = c = h_S [B, u]
    });
  }

  decodeStep(tokens: tf.Tensor1D, state: ContextState, training: boolean): { logits: tf.Tensor2D; state: ContextState } {
    return tf.tidy(() => {
      const embedded = this.drop(this.targetEmbedding.apply(tokens) as tf.Tensor2D, training); // [B, e]
      const { h } = this.decoder.step(tf.concat([embedded, state.context], 1), { h: state.h, c: null }); // [B, u]
      const logits = this.output.apply(tf.concat([embedded, h, state.context], 1)); // [B, e + 2u] → [B, V]
      return { logits, state: { h, context: state.context.clone() } };
    });
  }
}
