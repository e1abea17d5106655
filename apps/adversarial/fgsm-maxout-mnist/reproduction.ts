/**
 * FGSM against a maxout network, and adversarial training with the FGSM objective — Goodfellow, Shlens &
 * Szegedy, ICLR 2015, §4 and §6 (README). The full tier is not feasible on 2 CPU cores; the smoke tier
 * checks the paper's rankings on a small maxout network. No clipping (as the paper).
 */
import path from 'node:path';
import { defineReproduction, z } from '@paperzoo/repro';
import { Adam, Momentum } from '@paperzoo/core-autograd';
import { loadMnist } from '@paperzoo/datasets';
import {
  MaxoutNetwork, fgsm, writeAdversarialGrid, datasetBatches, evaluateAttacks, fitPhases, shuffledBatches, FGSM_PAPER, type Classifier,
} from '@paperzoo/adversarial';

const config = z.object({
  /** FGSM size on pixels in [0, 1] (paper: 0.25), for the attack and for adversarial training. */
  epsilon: z.number().min(0).max(1),
  /** Weight α of the clean loss in J̃ (paper: 0.5). */
  alpha: z.number().min(0).max(1),
  /** Maxout units per hidden layer (paper: [240, 240]; §6's robust model: [1600, 1600]). */
  hiddenUnits: z.array(z.number().int().min(1).max(10000)).min(1).max(8),
  /** Pieces per maxout unit (paper: 5). */
  pieces: z.number().int().min(1).max(20),
  /** Dropout rates on the input and on hidden layers (paper: 0.2 and 0.5). */
  inputDropout: z.number().min(0).max(0.95),
  hiddenDropout: z.number().min(0).max(0.95),
  /** Initial weights uniform in ±initRange (pylearn2 config: 0.005). */
  initRange: z.number().positive().max(1),
  /** Max-norm bound on unit weight vectors (pylearn2 config: 1.9365; 0: none). */
  maxNorm: z.number().min(0).max(100),
  /** Passes over the training examples, for each of the two models. */
  epochs: z.number().int().min(1).max(1000),
  /** Training examples used (the first N of the 60,000). */
  trainExamples: z.number().int().min(1).max(60000),
  batchSize: z.number().int().min(1).max(60000),
  /** 'momentum' (the paper's SGD; pylearn2 config: lr 0.1, momentum 0.5 rising to 0.7) or 'adam' (smoke: converges in fewer steps). */
  optimizer: z.enum(['momentum', 'adam']),
  /** Learning rate, and the momentum coefficient (momentum SGD only). */
  learningRate: z.number().positive().max(10),
  momentum: z.number().min(0).max(1),
  /** Test examples evaluated (the first N of the 10,000). */
  testExamples: z.number().int().min(1).max(10000),
  /** Examples in the PNG grid. */
  gridExamples: z.number().int().min(1).max(100),
});

/** Smoke-tier margins, set from measured runs over seeds 0–4 (README). */
const SMOKE_FGSM_MARGIN = 0.3;
const SMOKE_TRANSFER_MARGIN = 0.03;
const SMOKE_NATURAL_FGSM_ERROR = 0.7;

export default defineReproduction({
  id: 'fgsm-maxout-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  config,
  async run(cfg, ctx) {
    const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const stepsPerEpoch = Math.ceil(Math.min(cfg.trainExamples, train.count) / cfg.batchSize);
    const net = (seed: number) => new MaxoutNetwork({ hiddenUnits: cfg.hiddenUnits, pieces: cfg.pieces, inputDropout: cfg.inputDropout, hiddenDropout: cfg.hiddenDropout, maxNorm: cfg.maxNorm, initRange: cfg.initRange, seed });
    const optimizer = () => (cfg.optimizer === 'adam' ? new Adam({ learningRate: cfg.learningRate }) : new Momentum({ learningRate: cfg.learningRate, momentum: cfg.momentum }));
    const [natural, robust] = [net(ctx.seed), net(ctx.seed + 1000)];
    try {
      // Natural training, then J̃ with x̃ crafted from the training-mode network (dropout on): the cost J that training minimises.
      await fitPhases({
        ctx, stepsPerEpoch,
        phases: [
          { model: natural, optimizer: optimizer(), steps: cfg.epochs * stepsPerEpoch, training: true, afterStep: () => natural.applyMaxNorm() },
          { model: robust, optimizer: optimizer(), steps: cfg.epochs * stepsPerEpoch, training: true, afterStep: () => robust.applyMaxNorm(), attack: { method: 'fgsm', epsilon: cfg.epsilon, clip: null }, alpha: cfg.alpha },
        ],
        batches: () => shuffledBatches(train, { input: 'vector', count: cfg.trainExamples, batchSize: cfg.batchSize }),
      });
      const naturalModel: Classifier = (x) => natural.apply(x);
      const robustModel: Classifier = (x) => robust.apply(x);
      let grid: Promise<void> | undefined;
      const m = evaluateAttacks({
        batches: datasetBatches(test, { input: 'vector', count: cfg.testExamples, batchSize: 1000 }),
        craft: (b) => ({ fromNatural: fgsm(naturalModel, b.x, b.y, { epsilon: cfg.epsilon, clip: null }), fromRobust: fgsm(robustModel, b.x, b.y, { epsilon: cfg.epsilon, clip: null }) }),
        measure: {
          naturalClean: { model: naturalModel, input: 'clean' },
          robustClean: { model: robustModel, input: 'clean' },
          naturalFgsm: { model: naturalModel, input: 'fromNatural' },
          robustFgsm: { model: robustModel, input: 'fromRobust' },
          naturalToRobust: { model: robustModel, input: 'fromNatural' }, // made on the original model, shown to the robust one
          robustToNatural: { model: naturalModel, input: 'fromRobust' }, // made on the robust model, shown to the original one
        },
        onBatch: ({ index, batch, crafted }) => {
          if (index === 0) grid = writeAdversarialGrid(path.join(ctx.resultsDir, 'fgsm-maxout.png'), naturalModel, { x: batch.x, xAdv: crafted.fromNatural, labels: batch.labels, count: cfg.gridExamples }, { title: `MAXOUT NET  FGSM EPS ${cfg.epsilon}`, perturbationCaption: `EPS ${cfg.epsilon}` });
        },
      });
      await grid;
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
    } finally {
      natural.dispose();
      robust.dispose();
    }
  },
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
    full: {
      config: {
        epsilon: 0.25, alpha: 0.5, hiddenUnits: [1600, 1600], pieces: 5, inputDropout: 0.2, hiddenDropout: 0.5, initRange: 0.005, maxNorm: 1.9365,
        epochs: 100, trainExamples: 60000, batchSize: 100, optimizer: 'momentum', learningRate: 0.1, momentum: 0.5, testExamples: 10000, gridExamples: 6,
      },
      budget: "the paper's §6 model (2×1,600 maxout units × 5 pieces, dropout) for 100 passes over 60,000 digits: days on 2 CPU cores — not run (README)",
      backend: 'wasm',
    },
    smoke: {
      config: { hiddenUnits: [100, 100], pieces: 3, inputDropout: 0, hiddenDropout: 0, initRange: 0.05, optimizer: 'adam', learningRate: 0.002, epochs: 1, trainExamples: 20000, testExamples: 2000 },
      budget: 'maxout 2×100 units × 3 pieces, no dropout, Adam, 1 pass over 20,000 digits per model, 2,000 test digits; ~12 s of CPU (wasm)',
    },
  },
});
