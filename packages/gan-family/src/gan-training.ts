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
import { getRngState, setRngState, shuffledIndicesFromGlobalRng, tf } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitResult, type StepInfo } from '@paperzoo/repro';
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

/**
 * The released code's update instead of Algorithm 1 (goodfeli/adversarial `AdversaryCost2.get_gradients`
 * under pylearn2's SGD): one batch, one noise draw, one forward pass with the same dropout masks; D's
 * gradient of its loss and G's gradient of its loss are both taken at the current parameters, then both
 * applied. Here the forward pass is run twice from the same state of the global generator (same noise,
 * same dropout masks), once differentiated for each player.
 */
export function ganSimultaneousIteration(o: GanIterationOptions, real: tf.Tensor): GanIterationResult {
  const scale = o.discriminatorLossScale ?? 1;
  const m = real.shape[0];
  const state = getRngState();
  const { value: dValue, grads: dGrads } = tf.variableGrads(() => {
    const fake = o.generate(o.noise(m));
    const loss = discriminatorLoss(o.loss, o.discriminate(real), o.discriminate(fake), o.coding);
    const scaled = scale === 1 ? loss : tf.mul<tf.Scalar>(loss, scale);
    return o.discriminatorPenalty ? tf.add<tf.Scalar>(scaled, o.discriminatorPenalty(real, fake)) : scaled;
  }, Object.values(o.discriminatorVariables));
  setRngState(state); // replay: the same noise and dropout masks
  const { value: gValue, grads: gGrads } = tf.variableGrads(() => {
    const fake = o.generate(o.noise(m));
    tf.dispose(o.discriminate(real)); // draws the real pass's dropout seeds, as the first pass did
    return generatorLoss(o.loss, o.discriminate(fake), o.coding);
  }, Object.values(o.generatorVariables));
  o.discriminatorOptimizer.applyGradients(dGrads);
  o.afterDiscriminatorStep?.();
  o.generatorOptimizer.applyGradients(gGrads);
  tf.dispose([dGrads, gGrads]);
  const dLoss = tf.div<tf.Scalar>(dValue, scale);
  dValue.dispose();
  return { d_loss: dLoss, g_loss: gValue };
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

export interface FitGanOptions extends Omit<GanIterationOptions, 'generatorOptimizer' | 'discriminatorOptimizer'> {
  ctx: FitContext;
  generatorOptimizer: GradientApplier & FitOptimizer;
  discriminatorOptimizer: GradientApplier & FitOptimizer;
  /** Training examples, `count` rows of `size` values (e.g. pixels in [0, 1]). */
  data: Float32Array;
  count: number;
  size: number;
  /** m, examples per D step (and G's batch). */
  batchSize: number;
  /** k, D steps per iteration (Alg. 1; the 2014 experiments: k = 1). */
  k?: number;
  epochs: number;
  /** Iterations per epoch (default: as many as one shuffled pass gives, ⌊count / (k·m)⌋). */
  iterationsPerEpoch?: number;
  /** The released code's simultaneous update ({@link ganSimultaneousIteration}, k = 1) instead of Algorithm 1. */
  simultaneous?: boolean;
  /** Called before each iteration (e.g. a momentum schedule by epoch). */
  beforeIteration?: (at: StepInfo) => void;
  evaluate?: Parameters<typeof fit>[0]['evaluate'];
  label?: string;
  /** Log the losses as curves `<curves>/d_loss` and `<curves>/g_loss` (default `d_loss/train`, `g_loss/train`): one name per model when a run trains several. */
  curves?: string;
}

/**
 * Algorithm 1 through @paperzoo/repro's `fit`: each epoch one shuffled pass (from the global generator,
 * so `--resume` replays it), each step one iteration of k D updates and one G update; both players'
 * variables and optimiser states are checkpointed. Logs d_loss and g_loss.
 */
export async function fitGan(o: FitGanOptions): Promise<FitResult> {
  const k = o.k ?? 1;
  if (o.simultaneous && k !== 1) throw new RangeError('fitGan: the simultaneous update has k = 1');
  const perEpoch = o.iterationsPerEpoch ?? Math.floor(o.count / (k * o.batchSize));
  if (perEpoch < 1 || perEpoch * k * o.batchSize > o.count) throw new RangeError(`fitGan: ${perEpoch} iterations of ${k}×${o.batchSize} examples do not fit in ${o.count}`);
  const variables = { ...prefixed('g/', o.generatorVariables), ...prefixed('d/', o.discriminatorVariables) };
  return fit<tf.Tensor2D[]>({
    ctx: o.ctx,
    variables,
    optimizers: { generator: o.generatorOptimizer, discriminator: o.discriminatorOptimizer },
    epochs: o.epochs,
    stepsPerEpoch: perEpoch,
    batches: function* () {
      const order = shuffledIndicesFromGlobalRng(o.count);
      for (let s = 0; s < perEpoch; s++) {
        yield Array.from({ length: k }, (_, j) => {
          const rows = new Float32Array(o.batchSize * o.size);
          const base = (s * k + j) * o.batchSize;
          for (let i = 0; i < o.batchSize; i++) rows.set(o.data.subarray(order[base + i] * o.size, (order[base + i] + 1) * o.size), i * o.size);
          return tf.tensor2d(rows, [o.batchSize, o.size]);
        });
      }
    },
    step: (reals, at) => {
      o.beforeIteration?.(at);
      const r = o.simultaneous ? ganSimultaneousIteration(o, reals[0]) : ganTrainingIteration(o, reals, o.batchSize);
      return o.curves ? { [`${o.curves}/d_loss`]: r.d_loss, [`${o.curves}/g_loss`]: r.g_loss } : { d_loss: r.d_loss, g_loss: r.g_loss };
    },
    evaluate: o.evaluate,
    label: o.label ?? 'GAN',
  });
}

function prefixed(prefix: string, vars: Readonly<Record<string, tf.Variable>>): Record<string, tf.Variable> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [prefix + k, v]));
}
