/**
 * One training iteration of a GAN — I. Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014,
 * https://arxiv.org/abs/1406.2661, Algorithm 1:
 *
 *   for k steps:
 *     sample m noise vectors z ~ p_g(z) and m examples x ~ p_data
 *     update D by ascending ∇_θd (1/m) Σ [log D(x) + log(1 − D(G(z)))]        (descending its loss)
 *   sample m noise vectors z
 *   update G by descending ∇_θg (1/m) Σ log(1 − D(G(z)))                       (or the non-saturating −log D(G(z)), §3)
 *
 * Generic over the players (any functions of tensors whose parameters are tf.Variables), the
 * optimisers (@paperzoo/core-autograd's or tf.train's `applyGradients`) and the objective
 * (src/losses.ts: minimax, non-saturating, LSGAN, WGAN). Each player's gradient is taken with respect to
 * its own variables only (`tf.variableGrads(f, ownVariables)`); during D's steps the fakes are computed
 * outside the differentiated function, so no gradient reaches G.
 *
 * Shapes: a real batch [m, …]; `noise(m)` [m, noiseDim]; `generate` → [m, …] like the real batch;
 * `discriminate` → [m] (logits or critic scores).
 */
import { tf } from '@paperzoo/tensor';
import { discriminatorLoss, generatorLoss, type GanLossKind, type LsganCoding } from './losses.js';

/** What the iteration needs of an optimiser (every @paperzoo/core-autograd and tf.train optimiser has it). */
export interface GradientApplier {
  applyGradients(grads: tf.NamedTensorMap): void;
}

export interface GanIterationOptions {
  /** z [m, noiseDim] → G(z), shaped like a real batch (training mode). */
  generate: (z: tf.Tensor) => tf.Tensor;
  /** x [m, …] → D's logits (or a critic's scores) [m], in training mode (dropout on). */
  discriminate: (x: tf.Tensor) => tf.Tensor;
  /** m noise vectors from p_z (draw from @paperzoo/tensor's global generator for resumable runs). */
  noise: (m: number) => tf.Tensor;
  generatorVariables: Readonly<Record<string, tf.Variable>>;
  discriminatorVariables: Readonly<Record<string, tf.Variable>>;
  generatorOptimizer: GradientApplier;
  discriminatorOptimizer: GradientApplier;
  /** The objective (src/losses.ts). */
  loss: GanLossKind;
  coding?: LsganCoding;
  /** D's loss is multiplied by this before differentiation (the released MNIST config: ½, AdversaryCost2). */
  discriminatorLossScale?: number;
  /** A term added to D's loss, e.g. WGAN-GP's gradient penalty (Gulrajani et al. Alg. 1) on (real, fake). */
  discriminatorPenalty?: (real: tf.Tensor, fake: tf.Tensor) => tf.Scalar;
  /** Called after each D update (WGAN's weight clipping, a max-norm constraint). */
  afterDiscriminatorStep?: () => void;
}

/** The losses of one iteration: D's mean loss over its k steps (before `discriminatorLossScale`, penalty included) and G's loss. */
export interface GanIterationResult {
  d_loss: tf.Scalar;
  g_loss: tf.Scalar;
}

/**
 * Algorithm 1, one iteration: one D step per real batch in `realBatches` (k = its length), then one G
 * step on `generatorBatchSize` fresh noise vectors (default: the size of the last real batch). Returns
 * scalars the caller owns.
 */
export function ganTrainingIteration(o: GanIterationOptions, realBatches: readonly tf.Tensor[], generatorBatchSize?: number): GanIterationResult {
  if (realBatches.length < 1) throw new RangeError('ganTrainingIteration: k ≥ 1 real batches are needed');
  const scale = o.discriminatorLossScale ?? 1;
  const dVars = Object.values(o.discriminatorVariables);
  const gVars = Object.values(o.generatorVariables);
  let dSum: tf.Scalar = tf.scalar(0);
  for (const real of realBatches) {
    const m = real.shape[0];
    const fake = tf.tidy(() => o.generate(o.noise(m))); // outside the differentiated function: no gradient into G
    const { value, grads } = tf.variableGrads(() => {
      const loss = discriminatorLoss(o.loss, o.discriminate(real), o.discriminate(fake), o.coding);
      const scaled = scale === 1 ? loss : tf.mul<tf.Scalar>(loss, scale);
      return o.discriminatorPenalty ? tf.add<tf.Scalar>(scaled, o.discriminatorPenalty(real, fake)) : scaled;
    }, dVars);
    o.discriminatorOptimizer.applyGradients(grads);
    o.afterDiscriminatorStep?.();
    const next = tf.tidy(() => tf.add<tf.Scalar>(dSum, tf.div(value, scale)));
    tf.dispose([dSum, value, fake, grads]);
    dSum = next;
  }
  const m = generatorBatchSize ?? realBatches[realBatches.length - 1].shape[0];
  const { value: gLoss, grads: gGrads } = tf.variableGrads(() => generatorLoss(o.loss, o.discriminate(o.generate(o.noise(m))), o.coding), gVars);
  o.generatorOptimizer.applyGradients(gGrads);
  tf.dispose(gGrads);
  const dLoss = tf.div<tf.Scalar>(dSum, realBatches.length);
  dSum.dispose();
  return { d_loss: dLoss, g_loss: gLoss };
}
