/**
 * The Carlini–Wagner L2 attack — N. Carlini, D. Wagner, "Towards Evaluating the Robustness of Neural
 * Networks", IEEE S&P 2017, §V (eq. for f₆ and the L2 attack of §VI.A). https://arxiv.org/abs/1608.04644
 *
 * Find the smallest L2 perturbation that changes the decision, by minimising over w
 *
 *   ‖x̃ − x‖₂² + c · f(x̃),    x̃ = lo + (hi − lo)·(tanh(w) + 1)/2                  (change of variables)
 *   f(x̃) = max( Z(x̃)_y − max_{i≠y} Z(x̃)_i, −κ )                                   (untargeted)
 *   f(x̃) = max( max_{i≠t} Z(x̃)_i − Z(x̃)_t, −κ )                                   (targeted, class t)
 *
 * where Z are the logits. The tanh keeps x̃ in [lo, hi] without clipping; with `clip: null` the
 * perturbation is optimised directly (x̃ = x + δ). The constant c is found per example by binary
 * search (§V.B "we use binary search to choose c"): success → smaller c, failure → larger c (×10 while
 * no upper bound is known). Each search step runs Adam (lr 0.01) for `maxIterations`; the smallest
 * successful x̃ seen is kept. Examples the attack cannot fool are returned unchanged (`success` false).
 */
import { tf } from '@paperzoo/tensor';
import type { Classifier, PixelRange } from './classifier.js';

export interface CarliniWagnerOptions {
  /** Valid range enforced by the tanh change of variables, or `null` (optimise δ directly, no box). */
  clip: PixelRange | null;
  /** Target classes instead of true classes. */
  targeted?: boolean;
  /** Confidence κ: how far past the decision boundary to go. Default 0. */
  confidence?: number;
  /** Initial c. Default 1e-2 (the reference implementation's default is 1e-3; 1e-2 saves search steps on small models). */
  initialConst?: number;
  /** Binary-search steps over c. Default 6. */
  binarySearchSteps?: number;
  /** Adam iterations per search step. Default 200. */
  maxIterations?: number;
  /** Adam learning rate. Default 0.01 (the paper's). */
  learningRate?: number;
}

export interface CarliniWagnerResult {
  /** x̃ [B, ...input] (x itself where the attack failed). */
  adversarial: tf.Tensor;
  /** Per-example success. */
  success: boolean[];
  /** Per-example ‖x̃ − x‖₂ (0 where the attack failed). */
  l2: number[];
}

/**
 * Carlini–Wagner L2 on any model given as a function to logits [B, C]. `labels` int32 [B]: true
 * classes, or targets when `targeted`. Runs eagerly (reads values between search steps).
 */
export function carliniWagnerL2(model: Classifier, x: tf.Tensor, labels: tf.Tensor, options: CarliniWagnerOptions): CarliniWagnerResult {
  const targeted = options.targeted ?? false;
  const kappa = options.confidence ?? 0;
  const searchSteps = options.binarySearchSteps ?? 6;
  const iterations = options.maxIterations ?? 200;
  const lr = options.learningRate ?? 0.01;
  const [batch] = x.shape;
  const inner = x.shape.slice(1);
  const flatSize = inner.reduce((a, b) => a * b, 1);
  const box = options.clip;
  const labelArr = Array.from(labels.dataSync()).map(Math.round);

  const lower = new Array<number>(batch).fill(0);
  const upper = new Array<number>(batch).fill(Infinity);
  const c = new Array<number>(batch).fill(options.initialConst ?? 1e-2);
  const bestL2sq = new Array<number>(batch).fill(Infinity);
  const best = new Float32Array(x.dataSync()); // flat [B·d], x where no success

  // w₀: the pre-image of x (tanh space), or δ = 0 without a box.
  const toW = (t: tf.Tensor) =>
    tf.tidy(() => {
      if (!box) return tf.zerosLike(t);
      const unit = tf.sub(tf.mul(tf.div(tf.sub(t, box.min), box.max - box.min), 2), 1); // [−1, 1]
      return tf.atanh(tf.mul(unit, 0.999999));
    });
  const fromW = (w: tf.Tensor) =>
    box ? tf.add(box.min, tf.mul((box.max - box.min) / 2, tf.add(tf.tanh(w), 1))) : tf.add(x, w);
  const classes = tf.tidy(() => model(x.slice([0], [1])).shape[1] as number);
  const labelsOneHot = tf.tidy(() => tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, classes)); // [B, C]

  try {
    for (let s = 0; s < searchSteps; s++) {
      const cT = tf.tensor1d(c);
      let w = toW(x);
      let m = tf.zerosLike(w);
      let v = tf.zerosLike(w);
      // The objective per example, and whether x̃ is adversarial (with κ margin), from logits.
      const objective = (wi: tf.Tensor) => {
        const adv = fromW(wi); // [B, ...input]
        const logits = model(adv) as tf.Tensor2D; // [B, C]
        const real = tf.sum(tf.mul(labelsOneHot, logits), -1); // Z_y or Z_t, [B]
        const other = tf.max(tf.sub(logits, tf.mul(labelsOneHot, 1e9)), -1); // max over i ≠ label, [B]
        const f = tf.maximum(targeted ? tf.sub(other, real) : tf.sub(real, other), -kappa); // [B]
        const dist = tf.sum(tf.square(tf.sub(adv, x)).reshape([batch, flatSize]), -1); // ‖x̃ − x‖², [B]
        return { adv, logits, f, dist, total: tf.sum(tf.add(dist, tf.mul(cT, f))) };
      };
      for (let it = 1; it <= iterations; it++) {
        const [nw, nm, nv] = tf.tidy(() => {
          const g = tf.grad((wi: tf.Tensor) => objective(wi).total)(w);
          const m1 = tf.add(tf.mul(0.9, m), tf.mul(0.1, g));
          const v1 = tf.add(tf.mul(0.999, v), tf.mul(0.001, tf.square(g)));
          const mHat = tf.div(m1, 1 - 0.9 ** it);
          const vHat = tf.div(v1, 1 - 0.999 ** it);
          return [tf.sub(w, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)))), m1, v1];
        });
        tf.dispose([w, m, v]);
        [w, m, v] = [nw, nm, nv];
        // Record the smallest successful x̃ per example (every 10 iterations and at the end, to save reads).
        if (it % 10 === 0 || it === iterations) {
          const [advT, logitsT, distT] = tf.tidy(() => {
            const o = objective(w);
            return [o.adv, o.logits, o.dist];
          });
          const advData = advT.dataSync();
          const logitsData = logitsT.arraySync();
          const distData = distT.dataSync();
          tf.dispose([advT, logitsT, distT]);
          for (let b = 0; b < batch; b++) {
            const z = logitsData[b];
            const y = labelArr[b];
            let otherMax = -Infinity;
            for (let i = 0; i < z.length; i++) if (i !== y && z[i] > otherMax) otherMax = z[i];
            // Success: the decision changed (untargeted) or is the target (targeted), by margin κ.
            const margin = targeted ? z[y] - otherMax : otherMax - z[y];
            const ok = margin > 0 && margin >= kappa;
            if (ok && distData[b] < bestL2sq[b]) {
              bestL2sq[b] = distData[b];
              best.set(advData.subarray(b * flatSize, (b + 1) * flatSize), b * flatSize);
            }
          }
        }
      }
      tf.dispose([w, m, v, cT]);
      // Binary search on c per example.
      for (let b = 0; b < batch; b++) {
        if (bestL2sq[b] < Infinity) {
          upper[b] = Math.min(upper[b], c[b]);
          c[b] = (lower[b] + upper[b]) / 2;
        } else {
          lower[b] = Math.max(lower[b], c[b]);
          c[b] = upper[b] < Infinity ? (lower[b] + upper[b]) / 2 : c[b] * 10;
        }
      }
    }
  } finally {
    labelsOneHot.dispose();
  }
  const success = bestL2sq.map((d) => d < Infinity);
  return {
    adversarial: tf.tensor(best, x.shape),
    success,
    l2: bestL2sq.map((d) => (d < Infinity ? Math.sqrt(d) : 0)),
  };
}
