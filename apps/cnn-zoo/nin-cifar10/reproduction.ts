/**
 * Network in Network on CIFAR-10 — M. Lin, Q. Chen, S. Yan, "Network In Network", ICLR 2014.
 * https://arxiv.org/abs/1312.4400
 *
 * Claim (§4.2, Table 1): NiN with dropout between the mlpconv layers reaches 10.41% test error on
 * CIFAR-10 without data augmentation. The model is the authors' released CIFAR-10 network
 * (packages/cnn-zoo/src/nin.ts, `NIN_CIFAR10`). Full tier: our recipe (README); smoke: narrowed 8× on 16×16 images.
 */
import { defineReproduction, multiStepDecay, z } from '@paperzoo/repro';
import { NiN, NIN_CIFAR10, cifar10TrainingFields, trainCifar10 } from '@paperzoo/cnn-zoo';
import { Momentum } from '@paperzoo/core-autograd';

const config = z.object({
  ...cifar10TrainingFields,
  /** Multiplies the channels of every mlpconv layer but the last (1 = the authors' network). */
  widthScale: z.number().positive().max(1),
  momentum: z.number().min(0).max(1),
  /** Dropout between mlpconv layers (the paper: 0.5). */
  dropout: z.number().min(0).max(1),
});

/** Smoke threshold on the test error, from measured runs over seeds (README). */
const SMOKE_THRESHOLD = 0.82;

export default defineReproduction({
  id: 'nin-cifar10',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Network In Network', authors: ['M. Lin', 'Q. Chen', 'S. Yan'], year: 2014, venue: 'ICLR 2014', url: 'https://arxiv.org/abs/1312.4400' },
  config,
  tiers: {
    full: {
      config: { widthScale: 1, imageSize: 32, trainExamples: 50000, iterations: 120000, evalEvery: 2000, batchSize: 128, learningRate: 0.1, lrBoundaries: [80000, 100000], momentum: 0.9, weightDecay: 1e-4, dropout: 0.5, testExamples: 10000 },
      budget: '120k iterations of batch 128 (≈300 epochs): GPU-sized, not run on 2 CPU cores',
    },
    smoke: {
      config: { widthScale: 1 / 8, imageSize: 16, trainExamples: 10000, iterations: 800, evalEvery: 200, batchSize: 32, learningRate: 0.01, lrBoundaries: [], testExamples: 1000 },
      budget: '800 iterations of batch 32, NiN narrowed 8× on 16×16 images, about 25 s of CPU on 2 cores (wasm)',
      description: 'NiN narrowed 8× on 16×16 images, 800 iterations on 10,000 training images',
    },
  },
  claims: [
    { id: 'test-error', kind: 'value', what: 'CIFAR-10 test error of NiN with dropout, without data augmentation', label: 'NiN test error', setting: 'no augmentation', source: 'Table 1', metric: 'test_error', published: 0.1041, tolerance: 0.01, tiers: ['full'], format: 'percent' },
    { id: 'smoke-learns', kind: 'threshold', what: 'test error of NiN narrowed 8× on 16×16 CIFAR-10 after 800 iterations of 32 (smoke; chance is 90%)', label: 'NiN test error (smoke)', source: 'Table 1 (scaled down)', metric: 'test_error', threshold: SMOKE_THRESHOLD, direction: 'below', published: 0.1041, tiers: ['smoke'], format: 'percent' },
    { id: 'no-classifier-parameters', kind: 'exact', what: 'global average pooling replaces the fully connected classifier: every parameter of the authors’ network is in an mlpconv layer', source: '§3.2', metric: 'full_width_only_mlpconv', expected: true, tiers: ['smoke', 'full'], format: 'boolean' },
    { id: 'parameters', kind: 'exact', what: 'parameters of the authors’ CIFAR-10 network (192-160-96 / 192-192-192 / 192-192-10, counted from shapes)', source: '§4.2 (the released model)', metric: 'parameters_full_width', expected: 966_986, tiers: ['smoke', 'full'], format: 'integer' },
  ],
  plots: { test_error: { format: 'percent', title: 'NiN CIFAR-10 test error' } },
  async run(cfg, ctx) {
    const blocks = NIN_CIFAR10.blocks.map((b, i, all) => ({
      ...b,
      channels: b.channels.map((c, j) => (i === all.length - 1 && j === 2 ? c : Math.max(1, Math.round(c * cfg.widthScale)))) as [number, number, number],
      dropout: b.dropout > 0 ? cfg.dropout : 0,
    }));
    const net = new NiN({ ...NIN_CIFAR10, inputShape: [cfg.imageSize, cfg.imageSize, 3], blocks }, { seed: ctx.seed });
    const optimizer = new Momentum({ momentum: cfg.momentum, l2: cfg.weightDecay, learningRate: multiStepDecay({ initial: cfg.learningRate, boundaries: cfg.lrBoundaries }) });
    const r = await trainCifar10({ ctx, cfg, model: net, optimizer, label: 'NiN' });
    const authors = new NiN(NIN_CIFAR10, { allocate: false }); // shapes only
    return {
      test_error: r.test_error,
      iterations: r.steps,
      parameters: net.parameterCount(),
      parameters_full_width: authors.parameterCount(),
      full_width_only_mlpconv: Object.keys(authors.parameterShapes()).every((name) => name.startsWith('mlpconv')),
    };
  },
});
