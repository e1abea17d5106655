/**
 * Deep autoencoder vs PCA on MNIST — G. E. Hinton & R. R. Salakhutdinov, "Reducing the Dimensionality of
 * Data with Neural Networks", Science 313 (2006), Fig. 2 and its caption: the average squared
 * reconstruction error per test image of 30-dimensional codes, PCA 13.87, logistic PCA 8.01, the
 * 784-1000-500-250-30 autoencoder 3.00. The autoencoder with the paper's method (RBM pre-training, then
 * conjugate gradients; packages/vae-flow, trainAutoencoder); logistic PCA replaced by a stand-in
 * (a linear 30-d code with logistic outputs, trained by the same CG on cross-entropy; README).
 */
import fs from 'node:fs';
import path from 'node:path';
import { defineReproduction, sweep, z, type JsonValue } from '@paperzoo/repro';
import { tf } from '@paperzoo/tensor';
import { loadMnist } from '@paperzoo/datasets';
import { DeepAutoencoder, fitPca, imageGridPng, pcaReconstruct, pcaReconstructionError, trainAutoencoder, type AutoencoderRecipe } from '@paperzoo/vae-flow';

const epochs = (max: number) => z.number().int().min(0).max(max);
const config = z.object({
  /** Encoder widths, input to code (the paper: 784-1000-500-250-30). */ sizes: z.array(z.number().int().min(1).max(4096)).min(2).max(8),
  /** PCA components and the stand-in's code size (30). */ components: z.number().int().min(1).max(784),
  /** RBM passes per layer (paper 50, their code 10). */ pretrainEpochs: epochs(100),
  /** CG passes of the deep autoencoder (paper 200). */ fineTuneEpochs: epochs(500),
  /** CG passes of the logistic-PCA stand-in. */ logisticEpochs: epochs(500),
  /** Line searches per CG batch (3). */ lineSearches: z.number().int().min(1).max(20),
  /** Digits per RBM update (100). */ rbmBatch: z.number().int().min(1).max(1000),
  /** Digits per CG batch (1000). */ cgBatch: z.number().int().min(100).max(10_000),
  /** ε of the logistic RBMs (0.1). */ rbmLearningRate: z.number().positive().max(10),
  /** ε of the linear-code RBM (0.001). */ linearRbmLearningRate: z.number().positive().max(10),
  /** RBM weight cost (2e-4). */ weightCost: z.number().min(0).max(1),
  /** Epochs at momentum 0.5 before 0.9 (5). */ momentumSwitchEpoch: epochs(100),
  /** Training digits the autoencoders see (the first N of a fixed permutation; PCA always uses all 60,000). */ trainExamples: z.number().int().min(1000).max(60_000),
  /** Test digits in the grid PNG. */ gridDigits: z.number().int().min(1).max(50),
});

export default defineReproduction({
  id: 'autoencoder-mnist',
  package: '@paperzoo/vae-flow',
  paper: { title: 'Reducing the Dimensionality of Data with Neural Networks', authors: ['Geoffrey E. Hinton', 'Ruslan R. Salakhutdinov'], year: 2006, venue: 'Science', url: 'https://doi.org/10.1126/science.1127647' },
  config,
  tiers: {
    full: {
      config: { sizes: [784, 1000, 500, 250, 30], components: 30, pretrainEpochs: 10, fineTuneEpochs: 3, logisticEpochs: 5, lineSearches: 3, rbmBatch: 100, cgBatch: 1000, rbmLearningRate: 0.1, linearRbmLearningRate: 0.001, weightCost: 2e-4, momentumSwitchEpoch: 5, trainExamples: 60_000, gridDigits: 12 },
      budget: 'their code\'s 10 RBM epochs per layer (paper 50) and 3 of the paper\'s 200 CG epochs; the stand-in 5 CG epochs; about 40 min on 2 shared CPU cores (native)',
      backend: 'native',
    },
    smoke: {
      config: { pretrainEpochs: 1, fineTuneEpochs: 1, logisticEpochs: 0, trainExamples: 1000 },
      budget: 'PCA on all 60,000 digits; the autoencoder pre-trained 1 epoch per layer and fine-tuned with one CG batch, on 1,000 digits',
    },
  },
  async run(cfg, ctx) {
    const [trainSet, testSet] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const unit = (p: Uint8Array) => Float32Array.from(p, (v) => v / 255); // pixels in [0, 1]
    const [train, test] = [unit(trainSet.pixels), unit(testSet.pixels)];
    const pca = fitPca(train, 784, cfg.components); // centred, fitted on all 60,000 training digits
    const firstTest = tf.tensor2d(test.subarray(0, cfg.gridDigits * 784), [cfg.gridDigits, 784]);
    const rows: number[][] = [Array.from(firstTest.dataSync())];
    const pcaRows = pcaReconstruct(pca, firstTest);
    rows.push(Array.from(pcaRows.dataSync()));
    pcaRows.dispose();
    const recipe: AutoencoderRecipe = { ...cfg, pretrainEpochs: 0, fineTuneEpochs: 0 };
    const members = [
      ...(cfg.logisticEpochs > 0 ? [{ label: 'logistic', sizes: [784, cfg.components], recipe: { ...recipe, fineTuneEpochs: cfg.logisticEpochs } }] : []),
      { label: 'deep', sizes: cfg.sizes, recipe: { ...recipe, pretrainEpochs: cfg.pretrainEpochs, fineTuneEpochs: cfg.fineTuneEpochs } },
    ];
    const done = await sweep({
      ctx, members, key: (m) => m.label, logCurves: () => true,
      run: async (m, memberCtx): Promise<JsonValue> => {
        const model = new DeepAutoencoder({ sizes: m.sizes, seed: ctx.seed, name: m.label });
        try {
          const r = await trainAutoencoder({ ctx: memberCtx, model, recipe: m.recipe, train: train.subarray(0, cfg.trainExamples * 784), test, seed: ctx.seed, label: m.label });
          const grid = model.reconstruct(firstTest);
          const reconstruction = Array.from(grid.dataSync(), (v) => Math.round(v * 1000) / 1000);
          grid.dispose();
          return { ...r, reconstruction };
        } finally {
          model.dispose();
        }
      },
    });
    firstTest.dispose();
    const of = (label: string) => done.find((d) => d.member.label === label)?.result as { testError: number; pretrainedTestError: number | null; pretrainSeconds: number; fineTuneSeconds: number; rbmErrors: { first: number; last: number }[]; reconstruction: number[] } | undefined;
    const [deep, logistic] = [of('deep')!, of('logistic')];
    rows.push(...(logistic ? [logistic.reconstruction] : []), deep.reconstruction);
    // rows: test digits | PCA | stand-in (full) | deep autoencoder
    fs.writeFileSync(path.join(ctx.resultsDir, 'reconstructions.png'), imageGridPng(rows.flat(), rows.length * cfg.gridDigits, 28, 28, { cols: cfg.gridDigits, scale: 2 }));
    // measured times, beside result.json (not metrics: they differ between runs, and a resumed run must end with the same metrics)
    const perPretrainEpoch = (deep.pretrainSeconds / Math.max(1, cfg.pretrainEpochs)) * (60_000 / cfg.trainExamples);
    const perCgEpoch = (deep.fineTuneSeconds / Math.max(1, cfg.fineTuneEpochs)) * (60_000 / cfg.trainExamples);
    const timings = { pretrain_seconds: deep.pretrainSeconds, fine_tune_seconds: deep.fineTuneSeconds, paper_budget_hours: (perPretrainEpoch * 50 + perCgEpoch * 200) / 3600 };
    fs.writeFileSync(path.join(ctx.resultsDir, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
    return {
      pca_test_error: pcaReconstructionError(pca, test),
      pca_train_error: pcaReconstructionError(pca, train),
      pca_discarded_eigenvalues: pca.eigenvalues.slice(cfg.components).reduce((a, b) => a + b, 0),
      logistic_test_error: logistic?.testError ?? null,
      deep_test_error: deep.testError,
      deep_pretrained_test_error: deep.pretrainedTestError,
      rbm_errors: deep.rbmErrors.map((e, k) => `layer ${k + 1}: ${e.first.toFixed(2)} → ${e.last.toFixed(2)}`).join('; '),
    };
  },
  claims: [
    { id: 'pca-13.87', kind: 'value', what: 'average squared reconstruction error per MNIST test image of 30-component PCA', label: 'PCA test error',
      source: 'Fig. 2 caption: 13.87', metric: 'pca_test_error', published: 13.87, tolerance: 0.01, tiers: ['smoke', 'full'],
      note: 'tolerance: the published number\'s last digit; PCA is deterministic (pixels in [0, 1], centred, fitted on the 60,000 training digits)' },
    { id: 'pca-discarded-eigenvalues', kind: 'value', what: 'PCA\'s training error equals the sum of the 754 discarded eigenvalues of the covariance', label: 'PCA train error vs Σ discarded λ',
      source: 'PCA identity (a check of the solver)', metric: 'pca_train_error', published: 14.2071, tolerance: 0.001, tiers: ['smoke', 'full'],
      note: 'published = Σ_{j>30} λ_j as computed in float64 by ml-matrix (result.json pca_discarded_eigenvalues); tolerance: float32 round-off of the reconstruction' },
    { id: 'smoke-finetuning-helps', kind: 'ranking', what: 'one CG batch (1,000 digits) lowers the test error of the pre-trained, unrolled autoencoder', names: { better: 'fine-tuned', worse: 'pre-trained' },
      source: 'Fig. 1 (fine-tuning), scaled down', better: 'deep_test_error', worse: 'deep_pretrained_test_error', betterIs: 'lower', margin: 10, tiers: ['smoke'], note: 'margin: measured values in the README' },
    { id: 'deep-beats-logistic', kind: 'ranking', what: 'the deep autoencoder\'s test error is below the logistic-PCA stand-in\'s', names: { better: 'deep autoencoder', worse: 'logistic PCA stand-in' },
      source: 'Fig. 2: 3.00 vs 8.01', better: 'deep_test_error', worse: 'logistic_test_error', betterIs: 'lower', margin: 0, tiers: ['full'] },
    { id: 'logistic-beats-pca', kind: 'ranking', what: 'the logistic-PCA stand-in\'s test error is below PCA\'s', names: { better: 'logistic PCA stand-in', worse: 'PCA' },
      source: 'Fig. 2: 8.01 vs 13.87', better: 'logistic_test_error', worse: 'pca_test_error', betterIs: 'lower', margin: 0, tiers: ['full'] },
    { id: 'deep-3.00', kind: 'value', what: 'the deep autoencoder\'s average squared reconstruction error per test image', label: 'autoencoder test error',
      setting: 'after 10 of 50 RBM epochs per layer and 3 of 200 CG epochs; the paper\'s whole budget at the speeds measured here: paper_budget_hours in results/full/timings.json',
      source: 'Fig. 2 caption: 3.00', metric: 'deep_test_error', published: 3.0, tolerance: 0.3, tiers: ['full'],
      note: 'tolerance: 10% of the published value, set before the run; expected to fail at this fraction of the budget' },
  ],
  plots: { test_error: { title: 'test squared error per image after each CG epoch' } },
});
