/**
 * Fused training ops: one kernel each way on backends that register one (the native backend of
 * @paperzoo/tensor-native), the same maths composed from tfjs ops everywhere else.
 *
 * - {@link batchNormTraining}: batch normalisation with the batch's statistics (Ioffe & Szegedy 2015,
 *   Algorithm 1). Composed, it is `tf.moments` + normalise + scale/shift, whose automatic gradient is
 *   ~15 full-size ops; fused, it is two passes forward (statistics, normalise) and two backward.
 * - {@link ADAM_UPDATE}: one Adam/AdamW step of one variable, which @paperzoo/core-autograd's Adam and
 *   AdamW run through {@link fusedKernel} (composed from ~15 tfjs ops elsewhere).
 * - {@link fusedBackward}: the first-order backward kernels of relu, tanh and sigmoid (one pass instead
 *   of step/square/sub/mul), used by ./gradients.ts.
 *
 * Fused kernels are used for *first-order* backward passes only: when a backward pass is itself
 * being recorded (a gradient of a gradient: MAML, Hessian-vector products) the gradients below are
 * composed from differentiable ops, recomputed from the saved inputs, so second order stays exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * True while a backward pass is itself being recorded, i.e. while a gradient is being computed that
 * will be differentiated again (tf.grad inside tf.grad, MAML, Hessian-vector products).
 */
export function differentiatedAgain(): boolean {
  const { gradientDepth, kernelDepth } = tf.engine().state;
  return gradientDepth > 0 && kernelDepth === 0;
}

/** True when the active backend registers `kernelName`. */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) != null;
}

/**
 * The fused kernel's result where the active backend has it and every input is float32; null where
 * the caller must compose the op from tfjs ops.
 */
export function fusedKernel<T extends Tensor | Tensor[]>(kernelName: string, inputs: Record<string, Tensor>, attrs: object = {}): T | null {
  if (!backendHasKernel(kernelName) || Object.values(inputs).some((t) => t.dtype !== 'float32')) return null;
  return tf.engine().runKernel(kernelName, inputs, attrs as NamedAttrMap) as unknown as T;
}

/** {@link fusedKernel} for a first-order backward pass only: null while the pass is itself recorded (see the module note). */
export function fusedBackward<T extends Tensor | Tensor[]>(kernelName: string, inputs: Record<string, Tensor>, attrs: object = {}): T | null {
  return differentiatedAgain() ? null : fusedKernel<T>(kernelName, inputs, attrs);
}

// ---------------------------------------------------------------------------------------------------
// Optimizer updates

/**
 * Name of the fused Adam/AdamW update of one variable: inputs value θ, gradient g, m, v (float32, one
 * shape); attrs learningRate η, beta1, beta2, epsilon, step t, decayFactor (θ's multiplier: 1 for Adam,
 * 1 − ηλ for AdamW), gradScale (1, or the global-norm clipping factor); outputs θ', m', v':
 *   g ← g·gradScale;  m' = m·β₁ + g·(1 − β₁);  v' = v·β₂ + g²·(1 − β₂);
 *   θ' = θ·decayFactor − (m'/(1 − β₁^t))/(√(v'/(1 − β₂^t)) + ε)·η
 * in float32, op for op as the composed tfjs ops (the same bits as the cpu backend). Not differentiable.
 */
export const ADAM_UPDATE = 'PaperzooAdamUpdate';

// ---------------------------------------------------------------------------------------------------
// Batch normalisation with batch statistics

/** Name of the fused forward kernel: inputs x [..., C], scale [C], offset [C]; attr varianceEpsilon; outputs y, mean [C], variance [C]. */
export const BATCH_NORM_TRAINING = 'PaperzooBatchNormTraining';
/** Its backward kernel: inputs x, scale, mean, variance, dy, dmean, dvariance; outputs dx, dscale, doffset. */
export const BATCH_NORM_TRAINING_GRAD = 'PaperzooBatchNormTrainingGrad';

/** What {@link batchNormTraining} returns. */
export type BatchNormTrainingResult = {
  /** γ·(x − μ)/√(σ² + ε) + β, the shape of x. */
  y: Tensor;
  /** μ, the per-channel batch mean [C]. */
  mean: Tensor;
  /** σ², the per-channel biased batch variance [C] (divided by m, as Algorithm 1). */
  variance: Tensor;
}; // a type, not an interface: tf.tidy returns it (TensorContainer needs an index signature)

/** Every axis but the last: the statistics are per channel over batch (and space, NHWC). */
const reductionAxes = (x: Tensor): number[] => x.shape.slice(0, -1).map((_, i) => i);

/** Algorithm 1 from tfjs ops (differentiable to any order): the path of backends without the fused kernel. */
function composedBatchNorm(x: Tensor, scale: Tensor, offset: Tensor, varianceEpsilon: number): BatchNormTrainingResult {
  const { mean, variance } = tf.moments(x, reductionAxes(x)); // μ_B, σ²_B: [C]
  const xHat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, varianceEpsilon))); // [..., C]
  return { y: tf.add(tf.mul(xHat, scale), offset), mean, variance };
}

/**
 * Batch normalisation in training mode over the last axis (Ioffe & Szegedy 2015, Algorithm 1):
 * μ = mean of x over every other axis, σ² = its biased variance, y = γ·(x − μ)/√(σ² + ε) + β.
 * x: [..., C] (NHWC images or [B, C] features); scale γ and offset β: [C] (default 1 and 0).
 * Returns y and the batch statistics (for running averages). Differentiable with respect to x,
 * γ and β, to any order; on a backend with the fused kernel (native) it is one kernel forward and,
 * for first-order gradients, one backward.
 */
export function batchNormTraining(x: Tensor, scale?: Tensor, offset?: Tensor, varianceEpsilon = 1e-3): BatchNormTrainingResult {
  if (x.rank < 2) throw new RangeError(`batchNormTraining: x must be [batch, ..., channels], got shape [${x.shape.join(', ')}]`);
  const c = x.shape[x.rank - 1];
  const count = x.size / c;
  for (const [name, t] of [['scale', scale], ['offset', offset]] as const) {
    if (t != null && (t.rank !== 1 || t.shape[0] !== c)) throw new RangeError(`batchNormTraining: ${name} must be [${c}] (one per channel of x [${x.shape.join(', ')}]), got [${t.shape.join(', ')}]`);
  }
  if (count < 1) throw new RangeError(`batchNormTraining: x [${x.shape.join(', ')}] has no values per channel`);
  return tf.tidy(() => {
    const $scale = scale ?? tf.ones([c]);
    const $offset = offset ?? tf.zeros([c]);
    const fused = fusedKernel<Tensor[]>(BATCH_NORM_TRAINING, { x, scale: $scale, offset: $offset }, { varianceEpsilon });
    if (fused == null) return composedBatchNorm(x, $scale, $offset, varianceEpsilon);
    const [y, mean, variance] = fused;
    return { y, mean, variance };
  });
}

/**
 * The gradient of the fused kernel, for upstream dy and the gradients dμ, dσ² reaching the returned
 * statistics (zeros unless the caller differentiates through them), m values per channel:
 *   dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·inv·(dy − dβ/m − x̂·dγ/m) + dμ/m + dσ²·2(x − μ)/m,
 * with x̂ = (x − μ)·inv, inv = 1/√(σ² + ε). Composed (and μ, σ² recomputed from x) when it will be
 * differentiated again or the backend lacks the fused backward kernel.
 */
export const batchNormTrainingGrad: GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale', 'offset'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, , savedMean, savedVariance] = saved;
    const [dy, dmean, dvariance] = dys as Tensor[];
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const fused = fusedBackward<Tensor[]>(BATCH_NORM_TRAINING_GRAD, { x, scale, mean: savedMean, variance: savedVariance, dy, dmean, dvariance }, { varianceEpsilon });
    if (fused != null) {
      const [dx, dscale, doffset] = fused;
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    }
    const axes = reductionAxes(x);
    const m = x.size / x.shape[x.rank - 1];
    // μ and σ² as functions of x, so that a gradient of this gradient sees their dependence on x
    const { mean, variance } = tf.moments(x, axes);
    const centred = tf.sub(x, mean);
    const inv = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const xHat = tf.mul(centred, inv);
    const dOffset = tf.sum(dy, axes);
    const dScale = tf.sum(tf.mul(dy, xHat), axes);
    return {
      x: () => {
        const main = tf.mul(tf.mul(scale, inv), tf.sub(tf.sub(dy, tf.div(dOffset, m)), tf.mul(xHat, tf.div(dScale, m))));
        return tf.add(tf.add(main, tf.div(dmean, m)), tf.mul(centred, tf.mul(dvariance, 2 / m)));
      },
      scale: () => dScale,
      offset: () => dOffset,
    };
  },
};
