/**
 * Training a {@link Vae} on dynamically binarised data through `fit` (checkpointed, resumable), with
 * either objective:
 *
 * - 'elbo': Kingma & Welling's estimator with the analytic KL (eq. 10, L = 1);
 * - 'iwae': Burda et al.'s k-sample bound (eq. 8); k = 1 is their VAE baseline.
 *
 * Each step draws a minibatch from a per-pass shuffle and redraws its binary pixels, both from the
 * global generator, so a run's seed fixes every draw and a resume replays them.
 */
import { shuffledIndicesFromGlobalRng, tf } from '@paperzoo/tensor';
import { fit, type FitContext, type FitOptimizer, type FitResult, type Schedule } from '@paperzoo/repro';
import { dynamicBinarize } from './binarize.js';
import { iwaeLoss } from './iwae.js';
import type { Vae } from './vae.js';

export interface VaeTrainingOptions {
  ctx: FitContext;
  model: Vae;
  /** Training intensities in [0, 1], [count, D] row-major (binarised afresh at every use). */
  data: Float32Array;
  count: number;
  batchSize: number;
  objective: { kind: 'elbo' } | { kind: 'iwae'; samples: number };
  optimizer: FitOptimizer & { dispose?(): void };
  learningRate?: Schedule;
  /** Epochs of `stepsPerEpoch` steps each; one pass over the data by default. */
  epochs: number;
  /** Steps per epoch (default ⌊count / batchSize⌋, one pass); fewer trains on a prefix of each shuffle. */
  stepsPerEpoch?: number;
  evaluate?: (at: { epoch: number; step: number }) => Record<string, number> | Promise<Record<string, number>>;
  label?: string;
  lossCurve?: string;
}

/** Train; returns fit's result (the loss is −bound per example, in nats). */
export function trainVae(o: VaeTrainingOptions): Promise<FitResult> {
  const size = o.data.length / o.count;
  const stepsPerEpoch = o.stepsPerEpoch ?? Math.floor(o.count / o.batchSize);
  if (stepsPerEpoch * o.batchSize > o.count) throw new RangeError(`trainVae: ${stepsPerEpoch} steps of ${o.batchSize} exceed the ${o.count} examples`);
  return fit<{ x: tf.Tensor }>({
    ctx: o.ctx,
    variables: o.model.variables,
    optimizer: o.optimizer,
    learningRate: o.learningRate,
    epochs: o.epochs,
    stepsPerEpoch,
    batches: function* () {
      const order = shuffledIndicesFromGlobalRng(o.count);
      const batch = new Float32Array(o.batchSize * size);
      for (let s = 0; s < stepsPerEpoch; s++) {
        for (let i = 0; i < o.batchSize; i++) batch.set(o.data.subarray(order[s * o.batchSize + i] * size, (order[s * o.batchSize + i] + 1) * size), i * size);
        yield { x: tf.tidy(() => dynamicBinarize(tf.tensor2d(batch, [o.batchSize, size]))) }; // [B, D] of 0/1
      }
    },
    loss: ({ x }) => (o.objective.kind === 'elbo' ? tf.tidy(() => tf.neg(tf.mean(o.model.elbo(x))) as tf.Scalar) : iwaeLoss(o.model, x, o.objective.samples)),
    evaluate: o.evaluate,
    owns: o.optimizer.dispose ? [o.optimizer as { dispose(): void }] : [],
    label: o.label,
    lossCurve: o.lossCurve,
  });
}

/**
 * Burda et al.'s schedule (§5): for i = 0 … 7, 3^i passes at learning rate 10⁻³ · 10^(−i/7) (3,280
 * passes in all). Step → rate, for `stepsPerPass` steps per pass.
 */
export function iwaeLearningRate(stepsPerPass: number, initial = 1e-3): Schedule {
  return (step) => {
    const pass = Math.floor(step / stepsPerPass);
    let [i, end] = [0, 1];
    while (pass >= end && i < 7) end += 3 ** ++i;
    return initial * 10 ** (-i / 7);
  };
}

/** Passes of Burda et al.'s schedule through stage `last` (0-based): 1, 4, 13, 40, … 3,280. */
export function iwaePasses(last: number): number {
  let n = 0;
  for (let i = 0; i <= last; i++) n += 3 ** i;
  return n;
}
