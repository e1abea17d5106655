/**
 * FGSM against a maxout network, and adversarial training with the FGSM objective — Goodfellow,
 * Shlens & Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015, §4 and §6.
 * https://arxiv.org/abs/1412.6572
 *
 * Claims:
 * - §4: at ε = .25 "a maxout network misclassifies 89.4% of our adversarial examples with an average
 *   confidence of 97.6%".
 * - §6: training with J̃ = αJ(x) + (1 − α)J(x + ε sign ∇ₓJ), α = 0.5, lowers the test error of a
 *   dropout maxout network from 0.94% to 0.84%; the adversarially trained (wider, 1,600-unit) model's
 *   error on FGSM examples falls from 89.4% to 17.9%; examples made on the original model fool the
 *   adversarially trained one 19.6% of the time, and examples made on the adversarially trained model
 *   fool the original one 40.9% of the time.
 *
 * The full tier's setup (240- and 1,600-unit maxout networks, dropout, early stopping on an
 * adversarial validation set, hundreds of epochs) is not feasible on a 2-core CPU and is marked "not
 * run" in the README. The smoke tier trains a smaller maxout network briefly, twice (naturally and with
 * the FGSM objective), and checks the paper's rankings: adversarial training lowers the FGSM error by a
 * wide margin, and transfer is asymmetric in the paper's direction. No clipping (as the paper).
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, type RunContext } from '@paperzoo/repro';
import { Adam, Momentum } from '@paperzoo/core-autograd';
import { loadMnist, type ImageDataset } from '@paperzoo/datasets';
import {
  MaxoutNetwork, fgsm, meanLoss, gridRows, adversarialGridPng, adversarialTrainingStep, labelledBatch, datasetBatches,
  disposeBatch, evaluateAttacks, FGSM_PAPER, type Classifier,
} from '@paperzoo/adversarial';

export interface FgsmMaxoutConfig {
  /** FGSM size on pixels in [0, 1] (paper: 0.25), for the attack and for adversarial training. */
  epsilon: number;
  /** Weight α of the clean loss in J̃ (paper: 0.5). */
  alpha: number;
  /** Maxout units per hidden layer (paper: [240, 240]; §6's robust model: [1600, 1600]). */
  hiddenUnits: number[];
  /** Pieces per maxout unit (paper: 5). */
  pieces: number;
  /** Dropout rates on the input and on hidden layers (paper: 0.2 and 0.5). */
  inputDropout: number;
  hiddenDropout: number;
  /** Initial weights uniform in ±initRange (pylearn2 config: 0.005). */
  initRange: number;
  /** Max-norm bound on unit weight vectors (pylearn2 config: 1.9365). */
  maxNorm: number;
  /** Passes over the training examples, for each of the two models. */
  epochs: number;
  /** Training examples used (the first N of the 60,000). */
  trainExamples: number;
  batchSize: number;
  /** 'momentum' (the paper's SGD; pylearn2 config: lr 0.1, momentum 0.5 rising to 0.7) or 'adam' (smoke: converges in fewer steps). */
  optimizer: 'momentum' | 'adam';
  /** Learning rate, and the momentum coefficient (momentum SGD only). */
  learningRate: number;
  momentum: number;
  /** Test examples evaluated (the first N of the 10,000). */
  testExamples: number;
  /** Examples in the PNG grid. */
  gridExamples: number;
}

/** Train one maxout network, naturally or with the FGSM objective. */
function trainModel(ctx: RunContext<FgsmMaxoutConfig>, cfg: FgsmMaxoutConfig, train: ImageDataset, adversarial: boolean, seed: number): MaxoutNetwork {
  const net = new MaxoutNetwork({
    hiddenUnits: cfg.hiddenUnits, pieces: cfg.pieces, inputDropout: cfg.inputDropout, hiddenDropout: cfg.hiddenDropout, maxNorm: cfg.maxNorm, initRange: cfg.initRange, seed,
  });
  const trainingModel: Classifier = (x) => net.apply(x, { training: true });
  const optimizer = cfg.optimizer === 'adam' ? new Adam({ learningRate: cfg.learningRate }) : new Momentum({ learningRate: cfg.learningRate, momentum: cfg.momentum });
  const n = Math.min(cfg.trainExamples, train.count);
  const steps = Math.ceil(n / cfg.batchSize);
  const task = adversarial ? 'adversarial training' : 'natural training';
  const bar = ctx.progress.start(task, cfg.epochs * steps, { unit: 'steps' });
  for (let e = 0; e < cfg.epochs; e++) {
    const order = shuffledIndicesFromGlobalRng(n);
    let lossSum = 0;
    for (let s = 0; s < n; s += cfg.batchSize) {
      const b = labelledBatch(train, order.subarray(s, Math.min(n, s + cfg.batchSize)), { input: 'vector' }); // x [B, 784]
      if (adversarial) {
        // J̃ with the adversarial point crafted from the training-mode network (dropout on), i.e. from
        // the same cost J that training minimises.
        lossSum += adversarialTrainingStep({
          model: trainingModel, optimizer, x: b.x, labels: b.y, alpha: cfg.alpha,
          attack: { method: 'fgsm', epsilon: cfg.epsilon, clip: null },
        });
      } else {
        const cost = optimizer.minimize(() => meanLoss(trainingModel(b.x), b.y), true);
        lossSum += cost ? cost.dataSync()[0] : 0;
        cost?.dispose();
      }
      net.applyMaxNorm();
      disposeBatch(b);
      bar.tick(1, { epoch: `${e + 1}/${cfg.epochs}` });
    }
    ctx.log({ [`loss/${adversarial ? 'adversarial' : 'natural'}`]: lossSum / steps }, { step: (e + 1) * steps, epoch: e + 1 });
  }
  bar.end();
  optimizer.dispose();
  return net;
}

async function run(cfg: FgsmMaxoutConfig, ctx: RunContext<FgsmMaxoutConfig>) {
  const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  const natural = trainModel(ctx, cfg, train, false, ctx.seed);
  const robust = trainModel(ctx, cfg, train, true, ctx.seed + 1000);
  const naturalModel: Classifier = (x) => natural.apply(x);
  const robustModel: Classifier = (x) => robust.apply(x);

  const nTest = Math.min(cfg.testExamples, test.count);
  const bar = ctx.progress.start('evaluation', nTest, { unit: 'digits' });
  let grid: Buffer | null = null;
  const m = evaluateAttacks({
    batches: datasetBatches(test, { input: 'vector', count: nTest, batchSize: 1000 }),
    craft: (b) => ({
      fromNatural: fgsm(naturalModel, b.x, b.y, { epsilon: cfg.epsilon, clip: null }),
      fromRobust: fgsm(robustModel, b.x, b.y, { epsilon: cfg.epsilon, clip: null }),
    }),
    measure: {
      naturalClean: { model: naturalModel, input: 'clean' },
      robustClean: { model: robustModel, input: 'clean' },
      naturalFgsm: { model: naturalModel, input: 'fromNatural' },
      robustFgsm: { model: robustModel, input: 'fromRobust' },
      naturalToRobust: { model: robustModel, input: 'fromNatural' }, // made on the original model, shown to the robust one
      robustToNatural: { model: naturalModel, input: 'fromRobust' }, // made on the robust model, shown to the original one
    },
    onBatch: ({ index, batch, crafted }) => {
      if (index === 0) {
        const rows = gridRows(naturalModel, batch.x, crafted.fromNatural, batch.labels, cfg.gridExamples);
        grid = adversarialGridPng(rows, { title: `MAXOUT NET  FGSM EPS ${cfg.epsilon}`, perturbationCaption: `EPS ${cfg.epsilon}` });
      }
      bar.tick(batch.labels.length);
    },
  });
  bar.end();
  if (grid) {
    await fs.mkdir(ctx.resultsDir, { recursive: true });
    await fs.writeFile(path.join(ctx.resultsDir, 'fgsm-maxout.png'), grid);
  }
  natural.dispose();
  robust.dispose();
  return {
    natural_clean_error: m.naturalClean.error,
    adversarial_training_clean_error: m.robustClean.error,
    natural_fgsm_error: m.naturalFgsm.error,
    natural_fgsm_confidence: m.naturalFgsm.meanConfidenceOnErrors,
    adversarial_training_fgsm_error: m.robustFgsm.error,
    adversarial_training_fgsm_confidence: m.robustFgsm.meanConfidenceOnErrors,
    transfer_natural_to_adversarial_training_error: m.naturalToRobust.error,
    transfer_adversarial_training_to_natural_error: m.robustToNatural.error,
    test_examples: m.naturalClean.count,
  };
}

/** Smoke-tier margins, set from measured runs over seeds 0–4 (README: "How the smoke margins were set"). */
const SMOKE_FGSM_MARGIN = 0.3;
const SMOKE_TRANSFER_MARGIN = 0.03;
const SMOKE_NATURAL_FGSM_ERROR = 0.7;

const PAPER_240: Omit<FgsmMaxoutConfig, 'hiddenUnits'> = {
  epsilon: 0.25, alpha: 0.5, pieces: 5, inputDropout: 0.2, hiddenDropout: 0.5, initRange: 0.005, maxNorm: 1.9365,
  epochs: 100, trainExamples: 60000, batchSize: 100, optimizer: 'momentum', learningRate: 0.1, momentum: 0.5, testExamples: 10000, gridExamples: 6,
};

export default defineReproduction<FgsmMaxoutConfig>({
  id: 'fgsm-maxout-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  claims: [
    // The paper's numbers (full tier; not run on this CPU — see the README).
    { id: 'maxout-fgsm-error', kind: 'value', what: 'maxout network error on FGSM examples', label: 'maxout FGSM error',
      setting: 'ε = 0.25', source: '§4', metric: 'natural_fgsm_error', published: 0.894, tolerance: 0.05, tiers: ['full'], format: 'percent' },
    { id: 'maxout-fgsm-confidence', kind: 'value', what: 'average confidence of the maxout network on its misclassified FGSM examples',
      label: 'maxout confidence on errors', setting: 'ε = 0.25', source: '§4', metric: 'natural_fgsm_confidence', published: 0.976, tolerance: 0.03, tiers: ['full'], format: 'percent' },
    { id: 'adv-training-clean', kind: 'ranking', what: 'adversarial training lowers the clean test error (0.94% → 0.84%, dropout maxout)',
      source: '§6', better: 'adversarial_training_clean_error', worse: 'natural_clean_error', betterIs: 'lower',
      published: { better: 0.0084, worse: 0.0094 }, tiers: ['full'], format: 'percent' },
    { id: 'adv-training-fgsm', kind: 'value', what: 'FGSM error of the adversarially trained maxout network', label: 'adv-trained FGSM error',
      setting: 'ε = 0.25, 1,600 units', source: '§6', metric: 'adversarial_training_fgsm_error', published: 0.179, tolerance: 0.05, tiers: ['full'], format: 'percent' },
    { id: 'transfer-to-robust', kind: 'value', what: 'error of the adversarially trained model on examples made on the original model',
      label: 'original → adv-trained transfer error', source: '§6', metric: 'transfer_natural_to_adversarial_training_error', published: 0.196, tolerance: 0.05, tiers: ['full'], format: 'percent' },
    { id: 'transfer-to-natural', kind: 'value', what: 'error of the original model on examples made on the adversarially trained model',
      label: 'adv-trained → original transfer error', source: '§6', metric: 'transfer_adversarial_training_to_natural_error', published: 0.409, tolerance: 0.05, tiers: ['full'], format: 'percent' },
    // Smoke: the same experiment scaled down; the paper's rankings with margins from measured runs.
    { id: 'smoke-maxout-fooled', kind: 'threshold', what: 'FGSM fools the (small, briefly trained) maxout network on most test digits',
      label: 'maxout FGSM error (smoke)', setting: 'ε = 0.25', source: '§4 (scaled down)', metric: 'natural_fgsm_error',
      threshold: SMOKE_NATURAL_FGSM_ERROR, direction: 'above', published: 0.894, tiers: ['smoke'], format: 'percent' },
    { id: 'smoke-adv-training-helps', kind: 'ranking', what: 'FGSM adversarial training (α = 0.5) lowers the FGSM error by a wide margin',
      source: '§6 (scaled down)', better: 'adversarial_training_fgsm_error', worse: 'natural_fgsm_error', betterIs: 'lower',
      margin: SMOKE_FGSM_MARGIN, published: { better: 0.179, worse: 0.894 }, tiers: ['smoke'], format: 'percent' },
    { id: 'smoke-transfer-asymmetry', kind: 'ranking',
      what: 'examples from the original model fool the adversarially trained model less often than the reverse',
      source: '§6 (scaled down)', better: 'transfer_natural_to_adversarial_training_error', worse: 'transfer_adversarial_training_to_natural_error',
      betterIs: 'lower', margin: SMOKE_TRANSFER_MARGIN, published: { better: 0.196, worse: 0.409 }, tiers: ['smoke'], format: 'percent' },
  ],
  tiers: {
    smoke: {
      config: {
        ...PAPER_240, hiddenUnits: [100, 100], pieces: 3, inputDropout: 0, hiddenDropout: 0, initRange: 0.05,
        optimizer: 'adam', learningRate: 0.002, epochs: 1, trainExamples: 20000, testExamples: 2000,
      },
      budget: 'maxout 2×100 units × 3 pieces, no dropout, Adam, 1 pass over 20,000 digits per model, 2,000 test digits; ~12 s of CPU (wasm)',
    },
    full: {
      config: { ...PAPER_240, hiddenUnits: [1600, 1600] },
      budget: "the paper's §6 model (2×1,600 maxout units × 5 pieces, dropout) for 100 passes over 60,000 digits: days on 2 CPU cores — not run (README)",
      backend: 'wasm',
    },
  },
  run,
});
