/**
 * Training a character-level language model the way nanoGPT's train.py does (github.com/karpathy/nanoGPT):
 *
 * - a batch is `batch` windows of `blockSize + 1` consecutive tokens at offsets drawn uniformly from
 *   [0, N − blockSize) (`get_batch`: `torch.randint(len(data) - block_size, (batch_size,))`), inputs the
 *   first blockSize tokens, targets the last blockSize;
 * - the learning rate warms up linearly, then follows a half cosine down to a floor (`get_lr`, below);
 * - the loss is estimated as the mean over `iters` fresh random batches of each split (`estimate_loss`),
 *   every `evalInterval` steps — one `fit` epoch here, so a run can be killed and resumed at an evaluation.
 *
 * Random offsets come from the global seeded generator of @paperzoo/tensor (checkpointed by `fit`).
 */
import { tf, randomInt } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitResult } from '@paperzoo/repro';

/**
 * nanoGPT's `get_lr(it)` for step it = 0, 1, …:
 *   it < W:            η·(it + 1)/(W + 1)
 *   W ≤ it ≤ D:        η_min + ½(η − η_min)(1 + cos(π·(it − W)/(D − W)))
 *   it > D:            η_min
 * (W = warmupIters, D = decayIters, η = learningRate, η_min = minLearningRate).
 */
export function nanoGptLearningRate(options: { learningRate: number; warmupIters: number; decayIters: number; minLearningRate: number }): (step: number) => number {
  const { learningRate, warmupIters, decayIters, minLearningRate } = options;
  if (!(decayIters > warmupIters)) throw new RangeError(`nanoGptLearningRate: decayIters (${decayIters}) must exceed warmupIters (${warmupIters})`);
  return (it) => {
    if (it < warmupIters) return (learningRate * (it + 1)) / (warmupIters + 1);
    if (it > decayIters) return minLearningRate;
    const ratio = (it - warmupIters) / (decayIters - warmupIters);
    return minLearningRate + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (learningRate - minLearningRate);
  };
}

/** A batch of windows: inputs and next-token targets, both [batch, blockSize] int32. */
export interface TokenBatch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/** `batch` random windows of `data` (nanoGPT `get_batch`); offsets from the global generator. */
export function randomWindows(data: Int32Array, batch: number, blockSize: number): TokenBatch {
  const starts = data.length - blockSize;
  if (starts < 1) throw new RangeError(`randomWindows: ${data.length} tokens are too few for windows of ${blockSize} + 1`);
  const x = new Int32Array(batch * blockSize);
  const y = new Int32Array(batch * blockSize);
  for (let b = 0; b < batch; b++) {
    const i = randomInt(starts);
    x.set(data.subarray(i, i + blockSize), b * blockSize);
    y.set(data.subarray(i + 1, i + blockSize + 1), b * blockSize);
  }
  return { x: tf.tensor2d(x, [batch, blockSize], 'int32'), y: tf.tensor2d(y, [batch, blockSize], 'int32') };
}

/** A model trained here: the mean next-token cross-entropy of a batch. */
export interface TokenLossModel {
  loss(x: tf.Tensor2D, y: tf.Tensor2D, options: { training: boolean }): tf.Scalar;
  readonly variables: Record<string, tf.Variable>;
}

/** nanoGPT's `estimate_loss` for one split: the mean loss (nats) of `iters` random batches, dropout off. */
export function estimateLoss(model: TokenLossModel, data: Int32Array, options: { iters: number; batch: number; blockSize: number }): number {
  let total = 0;
  for (let k = 0; k < options.iters; k++) {
    const { x, y } = randomWindows(data, options.batch, options.blockSize);
    const loss = model.loss(x, y, { training: false });
    total += loss.dataSync()[0];
    tf.dispose([x, y, loss]);
  }
  return total / options.iters;
}

/** Options of {@link trainTokenModel}. */
export interface TrainTokenModelOptions {
  ctx: FitContext;
  model: TokenLossModel;
  optimizer: FitOptimizer;
  train: Int32Array;
  val: Int32Array;
  batch: number;
  blockSize: number;
  /** Optimizer steps in all (nanoGPT `max_iters`). */
  iters: number;
  /** Steps between loss estimates (nanoGPT `eval_interval`); must divide iters. */
  evalInterval: number;
  /** Batches per split of each estimate (nanoGPT `eval_iters`). */
  evalIters: number;
  learningRate: (step: number) => number;
  /** Name of the curves ('loss/train', 'loss/val' → '<curve>/train', '<curve>/val'); default 'loss'. */
  curve?: string;
  label?: string;
}

/** What {@link trainTokenModel} returns: the last estimates and fit's record. */
export interface TrainTokenModelResult {
  trainLoss: number;
  valLoss: number;
  fitted: FitResult;
}

/** Trains `model` for `iters` steps of random windows, estimating both losses every evalInterval steps (the file's header). */
export async function trainTokenModel(options: TrainTokenModelOptions): Promise<TrainTokenModelResult> {
  const { model, batch, blockSize, iters, evalInterval } = options;
  if (!(Number.isInteger(iters / evalInterval) && iters > 0)) throw new RangeError(`trainTokenModel: evalInterval (${evalInterval}) must divide iters (${iters})`);
  const curve = options.curve ?? 'loss';
  const estimate = { iters: options.evalIters, batch, blockSize };
  const fitted = await fit<TokenBatch>({
    ctx: options.ctx,
    variables: model.variables,
    optimizer: options.optimizer,
    learningRate: options.learningRate,
    epochs: iters / evalInterval,
    stepsPerEpoch: evalInterval,
    label: options.label,
    lossCurve: `${curve}/train_batch`,
    batches: function* () {
      for (let i = 0; i < evalInterval; i++) yield randomWindows(options.train, batch, blockSize);
    },
    loss: ({ x, y }) => model.loss(x, y, { training: true }),
    evaluate: () => ({ [`${curve}/train`]: estimateLoss(model, options.train, estimate), [`${curve}/val`]: estimateLoss(model, options.val, estimate) }),
  });
  return { trainLoss: fitted.metrics[`${curve}/train`], valLoss: fitted.metrics[`${curve}/val`], fitted };
}
