/**
 * Iterative attacks: the basic iterative method (BIM, a.k.a. iterative FGSM) and projected gradient
 * descent (PGD) with a random start, in L∞ and L2.
 *
 * BIM — A. Kurakin, I. Goodfellow, S. Bengio, "Adversarial examples in the physical world", ICLR 2017
 * workshop, §2.2, https://arxiv.org/abs/1607.02533:
 *
 *   x̃₀ = x,   x̃_{N+1} = Clip_{x,ε}{ x̃_N + α · sign(∇ₓ J(θ, x̃_N, y)) }
 *
 * with α = 1 (pixel units of 0..255) and min(ε + 4, 1.25ε) iterations (ε in 0..255 units);
 * Clip_{x,ε} keeps every pixel within ε of x (and, there, within the valid range). {@link bimSteps}
 * gives that iteration count for inputs in [0, 1].
 *
 * PGD — A. Madry, A. Makelov, L. Schmidt, D. Tsipras, A. Vladu, "Towards Deep Learning Models
 * Resistant to Adversarial Attacks", ICLR 2018, §2.1 eq. (2) and §3, https://arxiv.org/abs/1706.06083:
 *
 *   x̃₀ = x + U(−ε, ε)  (random start),   x̃_{t+1} = Π_{x+S}( x̃_t + α · sign(∇ₓ L(θ, x̃_t, y)) )
 *
 * where Π_{x+S} projects onto the ε-ball S around x. In L2 the step follows the normalised gradient
 * g/‖g‖₂ and the projection rescales δ = x̃ − x to δ·min(1, ε/‖δ‖₂); the random start is uniform in the
 * L2 ball. With `restarts` > 1 the attack is run from several random starts and each example keeps the
 * first start that fools the model, otherwise the one with the highest loss (the paper's "PGD with
 * restarts" evaluation).
 *
 * Clipping (`clip`) is applied after the projection. Both the L∞ box and clipping act per pixel, so the
 * result is in the ε-ball and in the range; in L2, clipping only moves a pixel back towards x (x is in
 * the range), so it never increases ‖δ‖₂ either.
 */
import { tf, randomNormal, randomUniform } from '@paperzoo/tensor';
import { clipToRange, inputGradient, perExampleLoss, predictedClass, type Classifier, type PixelRange } from './classifier.js';

export type Norm = 'linf' | 'l2';

export interface PgdOptions {
  /** Radius of the ball: max |δᵢ| (L∞) or ‖δ‖₂ per example (L2). Madry et al. MNIST: 0.3 in L∞. */
  epsilon: number;
  /** Step size α (Madry et al. MNIST: 0.01). */
  stepSize: number;
  /** Gradient steps (Madry et al. MNIST: 40 in training, 100 for evaluation). */
  steps: number;
  /** 'linf' (default) or 'l2'. */
  norm?: Norm;
  /** Start from a uniform random point of the ball (PGD) instead of x (BIM). Default true. */
  randomStart?: boolean;
  /** Independent random starts; per example the worst case is kept. Default 1. */
  restarts?: number;
  /** Clip into this range after each step, or `null` for none. Required: say which. */
  clip: PixelRange | null;
  /** `labels` are target classes (descend their loss) instead of true classes (ascend it). */
  targeted?: boolean;
}

/** Kurakin et al.'s iteration count min(ε + 4, 1.25ε) for ε given in [0, 1] pixel units (ε·255 in theirs). */
export function bimSteps(epsilon: number, scale = 255): number {
  const e = epsilon * scale;
  return Math.max(1, Math.ceil(Math.min(e + 4, 1.25 * e)));
}

/** Per-example L2 norm over all but the batch axis, shaped [B, 1, 1, …] for broadcasting. */
function l2Norm(t: tf.Tensor): tf.Tensor {
  const axes = t.shape.slice(1).map((_, i) => i + 1);
  return tf.sqrt(tf.sum(tf.square(t), axes, true));
}

/** Project δ onto the ε-ball of the norm. */
export function projectToBall(delta: tf.Tensor, epsilon: number, norm: Norm): tf.Tensor {
  return tf.tidy(() => {
    if (norm === 'linf') return tf.clipByValue(delta, -epsilon, epsilon);
    const n = l2Norm(delta); // [B, 1, …]
    return tf.mul(delta, tf.minimum(1, tf.div(epsilon, tf.maximum(n, 1e-12))));
  });
}

/** A uniform random point of the ε-ball (same shape as x), from @paperzoo/tensor's seeded generator. */
export function randomInBall(shape: number[], epsilon: number, norm: Norm): tf.Tensor {
  return tf.tidy(() => {
    if (norm === 'linf') return randomUniform(shape, -epsilon, epsilon);
    // Uniform in the L2 ball of dimension d: a uniform direction (normalised Gaussian) times ε·u^(1/d).
    const d = shape.slice(1).reduce((a, b) => a * b, 1);
    const g = randomNormal(shape);
    const radius = tf.mul(epsilon, tf.pow(randomUniform([shape[0], ...shape.slice(1).map(() => 1)]), 1 / d));
    return tf.mul(tf.div(g, tf.maximum(l2Norm(g), 1e-12)), radius);
  });
}

/** One run of projected gradient steps from `start`. */
function pgdFrom(model: Classifier, x: tf.Tensor, labels: tf.Tensor, start: tf.Tensor, o: Required<Omit<PgdOptions, 'restarts' | 'randomStart'>>): tf.Tensor {
  let adv = start;
  for (let t = 0; t < o.steps; t++) {
    const next = tf.tidy(() => {
      const g = inputGradient(model, adv, labels); // [B, ...input]
      const ascent = o.targeted ? tf.neg(g) : g;
      const step = o.norm === 'linf' ? tf.sign(ascent) : tf.div(ascent, tf.maximum(l2Norm(ascent), 1e-12));
      const moved = tf.add(adv, tf.mul(o.stepSize, step));
      const delta = projectToBall(tf.sub(moved, x), o.epsilon, o.norm);
      return clipToRange(tf.add(x, delta), o.clip);
    });
    adv.dispose();
    adv = next;
  }
  return adv;
}

/**
 * Projected gradient descent (Madry et al. 2018). `x` [B, ...input]; `labels` int32 [B] (true classes,
 * or target classes when `targeted`). Returns x̃ (the caller disposes it).
 */
export function pgd(model: Classifier, x: tf.Tensor, labels: tf.Tensor, options: PgdOptions): tf.Tensor {
  const o = { norm: 'linf' as Norm, targeted: false, ...options };
  const restarts = options.restarts ?? 1;
  const randomStart = options.randomStart ?? true;
  if (!(o.epsilon >= 0) || !(o.stepSize >= 0) || !Number.isInteger(o.steps) || o.steps < 0 || !Number.isInteger(restarts) || restarts < 1) {
    throw new RangeError(`pgd: need epsilon ≥ 0, stepSize ≥ 0, integer steps ≥ 0 and restarts ≥ 1 (got ${o.epsilon}, ${o.stepSize}, ${o.steps}, ${restarts})`);
  }
  const run = () => {
    const start = tf.tidy(() => (randomStart ? clipToRange(tf.add(x, randomInBall(x.shape, o.epsilon, o.norm)), o.clip) : x.clone()));
    return pgdFrom(model, x, labels, start, o);
  };
  let best = run();
  for (let r = 1; r < restarts; r++) {
    const candidate = run();
    const merged = tf.tidy(() => {
      // Keep, per example, an input that fools the model; among equals, the higher loss.
      const score = (adv: tf.Tensor) => {
        const logits = model(adv);
        const hit = o.targeted ? tf.equal(predictedClass(logits), tf.cast(labels, 'int32')) : tf.notEqual(predictedClass(logits), tf.cast(labels, 'int32'));
        const loss = perExampleLoss(logits, labels);
        // Success dominates; the loss (negated when targeted) breaks ties.
        return tf.add(tf.mul(tf.cast(hit, 'float32'), 1e6), o.targeted ? tf.neg(loss) : loss); // [B]
      };
      const takeNew = tf.greater(score(candidate), score(best)); // [B]
      const mask = takeNew.reshape([-1, ...x.shape.slice(1).map(() => 1)]);
      return tf.where(tf.broadcastTo(mask, x.shape), candidate, best);
    });
    best.dispose();
    candidate.dispose();
    best = merged;
  }
  return best;
}

/** The basic iterative method (Kurakin et al. 2017): PGD in L∞ from x itself (no random start). */
export function bim(
  model: Classifier,
  x: tf.Tensor,
  labels: tf.Tensor,
  options: Omit<PgdOptions, 'norm' | 'randomStart' | 'restarts' | 'steps' | 'stepSize'> & { steps?: number; stepSize?: number },
): tf.Tensor {
  return pgd(model, x, labels, {
    ...options,
    norm: 'linf',
    randomStart: false,
    restarts: 1,
    stepSize: options.stepSize ?? 1 / 255,
    steps: options.steps ?? bimSteps(options.epsilon),
  });
}
