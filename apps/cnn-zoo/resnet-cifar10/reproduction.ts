/**
 * ResNet on CIFAR-10 — K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition",
 * CVPR 2016. https://arxiv.org/abs/1512.03385
 *
 * Claims: Table 6 — ResNet-20/32/56 reach 8.75% / 7.51% / 6.97% test error with §4.2's recipe (full
 * tier, GPU-sized). §4.2, Fig. 6 — degradation: a deeper *plain* net has a higher training error than a
 * shallower one, its residual version does not (smoke tier, scaled down, as rankings). All networks of a
 * run train side by side on the same batches in one `fit` (`trainClassifiers`).
 */
import { defineReproduction, trainClassifiers, multiStepDecay, z } from '@paperzoo/repro';
import { ResNet, resnetCifarConfig, downsample, normalizeChannels, evaluationBatches, shuffledTrainingBatches, perKey, cifar10TrainingFields } from '@paperzoo/cnn-zoo';
import { Momentum } from '@paperzoo/core-autograd';
import { loadCifar10, paperSplit, channelStats, takeBatch, type ImageBatch, type ImageDataset } from '@paperzoo/datasets';

const config = z.object({
  /** Networks to train: 'resnet-<6n+2>' (option-A shortcuts) or 'plain-<6n+2>' (none), e.g. ['resnet-20', 'plain-56']. */
  networks: z.array(z.string().regex(/^(resnet|plain)-\d+$/, "networks are 'resnet-<6n+2>' or 'plain-<6n+2>'")).min(1),
  /** Filters of the three stages (the paper: 16, 32, 64). */
  widths: z.array(z.number().int().min(1).max(1024)).length(3),
  ...cifar10TrainingFields, // the paper: 64k iterations of batch 128, lr 0.1 ÷10 at 32k and 48k, weight decay 1e-4
  /** Training images, the first N of the 45k part of the 45k/5k split (the paper: 45,000). */
  trainExamples: z.number().int().min(100).max(45000),
  momentum: z.number().min(0).max(1),
  /** Pad + random crop + flip (§4.2); the pad is imageSize/8 (4 at 32×32). */
  augment: z.boolean(),
  /** Training images (un-augmented, inference mode) on which the training error is measured. */
  trainEvalExamples: z.number().int().min(100).max(45000),
});

/** The networks whose metrics are reported (those the tiers train). */
const REPORTED = ['plain8', 'plain20', 'resnet8', 'resnet20', 'resnet32', 'resnet56'] as const;

/** 'plain-56' → { n: 9, plain: true, key: 'plain56' }. */
function parseNetwork(name: string): { n: number; plain: boolean; key: string } {
  const [kind, depthText] = name.split('-');
  const depth = Number(depthText);
  if ((depth - 2) % 6 !== 0 || depth < 8) throw new RangeError(`network '${name}': CIFAR ResNets have 6n + 2 layers (8, 14, 20, 32, 44, 56, 110, …)`);
  return { n: (depth - 2) / 6, plain: kind === 'plain', key: `${kind}${depth}` };
}

/** The images at `indices` at the run's size, box-filtered in [0, 1] units, then standardised per channel with `stats`. */
function prepare(ds: ImageDataset, indices: ArrayLike<number>, size: number, stats: { mean: number[]; std: number[] }): ImageBatch {
  const b = takeBatch(ds, indices, { normalize: 'unit' }); // [n, 32, 32, 3] in [0, 1]
  const small = size === 32 ? b : { ...downsample(b.x, b.shape, 32 / size), y: b.y }; // [n, size, size, 3]
  normalizeChannels(small.x, 3, stats.mean, stats.std);
  return small;
}

/** Smoke margins on the training error: about half of the smallest gap observed over 5 seeds (README). */
const SMOKE_MARGIN_PLAIN = 0.09;
const SMOKE_MARGIN_RESIDUAL = 0.08;
const SMOKE_MARGIN_PENALTY = 0.02;

/** A smoke ranking claim on the training error. */
const ranking = (id: string, what: string, label: string, source: string, better: string, worse: string, margin: number) =>
  ({ id, kind: 'ranking', what, label, source, betterIs: 'lower', margin, names: { better, worse }, tiers: ['smoke'], format: 'percent' }) as const;

export default defineReproduction({
  id: 'resnet-cifar10',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Deep Residual Learning for Image Recognition', authors: ['K. He', 'X. Zhang', 'S. Ren', 'J. Sun'], year: 2016, venue: 'CVPR 2016', url: 'https://arxiv.org/abs/1512.03385' },
  config,
  tiers: {
    full: {
      config: { networks: ['resnet-20', 'resnet-32', 'resnet-56'], widths: [16, 32, 64], imageSize: 32, trainExamples: 45000, iterations: 64000, evalEvery: 2000, batchSize: 128, learningRate: 0.1, lrBoundaries: [32000, 48000], momentum: 0.9, weightDecay: 1e-4, augment: true, testExamples: 10000, trainEvalExamples: 5000 },
      budget: '64k iterations of batch 128 for ResNet-20/32/56 (Table 6): GPU-sized — about 2–3 GPU-hours; weeks on 2 CPU cores',
    },
    smoke: {
      config: { networks: ['plain-8', 'plain-20', 'resnet-8', 'resnet-20'], widths: [8, 16, 32], imageSize: 16, trainExamples: 500, iterations: 200, evalEvery: 100, batchSize: 32, learningRate: 0.025, lrBoundaries: [], augment: false, testExamples: 500, trainEvalExamples: 500 },
      budget: '200 iterations of batch 32 (≈13 passes over 500 images) for 4 narrow nets on 16×16 images, about 60 s of CPU on 2 cores (wasm)',
      description: 'Fig. 6’s degradation at small scale: width 8/16/32, 16×16 inputs, 500 training images, 200 iterations of 32',
    },
  },
  claims: [
    ...(
      [
        ['resnet20', 'ResNet-20', 0.0875],
        ['resnet32', 'ResNet-32', 0.0751],
        ['resnet56', 'ResNet-56', 0.0697],
      ] as const
    ).map(([key, name, published]) => ({
      id: `test-error-${key}`,
      kind: 'value' as const,
      what: `CIFAR-10 test error of ${name} (64k iterations, batch 128, augmentation, 45k training images)`,
      label: `${name} test error`,
      source: 'Table 6',
      metric: `test_error_${key}` as const,
      published,
      tolerance: 0.005,
      tiers: ['full' as const],
      format: 'percent' as const,
    })),
    { id: 'params-resnet20', kind: 'value', what: 'parameters of ResNet-20 (0.27M in Table 6; exactly 269,722 with option A)', label: 'ResNet-20 parameters', source: 'Table 6', metric: 'params_resnet20', published: 270_000, tolerance: 5_000, tiers: ['full'], format: 'integer' },
    {
      ...ranking('degradation-plain', 'training error after the smoke budget: the shallower plain net (plain-8) below the deeper plain net (plain-20)', 'training error, plain-8 vs plain-20', '§4.2, Fig. 6 (left) (scaled down: width 8/16/32, 16×16 inputs, 500 images)', 'plain-8', 'plain-20', SMOKE_MARGIN_PLAIN),
      better: 'train_error_plain8',
      worse: 'train_error_plain20',
    },
    {
      ...ranking('residual-deeper-no-degradation', 'training error after the smoke budget: the residual net of the deeper depth (ResNet-20) below the plain net of that depth (plain-20)', 'training error, ResNet-20 vs plain-20', '§4.2, Fig. 6 (middle vs left) (scaled down)', 'ResNet-20', 'plain-20', SMOKE_MARGIN_RESIDUAL),
      better: 'train_error_resnet20',
      worse: 'train_error_plain20',
    },
    {
      ...ranking('depth-penalty', 'what going from 8 to 20 layers costs in training error: less for the residual nets (ResNet-20 − ResNet-8) than for the plain nets (plain-20 − plain-8)', 'training-error cost of depth 8 → 20, residual vs plain', '§4.2, Fig. 6 (left vs middle) (scaled down)', 'residual', 'plain', SMOKE_MARGIN_PENALTY),
      better: 'depth_penalty_residual',
      worse: 'depth_penalty_plain',
    },
  ],
  plots: {
    train_error: { format: 'percent', title: 'training error (inference mode, fixed training subset)' },
    test_error: { format: 'percent', title: 'CIFAR-10 test error' },
    train_loss: { title: 'training loss (inference mode, fixed training subset)' },
  },
  async run(cfg, ctx) {
    if (cfg.iterations % cfg.evalEvery !== 0) throw new RangeError(`iterations (${cfg.iterations}) must be a multiple of evalEvery (${cfg.evalEvery})`);
    const specs = cfg.networks.map(parseNetwork);
    // The 45k/5k split of §4.2; smoke runs read only as many of the five training files as they need.
    const trainIdx = paperSplit('cifar10-45k-5k').train.subarray(0, cfg.trainExamples);
    const neededFiles = Math.floor(trainIdx[trainIdx.length - 1] / 10000) + 1; // the split's indices are sorted
    const [trainAll, test] = await Promise.all([loadCifar10({ split: 'train', batches: Array.from({ length: neededFiles }, (_, i) => i + 1) }), loadCifar10({ split: 'test' })]);
    const stats = channelStats(trainAll, trainIdx); // per-channel mean/std of the training images, in [0, 1] units
    const train = prepare(trainAll, trainIdx, cfg.imageSize, stats);
    const nets = Object.fromEntries(
      specs.map(({ n, plain, key }, i) => [key, new ResNet(resnetCifarConfig(n, { plain, widths: cfg.widths as [number, number, number], inputShape: [cfg.imageSize, cfg.imageSize, 3] }), { seed: ctx.seed * 100 + i })]),
    );
    const r = await trainClassifiers({
      ctx,
      models: nets,
      optimizer: new Momentum({ momentum: cfg.momentum, l2: cfg.weightDecay, learningRate: multiStepDecay({ initial: cfg.learningRate, boundaries: cfg.lrBoundaries }) }),
      epochs: cfg.iterations / cfg.evalEvery,
      stepsPerEpoch: cfg.evalEvery,
      label: cfg.networks.join(' + '),
      test: evaluationBatches(prepare(test, Array.from({ length: cfg.testExamples }, (_, i) => i), cfg.imageSize, stats)),
      trainEval: evaluationBatches(train, { count: Math.min(cfg.trainEvalExamples, train.shape[0]) }),
      batches: () => shuffledTrainingBatches(train, { batchSize: cfg.batchSize, steps: cfg.evalEvery, augment: cfg.augment }),
    });
    // The training-error cost of depth (Fig. 6): deeper minus shallower, for each family present.
    const penalty = (plain: boolean) => {
      const byDepth = specs.filter((s) => s.plain === plain).sort((a, b) => a.n - b.n);
      return byDepth.length < 2 ? undefined : r[byDepth[byDepth.length - 1].key].train_error - r[byDepth[0].key].train_error;
    };
    return {
      iterations: cfg.iterations,
      ...perKey('test_error', REPORTED, (k) => r[k]?.test_error),
      ...perKey('train_error', REPORTED, (k) => r[k]?.train_error),
      ...perKey('train_loss', REPORTED, (k) => r[k]?.train_loss),
      ...perKey('params', REPORTED, (k) => nets[k]?.parameterCount()),
      depth_penalty_plain: penalty(true),
      depth_penalty_residual: penalty(false),
    };
  },
});
