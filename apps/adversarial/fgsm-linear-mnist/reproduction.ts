/**
 * FGSM on linear models — Goodfellow, Shlens & Szegedy, "Explaining and Harnessing Adversarial
 * Examples", ICLR 2015. https://arxiv.org/abs/1412.6572
 *
 * Claims:
 * - §4: "Using ε = .25, we cause a shallow softmax classifier to have an error rate of 99.9% with an
 *   average confidence of 79.3% on the MNIST test set."
 * - §5, Fig. 2: logistic regression on MNIST 3s vs 7s has 1.6% test error; its fast gradient sign
 *   examples at ε = .25 have 99% error — and for logistic regression FGSM "is not an approximation,
 *   but truly the most damaging adversarial example in the max norm box": x̃ = x − ε·y·sign(w) (y = ±1).
 *
 * Pixels are in [0, 1] and the adversarial examples are NOT clipped back into [0, 1], as in the paper
 * (ε = .25 can push a pixel to −0.25 or 1.25). The clipped numbers are reported beside them.
 * The models are packages/adversarial/src/models/linear.ts. The paper gives no training recipe for
 * either model; ours is in the config and the README (with how sensitive the confidence is to it).
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, type RunContext } from '@paperzoo/repro';
import { SGD } from '@paperzoo/core-autograd';
import { loadMnist, type ImageDataset } from '@paperzoo/datasets';
import {
  SoftmaxRegression, LogisticRegression, fgsm, meanLoss, gridRows, adversarialGridPng, labelledBatch, sliceBatches,
  evaluateAttacks, disposeBatch, indexRange, FGSM_PAPER, UNIT_RANGE, type Classifier, type LabelledBatch,
} from '@paperzoo/adversarial';

/** A linear model's training recipe (the paper gives none). */
export interface LinearTraining {
  /** Passes over the training set. */
  epochs: number;
  /** Examples per SGD step. */
  batchSize: number;
  /** SGD learning rate (constant). */
  learningRate: number;
  /** L1 penalty λ·‖w‖₁ on the weights (0: none). */
  l1: number;
}

export interface FgsmLinearConfig {
  /** L∞ size of the perturbation on pixels in [0, 1] (paper: 0.25). */
  epsilon: number;
  /** Softmax regression on all ten digits (§4). */
  softmax: LinearTraining;
  /** Logistic regression on 3s (y = 0) vs 7s (y = 1) (§5, Fig. 2). */
  logistic: LinearTraining;
  /**
   * After the claim is measured, keep training the softmax model this many more epochs and log its
   * FGSM error and confidence after each (the recipe-sensitivity curve; 0 = skip).
   */
  softmaxSweepEpochs: number;
  /** Examples shown in each PNG grid. */
  gridExamples: number;
}

/** A whole split as tensors: x [n, 784] in [0, 1], labels (possibly relabelled) as tensor and array. */
type Split = LabelledBatch<tf.Tensor2D>;

/** Indices of the examples whose label is one of `classes`. */
function indicesOf(ds: ImageDataset, classes: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ds.count; i++) if (classes.includes(ds.labels[i])) out.push(i);
  return out;
}

/** Minibatch SGD on mean cross-entropy + λ‖W‖₁. */
function train(
  ctx: RunContext<FgsmLinearConfig>,
  task: string,
  model: Classifier,
  weights: tf.Variable,
  data: Split,
  cfg: LinearTraining,
  epochOffset = 0,
): void {
  const n = data.labels.length;
  const steps = Math.ceil(n / cfg.batchSize);
  const optimizer = new SGD({ learningRate: cfg.learningRate });
  const bar = ctx.progress.start(task, cfg.epochs * steps, { unit: 'steps' });
  for (let e = 0; e < cfg.epochs; e++) {
    const order = shuffledIndicesFromGlobalRng(n);
    let lossSum = 0;
    for (let s = 0; s < n; s += cfg.batchSize) {
      const idx = tf.tensor1d(order.subarray(s, Math.min(n, s + cfg.batchSize)), 'int32');
      const xb = tf.gather(data.x, idx); // [B, 784]
      const yb = tf.gather(data.y, idx); // [B]
      const cost = optimizer.minimize(() =>
        tf.tidy(() => {
          const loss = meanLoss(model(xb), yb);
          return cfg.l1 > 0 ? tf.add<tf.Scalar>(loss, tf.mul(cfg.l1, tf.sum(tf.abs(weights)))) : loss;
        }), true);
      lossSum += cost ? cost.dataSync()[0] : 0;
      tf.dispose([idx, xb, yb]);
      cost?.dispose();
      bar.tick(1, { epoch: `${e + 1}/${cfg.epochs}` });
    }
    ctx.log({ [`loss/${task}`]: lossSum / steps }, { step: (epochOffset + e + 1) * steps, epoch: epochOffset + e + 1 });
  }
  bar.end();
  optimizer.dispose();
}

/** Clean and FGSM error (unclipped and clipped) and mean confidence on errors, over a split. */
function attackStats(model: Classifier, data: Split, epsilon: number) {
  return evaluateAttacks({
    batches: sliceBatches(data, 1000),
    craft: (b) => ({
      adversarial: fgsm(model, b.x, b.y, { epsilon, clip: null }),
      clipped: fgsm(model, b.x, b.y, { epsilon, clip: UNIT_RANGE }),
    }),
    measure: {
      clean: { model, input: 'clean' },
      adversarial: { model, input: 'adversarial' },
      clipped: { model, input: 'clipped' },
    },
  });
}

/**
 * Fig. 2's point: for logistic regression FGSM is exactly x ± ε·sign(w) (− for 7s, y = 1; + for 3s),
 * the worst case in the L∞ box. Checks every test example and returns the largest deviation.
 */
function fgsmIsSignOfWeights(model: Classifier, weights: tf.Variable, data: Split, epsilon: number): number {
  return tf.tidy(() => {
    const adv = fgsm(model, data.x, data.y, { epsilon, clip: null }); // [n, 784]
    const direction = tf.sub(1, tf.mul(2, tf.cast(data.y, 'float32'))).reshape([-1, 1]); // +1 for y = 0, −1 for y = 1
    const analytic = tf.add(data.x, tf.mul(epsilon, tf.mul(direction, tf.sign(weights.reshape([1, -1])))));
    return tf.max(tf.abs(tf.sub(adv, analytic))).dataSync()[0];
  });
}

async function writeGrid(ctx: RunContext<FgsmLinearConfig>, file: string, title: string, model: Classifier, data: Split, cfg: FgsmLinearConfig, names?: (c: number) => string | number) {
  const n = cfg.gridExamples;
  const x = data.x.slice([0, 0], [n, 784]);
  const y = data.y.slice([0], [n]);
  const xAdv = fgsm(model, x, y, { epsilon: cfg.epsilon, clip: null });
  const rows = gridRows(model, x, xAdv, data.labels.subarray(0, n), n, names);
  tf.dispose([x, y, xAdv]);
  await fs.mkdir(ctx.resultsDir, { recursive: true });
  await fs.writeFile(path.join(ctx.resultsDir, file), adversarialGridPng(rows, { title, perturbationCaption: `EPS ${cfg.epsilon}` }));
}

async function run(cfg: FgsmLinearConfig, ctx: RunContext<FgsmLinearConfig>) {
  const [trainSet, testSet] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  const all = (ds: ImageDataset) => indexRange(0, ds.count);

  // §4: softmax regression on the ten digits.
  const softmax = new SoftmaxRegression({ seed: ctx.seed });
  const softmaxModel: Classifier = (x) => softmax.apply(x);
  const train10 = labelledBatch(trainSet, all(trainSet), { input: 'vector' });
  const test10 = labelledBatch(testSet, all(testSet), { input: 'vector' });
  train(ctx, 'softmax', softmaxModel, softmax.variables.kernel, train10, cfg.softmax);
  const s = attackStats(softmaxModel, test10, cfg.epsilon);
  await writeGrid(ctx, 'fgsm-softmax.png', `SOFTMAX REGRESSION  FGSM EPS ${cfg.epsilon}`, softmaxModel, test10, cfg);
  ctx.log({ 'softmax_fgsm/confidence': s.adversarial.meanConfidenceOnErrors, 'softmax_fgsm/error': s.adversarial.error }, { step: cfg.softmax.epochs, epoch: cfg.softmax.epochs });
  let swept = s;
  for (let e = 1; e <= cfg.softmaxSweepEpochs; e++) {
    train(ctx, 'softmax', softmaxModel, softmax.variables.kernel, train10, { ...cfg.softmax, epochs: 1 }, cfg.softmax.epochs + e - 1);
    swept = attackStats(softmaxModel, test10, cfg.epsilon);
    ctx.log({ 'softmax_fgsm/confidence': swept.adversarial.meanConfidenceOnErrors, 'softmax_fgsm/error': swept.adversarial.error }, { step: cfg.softmax.epochs + e, epoch: cfg.softmax.epochs + e });
  }
  disposeBatch(train10);
  disposeBatch(test10);
  softmax.dispose();

  // §5, Fig. 2: logistic regression, 3s (y = 0) vs 7s (y = 1).
  const toBinary = (label: number) => (label === 7 ? 1 : 0);
  const logistic = new LogisticRegression({ seed: ctx.seed });
  const logisticModel: Classifier = (x) => logistic.apply(x);
  const train37 = labelledBatch(trainSet, indicesOf(trainSet, [3, 7]), { input: 'vector', relabel: toBinary });
  const test37 = labelledBatch(testSet, indicesOf(testSet, [3, 7]), { input: 'vector', relabel: toBinary });
  train(ctx, 'logistic', logisticModel, logistic.variables.weights, train37, cfg.logistic);
  disposeBatch(train37);
  const l = attackStats(logisticModel, test37, cfg.epsilon);
  const maxDeviation = fgsmIsSignOfWeights(logisticModel, logistic.variables.weights, test37, cfg.epsilon);
  await writeGrid(ctx, 'fgsm-logistic-3v7.png', `LOGISTIC REGRESSION 3 VS 7  EPS ${cfg.epsilon}`, logisticModel, test37, cfg, (c) => (c === 1 ? 7 : 3));
  disposeBatch(test37);
  logistic.dispose();

  return {
    softmax_clean_error: s.clean.error,
    softmax_fgsm_error: s.adversarial.error,
    softmax_fgsm_confidence: s.adversarial.meanConfidenceOnErrors,
    softmax_fgsm_error_clipped: s.clipped.error,
    softmax_sweep_final_fgsm_error: swept.adversarial.error,
    softmax_sweep_final_fgsm_confidence: swept.adversarial.meanConfidenceOnErrors,
    softmax_sweep_final_clean_error: swept.clean.error,
    softmax_fgsm_confidence_clipped: s.clipped.meanConfidenceOnErrors,
    logistic_clean_error: l.clean.error,
    logistic_fgsm_error: l.adversarial.error,
    logistic_fgsm_error_clipped: l.clipped.error,
    logistic_test_examples: l.clean.count,
    // Float32 rounding only: x ± ε·sign(w) computed two ways.
    logistic_fgsm_is_sign_of_weights: maxDeviation < 1e-6,
  };
}

const SMOKE: FgsmLinearConfig = {
  epsilon: 0.25,
  softmax: { epochs: 1, batchSize: 100, learningRate: 0.1, l1: 0 },
  logistic: { epochs: 10, batchSize: 100, learningRate: 0.1, l1: 0 },
  softmaxSweepEpochs: 0,
  gridExamples: 6,
};

export default defineReproduction<FgsmLinearConfig>({
  id: 'fgsm-linear-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  claims: [
    {
      id: 'softmax-error', kind: 'value', what: 'MNIST test error of softmax regression on FGSM examples',
      label: 'softmax FGSM error', setting: 'ε = 0.25, no clipping', source: '§4',
      metric: 'softmax_fgsm_error', published: 0.999, tolerance: 0.005, tiers: ['smoke', 'full'], format: 'percent',
    },
    {
      id: 'softmax-confidence', kind: 'value', what: 'average confidence of softmax regression on its misclassified FGSM examples',
      label: 'softmax confidence on errors', setting: 'ε = 0.25, no clipping', source: '§4',
      metric: 'softmax_fgsm_confidence', published: 0.793, tolerance: 0.1, tiers: ['smoke', 'full'], format: 'percent',
      note: 'depends on the (unpublished) training recipe through the weight norm; see the README',
    },
    {
      id: 'logistic-clean', kind: 'value', what: 'test error of logistic regression on MNIST 3s vs 7s',
      label: 'logistic 3v7 clean error', source: '§5, Fig. 2c',
      metric: 'logistic_clean_error', published: 0.016, tolerance: 0.006, tiers: ['smoke', 'full'], format: 'percent',
    },
    {
      id: 'logistic-fgsm', kind: 'value', what: 'test error of logistic regression (3 vs 7) on FGSM examples',
      label: 'logistic 3v7 FGSM error', setting: 'ε = 0.25, no clipping', source: '§5, Fig. 2d',
      metric: 'logistic_fgsm_error', published: 0.99, tolerance: 0.01, tiers: ['smoke', 'full'], format: 'percent',
    },
    {
      id: 'logistic-exact', kind: 'exact', what: 'for logistic regression FGSM is exactly x ± ε·sign(w), the worst case in the L∞ box, on every test example',
      source: '§5, Fig. 2 caption', metric: 'logistic_fgsm_is_sign_of_weights', expected: true, tiers: ['smoke', 'full'],
    },
  ],
  tiers: {
    smoke: { config: SMOKE, budget: 'the full experiment (all training and test digits), ~12 s of CPU (wasm)' },
    full: { config: { ...SMOKE, softmaxSweepEpochs: 14 }, budget: 'the same experiment plus the recipe-sensitivity sweep (14 more softmax epochs, FGSM after each), about 2 min on 2 CPU cores (wasm)', backend: 'wasm' },
  },
  plots: { softmax_fgsm: { format: 'percent', title: 'Softmax regression under FGSM (ε = 0.25) vs training epochs' } },
  run,
});
