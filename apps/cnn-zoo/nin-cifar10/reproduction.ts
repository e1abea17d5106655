/**
 * Network in Network on CIFAR-10 — M. Lin, Q. Chen, S. Yan, "Network In Network", ICLR 2014.
 * https://arxiv.org/abs/1312.4400
 *
 * Claim (§4.2, Table 1): NiN with dropout between the mlpconv layers reaches 10.41% test error on
 * CIFAR-10 without data augmentation (8.81% with translations and flips). The model is the authors'
 * released CIFAR-10 network (packages/cnn-zoo/src/nin.ts: 192-160-96 / 192-192-192 / 192-192-10 mlpconv
 * layers, global average pooling, ≈0.97M parameters).
 *
 * Full tier: our recipe for that network (the paper gives only "mini-batch SGD with momentum", the
 * learning rate divided by 10 when the validation accuracy stops improving, and GCN + ZCA whitening;
 * see README) — GPU-sized, not run here. Smoke tier: the same architecture narrowed 8× on 16×16
 * (box-filtered) images, a few hundred iterations, a test-accuracy threshold set from measured runs.
 */
import { tf } from '@paperzoo/tensor';
import { defineReproduction, fit, crossEntropyWithLogits, evaluateClassifier, multiStepDecay, z, type RunContext } from '@paperzoo/repro';
import { NiN, NIN_CIFAR10, loadCifar10AtSize, evaluationBatches, shuffledTrainingBatches } from '@paperzoo/cnn-zoo';
import { Momentum } from '@paperzoo/core-autograd';

/** Everything a run can vary. Tiers are presets; `--set key=value` overrides fields. */
export interface NinCifarConfig {
  /** Multiplies the channels of every mlpconv layer but the last (1 = the authors' network). */
  widthScale: number;
  /** Input size: 32 (the paper) or 16 (2×2 box-filtered, smoke). */
  imageSize: number;
  /** Training images, the first N of 50,000. */
  trainExamples: number;
  iterations: number;
  evalEvery: number;
  batchSize: number;
  learningRate: number;
  /** Iterations at which the learning rate is divided by 10. */
  lrBoundaries: number[];
  momentum: number;
  weightDecay: number;
  /** Dropout between mlpconv layers (the paper: 0.5). */
  dropout: number;
  testExamples: number;
}

const configSchema = z.object({
  widthScale: z.number().positive().max(1),
  imageSize: z.union([z.literal(32), z.literal(16)]),
  trainExamples: z.number().int().min(100).max(50000),
  iterations: z.number().int().positive(),
  evalEvery: z.number().int().positive(),
  batchSize: z.number().int().min(2),
  learningRate: z.number().positive(),
  lrBoundaries: z.array(z.number().int().nonnegative()),
  momentum: z.number().min(0).max(1),
  weightDecay: z.number().min(0),
  dropout: z.number().min(0).max(1),
  testExamples: z.number().int().min(100).max(10000),
});

async function run(cfg: NinCifarConfig, ctx: RunContext<NinCifarConfig>) {
  if (cfg.iterations % cfg.evalEvery !== 0) throw new RangeError(`iterations (${cfg.iterations}) must be a multiple of evalEvery (${cfg.evalEvery})`);
  const { train, test } = await loadCifar10AtSize({ trainExamples: cfg.trainExamples, testExamples: cfg.testExamples, imageSize: cfg.imageSize }); // [n, imageSize, imageSize, 3]
  const testBatches = evaluationBatches(test);

  const w = cfg.widthScale;
  const net = new NiN(
    {
      ...NIN_CIFAR10,
      inputShape: [cfg.imageSize, cfg.imageSize, 3],
      blocks: NIN_CIFAR10.blocks.map((b, i, all) => ({
        ...b,
        channels: b.channels.map((c, j) => (i === all.length - 1 && j === 2 ? c : Math.max(1, Math.round(c * w)))) as [number, number, number],
        dropout: b.dropout > 0 ? cfg.dropout : 0,
      })),
    },
    { seed: ctx.seed },
  );
  const optimizer = new Momentum({
    momentum: cfg.momentum,
    l2: cfg.weightDecay,
    learningRate: multiStepDecay({ initial: cfg.learningRate, boundaries: cfg.lrBoundaries }),
  });

  try {
    const result = await fit({
      ctx,
      variables: net.variables,
      optimizer,
      epochs: cfg.iterations / cfg.evalEvery,
      stepsPerEpoch: cfg.evalEvery,
      label: 'NiN',
      batches: () => shuffledTrainingBatches(train, { batchSize: cfg.batchSize, steps: cfg.evalEvery }),
      loss: (b) => crossEntropyWithLogits(net.apply(b.x, { training: true }), b.y) as tf.Scalar,
      evaluate: async () => {
        const r = await evaluateClassifier((x) => net.apply(x as tf.Tensor4D), testBatches, { keepBatches: true });
        return { test_error: r.error, 'loss/test': r.loss };
      },
    });
    const authors = new NiN(NIN_CIFAR10, { allocate: false }); // shapes only
    return {
      test_error: result.metrics.test_error,
      iterations: result.steps,
      parameters: net.parameterCount(),
      parameters_full_width: authors.parameterCount(),
      full_width_only_mlpconv: Object.keys(authors.parameterShapes()).every((name) => name.startsWith('mlpconv')),
    };
  } finally {
    tf.dispose(testBatches.flatMap((b) => [b.x, b.y]));
    optimizer.dispose();
    net.dispose();
  }
}

/** Smoke threshold on the test error, from measured runs over seeds (README). */
const SMOKE_THRESHOLD = 0.82;

export default defineReproduction<NinCifarConfig>({
  id: 'nin-cifar10',
  package: '@paperzoo/cnn-zoo',
  paper: {
    title: 'Network In Network',
    authors: ['M. Lin', 'Q. Chen', 'S. Yan'],
    year: 2014,
    venue: 'ICLR 2014',
    url: 'https://arxiv.org/abs/1312.4400',
  },
  claims: [
    {
      id: 'test-error',
      kind: 'value',
      what: 'CIFAR-10 test error of NiN with dropout, without data augmentation',
      label: 'NiN test error',
      setting: 'no augmentation',
      source: 'Table 1',
      metric: 'test_error',
      published: 0.1041,
      tolerance: 0.01,
      tiers: ['full'],
      format: 'percent',
    },
    {
      id: 'smoke-learns',
      kind: 'threshold',
      what: 'test error of NiN narrowed 8× on 16×16 CIFAR-10 after 800 iterations of 32 (smoke; chance is 90%)',
      label: 'NiN test error (smoke)',
      source: 'Table 1 (scaled down)',
      metric: 'test_error',
      threshold: SMOKE_THRESHOLD,
      direction: 'below',
      published: 0.1041,
      tiers: ['smoke'],
      format: 'percent',
    },
    {
      id: 'no-classifier-parameters',
      kind: 'exact',
      what: 'global average pooling replaces the fully connected classifier: every parameter of the authors’ network is in an mlpconv layer',
      source: '§3.2',
      metric: 'full_width_only_mlpconv',
      expected: true,
      tiers: ['smoke', 'full'],
      format: 'boolean',
    },
    {
      id: 'parameters',
      kind: 'exact',
      what: 'parameters of the authors’ CIFAR-10 network (192-160-96 / 192-192-192 / 192-192-10, counted from shapes)',
      source: '§4.2 (the released model)',
      metric: 'parameters_full_width',
      expected: 966_986,
      tiers: ['smoke', 'full'],
      format: 'integer',
    },
  ],
  configSchema,
  tiers: {
    smoke: {
      config: {
        widthScale: 1 / 8,
        imageSize: 16,
        trainExamples: 10000,
        iterations: 800,
        evalEvery: 200,
        batchSize: 32,
        learningRate: 0.01,
        lrBoundaries: [],
        momentum: 0.9,
        weightDecay: 1e-4,
        dropout: 0.5,
        testExamples: 1000,
      },
      budget: '800 iterations of batch 32, NiN narrowed 8× on 16×16 images, about 25 s of CPU on 2 cores (wasm)',
      description: 'NiN narrowed 8× on 16×16 images, 800 iterations on 10,000 training images',
    },
    full: {
      config: {
        widthScale: 1,
        imageSize: 32,
        trainExamples: 50000,
        iterations: 120000,
        evalEvery: 2000,
        batchSize: 128,
        learningRate: 0.1,
        lrBoundaries: [80000, 100000],
        momentum: 0.9,
        weightDecay: 1e-4,
        dropout: 0.5,
        testExamples: 10000,
      },
      budget: '120k iterations of batch 128 (≈300 epochs): GPU-sized, not run on 2 CPU cores',
    },
  },
  plots: { test_error: { format: 'percent', title: 'NiN CIFAR-10 test error' } },
  run,
});
