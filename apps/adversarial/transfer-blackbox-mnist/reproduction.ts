/**
 * Transfer of adversarial examples between independently trained models — Szegedy et al., ICLR 2014,
 * §4.3, and Goodfellow, Shlens & Szegedy, ICLR 2015, §8 (README). ε = 0.25, no clipping (as the paper).
 */
import path from 'node:path';
import { tf, randomUniform } from '@paperzoo/tensor';
import { defineReproduction, z } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import { loadMnist, takeBatch } from '@paperzoo/datasets';
import {
  MaxoutNetwork, SoftmaxRegression, RbfNetwork, fgsm, writeAdversarialGrid, datasetBatches, evaluateAttacks, fitPhases, shuffledBatches,
  indexRange, FGSM_PAPER, type Classifier,
} from '@paperzoo/adversarial';

const config = z.object({
  /** FGSM size and noise size, on pixels in [0, 1] (paper: 0.25). */
  epsilon: z.number().min(0).max(1),
  /** Maxout units per hidden layer and pieces, for the source and the independent target network. */
  hiddenUnits: z.array(z.number().int().min(1).max(10000)).min(1).max(8),
  pieces: z.number().int().min(1).max(20),
  /** Training digits for each model; the source uses the first block, the others the next one (disjoint). */
  trainExamples: z.number().int().min(1).max(30000),
  /** Passes over its block, for every model. */
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).max(30000),
  /** Adam learning rate (all models). */
  learningRate: z.number().positive().max(10),
  /** Test digits evaluated (the first N of the 10,000). */
  testExamples: z.number().int().min(1).max(10000),
  /** Examples in the PNG grid. */
  gridExamples: z.number().int().min(1).max(100),
});

/** Margins, set from measured runs over seeds (README). */
const TRANSFER_OVER_NOISE_MARGIN = 0.3;
const SOFTMAX_OVER_RBF_MARGIN = 0.05;

export default defineReproduction({
  id: 'transfer-blackbox-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  config,
  async run(cfg, ctx) {
    const [trainSet, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const n = cfg.trainExamples;
    // Source: a maxout network on block 0. Target: the same architecture, another seed, block 1; softmax and RBF on block 1.
    const maxout = (seed: number) => new MaxoutNetwork({ hiddenUnits: cfg.hiddenUnits, pieces: cfg.pieces, inputDropout: 0, hiddenDropout: 0, initRange: 0.05, seed });
    const [source, target, softmax] = [maxout(ctx.seed), maxout(ctx.seed + 1000), new SoftmaxRegression({ seed: ctx.seed })];
    // RBF centres start at the class means of block 1.
    const b = takeBatch(trainSet, indexRange(n, n));
    const sums = new Float64Array(10 * 784);
    const counts = new Float64Array(10);
    for (let i = 0; i < n; i++) {
      counts[b.y[i]]++;
      for (let j = 0; j < 784; j++) sums[b.y[i] * 784 + j] += b.x[i * 784 + j];
    }
    const rbf = new RbfNetwork({ initCentres: Float32Array.from(sums, (v, k) => v / Math.max(1, counts[Math.floor(k / 784)])) });
    try {
      const stepsPerEpoch = Math.ceil(n / cfg.batchSize);
      const phase = (model: MaxoutNetwork | SoftmaxRegression | RbfNetwork, afterStep?: () => void) => ({ model, optimizer: new Adam({ learningRate: cfg.learningRate }), steps: cfg.epochs * stepsPerEpoch, afterStep });
      await fitPhases({
        ctx, stepsPerEpoch,
        phases: [phase(source, () => source.applyMaxNorm()), phase(target, () => target.applyMaxNorm()), phase(softmax), phase(rbf)],
        batches: (_epoch, p) => shuffledBatches(trainSet, { input: 'vector', indices: indexRange(p === 0 ? 0 : n, n), batchSize: cfg.batchSize }),
      });
      const [sourceModel, targetModel, softmaxModel, rbfModel]: Classifier[] = [source, target, softmax, rbf].map((m) => (x: tf.Tensor) => m.apply(x));
      const c = { sourceWrong: 0, softmaxAgrees: 0, rbfAgrees: 0, bothWrongSoftmax: 0, bothWrongSoftmaxAgree: 0, bothWrongRbf: 0, bothWrongRbfAgree: 0 };
      let grid: Promise<void> | undefined;
      const m = evaluateAttacks({
        batches: datasetBatches(test, { input: 'vector', count: cfg.testExamples, batchSize: 1000 }),
        craft: (t) => ({
          adv: fgsm(sourceModel, t.x, t.y, { epsilon: cfg.epsilon, clip: null }),
          // Random ±ε per pixel (the same L∞ size; a vertex of the box, like FGSM's), from the seeded generator.
          noisy: tf.tidy(() => tf.add(t.x, tf.mul(cfg.epsilon, tf.sign(randomUniform(t.x.shape, -1, 1))))),
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
        onBatch: ({ index, batch: t, crafted, predictions: { sourceFgsm: src, softmaxTransfer: sm, rbfTransfer: rb } }) => {
          for (let i = 0; i < t.labels.length; i++) {
            if (src[i] === t.labels[i]) continue;
            c.sourceWrong++;
            if (sm[i] === src[i]) c.softmaxAgrees++;
            if (rb[i] === src[i]) c.rbfAgrees++;
            if (sm[i] !== t.labels[i] && ++c.bothWrongSoftmax && sm[i] === src[i]) c.bothWrongSoftmaxAgree++;
            if (rb[i] !== t.labels[i] && ++c.bothWrongRbf && rb[i] === src[i]) c.bothWrongRbfAgree++;
          }
          if (index === 0) grid = writeAdversarialGrid(path.join(ctx.resultsDir, 'transfer.png'), targetModel, { x: t.x, xAdv: crafted.adv, labels: t.labels, count: cfg.gridExamples }, { title: `MADE ON SOURCE  SHOWN TO TARGET  EPS ${cfg.epsilon}`, perturbationCaption: `EPS ${cfg.epsilon}` });
        },
      });
      await grid;
      const ratio = (a: number, b: number) => a / Math.max(1, b);
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
        softmax_agrees_with_source: ratio(c.softmaxAgrees, c.sourceWrong),
        rbf_agrees_with_source: ratio(c.rbfAgrees, c.sourceWrong),
        softmax_agrees_when_both_wrong: ratio(c.bothWrongSoftmaxAgree, c.bothWrongSoftmax),
        rbf_agrees_when_both_wrong: ratio(c.bothWrongRbfAgree, c.bothWrongRbf),
        source_misclassified: c.sourceWrong,
      };
    } finally {
      [source, target, softmax, rbf].forEach((model) => model.dispose());
    }
  },
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
    full: {
      config: { epsilon: 0.25, hiddenUnits: [100, 100], pieces: 3, trainExamples: 30000, epochs: 5, batchSize: 100, learningRate: 0.002, testExamples: 10000, gridExamples: 6 },
      budget: '5 passes over 30,000 digits per model, all 10,000 test digits; a few minutes on 2 CPU cores (wasm)',
      backend: 'wasm',
    },
    smoke: {
      config: { trainExamples: 10000, epochs: 1, testExamples: 2000 },
      budget: 'two maxout nets (2×100 × 3 pieces), softmax regression and an RBF net, 1 pass over 10,000 digits each; 2,000 test digits; ~7 s of CPU (wasm)',
    },
  },
});
