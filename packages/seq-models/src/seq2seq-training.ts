/**
 * Training and evaluating an encoder–decoder (seq2seq.ts, attention.ts) the way the
 * bentrevett/pytorch-seq2seq notebooks do (2024 versions, `train_fn` / `evaluate_fn` / `translate_sentence`):
 *
 * - batches of sentence pairs, padded to the longest sentence of the batch and time-major ([L, B]), the
 *   training set shuffled each epoch (from @paperzoo/tensor's global generator, so `fit` resumes exactly);
 * - one Adam step per batch on the mean cross-entropy of the non-padding target tokens, the gradient
 *   clipped to global norm `clip` (`clip_grad_norm_`), teacher forcing with probability `teacherForcing`;
 * - after each epoch the validation loss (teacher forcing off); the weights of the best epoch are kept
 *   (`torch.save` of the best `state_dict`) in non-trainable variables, so a resumed run keeps them too,
 *   and restored at the end;
 * - a split's loss is the mean over its batches of each batch's mean token loss (`epoch_loss / len(loader)`),
 *   its perplexity exp(loss);
 * - greedy translation of one sentence at a time, at most `maxLength` tokens, stopping at `<eos>`.
 */
import { tf, shuffledIndicesFromGlobalRng, takeScalarSync } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitResult, type Schedule } from '@paperzoo/repro';
import type { EncoderDecoder } from './seq2seq.js';
import { beamSearch, greedySearch } from './search.js';
import { disposeState } from './seq2seq.js';

/** Sentence pairs as token ids (each with `<sos>` … `<eos>` when the task has them), aligned by index. */
export interface SentencePairs {
  source: readonly Int32Array[];
  target: readonly Int32Array[];
}

/** One batch: source [S, B] and target [T, B], int32, time-major, padded. */
export interface PairBatch {
  source: tf.Tensor2D;
  target: tf.Tensor2D;
}

/** Sentences → [L, B] int32, L the longest, shorter ones padded at the end (`pad_sequence`). */
export function padTimeMajor(sentences: readonly Int32Array[], pad: number): tf.Tensor2D {
  const length = Math.max(...sentences.map((s) => s.length));
  const batch = sentences.length;
  const data = new Int32Array(length * batch).fill(pad);
  sentences.forEach((s, b) => s.forEach((id, t) => (data[t * batch + b] = id)));
  return tf.tensor2d(data, [length, batch], 'int32');
}

/** The batches of a split in order, or shuffled from the global generator; the last one may be short (`DataLoader`). */
export function* pairBatches(pairs: SentencePairs, batchSize: number, pad: number, shuffle: boolean): Generator<PairBatch> {
  const n = pairs.source.length;
  const order = shuffle ? shuffledIndicesFromGlobalRng(n) : Int32Array.from({ length: n }, (_, i) => i);
  for (let start = 0; start < n; start += batchSize) {
    const rows = Array.from(order.subarray(start, Math.min(start + batchSize, n)));
    yield { source: padTimeMajor(rows.map((i) => pairs.source[i]), pad), target: padTimeMajor(rows.map((i) => pairs.target[i]), pad) };
  }
}

/**
 * The notebooks' `evaluate_fn`: the mean over batches of the batch's mean token loss, no dropout, teacher
 * forcing off (notebooks 1–3) or, with `teacherForcing` 1, on (notebook 6's Transformer, whose `evaluate`
 * feeds `trg[:, :-1]`).
 */
export function evaluateSeq2Seq<D>(model: EncoderDecoder<D>, pairs: SentencePairs, batchSize: number, pad: number, teacherForcing = 0): { loss: number; perplexity: number } {
  let total = 0;
  let batches = 0;
  for (const b of pairBatches(pairs, batchSize, pad, false)) {
    total += takeScalarSync(model.loss(b.source, b.target, pad, { training: false, teacherForcing }));
    batches++;
    tf.dispose([b.source, b.target]);
  }
  return { loss: total / batches, perplexity: Math.exp(total / batches) };
}

/**
 * Token accuracy with the decoder fed its own predictions (teacher forcing off, no dropout): per sentence,
 * how many of its non-padding target tokens 1…T−1 (`<eos>` included) the argmax gets right, out of how many,
 * in the batches of `pairBatches` (in order: a model without masking sees the same padding as in training).
 */
export function freeRunningAccuracy<D>(model: EncoderDecoder<D>, pairs: SentencePairs, batchSize: number, pad: number): { accuracy: number; correct: Int32Array; total: Int32Array } {
  const correct = new Int32Array(pairs.source.length);
  const total = new Int32Array(pairs.source.length);
  let offset = 0;
  for (const b of pairBatches(pairs, batchSize, pad, false)) {
    const [c, n] = tf.tidy(() => {
      const predicted = tf.argMax(model.forward(b.source, b.target, { training: false, teacherForcing: 0 }), 2); // [T−1, B]
      const truth = tf.slice(b.target, [1, 0], [b.target.shape[0] - 1, -1]);
      const real = tf.notEqual(truth, pad);
      return [tf.sum(tf.cast(tf.logicalAnd(real, tf.equal(predicted, truth)), 'int32'), 0), tf.sum(tf.cast(real, 'int32'), 0)]; // [B] each
    });
    correct.set(c.dataSync(), offset);
    total.set(n.dataSync(), offset);
    offset += b.source.shape[1];
    tf.dispose([b.source, b.target, c, n]);
  }
  return { accuracy: correct.reduce((a, x) => a + x, 0) / total.reduce((a, x) => a + x, 0), correct, total };
}

/** Options of {@link trainSeq2Seq}. */
export interface TrainSeq2SeqOptions<D> {
  ctx: FitContext;
  model: EncoderDecoder<D>;
  train: SentencePairs;
  /** Validation pairs: the best epoch by their loss is kept (null: keep the last epoch). */
  valid: SentencePairs | null;
  epochs: number;
  batchSize: number;
  pad: number;
  /** E.g. Adam with clipNorm (core-autograd). */
  optimizer: FitOptimizer;
  /** Probability of feeding the true previous token (notebooks: 0.5). */
  teacherForcing: number;
  /** Teacher forcing of the validation loss (default 0, notebooks 1–3; notebook 6: 1). */
  validTeacherForcing?: number;
  /** The learning rate as a function of the 0-based step (default: the optimizer's own, constant). */
  learningRate?: Schedule;
  /** The training loss of a batch (default: `model.loss` with `teacherForcing`; e.g. one with label smoothing). */
  trainingLoss?: (batch: PairBatch) => tf.Scalar;
  /** Batches per epoch, from the start of each shuffled epoch (default all). */
  stepsPerEpoch?: number;
  label?: string;
  lossCurve?: string;
}

/** What {@link trainSeq2Seq} returns besides `fit`'s result. */
export interface TrainSeq2SeqResult extends FitResult {
  /** The best validation loss and its epoch (1-based), or null without validation. */
  best: { validLoss: number; epoch: number } | null;
}

/** Train with `fit` (checkpoints, exact resume), keep and restore the best-validation weights (this file's header). */
export async function trainSeq2Seq<D>(o: TrainSeq2SeqOptions<D>): Promise<TrainSeq2SeqResult> {
  const { model, pad } = o;
  const allSteps = Math.ceil(o.train.source.length / o.batchSize);
  const stepsPerEpoch = Math.min(o.stepsPerEpoch ?? allSteps, allSteps);
  const variables = model.variables;
  const best = o.valid ? Object.fromEntries(Object.entries(variables).map(([k, v]) => [`best/${k}`, tf.variable(v, false)])) : {};
  let bestState: { validLoss: number; epoch: number } | null = null;
  const curve = o.lossCurve ?? 'loss';
  try {
    const result = await fit<PairBatch>({
      ctx: o.ctx,
      variables,
      extraVariables: best,
      optimizer: o.optimizer,
      epochs: o.epochs,
      stepsPerEpoch,
      batches: function* () {
        let k = 0;
        for (const b of pairBatches(o.train, o.batchSize, pad, true)) {
          yield b;
          if (++k === stepsPerEpoch) return; // without building (and freeing) one batch more
        }
      },
      loss: o.trainingLoss ?? ((b) => model.loss(b.source, b.target, pad, { training: true, teacherForcing: o.teacherForcing })),
      ...(o.learningRate && { learningRate: o.learningRate }),
      evaluate: ({ epoch }) => {
        if (!o.valid) return {};
        const { loss } = evaluateSeq2Seq(model, o.valid, o.batchSize, pad, o.validTeacherForcing ?? 0);
        if (!bestState || loss < bestState.validLoss) {
          bestState = { validLoss: loss, epoch };
          for (const [k, v] of Object.entries(variables)) best[`best/${k}`].assign(v);
        }
        return { [`${curve}/valid`]: loss };
      },
      state: { get: () => bestState, set: (v) => (bestState = v as typeof bestState) },
      label: o.label,
      lossCurve: `${curve}/train`,
    });
    if (o.valid) for (const [k, v] of Object.entries(variables)) v.assign(best[`best/${k}`]);
    return { ...result, best: bestState };
  } finally {
    tf.dispose(Object.values(best));
  }
}

/** Options of {@link greedyTranslate}. */
export interface TranslateOptions {
  bos: number;
  eos: number;
  /** Most generated tokens (notebooks: 25). */
  maxLength: number;
}

/**
 * Greedy translations of source sentences (ids with `<sos>`/`<eos>`), one at a time (`translate_sentence`):
 * each the generated ids without the last one — the notebooks' `translation[1:-1]`, which drops `<eos>`,
 * or, for a translation cut at `maxLength` (finished: false), its last word.
 */
export async function greedyTranslate<D>(model: EncoderDecoder<D>, sources: readonly Int32Array[], o: TranslateOptions): Promise<{ tokens: number[]; finished: boolean }[]> {
  const out: { tokens: number[]; finished: boolean }[] = [];
  for (const ids of sources) {
    const { model: searchModel, state } = model.searchModel(Array.from(ids));
    try {
      const h = await greedySearch(searchModel, state, o);
      out.push({ tokens: h.tokens.slice(0, -1), finished: h.finished });
    } finally {
      disposeState(state);
    }
  }
  return out;
}

/** What {@link compareSearches} found over its sentences. */
export interface SearchComparison {
  sentences: number;
  /** Sentences where beam search of width 1 gave other tokens or another log-probability than greedy search. */
  beamOneDiffers: number;
  /** Sentences where the best beam's log P(Y | X) (width `beamWidth`, no length normalisation) is below greedy's. */
  beamBelowGreedy: number;
  /** Mean log P(Y | X) of greedy's and of the best beam's output. */
  greedyLogProb: number;
  beamLogProb: number;
}

/**
 * Greedy search, beam search of width 1 and of width `beamWidth` on each source sentence: beam width 1
 * must be greedy search exactly; a wider beam usually, not always, finds a likelier output (a pruned
 * prefix can lose the greedy path).
 */
export async function compareSearches<D>(model: EncoderDecoder<D>, sources: readonly Int32Array[], o: TranslateOptions & { beamWidth: number }): Promise<SearchComparison> {
  const out: SearchComparison = { sentences: sources.length, beamOneDiffers: 0, beamBelowGreedy: 0, greedyLogProb: 0, beamLogProb: 0 };
  for (const ids of sources) {
    const { model: m, state } = model.searchModel(Array.from(ids));
    try {
      const greedy = await greedySearch(m, state, o);
      const one = (await beamSearch(m, state, { ...o, beamWidth: 1 })).best;
      const wide = (await beamSearch(m, state, o)).best;
      if (one.logProb !== greedy.logProb || one.tokens.join() !== greedy.tokens.join()) out.beamOneDiffers++;
      if (wide.logProb < greedy.logProb) out.beamBelowGreedy++;
      out.greedyLogProb += greedy.logProb / sources.length;
      out.beamLogProb += wide.logProb / sources.length;
    } finally {
      disposeState(state);
    }
  }
  return out;
}
