/**
 * The training recipe of Hinton & Salakhutdinov (Science 2006, supporting material; their
 * mnistdeepauto.m, rbm.m, rbmhidlinear.m, backprop.m) as one resumable `fit`:
 *  1. greedy layer-wise pre-training: layer k's RBM (rbm.ts) sees the logistic activations of the
 *     layers below, `pretrainEpochs` passes in mini-batches of 100, ε = 0.1 (0.001 for the linear code
 *     layer), momentum 0.5 then 0.9 after five epochs, weight cost 2·10⁻⁴;
 *  2. unrolling (U_k = W_kᵀ);
 *  3. fine-tuning: `fineTuneEpochs` passes of conjugate gradients, three line searches per mini-batch
 *     of 1000 (deep-autoencoder.ts, minimize.ts) on the cross-entropy of the logistic outputs.
 * Every step of `fit` is one batch of 1000 training digits: ten RBM updates of 100 in phase 1, one CG
 * call in phase 3. The batches are fixed for the whole run (one permutation from the seed, as their
 * makebatches.m). Deviation: layer k's training data are the activations of the finished layers below,
 * recomputed per batch, not the probabilities rbm.m stored during the lower layer's last epoch.
 */
import { tf } from '@paperzoo/tensor';
import { fit, type FitContext } from '@paperzoo/repro';
import { seededShuffledIndices } from '@paperzoo/datasets';
import { autoencoderSquaredError, type DeepAutoencoder } from './deep-autoencoder.js';
import { contrastiveDivergenceStep, createRbmIncrements } from './rbm.js';

export interface AutoencoderRecipe {
  /** RBM passes per layer (paper 50; their code 10); 0 skips pre-training (random start). */
  pretrainEpochs: number;
  /** Conjugate-gradient passes (paper 200). */
  fineTuneEpochs: number;
  /** Line searches per CG batch (3). */
  lineSearches: number;
  /** Digits per RBM update (100). */
  rbmBatch: number;
  /** Digits per CG call (1000); also the step of `fit`. */
  cgBatch: number;
  /** ε of the logistic RBMs (0.1). */
  rbmLearningRate: number;
  /** ε of the RBM with linear hidden units, the code layer (0.001). */
  linearRbmLearningRate: number;
  /** λ (2e-4). */
  weightCost: number;
  /** Epochs (of each layer) at momentum 0.5 before 0.9 (5). */
  momentumSwitchEpoch: number;
}

export interface TrainAutoencoderOptions {
  ctx: FitContext;
  model: DeepAutoencoder;
  recipe: AutoencoderRecipe;
  /** Training digits [N·784], pixels in [0, 1]; N a multiple of `cgBatch`. */
  train: Float32Array;
  /** Test digits [M·784] for the error after pre-training and after each fine-tuning epoch. */
  test: Float32Array;
  /** Seed of the fixed batch order. */
  seed: number;
  /** Curve and progress name. */
  label: string;
}

export interface TrainAutoencoderResult {
  /** Test error (squared error per image) after the last epoch. */
  testError: number;
  /** Test error of the unrolled, pre-trained network before fine-tuning (null without pre-training). */
  pretrainedTestError: number | null;
  /** Mean RBM reconstruction error per image in each layer's first and last pre-training epoch. */
  rbmErrors: { first: number; last: number }[];
  /** Wall seconds spent in pre-training and in fine-tuning, in this process and any resumed one. */
  pretrainSeconds: number;
  fineTuneSeconds: number;
  /** Mean CE of the last CG epoch. */
  trainCrossEntropy: number | null;
}

/** Pre-train, unroll and fine-tune `model` (see the module comment). */
export async function trainAutoencoder(o: TrainAutoencoderOptions): Promise<TrainAutoencoderResult> {
  const { model, recipe: r } = o;
  const d = model.sizes[0];
  const n = o.train.length / d;
  if (!Number.isInteger(n / r.cgBatch) || r.cgBatch % r.rbmBatch !== 0) throw new RangeError(`trainAutoencoder: ${n} digits are not whole batches of ${r.cgBatch} (made of ${r.rbmBatch})`);
  const stepsPerEpoch = n / r.cgBatch;
  const pretrainTotal = model.depth * r.pretrainEpochs;
  const order = seededShuffledIndices(n, { seed: o.seed });
  const increments = Array.from({ length: model.depth }, (_, k) => createRbmIncrements(model.rbm(k), `${model.modelName}/rbm${k}`));
  const extraVariables: Record<string, tf.Variable> = {};
  increments.forEach((inc, k) => Object.assign(extraVariables, { [`rbm${k}/dW`]: inc.weights, [`rbm${k}/db`]: inc.hiddenBias, [`rbm${k}/dc`]: inc.visibleBias }));
  // JSON state kept in checkpoints: timings and per-layer RBM errors
  let s = { pretrainSeconds: 0, fineTuneSeconds: 0, rbmErrors: [] as { first: number; last: number }[], pretrainedTestError: null as number | null };
  const batchOf = (step: number) => {
    const x = new Float32Array(r.cgBatch * d);
    for (let i = 0; i < r.cgBatch; i++) x.set(o.train.subarray(order[step * r.cgBatch + i] * d, (order[step * r.cgBatch + i] + 1) * d), i * d);
    return tf.tensor2d(x, [r.cgBatch, d]);
  };
  const result = await fit<tf.Tensor2D>({
    ctx: o.ctx, label: o.label, variables: model.variables, extraVariables, optimizers: {}, stepsPerEpoch, epochs: pretrainTotal + r.fineTuneEpochs, owns: increments.map((inc) => [inc.weights, inc.hiddenBias, inc.visibleBias]),
    state: { get: () => s, set: (v) => (s = v as typeof s) },
    *batches() {
      for (let step = 0; step < stepsPerEpoch; step++) yield batchOf(step);
    },
    step(x, at) {
      const start = Date.now();
      if (at.epoch < pretrainTotal) {
        const layer = Math.floor(at.epoch / r.pretrainEpochs);
        const epochOfLayer = at.epoch % r.pretrainEpochs;
        const linear = layer === model.depth - 1;
        let err = 0;
        for (let b = 0; b < r.cgBatch; b += r.rbmBatch) {
          const v = tf.tidy(() => model.encodeTo(x.slice([b, 0], [r.rbmBatch, d]), layer)); // [100, s_layer]
          err += contrastiveDivergenceStep(model.rbm(layer), increments[layer], v, {
            learningRate: linear ? r.linearRbmLearningRate : r.rbmLearningRate, momentum: epochOfLayer >= r.momentumSwitchEpoch ? 0.9 : 0.5, weightCost: r.weightCost, linearHidden: linear,
          });
          v.dispose();
        }
        s.pretrainSeconds += (Date.now() - start) / 1000;
        return { [`rbm_error/${o.label}`]: err / r.cgBatch };
      }
      if (at.epoch === pretrainTotal && at.stepInEpoch === 0 && pretrainTotal > 0) model.unroll();
      const cg = model.fineTuneBatch(x, r.lineSearches);
      s.fineTuneSeconds += (Date.now() - start) / 1000;
      return { [`cross_entropy/${o.label}`]: cg.values[cg.values.length - 1] };
    },
    evaluate({ epoch }) {
      if (epoch < pretrainTotal) return {};
      if (epoch === pretrainTotal) model.unroll();
      const error = autoencoderSquaredError(model, o.test);
      if (epoch === pretrainTotal) s.pretrainedTestError = error;
      return { [`test_error/${o.label}`]: error };
    },
  });
  // the first and last pre-training epoch's mean RBM error of each layer, from the history
  const rbmErrors = Array.from({ length: r.pretrainEpochs > 0 ? model.depth : 0 }, (_, k) => {
    const of = (e: number) => result.history[e]?.trainLoss ?? NaN;
    return { first: of(k * r.pretrainEpochs), last: of((k + 1) * r.pretrainEpochs - 1) };
  });
  const last = result.history[result.history.length - 1];
  return {
    testError: last?.metrics[`test_error/${o.label}`] ?? autoencoderSquaredError(model, o.test),
    pretrainedTestError: s.pretrainedTestError, rbmErrors,
    pretrainSeconds: s.pretrainSeconds, fineTuneSeconds: s.fineTuneSeconds,
    trainCrossEntropy: r.fineTuneEpochs > 0 ? (last?.trainLoss ?? null) : null,
  };
}
