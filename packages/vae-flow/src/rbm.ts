/**
 * Restricted Boltzmann machines trained with one step of contrastive divergence (CD-1) — the layer-wise
 * pre-training of G. E. Hinton & R. R. Salakhutdinov, "Reducing the Dimensionality of Data with Neural
 * Networks", Science 313 (2006), "pretraining" and supporting material, as their rbm.m and rbmhidlinear.m.
 * https://doi.org/10.1126/science.1127647
 *
 * Visible v [B, V] (pixel intensities or the probabilities of the layer below), hidden h [B, H], weights
 * W [V, H], biases b [H] (hidden), c [V] (visible). One CD-1 update on a mini-batch:
 *   p(h|v) = σ(vW + b)                       (linear top layer: h = vW + b + N(0, 1) noise)
 *   h ~ p(h|v);   v′ = σ(hWᵀ + c);   p(h|v′) = σ(v′W + b)   (linear: v′W + b)
 *   ΔW ← μ ΔW + ε ((vᵀp(h|v) − v′ᵀp(h|v′)) / B − λ W),   Δb, Δc likewise without λ;   W ← W + ΔW
 * with ε = 0.1 (0.001 for the linear 30-unit top layer), λ = 2·10⁻⁴, momentum μ = 0.5 for the first
 * five epochs and 0.9 after. The increments ΔW, Δb, Δc are state the caller keeps (`RbmIncrements`).
 */
import { nextSeed, tf } from '@paperzoo/tensor';

/** An RBM's parameters: the variables it updates in place. */
export interface RbmParameters {
  /** W [V, H]. */
  weights: tf.Variable;
  /** b [H]. */
  hiddenBias: tf.Variable;
  /** c [V]. */
  visibleBias: tf.Variable;
}

/** The momentum increments ΔW [V, H], Δb [H], Δc [V] (zeros at the start). */
export type RbmIncrements = RbmParameters;

export interface ContrastiveDivergenceOptions {
  /** ε (rbm.m: 0.1; rbmhidlinear.m: 0.001). */
  learningRate: number;
  /** μ (0.5, then 0.9 after five epochs). */
  momentum: number;
  /** λ, the L2 weight cost on W (2e-4). */
  weightCost: number;
  /** Gaussian hidden units with unit variance (the 30-unit code layer, rbmhidlinear.m) instead of binary ones. */
  linearHidden: boolean;
}

/** Zero increments shaped like `p`, as variables (so `fit` checkpoints them). */
export function createRbmIncrements(p: RbmParameters, name: string): RbmIncrements {
  const zeros = (v: tf.Variable, part: string) => tf.variable(tf.zerosLike(v), false, `${name}/${part}`);
  return { weights: zeros(p.weights, 'dW'), hiddenBias: zeros(p.hiddenBias, 'db'), visibleBias: zeros(p.visibleBias, 'dc') };
}

/** p(h|v) = σ(vW + b), or the mean vW + b of linear hidden units: v [B, V] → [B, H]. */
export function rbmHidden(p: RbmParameters, v: tf.Tensor2D, linearHidden: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const pre = tf.add<tf.Tensor2D>(tf.matMul(v, p.weights), p.hiddenBias); // [B, H]
    return linearHidden ? pre : tf.sigmoid(pre);
  });
}

/**
 * One CD-1 update of `p` (and `inc`) on the mini-batch v [B, V]. Returns the summed squared error of the
 * one-step reconstruction, Σ (v − v′)² (rbm.m's `err`). Samples are drawn with seeds from the global
 * generator of @paperzoo/tensor.
 */
export function contrastiveDivergenceStep(p: RbmParameters, inc: RbmIncrements, v: tf.Tensor2D, opts: ContrastiveDivergenceOptions): number {
  const err = tf.tidy(() => {
    const batch = v.shape[0];
    const [numVisible, numHidden] = p.weights.shape;
    const posHidden = rbmHidden(p, v, opts.linearHidden); // [B, H]
    const hiddenStates = opts.linearHidden
      ? tf.add(posHidden, tf.randomNormal([batch, numHidden], 0, 1, 'float32', nextSeed()))
      : tf.step(tf.sub(posHidden, tf.randomUniform([batch, numHidden], 0, 1, 'float32', nextSeed()))); // [B, H]: 1 where p > u (step, not cast(greater): native's bool→float cast is slow in matMul)
    const negVisible = tf.sigmoid(tf.add(tf.matMul(hiddenStates, p.weights, false, true), p.visibleBias)) as tf.Tensor2D; // [B, V]
    const negHidden = rbmHidden(p, negVisible, opts.linearHidden); // [B, H]
    const posProducts = tf.matMul(tf.transpose(v), posHidden); // [V, H] (an explicit transpose: native's transposeA matMul is ~4× slower)
    const negProducts = tf.matMul(tf.transpose(negVisible), negHidden); // [V, H]
    const rate = opts.learningRate / batch;
    const dW = tf.add(tf.mul(opts.momentum, inc.weights), tf.sub(tf.mul(rate, tf.sub(posProducts, negProducts)), tf.mul(opts.learningRate * opts.weightCost, p.weights)));
    const dc = tf.add(tf.mul(opts.momentum, inc.visibleBias), tf.mul(rate, tf.sub(tf.sum(v, 0), tf.sum(negVisible, 0)))); // [V]
    const db = tf.add(tf.mul(opts.momentum, inc.hiddenBias), tf.mul(rate, tf.sub(tf.sum(posHidden, 0), tf.sum(negHidden, 0)))); // [H]
    inc.weights.assign(dW.reshape([numVisible, numHidden]));
    inc.visibleBias.assign(dc);
    inc.hiddenBias.assign(db);
    p.weights.assign(tf.add(p.weights, dW));
    p.visibleBias.assign(tf.add(p.visibleBias, dc));
    p.hiddenBias.assign(tf.add(p.hiddenBias, db));
    return tf.sum(tf.square(tf.sub(v, negVisible)));
  });
  const value = err.dataSync()[0];
  err.dispose();
  return value;
}
