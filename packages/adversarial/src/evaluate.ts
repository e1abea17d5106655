/**
 * Counting what an attack does: error rate and the confidence of the mistakes, the two numbers
 * Goodfellow et al. (2015) report for every attacked model ("an error rate of 99.9% with an average
 * confidence of 79.3%": the mean probability the model gives its — wrong — predicted class, over the
 * misclassified examples) — and {@link evaluateAttacks}, the loop that counts them over a test set.
 */
import { tf } from '@paperzoo/tensor';
import path from 'node:path';
import fs from 'node:fs/promises';
import { adversarialGridPng, type GridOptions, type GridRow } from './grid.js';
import { predictedClass, predictedConfidence, type Classifier } from './classifier.js';
import { disposeBatch, type LabelledBatch } from './batches.js';

/** Predicted class and its probability for each example of a batch (read back to JS). */
export function predict(model: Classifier, x: tf.Tensor): { classes: Int32Array; confidence: Float32Array } {
  const [c, p] = tf.tidy(() => {
    const logits = model(x);
    return [predictedClass(logits), predictedConfidence(logits)];
  });
  const out = { classes: new Int32Array(c.dataSync()), confidence: new Float32Array(p.dataSync()) };
  tf.dispose([c, p]);
  return out;
}

/** Accumulates error rate and mean confidence on errors over batches. */
export class ErrorMeter {
  count = 0;
  errors = 0;
  private confidenceOnErrors = 0;
  private confidenceAll = 0;

  /** Add a batch of predictions against the true labels. */
  add(classes: ArrayLike<number>, confidence: ArrayLike<number>, labels: ArrayLike<number>): void {
    for (let i = 0; i < classes.length; i++) {
      this.count++;
      this.confidenceAll += confidence[i];
      if (classes[i] !== labels[i]) {
        this.errors++;
        this.confidenceOnErrors += confidence[i];
      }
    }
  }

  /** Fraction misclassified. */
  get error(): number {
    return this.count ? this.errors / this.count : Number.NaN;
  }

  /** Mean probability of the predicted (wrong) class over the misclassified examples. */
  get meanConfidenceOnErrors(): number {
    return this.errors ? this.confidenceOnErrors / this.errors : Number.NaN;
  }

  /** Mean probability of the predicted class over all examples. */
  get meanConfidence(): number {
    return this.count ? this.confidenceAll / this.count : Number.NaN;
  }
}

/** One meter of {@link evaluateAttacks}: which model classifies which input of every batch. */
export interface Measurement<I extends string> {
  model: Classifier;
  /** `'clean'` (the batch's own inputs) or the name of one of the inputs `craft` returns (which may not be called 'clean'). */
  input: 'clean' | NoInfer<I>;
}

/** What {@link evaluateAttacks} shows its `onBatch` hook, before the batch's tensors are disposed. */
export interface EvaluatedBatch<I extends string, M extends string> {
  /** 0-based position of the batch. */
  index: number;
  batch: LabelledBatch;
  /** The batch's crafted inputs, by name. */
  crafted: Readonly<Record<I, tf.Tensor>>;
  /** The predicted class of every example of the batch, for every meter. */
  predictions: Readonly<Record<M, Int32Array>>;
}

/** What {@link evaluateAttacks} evaluates. `I` names the crafted inputs, `M` the meters. */
export interface AttackEvaluation<I extends string, M extends string> {
  /** The test examples, batch by batch (e.g. `datasetBatches(test, …)`). Each batch is disposed once evaluated. */
  batches: Iterable<LabelledBatch>;
  /**
   * The perturbed inputs of one batch, by name: `{ fgsm: fgsm(model, b.x, b.y, …) }`. Called once per
   * batch, in batch order — so attacks that draw random numbers (PGD's random start, random noise)
   * draw them in the same order on every run. Every tensor it returns is disposed after the batch.
   */
  craft: (batch: LabelledBatch) => Record<I, tf.Tensor>;
  /** The meters, by name: which model, on the clean inputs or on which crafted ones. */
  measure: Record<M, Measurement<I>>;
  /** Called after each batch is counted (progress, a PNG grid of the first batch, statistics of the predictions). */
  onBatch?: (evaluated: EvaluatedBatch<I, M>) => void;
}

/**
 * Clean and adversarial error over a test set, for any number of models and crafted inputs at once:
 * for every batch, `craft` the perturbed inputs, let each meter's model classify its input, count
 * errors and confidence on errors ({@link ErrorMeter}), then dispose the batch and what was crafted.
 * White-box error is a meter whose model is the one the input was crafted on; transfer (black-box)
 * error, one whose model is another.
 *
 * ```ts
 * const m = evaluateAttacks({
 *   batches: datasetBatches(test, { input: 'vector', count: 10000, batchSize: 1000 }),
 *   craft: (b) => ({ fgsm: fgsm(model, b.x, b.y, { epsilon: 0.25, clip: null }) }),
 *   measure: { clean: { model, input: 'clean' }, fgsm: { model, input: 'fgsm' } },
 * });
 * m.fgsm.error; m.fgsm.meanConfidenceOnErrors;
 * ```
 * Returns one {@link ErrorMeter} per entry of `measure`.
 */
export function evaluateAttacks<I extends string, M extends string>(evaluation: AttackEvaluation<I, M>): Record<M, ErrorMeter> {
  const names = Object.keys(evaluation.measure) as M[];
  const meters = Object.fromEntries(names.map((name) => [name, new ErrorMeter()])) as Record<M, ErrorMeter>;
  let index = 0;
  for (const batch of evaluation.batches) {
    let crafted: Record<I, tf.Tensor> | null = null;
    try {
      crafted = evaluation.craft(batch);
      if (Object.hasOwn(crafted, 'clean')) throw new RangeError("evaluateAttacks: 'clean' names the batch's own inputs; give the crafted input another name");
      const predictions = {} as Record<M, Int32Array>;
      for (const name of names) {
        const { model, input } = evaluation.measure[name];
        const x = input === 'clean' ? batch.x : crafted[input];
        if (!x) throw new RangeError(`evaluateAttacks: meter '${name}' reads input '${input}', which craft did not return`);
        const p = predict(model, x);
        meters[name].add(p.classes, p.confidence, batch.labels);
        predictions[name] = p.classes;
      }
      evaluation.onBatch?.({ index, batch, crafted, predictions });
    } finally {
      if (crafted) tf.dispose(Object.values<tf.Tensor>(crafted));
      disposeBatch(batch);
    }
    index++;
  }
  return meters;
}

/**
 * Rows for {@link adversarialGridPng}: the first `count` examples of a batch, clean and adversarial,
 * with the model's prediction and confidence on each. `x`, `xAdv` [B, ...] (28×28 images or 784
 * vectors); `labels` the true classes; `names` maps class indices to the text shown (default: the index).
 */
export function gridRows(
  model: Classifier,
  x: tf.Tensor,
  xAdv: tf.Tensor,
  labels: ArrayLike<number>,
  count: number,
  names: (c: number) => string | number = (c) => c,
): GridRow[] {
  const n = Math.min(count, x.shape[0]);
  const size = x.size / x.shape[0];
  const cleanX = x.slice(0, n);
  const advX = xAdv.slice(0, n);
  const pc = predict(model, cleanX);
  const pa = predict(model, advX);
  const cd = cleanX.dataSync();
  const ad = advX.dataSync();
  tf.dispose([cleanX, advX]);
  return Array.from({ length: n }, (_, i) => ({
    clean: cd.subarray(i * size, (i + 1) * size),
    adversarial: ad.subarray(i * size, (i + 1) * size),
    label: names(labels[i]),
    cleanPrediction: { label: names(pc.classes[i]), confidence: pc.confidence[i] },
    adversarialPrediction: { label: names(pa.classes[i]), confidence: pa.confidence[i] },
  }));
}

/**
 * The first `count` examples of a batch as a PNG grid ({@link gridRows} drawn by
 * {@link adversarialGridPng}), written to `file` (its folder is created). The tensors are read before
 * it returns, so it may be called where they are about to be disposed (`evaluateAttacks`' `onBatch`).
 */
export function writeAdversarialGrid(
  file: string,
  model: Classifier,
  rows: { x: tf.Tensor; xAdv: tf.Tensor; labels: ArrayLike<number>; count: number; names?: (c: number) => string | number },
  options: GridOptions = {},
): Promise<void> {
  const png = adversarialGridPng(gridRows(model, rows.x, rows.xAdv, rows.labels, rows.count, rows.names), options);
  return fs.mkdir(path.dirname(file), { recursive: true }).then(() => fs.writeFile(file, png));
}
