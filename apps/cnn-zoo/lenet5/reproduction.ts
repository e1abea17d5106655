/**
 * LeNet-5 on MNIST — LeCun, Bottou, Bengio & Haffner, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 1998. https://doi.org/10.1109/5.726791
 *
 * Claim (§III.C, Fig. 14): trained on the 60,000 MNIST training digits without distortions, LeNet-5's
 * test error settles at 0.95%. The model and where it departs from the paper: packages/cnn-zoo/src/lenet5.ts.
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, trainClassifier, piecewiseConstant, z } from '@paperzoo/repro';
import { LeNet5, lenet5Input } from '@paperzoo/cnn-zoo';
import { Momentum } from '@paperzoo/core-autograd';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';

const config = z
  .object({
    /** Passes over the training set (the paper: 20). */
    epochs: z.number().int().min(1).max(1000),
    /** Digits per SGD step (the paper updates after every digit; we batch for speed). */
    batchSize: z.number().int().min(1).max(60000),
    /** Training digits used, the first N of the 60,000. */
    trainExamples: z.number().int().min(1).max(60000),
    /** Base learning rate η₀ of momentum SGD. */
    learningRate: z.number().positive().max(10),
    /** Momentum coefficient μ. */
    momentum: z.number().min(0).max(1),
    /**
     * Epoch boundaries of the step schedule and the multiple of η₀ after each. The paper's SDLM rates
     * were 5e-4 for 2 passes, 2e-4 for 3, 1e-4 for 3, 5e-5 for 4, then 1e-5 (Fig. 14's caption): the
     * same boundaries and ratios are the default.
     */
    scheduleEpochs: z.array(z.number().int().min(1).max(1000)),
    scheduleMultipliers: z.array(z.number().positive().max(100)),
    /** Fully connected C3 instead of Table I's partial connections. */
    fullC3: z.boolean(),
    /** Test digits evaluated per batch. */
    evalBatchSize: z.number().int().min(1).max(10000),
  })
  .refine((c) => c.scheduleMultipliers.length === c.scheduleEpochs.length + 1, { message: 'scheduleMultipliers needs one more entry than scheduleEpochs', path: ['scheduleMultipliers'] });

/** §II.B's trainable parameters per layer. */
const PAPER_LAYER_PARAMS = { C1: 156, S2: 12, C3: 1516, S4: 32, C5: 48120, F6: 10164 };

/** Smoke-tier threshold on the test error after one epoch: the worst of 5 seeds plus a margin (README). */
const SMOKE_THRESHOLD = 0.03;

/** Digits `indices` as the paper's 32×32 inputs [n, 32, 32, 1] and int32 labels. */
function lenetBatch(ds: ImageDataset, indices: ArrayLike<number>): { x: tf.Tensor; y: tf.Tensor } {
  const b = takeBatch(ds, indices, { normalize: 'none' }); // raw 0..255, [n, 28, 28, 1]
  const raw = tf.tensor4d(b.x, b.shape);
  const out = { x: lenet5Input(raw), y: tf.tensor1d(b.y, 'int32') };
  raw.dispose();
  return out;
}

/** 0 … n − 1 cut into [start, end) chunks of `size` (the last may be shorter). */
const chunks = (n: number, size: number) => Array.from({ length: Math.ceil(n / size) }, (_, i) => [i * size, Math.min(n, (i + 1) * size)] as const);

export default defineReproduction({
  id: 'lenet5',
  package: '@paperzoo/cnn-zoo',
  paper: {
    title: 'Gradient-Based Learning Applied to Document Recognition',
    authors: ['Y. LeCun', 'L. Bottou', 'Y. Bengio', 'P. Haffner'],
    year: 1998,
    venue: 'Proceedings of the IEEE 86(11)',
    url: 'https://doi.org/10.1109/5.726791',
  },
  config,
  tiers: {
    full: {
      config: { epochs: 20, batchSize: 32, trainExamples: 60000, learningRate: 0.01, momentum: 0.9, scheduleEpochs: [2, 5, 8, 12], scheduleMultipliers: [1, 0.4, 0.2, 0.1, 0.02], fullC3: false, evalBatchSize: 1000 },
      budget: '20 passes over 60,000 digits (the paper), about 20 min on 2 CPU cores (wasm)',
    },
    smoke: { config: { epochs: 1 }, budget: '1 pass over 60,000 digits, about 12 s on 2 CPU cores (native backend; 40 s on wasm)' },
  },
  claims: [
    { id: 'test-error', kind: 'value', what: 'MNIST test error of LeNet-5 trained without distortions', label: 'test error', setting: 'no distortions', source: '§III.C, Fig. 14', metric: 'test_error', published: 0.0095, tolerance: 0.003, tiers: ['full'], format: 'percent' },
    { id: 'one-epoch', kind: 'threshold', what: 'test error after one pass over the 60,000 training digits (smoke tier, CPU)', label: 'test error after 1 epoch', source: '§III.C, Fig. 14 (scaled down: 1 of 20 passes)', metric: 'test_error', threshold: SMOKE_THRESHOLD, direction: 'below', published: 0.0095, tiers: ['smoke'], format: 'percent' },
    { id: 'layer-params', kind: 'exact', what: 'trainable parameters per layer C1, S2, C3, S4, C5, F6 = 156, 12, 1,516, 32, 48,120, 10,164', source: '§II.B', metric: 'layer_params_match_paper', expected: true, tiers: ['smoke', 'full'] },
  ],
  plots: { test_error: { format: 'percent', title: 'LeNet-5 MNIST test error' } },
  async run(cfg, ctx) {
    const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const n = Math.min(cfg.trainExamples, train.count);
    const stepsPerEpoch = Math.ceil(n / cfg.batchSize);
    const net = new LeNet5({ seed: ctx.seed, fullC3: cfg.fullC3 });
    const perLayer = net.layerParameterCounts();
    const learningRate = piecewiseConstant({ boundaries: cfg.scheduleEpochs.map((e) => e * stepsPerEpoch), values: cfg.scheduleMultipliers.map((m) => m * cfg.learningRate) });
    const r = await trainClassifier({
      ctx,
      model: net,
      optimizer: new Momentum({ momentum: cfg.momentum, learningRate }),
      epochs: cfg.epochs,
      stepsPerEpoch,
      label: 'LeNet-5',
      test: chunks(test.count, cfg.evalBatchSize).map(([s, e]) => lenetBatch(test, Array.from({ length: e - s }, (_, i) => s + i))),
      // One shuffle per epoch from the run's global generator (so --resume replays it exactly).
      *batches() {
        const order = shuffledIndicesFromGlobalRng(n);
        for (const [s, e] of chunks(n, cfg.batchSize)) yield lenetBatch(train, order.subarray(s, e));
      },
    });
    return {
      test_error: r.test_error,
      train_loss: r.train_loss,
      epochs: r.epochs,
      parameters: net.parameterCount(),
      layer_params_match_paper: Object.entries(PAPER_LAYER_PARAMS).every(([layer, count]) => perLayer[layer as keyof typeof perLayer] === count),
    };
  },
});
