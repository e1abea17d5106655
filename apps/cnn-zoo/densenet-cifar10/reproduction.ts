/**
 * DenseNet on CIFAR-10 — G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected
 * Convolutional Networks", CVPR 2017. https://arxiv.org/abs/1608.06993
 *
 * Claims (Table 2): DenseNet (L = 40, k = 12), 1.0M parameters, reaches 7.00% test error on C10 (no
 * augmentation, dropout 0.2; 5.24% on C10+); DenseNet-BC (L = 100, k = 12) has 0.8M parameters.
 * Recipe (§4.2): Nesterov momentum 0.9, batch 64, 300 epochs, lr 0.1 ÷10 at 50% and 75%, weight decay 1e-4.
 * Smoke: the same layout shrunk to L = 10, k = 6 on 16×16 images; the parameter counts are exact.
 */
import { defineReproduction, multiStepDecay, z } from '@paperzoo/repro';
import { DenseNet, densenetCifarConfig, cifar10TrainingFields, trainCifar10 } from '@paperzoo/cnn-zoo';
import { Nesterov } from '@paperzoo/core-autograd';

const config = z.object({
  ...cifar10TrainingFields,
  /** Depth L (40 in the claim; (L − 4)/3 layers per dense block). */
  depth: z.number().int().min(7).max(1000),
  /** Growth rate k (12 in the claim). */
  growthRate: z.number().int().min(1).max(1000),
  /** DenseNet-BC instead of DenseNet. */
  bc: z.boolean(),
  /** C10+ augmentation: pad + random crop + horizontal flip. */
  augment: z.boolean(),
  /** Dropout after each convolution but the first (the paper: 0.2 on C10, 0 on C10+). */
  dropout: z.number().min(0).max(1),
});

/** Smoke threshold on the test error, from measured runs over seeds (README). */
const SMOKE_THRESHOLD = 0.7;

export default defineReproduction({
  id: 'densenet-cifar10',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Densely Connected Convolutional Networks', authors: ['G. Huang', 'Z. Liu', 'L. van der Maaten', 'K. Q. Weinberger'], year: 2017, venue: 'CVPR 2017', url: 'https://arxiv.org/abs/1608.06993' },
  config,
  tiers: {
    full: {
      config: { depth: 40, growthRate: 12, bc: false, imageSize: 32, augment: false, dropout: 0.2, trainExamples: 50000, iterations: 234_600, evalEvery: 782, batchSize: 64, learningRate: 0.1, lrBoundaries: [117_300, 175_950], weightDecay: 1e-4, testExamples: 10000 },
      budget: '300 epochs of batch 64 (234,600 iterations) for L = 40, k = 12: GPU-sized (hours on a GPU), not run on 2 CPU cores',
    },
    smoke: {
      config: { depth: 10, growthRate: 6, imageSize: 16, dropout: 0, trainExamples: 10000, iterations: 300, evalEvery: 100, batchSize: 32, lrBoundaries: [], testExamples: 1000 },
      budget: '300 iterations of batch 32, DenseNet L=10 k=6 on 16×16 images, about 26 s of CPU on 2 cores (wasm)',
      description: 'L = 10, k = 6 on 16×16 images, 300 iterations on 10,000 training images',
    },
  },
  claims: [
    { id: 'test-error-c10', kind: 'value', what: 'CIFAR-10 test error of DenseNet (L = 40, k = 12) without augmentation, dropout 0.2 (C10)', label: 'DenseNet-40 test error (C10)', setting: 'C10, no augmentation', source: 'Table 2', metric: 'test_error', published: 0.07, tolerance: 0.007, tiers: ['full'], format: 'percent', note: 'For C10+ (5.24%): --tier full --set augment=true --set dropout=0' },
    { id: 'smoke-learns', kind: 'threshold', what: 'test error of a DenseNet with L = 10, k = 6 on 16×16 CIFAR-10 after 300 iterations of 32 (smoke; chance is 90%)', label: 'DenseNet L=10 k=6 test error (smoke)', source: 'Table 2 (scaled down)', metric: 'test_error', threshold: SMOKE_THRESHOLD, direction: 'below', published: 0.07, tiers: ['smoke'], format: 'percent' },
    { id: 'params-densenet40', kind: 'exact', what: 'parameters of DenseNet (L = 40, k = 12) in millions, to Table 2’s one decimal (1,019,722 exactly)', source: 'Table 2', metric: 'params_densenet40_k12_millions', expected: 1.0, tiers: ['smoke', 'full'], format: 'number' },
    { id: 'params-densenet-bc100', kind: 'exact', what: 'parameters of DenseNet-BC (L = 100, k = 12) in millions, to Table 2’s one decimal (769,162 exactly)', source: 'Table 2', metric: 'params_densenet_bc100_k12_millions', expected: 0.8, tiers: ['smoke', 'full'], format: 'number' },
  ],
  plots: { test_error: { format: 'percent', title: 'DenseNet CIFAR-10 test error' } },
  async run(cfg, ctx) {
    const net = new DenseNet(densenetCifarConfig(cfg.depth, cfg.growthRate, { bc: cfg.bc, dropout: cfg.dropout, inputShape: [cfg.imageSize, cfg.imageSize, 3] }), { seed: ctx.seed });
    const optimizer = new Nesterov({ momentum: 0.9, l2: cfg.weightDecay, learningRate: multiStepDecay({ initial: cfg.learningRate, boundaries: cfg.lrBoundaries }) });
    const r = await trainCifar10({ ctx, cfg, model: net, optimizer, label: `DenseNet${cfg.bc ? '-BC' : ''} L=${cfg.depth} k=${cfg.growthRate}` });
    // Table 2's parameter counts, from the shapes of the paper's two networks (nothing allocated).
    const paper40 = new DenseNet(densenetCifarConfig(40, 12), { allocate: false }).parameterCount();
    const paperBC100 = new DenseNet(densenetCifarConfig(100, 12, { bc: true }), { allocate: false }).parameterCount();
    return {
      test_error: r.test_error,
      iterations: r.steps,
      parameters: net.parameterCount(),
      params_densenet40_k12: paper40,
      params_densenet40_k12_millions: Math.round(paper40 / 1e5) / 10, // Table 2 prints one decimal
      params_densenet_bc100_k12_millions: Math.round(paperBC100 / 1e5) / 10,
    };
  },
});
