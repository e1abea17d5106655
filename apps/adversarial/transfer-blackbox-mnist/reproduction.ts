/**
 * Transfer of adversarial examples between independently trained models — Szegedy et al., "Intriguing
 * properties of neural networks", ICLR 2014, §4.3 (cross-model and cross-training-set generalisation,
 * https://arxiv.org/abs/1312.6199), and Goodfellow, Shlens & Szegedy, "Explaining and Harnessing
 * Adversarial Examples", ICLR 2015, §8 (https://arxiv.org/abs/1412.6572).
 *
 * Claims:
 * 1. Examples crafted with FGSM on one model fool an independently trained model (other seed, other
 *    training digits) far more often than random ±ε sign noise of the same L∞ size does: the direction
 *    matters, not the size (§8: "adversarial perturbations ... generalize across models"; Fig. 4).
 * 2. §8: on FGSM examples made on a maxout network that the maxout network misclassifies, a shallow
 *    softmax classifier predicts the maxout network's (wrong) class 54.6% of the time, a shallow RBF
 *    network only 16.0% — linear models share the maxout network's linear behaviour, the RBF network
 *    does not (84.6% vs 54.3% when only examples both models get wrong are counted).
 *
 * One tier runs everything (the models are small); the PNG shows examples made on the source model
 * with the target model's predictions. ε = 0.25, no clipping (as the paper).
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { tf, shuffledIndicesFromGlobalRng, randomUniform } from '@paperzoo/tensor';
import { defineReproduction, type RunContext } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';
import {
  MaxoutNetwork, SoftmaxRegression, RbfNetwork, fgsm, meanLoss, gridRows, adversarialGridPng, labelledBatch, datasetBatches,
  disposeBatch, evaluateAttacks, indexRange, FGSM_PAPER, type Classifier,
} from '@paperzoo/adversarial';

export interface TransferConfig {
  /** FGSM size and noise size, on pixels in [0, 1] (paper: 0.25). */
  epsilon: number;
  /** Maxout units per hidden layer and pieces, for the source and the independent target network. */
  hiddenUnits: number[];
  pieces: number;
  /** Training digits for each model; the source uses the first block, the target the next one (disjoint). */
  trainExamples: number;
  /** Passes over its block, for every model. */
  epochs: number;
  batchSize: number;
  /** Adam learning rate (all models). */
  learningRate: number;
  /** Test digits evaluated (the first N of the 10,000). */
  testExamples: number;
  /** Examples in the PNG grid. */
  gridExamples: number;
}

/** Adam on mean cross-entropy over the digits [offset, offset + n). */
function train(ctx: RunContext<TransferConfig>, task: string, model: Classifier, ds: ImageDataset, offset: number, cfg: TransferConfig, after?: () => void): void {
  const n = cfg.trainExamples;
  const optimizer = new Adam({ learningRate: cfg.learningRate });
  const steps = Math.ceil(n / cfg.batchSize);
  const bar = ctx.progress.start(task, steps * cfg.epochs, { unit: 'steps' });
  for (let e = 0; e < cfg.epochs; e++) {
    const order = shuffledIndicesFromGlobalRng(n);
    for (let s = 0; s < n; s += cfg.batchSize) {
      const b = labelledBatch(ds, Array.from(order.subarray(s, Math.min(n, s + cfg.batchSize)), (i) => offset + i), { input: 'vector' }); // x [B, 784]
      optimizer.minimize(() => meanLoss(model(b.x), b.y));
      after?.();
      disposeBatch(b);
      bar.tick();
    }
  }
  bar.end();
  optimizer.dispose();
}

/** Class means of the digits [offset, offset + n): the RBF centres' starting point. */
function classMeans(ds: ImageDataset, offset: number, n: number): tf.Tensor2D {
  const b = takeBatch(ds, indexRange(offset, n));
  const sums = new Float64Array(10 * 784);
  const counts = new Float64Array(10);
  for (let i = 0; i < n; i++) {
    counts[b.y[i]]++;
    for (let j = 0; j < 784; j++) sums[b.y[i] * 784 + j] += b.x[i * 784 + j];
  }
  return tf.tensor2d(Float32Array.from(sums, (v, k) => v / Math.max(1, counts[Math.floor(k / 784)])), [10, 784]);
}

async function run(cfg: TransferConfig, ctx: RunContext<TransferConfig>) {
  const [trainSet, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  const n = cfg.trainExamples;
  if (2 * n > trainSet.count) throw new RangeError(`trainExamples must be ≤ ${trainSet.count / 2} (two disjoint blocks)`);

  // Source: a maxout network on block 0. Target: the same architecture, another seed, block 1.
  const source = new MaxoutNetwork({ hiddenUnits: cfg.hiddenUnits, pieces: cfg.pieces, inputDropout: 0, hiddenDropout: 0, initRange: 0.05, seed: ctx.seed });
  const target = new MaxoutNetwork({ hiddenUnits: cfg.hiddenUnits, pieces: cfg.pieces, inputDropout: 0, hiddenDropout: 0, initRange: 0.05, seed: ctx.seed + 1000 });
  const softmax = new SoftmaxRegression({ seed: ctx.seed });
  const means = classMeans(trainSet, n, n);
  const rbf = new RbfNetwork({ initCentres: means });
  means.dispose();
  const sourceModel: Classifier = (x) => source.apply(x);
  const targetModel: Classifier = (x) => target.apply(x);
  const softmaxModel: Classifier = (x) => softmax.apply(x);
  const rbfModel: Classifier = (x) => rbf.apply(x);
  train(ctx, 'source maxout', sourceModel, trainSet, 0, cfg, () => source.applyMaxNorm());
  train(ctx, 'target maxout', targetModel, trainSet, n, cfg, () => target.applyMaxNorm());
  train(ctx, 'softmax', softmaxModel, trainSet, n, cfg);
  train(ctx, 'rbf', rbfModel, trainSet, n, cfg);

  let sourceWrong = 0;
  let softmaxAgrees = 0;
  let rbfAgrees = 0;
  let bothWrongSoftmax = 0;
  let bothWrongSoftmaxAgree = 0;
  let bothWrongRbf = 0;
  let bothWrongRbfAgree = 0;
  let grid: Buffer | null = null;
  const m = evaluateAttacks({
    batches: datasetBatches(test, { input: 'vector', count: cfg.testExamples, batchSize: 1000 }),
    craft: (b) => ({
      adv: fgsm(sourceModel, b.x, b.y, { epsilon: cfg.epsilon, clip: null }),
      // Random ±ε per pixel (the same L∞ size; a vertex of the box, like FGSM's), from the seeded generator.
      noisy: tf.tidy(() => tf.add(b.x, tf.mul(cfg.epsilon, tf.sign(randomUniform(b.x.shape, -1, 1))))),
    }),
    measure: {
      sourceClean: { model: sourceModel, input: 'clean' },
      targetClean: { model: targetModel, input: 'clean' },
      softmaxClean: { model: softmaxModel, input: 'clean' },
      rbfClean: { model: rbfModel, input: 'clean' },
      sourceFgsm: { model: sourceModel, input: 'adv' },
      targetTransfer: { model: targetModel, input: 'adv' },
      targetNoise: { model: targetModel, input: 'noisy' },
      softmaxTransfer: { model: softmaxModel, input: 'adv' },
      rbfTransfer: { model: rbfModel, input: 'adv' },
    },
    onBatch: ({ index, batch: b, crafted, predictions }) => {
      const { sourceFgsm: srcAdv, softmaxTransfer: smAdv, rbfTransfer: rbfAdv } = predictions;
      for (let i = 0; i < b.labels.length; i++) {
        if (srcAdv[i] === b.labels[i]) continue;
        sourceWrong++;
        if (smAdv[i] === srcAdv[i]) softmaxAgrees++;
        if (rbfAdv[i] === srcAdv[i]) rbfAgrees++;
        if (smAdv[i] !== b.labels[i]) {
          bothWrongSoftmax++;
          if (smAdv[i] === srcAdv[i]) bothWrongSoftmaxAgree++;
        }
        if (rbfAdv[i] !== b.labels[i]) {
          bothWrongRbf++;
          if (rbfAdv[i] === srcAdv[i]) bothWrongRbfAgree++;
        }
      }
      if (index === 0) {
        grid = adversarialGridPng(gridRows(targetModel, b.x, crafted.adv, b.labels, cfg.gridExamples), {
          title: `MADE ON SOURCE  SHOWN TO TARGET  EPS ${cfg.epsilon}`, perturbationCaption: `EPS ${cfg.epsilon}`,
        });
      }
    },
  });
  if (grid) {
    await fs.mkdir(ctx.resultsDir, { recursive: true });
    await fs.writeFile(path.join(ctx.resultsDir, 'transfer.png'), grid);
  }
  source.dispose();
  target.dispose();
  softmax.dispose();
  rbf.dispose();
  return {
    source_clean_error: m.sourceClean.error,
    target_clean_error: m.targetClean.error,
    softmax_clean_error: m.softmaxClean.error,
    rbf_clean_error: m.rbfClean.error,
    source_fgsm_error: m.sourceFgsm.error,
    target_transfer_error: m.targetTransfer.error,
    target_noise_error: m.targetNoise.error,
    softmax_transfer_error: m.softmaxTransfer.error,
    rbf_transfer_error: m.rbfTransfer.error,
    softmax_agrees_with_source: softmaxAgrees / Math.max(1, sourceWrong),
    rbf_agrees_with_source: rbfAgrees / Math.max(1, sourceWrong),
    softmax_agrees_when_both_wrong: bothWrongSoftmaxAgree / Math.max(1, bothWrongSoftmax),
    rbf_agrees_when_both_wrong: bothWrongRbfAgree / Math.max(1, bothWrongRbf),
    source_misclassified: sourceWrong,
  };
}

/** Margins, set from measured runs over seeds (README: "How the margins were set"). */
const TRANSFER_OVER_NOISE_MARGIN = 0.3;
const SOFTMAX_OVER_RBF_MARGIN = 0.05;

const CONFIG: TransferConfig = {
  epsilon: 0.25, hiddenUnits: [100, 100], pieces: 3, trainExamples: 10000, epochs: 1, batchSize: 100, learningRate: 0.002,
  testExamples: 2000, gridExamples: 6,
};

export default defineReproduction<TransferConfig>({
  id: 'transfer-blackbox-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  claims: [
    { id: 'transfer-beats-noise', kind: 'ranking',
      what: 'FGSM examples made on one maxout network fool an independently trained one (other seed, disjoint digits) far more often than random ±ε noise',
      source: 'Szegedy et al. 2014 §4.3; Goodfellow et al. 2015 §8', better: 'target_transfer_error', worse: 'target_noise_error', betterIs: 'higher',
      margin: TRANSFER_OVER_NOISE_MARGIN, tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'softmax-agrees-more-than-rbf', kind: 'ranking',
      what: "on the source's misclassified FGSM examples, softmax regression predicts the source's class more often than the RBF network",
      source: '§8', better: 'softmax_agrees_with_source', worse: 'rbf_agrees_with_source', betterIs: 'higher',
      margin: SOFTMAX_OVER_RBF_MARGIN, published: { better: 0.546, worse: 0.16 }, tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'both-wrong-agreement', kind: 'ranking',
      what: "counting only examples both models get wrong, softmax regression still agrees with the source's class more often than the RBF network",
      source: '§8', better: 'softmax_agrees_when_both_wrong', worse: 'rbf_agrees_when_both_wrong', betterIs: 'higher',
      published: { better: 0.846, worse: 0.543 }, tiers: ['smoke', 'full'], format: 'percent' },
  ],
  tiers: {
    smoke: { config: CONFIG, budget: 'two maxout nets (2×100 × 3 pieces), softmax regression and an RBF net, 1 pass over 10,000 digits each; 2,000 test digits; ~7 s of CPU (wasm)' },
    full: { config: { ...CONFIG, trainExamples: 30000, epochs: 5, testExamples: 10000 }, budget: '5 passes over 30,000 digits per model, all 10,000 test digits; a few minutes on 2 CPU cores (wasm)', backend: 'wasm' },
  },
  run,
});
