/**
 * ResNet on CIFAR-10 — K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition",
 * CVPR 2016. https://arxiv.org/abs/1512.03385
 *
 * Claims:
 * - Table 6 (§4.2): ResNet-20/32/56 reach 8.75% / 7.51% / 6.97% test error with the paper's recipe
 *   (64k iterations of batch 128, lr 0.1 divided by 10 at 32k and 48k, momentum 0.9, weight decay 1e-4,
 *   4-pixel padding + random 32×32 crop + horizontal flip, trained on 45k of the 50k training images).
 *   Full tier; GPU-sized, not run here (see README).
 * - §4.2, Fig. 6 — degradation: a deeper *plain* net has higher training error than a shallower one,
 *   while the residual version of the deeper net does not. Smoke tier, scaled down (narrow nets,
 *   16×16 inputs, a 500-image subset, 200 iterations), as ranking claims on the training error.
 *
 * All networks of a run train side by side in one `fit` on the same batches (their losses are summed;
 * parameters are disjoint, so each gets exactly its own momentum-SGD step with weight decay), so one
 * checkpoint and `--resume` cover the experiment, batch-norm statistics included.
 */
import { tf } from '@paperzoo/tensor';
import { defineReproduction, fit, crossEntropyWithLogits, evaluateClassifier, multiStepDecay, z, type RunContext } from '@paperzoo/repro';
import { ResNet, resnetCifarConfig, collectVariables, downsample, normalizeChannels, evaluationBatches, shuffledTrainingBatches } from '@paperzoo/cnn-zoo';
import { Momentum } from '@paperzoo/core-autograd';
import { loadCifar10, paperSplit, channelStats, takeBatch, type ImageBatch, type ImageDataset } from '@paperzoo/datasets';

/** Everything a run can vary. Tiers are presets; `--set key=value` overrides fields. */
export interface ResNetCifarConfig {
  /** Networks to train: 'resnet-<6n+2>' (option-A shortcuts) or 'plain-<6n+2>' (none), e.g. ['resnet-20', 'plain-56']. */
  networks: string[];
  /** Filters of the three stages (the paper: 16, 32, 64). */
  widths: number[];
  /** Input size: 32 (the paper) or 16 (2×2 box-filtered, for the smoke tier). */
  imageSize: number;
  /** Training images, the first N of the 45k part of the 45k/5k split (the paper: 45,000). */
  trainExamples: number;
  /** SGD iterations (the paper: 64,000). */
  iterations: number;
  /** Iterations between evaluations (one `fit` epoch and checkpoint). */
  evalEvery: number;
  /** Mini-batch size (the paper: 128). */
  batchSize: number;
  /** Initial learning rate (the paper: 0.1). */
  learningRate: number;
  /** Iterations at which the learning rate is divided by 10 (the paper: 32k, 48k). */
  lrBoundaries: number[];
  momentum: number;
  /** L2 weight decay λ (gradient + λθ; the paper: 1e-4). */
  weightDecay: number;
  /** Pad + random crop + flip (§4.2); the pad is imageSize/8 (4 at 32×32). */
  augment: boolean;
  /** Test images evaluated (the first N of 10,000). */
  testExamples: number;
  /** Training images (un-augmented, inference mode) on which the training error is measured. */
  trainEvalExamples: number;
}

const configSchema = z.object({
  networks: z.array(z.string().regex(/^(resnet|plain)-\d+$/, "networks are 'resnet-<6n+2>' or 'plain-<6n+2>'")).min(1),
  widths: z.array(z.number().int().positive()).length(3),
  imageSize: z.union([z.literal(32), z.literal(16)]),
  trainExamples: z.number().int().min(100).max(45000),
  iterations: z.number().int().positive(),
  evalEvery: z.number().int().positive(),
  batchSize: z.number().int().min(2),
  learningRate: z.number().positive(),
  lrBoundaries: z.array(z.number().int().nonnegative()),
  momentum: z.number().min(0).max(1),
  weightDecay: z.number().min(0),
  augment: z.boolean(),
  testExamples: z.number().int().min(100).max(10000),
  trainEvalExamples: z.number().int().min(100).max(45000),
});

/** 'plain-56' → { n: 9, plain: true, key: 'plain56' }. */
function parseNetwork(name: string): { n: number; plain: boolean; key: string } {
  const [kind, depthText] = name.split('-');
  const depth = Number(depthText);
  if ((depth - 2) % 6 !== 0 || depth < 8) throw new RangeError(`network '${name}': CIFAR ResNets have 6n + 2 layers (8, 14, 20, 32, 44, 56, 110, …)`);
  return { n: (depth - 2) / 6, plain: kind === 'plain', key: `${kind}${depth}` };
}

/**
 * The images at `indices` as NHWC floats at the run's size, standardised per channel with `stats`
 * (box-filtered in [0, 1] units first, then standardised).
 */
function prepare(ds: ImageDataset, indices: ArrayLike<number>, size: number, stats: { mean: number[]; std: number[] }): ImageBatch {
  const b = takeBatch(ds, indices, { normalize: 'unit' }); // [n, 32, 32, 3] in [0, 1]
  const small = size === 32 ? b : { ...downsample(b.x, b.shape, 32 / size), y: b.y }; // [n, size, size, 3]
  normalizeChannels(small.x, 3, stats.mean, stats.std);
  return small;
}

async function run(cfg: ResNetCifarConfig, ctx: RunContext<ResNetCifarConfig>) {
  if (cfg.iterations % cfg.evalEvery !== 0) throw new RangeError(`iterations (${cfg.iterations}) must be a multiple of evalEvery (${cfg.evalEvery})`);
  const specs = cfg.networks.map(parseNetwork);
  // The 45k/5k split of §4.2; smoke runs read only as many of the five training files as they need.
  const split = paperSplit('cifar10-45k-5k');
  const trainIdx = split.train.subarray(0, cfg.trainExamples);
  const neededFiles = Math.floor(trainIdx[trainIdx.length - 1] / 10000) + 1; // the split's indices are sorted
  const [trainAll, test] = await Promise.all([loadCifar10({ split: 'train', batches: Array.from({ length: neededFiles }, (_, i) => i + 1) }), loadCifar10({ split: 'test' })]);
  const stats = channelStats(trainAll, trainIdx); // per-channel mean/std of the training images, in [0, 1] units
  const train = prepare(trainAll, trainIdx, cfg.imageSize, stats);
  const testData = prepare(test, Array.from({ length: cfg.testExamples }, (_, i) => i), cfg.imageSize, stats);
  const testSet = evaluationBatches(testData);
  const trainEval = evaluationBatches(train, { count: Math.min(cfg.trainEvalExamples, train.shape[0]) });

  const nets: Record<string, ResNet> = {};
  specs.forEach(({ n, plain, key }, i) => {
    nets[key] = new ResNet(resnetCifarConfig(n, { plain, widths: cfg.widths as [number, number, number], inputShape: [cfg.imageSize, cfg.imageSize, 3] }), { seed: ctx.seed * 100 + i });
  });
  const { variables, stateVariables } = collectVariables(nets);
  const optimizer = new Momentum({
    momentum: cfg.momentum,
    l2: cfg.weightDecay,
    learningRate: multiStepDecay({ initial: cfg.learningRate, boundaries: cfg.lrBoundaries }),
  });

  try {
    const result = await fit({
      ctx,
      variables,
      extraVariables: stateVariables,
      optimizer,
      epochs: cfg.iterations / cfg.evalEvery,
      stepsPerEpoch: cfg.evalEvery,
      label: cfg.networks.join(' + '),
      // Shuffled passes over the training images; each evaluation interval starts its own permutation
      // from the global generator, so --resume replays it exactly.
      batches: () => shuffledTrainingBatches(train, { batchSize: cfg.batchSize, steps: cfg.evalEvery, augment: cfg.augment }),
      loss: (b) => tf.addN(Object.values(nets).map((net) => crossEntropyWithLogits(net.apply(b.x, { training: true }), b.y))) as tf.Scalar,
      evaluate: async () => {
        const out: Record<string, number> = {};
        for (const [key, net] of Object.entries(nets)) {
          const t = await evaluateClassifier((x) => net.apply(x as tf.Tensor4D), testSet, { keepBatches: true });
          const tr = await evaluateClassifier((x) => net.apply(x as tf.Tensor4D), trainEval, { keepBatches: true });
          out[`test_error/${key}`] = t.error;
          out[`train_error/${key}`] = tr.error;
          out[`train_loss/${key}`] = tr.loss;
        }
        return out;
      },
    });
    const metrics: Record<string, number> = { iterations: result.steps };
    for (const key of Object.keys(nets)) {
      metrics[`test_error_${key}`] = result.metrics[`test_error/${key}`];
      metrics[`train_error_${key}`] = result.metrics[`train_error/${key}`];
      metrics[`train_loss_${key}`] = result.metrics[`train_loss/${key}`];
      metrics[`params_${key}`] = nets[key].parameterCount();
    }
    // The training-error cost of depth (Fig. 6): deeper minus shallower, for each family present.
    for (const [family, plain] of [['plain', true], ['residual', false]] as const) {
      const byDepth = specs.filter((s) => s.plain === plain).sort((a, b) => a.n - b.n);
      if (byDepth.length >= 2) metrics[`depth_penalty_${family}`] = metrics[`train_error_${byDepth[byDepth.length - 1].key}`] - metrics[`train_error_${byDepth[0].key}`];
    }
    return metrics;
  } finally {
    tf.dispose([...testSet, ...trainEval].flatMap((b) => [b.x, b.y]));
    optimizer.dispose();
    Object.values(nets).forEach((net) => net.dispose());
  }
}

/**
 * Smoke margins on the training error, set from measured runs (README, "How the smoke margins were
 * set"): about half of the smallest gap observed over 5 seeds.
 */
const SMOKE_MARGIN_PLAIN = 0.09;
const SMOKE_MARGIN_RESIDUAL = 0.08;
const SMOKE_MARGIN_PENALTY = 0.02;

export default defineReproduction<ResNetCifarConfig>({
  id: 'resnet-cifar10',
  package: '@paperzoo/cnn-zoo',
  paper: {
    title: 'Deep Residual Learning for Image Recognition',
    authors: ['K. He', 'X. Zhang', 'S. Ren', 'J. Sun'],
    year: 2016,
    venue: 'CVPR 2016',
    url: 'https://arxiv.org/abs/1512.03385',
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
      metric: `test_error_${key}`,
      published,
      tolerance: 0.005,
      tiers: ['full' as const],
      format: 'percent' as const,
    })),
    {
      id: 'params-resnet20',
      kind: 'value',
      what: 'parameters of ResNet-20 (0.27M in Table 6; exactly 269,722 with option A)',
      label: 'ResNet-20 parameters',
      source: 'Table 6',
      metric: 'params_resnet20',
      published: 270_000,
      tolerance: 5_000,
      tiers: ['full'],
      format: 'integer',
    },
    {
      id: 'degradation-plain',
      kind: 'ranking',
      what: 'training error after the smoke budget: the shallower plain net (plain-8) below the deeper plain net (plain-20)',
      label: 'training error, plain-8 vs plain-20',
      source: '§4.2, Fig. 6 (left) (scaled down: width 8/16/32, 16×16 inputs, 500 images)',
      better: 'train_error_plain8',
      worse: 'train_error_plain20',
      betterIs: 'lower',
      margin: SMOKE_MARGIN_PLAIN,
      names: { better: 'plain-8', worse: 'plain-20' },
      tiers: ['smoke'],
      format: 'percent',
    },
    {
      id: 'residual-deeper-no-degradation',
      kind: 'ranking',
      what: 'training error after the smoke budget: the residual net of the deeper depth (ResNet-20) below the plain net of that depth (plain-20)',
      label: 'training error, ResNet-20 vs plain-20',
      source: '§4.2, Fig. 6 (middle vs left) (scaled down)',
      better: 'train_error_resnet20',
      worse: 'train_error_plain20',
      betterIs: 'lower',
      margin: SMOKE_MARGIN_RESIDUAL,
      names: { better: 'ResNet-20', worse: 'plain-20' },
      tiers: ['smoke'],
      format: 'percent',
    },
    {
      id: 'depth-penalty',
      kind: 'ranking',
      what: 'what going from 8 to 20 layers costs in training error: less for the residual nets (ResNet-20 − ResNet-8) than for the plain nets (plain-20 − plain-8)',
      label: 'training-error cost of depth 8 → 20, residual vs plain',
      source: '§4.2, Fig. 6 (left vs middle) (scaled down)',
      better: 'depth_penalty_residual',
      worse: 'depth_penalty_plain',
      betterIs: 'lower',
      margin: SMOKE_MARGIN_PENALTY,
      names: { better: 'residual', worse: 'plain' },
      tiers: ['smoke'],
      format: 'percent',
    },
  ],
  configSchema,
  tiers: {
    smoke: {
      config: {
        networks: ['plain-8', 'plain-20', 'resnet-8', 'resnet-20'],
        widths: [8, 16, 32],
        imageSize: 16,
        trainExamples: 500,
        iterations: 200,
        evalEvery: 100,
        batchSize: 32,
        learningRate: 0.025,
        lrBoundaries: [],
        momentum: 0.9,
        weightDecay: 1e-4,
        augment: false,
        testExamples: 500,
        trainEvalExamples: 500,
      },
      budget: '200 iterations of batch 32 (≈13 passes over 500 images) for 4 narrow nets on 16×16 images, about 60 s of CPU on 2 cores (wasm)',
      description: 'Fig. 6’s degradation at small scale: width 8/16/32, 16×16 inputs, 500 training images, 200 iterations of 32',
    },
    full: {
      config: {
        networks: ['resnet-20', 'resnet-32', 'resnet-56'],
        widths: [16, 32, 64],
        imageSize: 32,
        trainExamples: 45000,
        iterations: 64000,
        evalEvery: 2000,
        batchSize: 128,
        learningRate: 0.1,
        lrBoundaries: [32000, 48000],
        momentum: 0.9,
        weightDecay: 1e-4,
        augment: true,
        testExamples: 10000,
        trainEvalExamples: 5000,
      },
      budget: '64k iterations of batch 128 for ResNet-20/32/56 (Table 6): GPU-sized — about 2–3 GPU-hours; weeks on 2 CPU cores',
    },
  },
  plots: {
    train_error: { format: 'percent', title: 'training error (inference mode, fixed training subset)' },
    test_error: { format: 'percent', title: 'CIFAR-10 test error' },
    train_loss: { title: 'training loss (inference mode, fixed training subset)' },
  },
  run,
});
