/**
 * Maximum-likelihood training and evaluation of a {@link CouplingFlow} on dequantised images, as NICE
 * trains (Dinh et al. 2014, §5.1): minimise the mean over a batch of −log p(x) in nats, x the digits
 * plus U(0, 1/256) noise in [0, 1]^D, fresh noise every time an image is drawn; Adam.
 *
 * NICE's Adam, in the parameterisation of the Adam preprint it cites (arXiv:1412.6980v1, where the
 * decay rates were written as 1 − β): "learning rate 10⁻³, momentum 0.9, β₂ = 0.01, λ = 1, and
 * ε = 10⁻⁴". Momentum 0.9 is today's β₁ = 0.9; β₂ = 0.01 in v1's form is today's β₂ = 1 − 0.01 = 0.99;
 * λ = 1 means no decay of β₁; ε = 10⁻⁴ is added to √v̂ (as Algorithm 1): {@link NICE_ADAM}.
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { fit, type FitContext } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import type { ImageDataset } from '@paperzoo/datasets';
import type { CouplingFlow } from './coupling-flow.js';
import { dequantize, dequantizeFixed } from './dequantisation.js';
import { bruteForceLogDet } from './jacobian.js';

/** NICE §5.1's Adam settings converted to Kingma & Ba's final parameterisation (see the file comment). */
export const NICE_ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.99, epsilon: 1e-4 } as const;

export interface TrainFlowOptions {
  ctx: FitContext;
  model: CouplingFlow;
  data: ImageDataset;
  /** Passes over `examples` (NICE: 1,500). */
  epochs: number;
  /** Training examples: the first `examples` images of `data`. */
  examples: number;
  /** Batch size (the authors' yaml: 200). */
  batchSize: number;
  /** Stop after this many steps of the last epoch (a fraction of an epoch); default: whole epochs. */
  maxSteps?: number;
  label?: string;
  lossCurve?: string;
}

/** Train by maximum likelihood through `fit` (checkpointed, resumable). Returns the last epoch's mean training NLL (nats). */
export async function trainFlow(o: TrainFlowOptions): Promise<number> {
  const dims = o.data.height * o.data.width * o.data.channels;
  const perEpoch = Math.floor(o.examples / o.batchSize);
  const stepsPerEpoch = o.maxSteps ? Math.min(o.maxSteps, perEpoch) : perEpoch;
  const optimizer = new Adam(NICE_ADAM);
  const { trainLoss } = await fit<tf.Tensor2D>({
    ctx: o.ctx,
    variables: o.model.variables,
    optimizer,
    epochs: o.epochs,
    stepsPerEpoch,
    batches: function* () {
      const order = shuffledIndicesFromGlobalRng(o.examples);
      for (let s = 0; s < stepsPerEpoch; s++) yield dequantize(o.data.pixels, dims, order.subarray(s * o.batchSize, (s + 1) * o.batchSize));
    },
    loss: (x) => tf.neg(tf.mean(o.model.logProb(x, { training: true }))) as tf.Scalar,
    owns: [optimizer],
    label: o.label,
    lossCurve: o.lossCurve,
  });
  return trainLoss ?? NaN;
}

/** Mean −log p(x) (nats, x in [0, 1]^D) over the first `count` images of `data`, with fixed dequantisation noise. */
export function flowNll(model: CouplingFlow, data: ImageDataset, o: { count?: number; batchSize?: number; seed?: number | string } = {}): number {
  const dims = data.height * data.width * data.channels;
  const count = Math.min(o.count ?? data.count, data.count);
  const batchSize = o.batchSize ?? 1000;
  let total = 0;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    total += tf.tidy(() => {
      const x = dequantizeFixed(data.pixels, dims, start, n, o.seed ?? 'test');
      return tf.sum(model.logProb(x)).dataSync()[0];
    });
  }
  return -total / count;
}

/**
 * The exact properties on a trained model, on dequantised test digits: the largest |f⁻¹(f(x)) − x|
 * over `count` images, and for `jacobianExamples` of them the largest difference between the model's
 * log-determinant and a brute-force one (full Jacobian, float64 LU; {@link bruteForceLogDet}).
 */
export function flowExactness(model: CouplingFlow, data: ImageDataset, o: { count?: number; jacobianExamples?: number; seed?: number | string } = {}): { inverseMaxError: number; logDetMaxError: number; logDet: number } {
  const dims = data.height * data.width * data.channels;
  const x = dequantizeFixed(data.pixels, dims, 0, o.count ?? 500, o.seed ?? 'exactness');
  try {
    const inverseMaxError = tf.tidy(() => tf.max(tf.abs(tf.sub(model.inverse(model.forward(x).y), x))).dataSync()[0]);
    let logDetMaxError = 0;
    let logDet = NaN;
    for (let i = 0; i < (o.jacobianExamples ?? 1); i++) {
      const xi = tf.slice(x, [i, 0], [1, dims]);
      const own = tf.tidy(() => model.forward(xi).logDet.dataSync()[0]);
      const brute = bruteForceLogDet((xs) => model.forward(xs).y, xi);
      xi.dispose();
      logDetMaxError = Math.max(logDetMaxError, Math.abs(own - brute));
      logDet = own;
    }
    return { inverseMaxError, logDetMaxError, logDet };
  } finally {
    x.dispose();
  }
}

/** n samples f⁻¹(T·h) as images in [0, 1] (clipped), row-major [n·D] for `imageGridPng`. */
export function flowSamples(model: CouplingFlow, n: number, temperature: number): Float32Array {
  return tf.tidy(() => tf.clipByValue(model.sample(n, temperature), 0, 1).dataSync() as Float32Array);
}
