/**
 * Counting what an attack does: error rate and the confidence of the mistakes, the two numbers
 * Goodfellow et al. (2015) report for every attacked model ("an error rate of 99.9% with an average
 * confidence of 79.3%": the mean probability the model gives its — wrong — predicted class, over the
 * misclassified examples).
 */
import { tf } from '@paperzoo/tensor';
import type { GridRow } from './grid.js';
import { predictedClass, predictedConfidence, type Classifier } from './classifier.js';

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
