/**
 * FGSM on linear models — Goodfellow, Shlens & Szegedy, ICLR 2015, §4 and §5 (README). Pixels in [0, 1];
 * adversarial examples are NOT clipped (as the paper); the clipped numbers are reported beside them.
 */
import path from 'node:path';
import { tf } from '@paperzoo/tensor';
import { defineReproduction, sweep, z, type FitContext, type JsonValue } from '@paperzoo/repro';
import { SGD } from '@paperzoo/core-autograd';
import { loadMnist, type ImageDataset } from '@paperzoo/datasets';
import {
  SoftmaxRegression, LogisticRegression, fgsm, labelledBatch, sliceBatches, evaluateAttacks, disposeBatch, indexRange, fitPhases, shuffledBatches,
  writeAdversarialGrid, FGSM_PAPER, UNIT_RANGE, type Classifier, type LabelledBatch,
} from '@paperzoo/adversarial';

/** A linear model's training recipe (the paper gives none): minibatch SGD, constant learning rate. */
const training = z.object({
  /** Passes over the training set. */ epochs: z.number().int().min(1).max(1000),
  /** Examples per SGD step. */ batchSize: z.number().int().min(1).max(60000),
  /** SGD learning rate. */ learningRate: z.number().positive().max(100),
});

const config = z.object({
  /** L∞ size of the perturbation on pixels in [0, 1] (paper: 0.25). */ epsilon: z.number().min(0).max(1),
  /** Softmax regression on all ten digits (§4). */ softmax: training,
  /** Logistic regression on 3s (y = 0) vs 7s (y = 1) (§5, Fig. 2). */ logistic: training,
  /** After the claim is measured, train the softmax model this many more epochs, with FGSM after each (the recipe-sensitivity curve). */
  softmaxSweepEpochs: z.number().int().min(0).max(1000),
  /** Examples shown in each PNG grid. */ gridExamples: z.number().int().min(1).max(100),
});
type Config = z.output<typeof config>;

/** Clean and FGSM error (unclipped and clipped) and mean confidence on errors, over a split held in memory. */
function attackStats(model: Classifier, data: LabelledBatch, epsilon: number) {
  return evaluateAttacks({
    batches: sliceBatches(data, 1000),
    craft: (b) => ({ adversarial: fgsm(model, b.x, b.y, { epsilon, clip: null }), clipped: fgsm(model, b.x, b.y, { epsilon, clip: UNIT_RANGE }) }),
    measure: { clean: { model, input: 'clean' }, adversarial: { model, input: 'adversarial' }, clipped: { model, input: 'clipped' } },
  });
}

/** The first digits of a split, clean | FGSM | perturbation, as a PNG. */
function grid(file: string, title: string, model: Classifier, data: LabelledBatch, cfg: Config, names?: (c: number) => number) {
  const [x, y] = [data.x.slice(0, cfg.gridExamples), data.y.slice(0, cfg.gridExamples)];
  const xAdv = fgsm(model, x, y, { epsilon: cfg.epsilon, clip: null });
  const saved = writeAdversarialGrid(file, model, { x, xAdv, labels: data.labels, count: cfg.gridExamples, names }, { title, perturbationCaption: `EPS ${cfg.epsilon}` });
  tf.dispose([x, y, xAdv]);
  return saved;
}

/** Train a linear model with SGD (one `fit`); `evaluate(epoch)` after every epoch. */
function train(ctx: FitContext, model: SoftmaxRegression | LogisticRegression, ds: ImageDataset, indices: Int32Array, t: Config['softmax'], relabel?: (c: number) => number, evaluate?: (epoch: number) => Promise<Record<string, number>>) {
  const stepsPerEpoch = Math.ceil(indices.length / t.batchSize);
  return fitPhases({
    ctx, stepsPerEpoch, label: model.modelName, lossCurve: `loss/${model.modelName}`,
    phases: [{ model, optimizer: new SGD({ learningRate: t.learningRate }), steps: t.epochs * stepsPerEpoch }],
    batches: () => shuffledBatches(ds, { input: 'vector', indices, batchSize: t.batchSize, relabel }),
    evaluate: evaluate && (({ epoch }) => evaluate(epoch)),
  });
}

export default defineReproduction({
  id: 'fgsm-linear-mnist',
  package: '@paperzoo/adversarial',
  paper: FGSM_PAPER,
  config,
  async run(cfg, ctx) {
    const [trainSet, testSet] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const digits = (ds: ImageDataset, classes?: number[]) => indexRange(0, ds.count).filter((i) => !classes || classes.includes(ds.labels[i]));
    const toBinary = (label: number) => (label === 7 ? 1 : 0);
    // §4: softmax regression on the ten digits; FGSM after the claim's epochs, and after each sweep epoch.
    const softmax = async (fitCtx: FitContext) => {
      const model = new SoftmaxRegression({ seed: ctx.seed });
      const test = labelledBatch(testSet, digits(testSet), { input: 'vector' });
      try {
        const { history } = await train(fitCtx, model, trainSet, digits(trainSet), { ...cfg.softmax, epochs: cfg.softmax.epochs + cfg.softmaxSweepEpochs }, undefined, async (epoch): Promise<Record<string, number>> => {
          if (epoch < cfg.softmax.epochs) return {};
          const s = attackStats((x) => model.apply(x), test, cfg.epsilon);
          if (epoch === cfg.softmax.epochs) await grid(path.join(ctx.resultsDir, 'fgsm-softmax.png'), `SOFTMAX REGRESSION  FGSM EPS ${cfg.epsilon}`, (x) => model.apply(x), test, cfg);
          return { 'softmax_fgsm/error': s.adversarial.error, 'softmax_fgsm/confidence': s.adversarial.meanConfidenceOnErrors, 'softmax_fgsm/clean': s.clean.error, 'softmax_fgsm/error_clipped': s.clipped.error, 'softmax_fgsm/confidence_clipped': s.clipped.meanConfidenceOnErrors };
        });
        const [s, swept] = [history[cfg.softmax.epochs - 1].metrics, history[history.length - 1].metrics];
        return {
          softmax_clean_error: s['softmax_fgsm/clean'], softmax_fgsm_error: s['softmax_fgsm/error'], softmax_fgsm_confidence: s['softmax_fgsm/confidence'],
          softmax_fgsm_error_clipped: s['softmax_fgsm/error_clipped'], softmax_fgsm_confidence_clipped: s['softmax_fgsm/confidence_clipped'],
          softmax_sweep_final_fgsm_error: swept['softmax_fgsm/error'], softmax_sweep_final_fgsm_confidence: swept['softmax_fgsm/confidence'], softmax_sweep_final_clean_error: swept['softmax_fgsm/clean'],
        };
      } finally {
        disposeBatch(test);
        model.dispose();
      }
    };
    // §5, Fig. 2: logistic regression, 3s (y = 0) vs 7s (y = 1).
    const logistic = async (fitCtx: FitContext) => {
      const model = new LogisticRegression({ seed: ctx.seed });
      const classify: Classifier = (x) => model.apply(x);
      const test = labelledBatch(testSet, digits(testSet, [3, 7]), { input: 'vector', relabel: toBinary });
      try {
        await train(fitCtx, model, trainSet, digits(trainSet, [3, 7]), cfg.logistic, toBinary);
        const l = attackStats(classify, test, cfg.epsilon);
        // Fig. 2: FGSM is exactly x + ε·s·sign(w), s = +1 for 3s (y = 0), −1 for 7s; the largest deviation over all test digits.
        const deviation = tf.tidy(() => {
          const s = tf.sub(1, tf.mul(2, tf.cast(test.y, 'float32'))).reshape([-1, 1]);
          const analytic = tf.add(test.x, tf.mul(cfg.epsilon, tf.mul(s, tf.sign(model.weights.value.reshape([1, -1])))));
          return tf.max(tf.abs(tf.sub(fgsm(classify, test.x, test.y, { epsilon: cfg.epsilon, clip: null }), analytic))).dataSync()[0];
        });
        await grid(path.join(ctx.resultsDir, 'fgsm-logistic-3v7.png'), `LOGISTIC REGRESSION 3 VS 7  EPS ${cfg.epsilon}`, classify, test, cfg, (c) => (c === 1 ? 7 : 3));
        return {
          logistic_clean_error: l.clean.error, logistic_fgsm_error: l.adversarial.error, logistic_fgsm_error_clipped: l.clipped.error, logistic_test_examples: l.clean.count,
          logistic_fgsm_is_sign_of_weights: deviation < 1e-6, // float32 rounding only
        };
      } finally {
        disposeBatch(test);
        model.dispose();
      }
    };
    const [s, l] = await sweep({ ctx, members: [softmax, logistic], key: (_, i) => ['softmax', 'logistic'][i], logCurves: () => true, run: (member, memberCtx): Promise<JsonValue> => member(memberCtx) });
    return { ...(s.result as Awaited<ReturnType<typeof softmax>>), ...(l.result as Awaited<ReturnType<typeof logistic>>) };
  },
  claims: [
    { id: 'softmax-error', kind: 'value', what: 'MNIST test error of softmax regression on FGSM examples',
      label: 'softmax FGSM error', setting: 'ε = 0.25, no clipping', source: '§4',
      metric: 'softmax_fgsm_error', published: 0.999, tolerance: 0.005, tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'softmax-confidence', kind: 'value', what: 'average confidence of softmax regression on its misclassified FGSM examples',
      label: 'softmax confidence on errors', setting: 'ε = 0.25, no clipping', source: '§4',
      metric: 'softmax_fgsm_confidence', published: 0.793, tolerance: 0.1, tiers: ['smoke', 'full'], format: 'percent',
      note: 'depends on the (unpublished) training recipe through the weight norm; see the README' },
    { id: 'logistic-clean', kind: 'value', what: 'test error of logistic regression on MNIST 3s vs 7s',
      label: 'logistic 3v7 clean error', source: '§5, Fig. 2c',
      metric: 'logistic_clean_error', published: 0.016, tolerance: 0.006, tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'logistic-fgsm', kind: 'value', what: 'test error of logistic regression (3 vs 7) on FGSM examples',
      label: 'logistic 3v7 FGSM error', setting: 'ε = 0.25, no clipping', source: '§5, Fig. 2d',
      metric: 'logistic_fgsm_error', published: 0.99, tolerance: 0.01, tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'logistic-exact', kind: 'exact', what: 'for logistic regression FGSM is exactly x ± ε·sign(w), the worst case in the L∞ box, on every test example',
      source: '§5, Fig. 2 caption', metric: 'logistic_fgsm_is_sign_of_weights', expected: true, tiers: ['smoke', 'full'] },
  ],
  tiers: {
    full: {
      config: { epsilon: 0.25, softmax: { epochs: 1, batchSize: 100, learningRate: 0.1 }, logistic: { epochs: 10, batchSize: 100, learningRate: 0.1 }, softmaxSweepEpochs: 14, gridExamples: 6 },
      budget: 'the experiment plus the recipe-sensitivity sweep (14 more softmax epochs, FGSM after each), about 2 min on 2 CPU cores (wasm)',
      backend: 'wasm',
    },
    smoke: { config: { softmaxSweepEpochs: 0 }, budget: 'the full experiment (all training and test digits), ~12 s of CPU (wasm)' },
  },
  plots: { softmax_fgsm: { format: 'percent', title: 'Softmax regression under FGSM (ε = 0.25) vs training epochs' } },
});
