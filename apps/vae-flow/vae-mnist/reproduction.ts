/**
 * Auto-Encoding Variational Bayes — TODO: authors, venue year. TODO: link
 *
 * TODO: the claim this app checks, in a sentence, and where it is in the paper (section, table, figure).
 *
 * Until then it is a working placeholder: softmax regression on the first MNIST digits, trained with
 * the kit's trainClassifier (checkpoints, --resume, curves, --set all work). Replace the model, the data,
 * the config and the claims with the paper's; keep the shape.
 */
import { Module, glorotUniform, shuffledIndicesFromGlobalRng, tf, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { defineReproduction, trainClassifier, z } from '@paperzoo/repro';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';
// TODO: the paper's model lives in packages/vae-flow/src/<concept>.ts, imported from '@paperzoo/vae-flow'.

/** Everything a run may vary; `--set key=value` overrides a field and is checked against these bounds. */
const config = z.object({
  /** Passes over the training digits. */
  epochs: z.number().int().min(1).max(100),
  /** Training digits used: the first N of MNIST's 60,000. */
  trainExamples: z.number().int().min(100).max(60_000),
  /** Test digits evaluated: the first N of the 10,000. */
  testExamples: z.number().int().min(100).max(10_000),
  /** Digits per SGD step. */
  batchSize: z.number().int().min(1).max(1024),
  /** SGD step size. */
  learningRate: z.number().positive().max(10),
});

/** TODO: replace with the paper's model. A placeholder: one linear layer, logits = x·W + b. */
class SoftmaxRegression extends Module {
  private readonly w: Parameter;
  private readonly b: Parameter;

  constructor(inputs: number, classes: number, options: ModuleOptions = {}) {
    super('softmax-regression');
    this.w = this.store.add('w', [inputs, classes], glorotUniform(inputs, classes));
    this.b = this.store.add('b', [classes], { kind: 'zeros' });
    this.build(options);
  }

  /** x [batch, …] → logits [batch, classes]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), this.w.value), this.b.value));
  }
}

/** Digits `indices` of `ds` as tensors: x [n, 28, 28, 1] in [0, 1], y [n] class indices. */
function batchOf(ds: ImageDataset, indices: ArrayLike<number>): { x: tf.Tensor; y: tf.Tensor } {
  const b = takeBatch(ds, indices);
  return { x: tf.tensor4d(b.x, b.shape), y: tf.tensor1d(b.y, 'int32') };
}

export default defineReproduction({
  id: 'vae-mnist',
  package: '@paperzoo/vae-flow', // the library package that implements the paper
  paper: {
    title: 'Auto-Encoding Variational Bayes',
    authors: ['TODO: A. Author'],
    year: 2000, // TODO
    venue: 'TODO: venue',
    url: 'https://example.org/TODO', // TODO: arXiv, DOI or proceedings link
  },
  config,
  tiers: {
    // TODO: the paper's budget.
    full: {
      config: { epochs: 5, trainExamples: 60_000, testExamples: 10_000, batchSize: 100, learningRate: 0.5 },
      budget: 'TODO: the paper\'s budget (placeholder: 5 passes over 60,000 digits, under a minute on 2 CPU cores)',
    },
    // What CI runs: a diff of the full preset, about 90 s at most on 2 CPU cores.
    smoke: {
      config: { epochs: 2, trainExamples: 10_000, testExamples: 2_000, batchSize: 20 },
      budget: '2 passes over 10,000 digits in steps of 20, a few seconds on 2 CPU cores',
    },
  },
  claims: [
    {
      // TODO: the paper's headline number: kind 'value' with published + tolerance, source '§x, Table y'.
      id: 'test-error',
      kind: 'threshold',
      what: 'MNIST test error (placeholder: softmax regression; replace with the paper\'s claim)',
      source: 'TODO: section, table or figure',
      metric: 'test_error',
      threshold: 0.12,
      direction: 'below',
      tiers: ['full'],
      format: 'percent',
    },
    {
      // TODO: a placeholder; replace with an honestly scaled-down version of the paper's claim, and say in
      // the README how its threshold was set (the worst of a few seeds plus a margin).
      id: 'smoke-learns',
      kind: 'threshold',
      what: 'test error after 1 pass over 2,000 digits (placeholder: it learns at all)',
      source: 'TODO: section, table or figure (scaled down)',
      metric: 'test_error',
      threshold: 0.5,
      direction: 'below',
      tiers: ['smoke'],
      format: 'percent',
    },
  ],
  plots: { test_error: { format: 'percent', title: 'vae-mnist: test error' } },

  async run(cfg, ctx) {
    // TODO: the paper's data (see @paperzoo/datasets; MNIST is committed in datasets/mnist).
    const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const n = Math.min(cfg.trainExamples, train.count);
    const testSet = [batchOf(test, Array.from({ length: Math.min(cfg.testExamples, test.count) }, (_, i) => i))];
    const model = new SoftmaxRegression(train.height * train.width * train.channels, train.numClasses, { seed: ctx.seed });

    const r = await trainClassifier({
      ctx,
      model,
      optimizer: tf.train.sgd(cfg.learningRate),
      epochs: cfg.epochs,
      stepsPerEpoch: Math.ceil(n / cfg.batchSize),
      label: 'softmax regression',
      // one shuffle per epoch from the run's generator, so --resume replays it exactly
      *batches() {
        const order = shuffledIndicesFromGlobalRng(n);
        for (let s = 0; s < n; s += cfg.batchSize) yield batchOf(train, order.subarray(s, Math.min(n, s + cfg.batchSize)));
      },
      test: testSet,
    });
    // every metric a claim names (a claim naming another one is a type error)
    return { test_error: r.test_error, train_loss: r.train_loss };
  },
});
