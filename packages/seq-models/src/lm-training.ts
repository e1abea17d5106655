/**
 * Training and evaluating a language model with truncated backpropagation through time (Williams &
 * Peng 1990; the recipe of Zaremba et al. 2014 §4 and pytorch/examples' word_language_model):
 *
 * - the token stream is cut into B parallel columns ([steps, B], `batchify`), and each training step
 *   reads a window of `bptt` steps ([bptt, B]) and predicts each next token;
 * - the hidden state is carried from one window to the next (detached: gradients stop at the window
 *   boundary) and reset to zero at the start of every epoch (the authors' `reset_state`);
 * - the window's cost is the cross-entropy summed over its `bptt` steps and averaged over the batch
 *   (the authors' code: each step's ClassNLLCriterion is a batch mean, and the backward pass gets
 *   ∂/∂err_t = 1 for every step), or, with `loss: 'mean'`, the per-token mean (pytorch/examples);
 * - the carried state lives in non-trainable variables, so a checkpoint holds it and a killed run
 *   resumes mid-epoch exactly.
 */
import { tf } from '@paperzoo/tensor';
import { fit, crossEntropyWithLogits, type Schedule, type FitContext, type FitOptimizer, type FitResult, type EpochInfo } from '@paperzoo/repro';
import { batchify, type Batchified } from '@paperzoo/datasets';
import type { RecurrentLanguageModel } from './language-model.js';
import { disposeStates, type LayerState } from './rnn.js';

/** One window: input [T, B] and the next tokens [T·B] (time-major), as int32 arrays. */
export interface LmWindow {
  input: Int32Array;
  target: Int32Array;
  steps: number;
  batch: number;
}

/**
 * The window at step `i`: inputs rows [i, i + len), targets rows [i + 1, i + 1 + len), len =
 * min(bptt, source.steps − 1 − i).
 */
export function lmWindow(source: Batchified, i: number, bptt: number): LmWindow {
  const len = Math.min(bptt, source.steps - 1 - i);
  if (!(len > 0) || i < 0) throw new RangeError(`lmWindow: step ${i} leaves no target in a source of ${source.steps} steps`);
  const B = source.batchSize;
  return { input: source.data.slice(i * B, (i + len) * B), target: source.data.slice((i + 1) * B, (i + 1 + len) * B), steps: len, batch: B };
}

/** Full windows of `bptt` steps in a source (a last, shorter window is dropped, as the authors' code does). */
export function fullWindowCount(source: Batchified, bptt: number): number {
  return Math.floor((source.steps - 1) / bptt);
}

/** Whole-split evaluation of a language model. */
export interface LmEvaluation {
  /** Mean negative log-likelihood per predicted token, in nats. */
  nll: number;
  /** exp(nll). */
  perplexity: number;
  /** nll / ln 2: bits per token (bits per character for a character model). */
  bitsPerToken: number;
  /** Tokens predicted: (steps − 1)·B. */
  tokens: number;
}

/**
 * Perplexity over a whole split, the state carried from window to window and starting at zero:
 * exp(Σ_t −log p(w_{t+1} | w_≤t) / N) over every one of the N = (steps − 1)·B predictions, the last
 * (shorter) window included. No dropout. With `source` batchified to one column this is the authors'
 * `run_test` (the test set read as one sequence, one token at a time: the window length changes
 * nothing but speed).
 */
export function evaluateLanguageModel(model: RecurrentLanguageModel, source: Batchified, bptt: number): LmEvaluation {
  let states: LayerState[] = model.zeroState(source.batchSize);
  let total = 0;
  let tokens = 0;
  try {
    for (let i = 0; i < source.steps - 1; i += bptt) {
      const w = lmWindow(source, i, bptt);
      const input = tf.tensor2d(w.input, [w.steps, w.batch], 'int32');
      const { logits, states: next } = model.forward(input, states, { training: false });
      input.dispose();
      const sum = tf.tidy(() => crossEntropyWithLogits(logits, tf.tensor1d(w.target, 'int32'), 'sum').dataSync()[0]);
      logits.dispose();
      disposeStates(states);
      states = next;
      total += sum;
      tokens += w.target.length;
    }
  } finally {
    disposeStates(states);
  }
  const nll = total / tokens;
  return { nll, perplexity: Math.exp(nll), bitsPerToken: nll / Math.LN2, tokens };
}

/** Options of {@link trainLanguageModel}. */
export interface TrainLanguageModelOptions {
  ctx: FitContext;
  model: RecurrentLanguageModel;
  /** The training stream, batchified: [steps, B]. */
  train: Batchified;
  bptt: number;
  epochs: number;
  /** An optimizer (e.g. @paperzoo/core-autograd's SGD with clipNorm: clipping by global norm). */
  optimizer: FitOptimizer;
  /** Learning rate by global step. */
  learningRate: Schedule;
  /** 'sum-steps' (default: Σ over the window's steps of the batch-mean cross-entropy, the authors' cost) or 'mean' (per token). */
  loss?: 'sum-steps' | 'mean';
  /** Metrics after each epoch (e.g. validation perplexity). */
  evaluate?: (at: EpochInfo) => Promise<Record<string, number>> | Record<string, number>;
  /** Steps per epoch; default every full window of the training stream. */
  stepsPerEpoch?: number;
  label?: string;
  lossCurve?: string;
}

/**
 * Train with truncated BPTT through `fit` (checkpoints, exact resume, progress): one step per window,
 * in order; the state is carried between windows and zeroed at each epoch's start. Logs the window's
 * per-token cross-entropy as `nll` (the train perplexity is its exp).
 */
export async function trainLanguageModel(o: TrainLanguageModelOptions): Promise<FitResult> {
  const { model, train, bptt } = o;
  const B = train.batchSize;
  const stepsPerEpoch = o.stepsPerEpoch ?? fullWindowCount(train, bptt);
  if (stepsPerEpoch < 1 || stepsPerEpoch > fullWindowCount(train, bptt)) throw new RangeError(`trainLanguageModel: ${stepsPerEpoch} steps per epoch, but the stream has ${fullWindowCount(train, bptt)} windows of ${bptt} steps`);
  const zero = model.zeroState(B);
  // the carried state, as variables so that checkpoints hold it
  const carried = zero.map((s) => ({ h: tf.variable(s.h, false), c: s.c ? tf.variable(s.c, false) : null }));
  disposeStates(zero);
  const extraVariables: Record<string, tf.Variable> = {};
  carried.forEach((s, l) => {
    extraVariables[`state/${l}/h`] = s.h;
    if (s.c) extraVariables[`state/${l}/c`] = s.c;
  });
  const scale = (o.loss ?? 'sum-steps') === 'sum-steps' ? bptt : 1;
  return fit<number>({
    ctx: o.ctx,
    variables: model.variables,
    extraVariables,
    optimizers: { optimizer: o.optimizer },
    learningRates: { optimizer: o.learningRate },
    epochs: o.epochs,
    stepsPerEpoch,
    batches: function* () {
      for (let k = 0; k < stepsPerEpoch; k++) yield k;
    },
    step: (k) => {
      if (k === 0) for (const s of carried) [s.h, s.c].forEach((v) => v?.assign(tf.zerosLike(v)));
      const w = lmWindow(train, k * bptt, bptt);
      let next: LayerState[] = [];
      const nll = o.optimizer.minimize(() => {
        const input = tf.tensor2d(w.input, [w.steps, B], 'int32');
        const out = model.forward(input, carried.map((s) => ({ h: s.h, c: s.c })), { training: true });
        next = out.states;
        for (const s of next) [s.h, s.c].forEach((t) => t && tf.keep(t));
        const mean = crossEntropyWithLogits(out.logits, tf.tensor1d(w.target, 'int32')) as tf.Scalar; // per-token mean
        return scale === 1 ? mean : tf.mul(mean, scale); // Σ_t mean_b over the window
      }, true)!;
      carried.forEach((s, l) => {
        s.h.assign(next[l].h);
        if (s.c) s.c.assign(next[l].c!);
      });
      disposeStates(next);
      const perToken = tf.div<tf.Scalar>(nll, scale);
      nll.dispose();
      return { nll: perToken };
    },
    evaluate: o.evaluate,
    owns: carried.flatMap((s) => (s.c ? [s.h, s.c] : [s.h])),
    label: o.label,
    lossCurve: o.lossCurve,
  });
}

/**
 * A language-modelling corpus ready for {@link trainLanguageModel}: the training ids batchified to
 * `batchSize` columns, the first `validTokens` validation ids (0 = all) batchified the same way, and the
 * windows per epoch (`windowsPerEpoch`, 0 = every full window).
 */
export function languageModelSplits(ids: { train: Int32Array; valid: Int32Array }, o: { batchSize: number; bptt: number; validTokens: number; windowsPerEpoch: number }): { train: Batchified; valid: Batchified; windows: number } {
  const train = batchify(ids.train, o.batchSize);
  const valid = batchify(o.validTokens > 0 ? ids.valid.subarray(0, o.validTokens) : ids.valid, o.batchSize);
  return { train, valid, windows: o.windowsPerEpoch || fullWindowCount(train, o.bptt) };
}
