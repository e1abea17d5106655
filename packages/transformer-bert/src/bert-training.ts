/**
 * Pre-training and fine-tuning BERT (Devlin et al. 2018, https://arxiv.org/abs/1810.04805) on a token
 * stream and on labelled sentences:
 *
 * - pre-training inputs (§3.1, Appendix A.2) are `[CLS] w_1 … w_{T−2} [SEP]` [B, T], windows of T − 2
 *   consecutive tokens of the corpus at offsets drawn uniformly (one segment: no next-sentence task; see
 *   ./bert.ts `maskTokens`), masked by {@link maskTokens};
 * - the masked-LM accuracy is google-research/bert's `masked_lm_accuracy` (run_pretraining.py): the
 *   fraction of chosen positions whose arg-max prediction is the original token, over fixed held-out windows;
 *   the unigram baseline predicts the corpus's most frequent non-special token at every chosen position;
 * - fine-tuning batches (§4.1, Appendix A.3) are `[CLS] sentence [SEP]` padded with `[PAD]` to the longest in the
 *   batch ("dynamic padding"; the padded keys are masked out, so the logits do not depend on it).
 *
 * Random offsets, masks and shuffles come from the global seeded generator of @paperzoo/tensor (checkpointed by `fit`).
 */
import { tf, randomInt } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitResult, type LabelledBatch } from '@paperzoo/repro';
import { maskedLmBatch, type Bert, type MaskedLmBatch, type MaskTokensOptions } from './bert.js';

/** The specials of a pre-training window, and the masking. */
export interface WindowOptions extends MaskTokensOptions {
  clsId: number;
  sepId: number;
}

/** `[CLS] stream[s .. s+T−2) [SEP]` for each start s → ids [B·T] (row-major [B, T]). */
function windowIds(stream: Int32Array, starts: readonly number[], length: number, options: WindowOptions): Int32Array {
  const ids = new Int32Array(starts.length * length);
  starts.forEach((s, b) => {
    ids[b * length] = options.clsId;
    ids.set(stream.subarray(s, s + length - 2), b * length + 1);
    ids[(b + 1) * length - 1] = options.sepId;
  });
  return ids;
}

/** One training batch: `batch` windows at random offsets of `stream`, masked (the file's header); inputs [batch, length]. */
export function randomMaskedLmBatch(stream: Int32Array, batch: number, length: number, options: WindowOptions): MaskedLmBatch {
  const starts = stream.length - (length - 2) + 1;
  if (starts < 1) throw new RangeError(`randomMaskedLmBatch: ${stream.length} tokens are too few for windows of ${length - 2}`);
  const ids = windowIds(stream, Array.from({ length: batch }, () => randomInt(starts)), length, options);
  return maskedLmBatch(ids, [batch, length], options);
}

/** `count` consecutive, non-overlapping windows from the start of `stream`, masked once, in batches of `batch` (held for evaluation). */
export function fixedMaskedLmBatches(stream: Int32Array, count: number, batch: number, length: number, options: WindowOptions): MaskedLmBatch[] {
  const available = Math.floor(stream.length / (length - 2));
  if (count > available) throw new RangeError(`fixedMaskedLmBatches: ${stream.length} tokens hold ${available} windows of ${length - 2}, not ${count}`);
  const out: MaskedLmBatch[] = [];
  for (let first = 0; first < count; first += batch) {
    const starts = Array.from({ length: Math.min(batch, count - first) }, (_, i) => (first + i) * (length - 2));
    out.push(maskedLmBatch(windowIds(stream, starts, length, options), [starts.length, length], options));
  }
  return out;
}

/** What {@link evaluateMaskedLm} measures over every chosen position of the batches. */
export interface MaskedLmEvaluation {
  /** Fraction of chosen positions predicted exactly (arg-max = the original token). */
  accuracy: number;
  /** Mean cross-entropy (nats) at the chosen positions. */
  loss: number;
  /** Chosen positions scored. */
  predictions: number;
}

/** Masked-LM accuracy and loss of `model` on held batches, dropout off (run_pretraining.py's `metric_fn`). */
export function evaluateMaskedLm(model: Bert, batches: readonly MaskedLmBatch[]): MaskedLmEvaluation {
  let correct = 0;
  let loss = 0;
  let predictions = 0;
  for (const b of batches) {
    const [hits, total] = tf.tidy(() => {
      const logits = model.maskedLmLogits(model.encode(b, { training: false }), b.positions); // [M, V]
      const right = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), b.labels), 'float32'));
      const nll = tf.sum(tf.neg(tf.sum(tf.mul(tf.oneHot(b.labels, model.options.vocabSize), tf.logSoftmax(logits)), -1)));
      return [right.dataSync()[0], nll.dataSync()[0]];
    });
    correct += hits;
    loss += total;
    predictions += b.labels.shape[0];
  }
  return { accuracy: correct / predictions, loss: loss / predictions, predictions };
}

/** The most frequent id of `stream` that is not special, and the accuracy of predicting it at every chosen position of `batches`. */
export function unigramMaskedAccuracy(stream: Int32Array, batches: readonly MaskedLmBatch[], specialIds: readonly number[]): { token: number; accuracy: number } {
  const counts = new Map<number, number>();
  for (const id of stream) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const s of specialIds) counts.delete(s);
  let token = -1;
  let best = -1;
  for (const [id, n] of counts) if (n > best || (n === best && id < token)) [token, best] = [id, n];
  let hits = 0;
  let total = 0;
  for (const b of batches) {
    for (const label of b.labels.dataSync()) hits += label === token ? 1 : 0;
    total += b.labels.shape[0];
  }
  return { token, accuracy: hits / total };
}

/** Options of {@link pretrainMaskedLm}. */
export interface PretrainMaskedLmOptions {
  ctx: FitContext;
  model: Bert;
  optimizer: FitOptimizer;
  /** The training token stream (no specials). */
  train: Int32Array;
  /** Held-out batches (from {@link fixedMaskedLmBatches}); evaluated after every `evalInterval` steps. */
  held: readonly MaskedLmBatch[];
  batch: number;
  /** T, the window length with `[CLS]` and `[SEP]`. */
  length: number;
  steps: number;
  /** Steps between evaluations (one `fit` epoch); must divide steps. */
  evalInterval: number;
  learningRate: (step: number) => number;
  window: WindowOptions;
  label?: string;
}

/** Masked-LM pre-training of `model` (its 'masked-lm' variables) for `steps` random batches; returns the last held-out evaluation. */
export async function pretrainMaskedLm(o: PretrainMaskedLmOptions): Promise<MaskedLmEvaluation & { fitted: FitResult }> {
  if (!(Number.isInteger(o.steps / o.evalInterval) && o.steps > 0)) throw new RangeError(`pretrainMaskedLm: evalInterval (${o.evalInterval}) must divide steps (${o.steps})`);
  let last: MaskedLmEvaluation | null = null;
  const fitted = await fit<MaskedLmBatch>({
    ctx: o.ctx,
    variables: o.model.variablesFor('masked-lm'),
    optimizer: o.optimizer,
    learningRate: o.learningRate,
    epochs: o.steps / o.evalInterval,
    stepsPerEpoch: o.evalInterval,
    label: o.label ?? 'masked LM',
    lossCurve: 'masked_lm_loss/train',
    batches: function* () {
      for (let i = 0; i < o.evalInterval; i++) yield randomMaskedLmBatch(o.train, o.batch, o.length, o.window);
    },
    loss: (b) => o.model.maskedLmLoss(b, { training: true }),
    evaluate: () => {
      last = evaluateMaskedLm(o.model, o.held);
      return { masked_lm_accuracy: last.accuracy, 'masked_lm_loss/held': last.loss };
    },
  });
  last ??= evaluateMaskedLm(o.model, o.held); // a resumed run that had nothing left to train
  return { ...last, fitted };
}

/**
 * Labelled sentences as fine-tuning batches: `[CLS] ids [SEP]` (ids cut to maxLength − 2), padded with padId to the
 * longest in each batch; x [b, T_batch] int32, y [b] int32. `shuffle` draws a permutation from the global generator;
 * with `bucket` k > 1, each run of k·batch shuffled sentences is sorted by length before it is cut into batches and
 * the batches are shuffled again ("bucketing": less padding, the same sentences per epoch). With `padMultiple` m the
 * batch length is rounded up to a multiple of m (at most maxLength): few distinct shapes, which the native backend's
 * kernels prefer (each new shape costs a set-up).
 */
export function sentenceBatches(sentences: readonly Int32Array[], labels: ArrayLike<number>, options: { batch: number; maxLength: number; clsId: number; sepId: number; padId: number; shuffle: boolean; bucket?: number; padMultiple?: number }): LabelledBatch[] {
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  };
  const order = Array.from(sentences.keys());
  if (options.shuffle) shuffle(order);
  const run = options.batch * Math.max(1, options.bucket ?? 1);
  const groups: number[][] = [];
  for (let first = 0; first < order.length; first += run) {
    const chunk = order.slice(first, first + run);
    if (run > options.batch) chunk.sort((a, b) => sentences[a].length - sentences[b].length || a - b);
    for (let i = 0; i < chunk.length; i += options.batch) groups.push(chunk.slice(i, i + options.batch));
  }
  if (options.shuffle && run > options.batch) shuffle(groups);
  return groups.map((members) => {
    const pieces = members.map((i) => sentences[i].subarray(0, options.maxLength - 2));
    const multiple = options.padMultiple ?? 1;
    const length = Math.min(options.maxLength, multiple * Math.ceil((2 + Math.max(...pieces.map((p) => p.length))) / multiple));
    const ids = new Int32Array(members.length * length).fill(options.padId);
    pieces.forEach((p, b) => {
      ids[b * length] = options.clsId;
      ids.set(p, b * length + 1);
      ids[b * length + 1 + p.length] = options.sepId;
    });
    return { x: tf.tensor2d(ids, [members.length, length], 'int32'), y: tf.tensor1d(Int32Array.from(members, (i) => labels[i]), 'int32') };
  });
}
