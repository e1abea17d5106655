/**
 * Adam against AdaGrad, RMSProp, SGD with Nesterov momentum and AdaDelta — D. P. Kingma, J. Ba,
 * "Adam: A Method for Stochastic Optimization", ICLR 2015, https://arxiv.org/abs/1412.6980, §6.1–6.2:
 * Fig. 1 left (MNIST logistic regression, α_t = α/√t), Fig. 1 right (sparse bag-of-words features;
 * IMDB in the paper, SST-2 here), Fig. 2a (MNIST MLP, 2 × 1000 ReLUs, dropout). The protocol (same
 * initialisation and minibatches for every optimizer of a seed, α from a grid on seed 1, the training
 * cost of the last epoch as a mean over seeds) is repro's compareOptimizers; the models are
 * @paperzoo/core-autograd's benchmarks. README: the smoke tier's scale and margins.
 */
import { tf, randomInt, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { comparison, compareOptimizers, crossEntropyWithLogits, defineReproduction, sampleMean, sampleStandardDeviation, z, type Claim, type ComparisonTask, type OptimizerComparison } from '@paperzoo/repro';
import { Adadelta, Adagrad, Adam, DropoutMlp, Nesterov, RMSProp, MultinomialLogisticRegression, SparseLogisticRegression, bagOfWords, l2Penalty, sparseRows } from '@paperzoo/core-autograd';
import { loadMnist, loadSst2, takeBatch, type ImageDataset } from '@paperzoo/datasets';

const OPTIMIZERS = ['adam', 'adagrad', 'rmsprop', 'sgdNesterov', 'adadelta'] as const;
type Opt = (typeof OPTIMIZERS)[number];
const LABELS: Record<Opt, string> = { adam: 'Adam', adagrad: 'AdaGrad', rmsprop: 'RMSProp', sgdNesterov: 'SGD-Nesterov', adadelta: 'AdaDelta' };
const LINEAR = ['adam', 'adagrad', 'sgdNesterov'] as const;

/** Candidate learning rates (one value: no tuning) of each optimizer. */
const rates = <K extends string>(keys: readonly K[]) => z.object(Object.fromEntries(keys.map((k) => [k, z.array(z.number().positive().max(1000)).min(1)])) as Record<K, z.ZodArray<z.ZodNumber>>);
const budget = {
  /** Training examples used, the first N (MNIST: 60,000 digits; SST-2: 67,349 phrases). */
  trainExamples: z.number().int().min(128).max(100000),
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).max(4096),
};
const configSchema = z.object({
  /** Which experiments to run (a claim of one left out is reported missing). */
  experiments: z.array(z.enum(['logreg', 'bow', 'mlp'])).min(1),
  /** Independent seeds per optimizer (fresh minibatch order, initialisation and dropout masks). */
  seeds: z.number().int().min(1).max(100),
  /** μ of SGD with Nesterov momentum. */
  momentum: z.number().min(0).lt(1),
  /** §6.1, MNIST logistic regression; l2 = λ of (λ/2)‖W‖² (the paper does not give it). */
  logreg: z.object({ ...budget, l2: z.number().min(0).max(1), learningRates: rates(LINEAR) }),
  /** §6.1, bag-of-words logistic regression on SST-2 phrases; vocabulary: the most frequent words kept (the paper: 10,000). */
  bow: z.object({ vocabulary: z.number().int().min(10).max(100000), ...budget, learningRates: rates(LINEAR) }),
  /** §6.2, the MNIST MLP (two hidden layers of `hidden` ReLUs) with dropout on the inputs and hidden layers. */
  mlp: z.object({ ...budget, hidden: z.number().int().min(1).max(4096), inputDropout: z.number().min(0).lt(1), hiddenDropout: z.number().min(0).lt(1), learningRates: rates(OPTIMIZERS) }),
});

/**
 * The optimizers as §6 configures them: Adam β₁ = 0.9, β₂ = 0.999, ε = 1e-8; AdaGrad G₀ = 0; RMSProp
 * ρ = 0.9; AdaDelta ρ = 0.95, ε = 1e-6; α_t = α/√t (t = 1, 2, …) for Adam and SGD-Nesterov when `decay`.
 */
function makeOptimizer(name: Opt, lr: number, momentum: number, decay: boolean) {
  const rate = decay ? (t: number) => lr / Math.sqrt(t + 1) : lr;
  if (name === 'adam') return new Adam({ learningRate: rate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  if (name === 'sgdNesterov') return new Nesterov({ learningRate: rate, momentum });
  if (name === 'adagrad') return new Adagrad({ learningRate: lr });
  if (name === 'rmsprop') return new RMSProp({ learningRate: lr, decay: 0.9 });
  return new Adadelta({ learningRate: lr, rho: 0.95, epsilon: 1e-6 });
}

/** A task over the first `trainExamples` of `count` examples: full minibatches made by `make`, reshuffled every epoch. */
function task<B>(name: string, count: number, o: { trainExamples: number; epochs: number; batchSize: number }, make: (idx: Int32Array) => B, build: ComparisonTask<B>['build']): ComparisonTask<B> {
  const n = Math.min(o.trainExamples, count);
  return {
    name, epochs: o.epochs, stepsPerEpoch: Math.floor(n / o.batchSize), build,
    *batches() {
      const order = shuffledIndicesFromGlobalRng(n);
      for (let s = 0; s + o.batchSize <= n; s += o.batchSize) yield make(order.subarray(s, s + o.batchSize));
    },
  };
}
const images = (ds: ImageDataset) => (idx: Int32Array) => {
  const b = takeBatch(ds, idx);
  return { x: tf.tensor2d(b.x, [idx.length, 784]), y: tf.tensor1d(b.y, 'int32') };
};

/** Mean, s.d. and chosen α of each optimizer's cost (undefined for an experiment not run). */
function metricsOf<T extends string, O extends Opt>(t: T, names: readonly O[], c: OptimizerComparison | null) {
  const out = Object.fromEntries(names.flatMap((o) => (c ? [[`${t}_${o}_cost`, sampleMean(c.costs[o])], [`${t}_${o}_cost_sd`, sampleStandardDeviation(c.costs[o])], [`${t}_${o}_lr`, c.learningRate[o]]] : [])));
  return out as { [K in `${T}_${O}_${'cost' | 'cost_sd' | 'lr'}`]: number | undefined };
}

/** Smoke margins from measured gaps over harness seeds 0–4; full: 0.005, ten times the seed-to-seed s.d. of a full-budget cost (README). */
const MARGIN = { smoke: { bow: 0.05, mlp: 0.01 }, full: { bow: 0.005, mlp: 0.005 } } as const;
const ranking = <T extends 'logreg' | 'bow' | 'mlp', B extends Opt, W extends Opt>(id: string, t: T, better: B, worse: W, what: string, source: string, tier: 'smoke' | 'full', margin: number): Claim<`${T}_${B | W}_cost`> =>
  ({ id, kind: 'ranking', what, label: `${t} training cost`, source, better: `${t}_${better}_cost`, worse: `${t}_${worse}_cost`, betterIs: 'lower', margin, names: { better: LABELS[better], worse: LABELS[worse] }, tiers: [tier], digits: 4 });

export default defineReproduction({
  id: 'adam-2014',
  package: '@paperzoo/core-autograd',
  paper: { title: 'Adam: A Method for Stochastic Optimization', authors: ['D. P. Kingma', 'J. Ba'], year: 2015, venue: 'ICLR 2015', url: 'https://arxiv.org/abs/1412.6980' },
  config: configSchema,
  claims: [
    ranking('logreg-adam-beats-adagrad', 'logreg', 'adam', 'adagrad', 'MNIST logistic regression: Adam reaches a lower training cost than AdaGrad after 45 epochs (mean over seeds)', '§6.1, Fig. 1 (left)', 'full', 0.005),
    ranking('logreg-sgdn-beats-adagrad', 'logreg', 'sgdNesterov', 'adagrad', 'MNIST logistic regression: SGD with Nesterov momentum reaches a lower training cost than AdaGrad after 45 epochs', '§6.1, Fig. 1 (left)', 'full', 0.005),
    { id: 'logreg-adam-like-sgdn', kind: 'value', what: "MNIST logistic regression: Adam converges at least as fast as SGD with Nesterov momentum (Adam's training cost relative to SGD-Nesterov's: no more than 5% above it, or lower)", label: 'Adam vs SGD-Nesterov (relative cost)', source: '§6.1, Fig. 1 (left)', metric: 'logreg_adam_vs_sgdnesterov', published: 0, tolerance: 0.05, orBetter: 'lower', tiers: ['smoke', 'full'], format: 'percent', note: 'The paper: "Adam yields similar convergence as SGD with momentum". One-sided: after 1 epoch SGD-Nesterov (α/√t, α = 1) is still noisy across seeds (README).' },
    ...(['smoke', 'full'] as const).flatMap((tier) => {
      const id = (base: string) => (tier === 'smoke' ? base : `${base}-full`);
      return [
        ranking(id('bow-adagrad-beats-sgdn'), 'bow', 'adagrad', 'sgdNesterov', 'sparse bag-of-words features (SST-2): AdaGrad reaches a lower training cost than SGD with Nesterov momentum', '§6.1, Fig. 1 (right)', tier, MARGIN[tier].bow),
        ranking(id('bow-adam-beats-sgdn'), 'bow', 'adam', 'sgdNesterov', 'sparse bag-of-words features (SST-2): Adam reaches a lower training cost than SGD with Nesterov momentum', '§6.1, Fig. 1 (right)', tier, MARGIN[tier].bow),
        ...(['adagrad', 'sgdNesterov', 'adadelta'] as const).map((other) =>
          ranking(id(`mlp-adam-beats-${other.toLowerCase()}`), 'mlp', 'adam', other, `MNIST MLP with dropout: Adam reaches a lower training cost than ${LABELS[other]} at a fixed number of steps (mean over seeds)`, '§6.2, Fig. 2 (a)', tier, MARGIN[tier].mlp),
        ),
      ];
    }),
    ranking('mlp-adam-beats-rmsprop', 'mlp', 'adam', 'rmsprop', 'MNIST MLP with dropout: Adam reaches a lower training cost than RMSProp after 200 epochs (at the smoke budget RMSProp is ahead: README)', '§6.2, Fig. 2 (a)', 'full', 0.005),
  ],
  tiers: {
    full: {
      config: {
        experiments: ['logreg', 'bow', 'mlp'],
        seeds: 3,
        momentum: 0.9,
        logreg: { trainExamples: 60000, epochs: 45, batchSize: 128, l2: 1e-4, learningRates: { adam: [0.01, 0.03, 0.1, 0.3], adagrad: [0.03, 0.1, 0.3, 1], sgdNesterov: [0.3, 1, 3, 10] } },
        bow: { vocabulary: 10000, trainExamples: 67349, epochs: 20, batchSize: 128, learningRates: { adam: [0.3, 1, 3], adagrad: [0.3, 1, 3], sgdNesterov: [10, 30, 100, 300, 1000] } },
        mlp: { trainExamples: 60000, epochs: 200, batchSize: 128, hidden: 1000, inputDropout: 0.2, hiddenDropout: 0.5, learningRates: { adam: [1e-4, 3e-4, 1e-3, 3e-3], adagrad: [3e-3, 1e-2, 3e-2, 0.1], rmsprop: [1e-4, 3e-4, 1e-3, 3e-3], sgdNesterov: [0.01, 0.03, 0.1, 0.3], adadelta: [0.3, 1, 3] } },
      },
      budget: "the paper's setups: 45 epochs of MNIST logistic regression, 20 epochs of SST-2 bag-of-words, 200 epochs of the 2×1000 dropout MLP, each learning rate from a grid, 3 seeds; the MLP is ~3 CPU-hours per run here, ~100 for the whole grid (not run: README)",
    },
    smoke: {
      config: {
        seeds: 2,
        logreg: { epochs: 1, learningRates: { adam: [0.03], adagrad: [0.1], sgdNesterov: [1] } },
        bow: { epochs: 1, learningRates: { adam: [0.3], adagrad: [0.3], sgdNesterov: [10] } },
        mlp: { trainExamples: 12800, epochs: 2, hidden: 128, learningRates: { adam: [0.003], adagrad: [0.03], rmsprop: [0.003], sgdNesterov: [0.1], adadelta: [1] } },
      },
      budget: 'scaled down: 1 epoch of logistic regression (468 steps) and of bag-of-words (526 steps), 200 steps of a 2×128 MLP (cost = mean over its second 100); 2 seeds; learning rates tuned once on a grid at this budget (README); about 20 s on 2 CPU cores (native)',
    },
  },
  plots: {
    logreg: { title: 'MNIST logistic regression: training cost (seed 1)', y: 'training cost', logScale: true },
    bow: { title: 'SST-2 bag-of-words logistic regression: training cost (seed 1)', y: 'training cost', logScale: true },
    mlp: { title: 'MNIST MLP with dropout: training cost (seed 1)', y: 'training cost', logScale: true },
  },
  async run(cfg, ctx) {
    const has = (e: 'logreg' | 'bow' | 'mlp') => cfg.experiments.includes(e);
    const [train, sst2] = await Promise.all([has('logreg') || has('mlp') ? loadMnist({ split: 'train' }) : null, has('bow') ? loadSst2({ split: 'train' }) : null]);
    // One seed per replicate, shared by every optimizer (the paper: "the same parameter initialization").
    const seeds = Array.from({ length: cfg.seeds }, () => randomInt(2 ** 31));
    const optimizers = (lrs: Partial<Record<Opt, number[]>>, decay: readonly Opt[]) =>
      Object.fromEntries(Object.entries(lrs).map(([o, l]) => [o, { learningRates: l, make: (lr: number) => makeOptimizer(o as Opt, lr, cfg.momentum, decay.includes(o as Opt)) }]));
    type Batch = { x: tf.Tensor; y: tf.Tensor };
    const specs = [];
    // §6.1: cost = mean −log p(y|x) + (λ/2)‖W‖²; α/√t for Adam and SGD-Nesterov (AdaGrad's 1/√Σg² is its own decay).
    if (has('logreg')) specs.push(comparison(task('logreg', train!.count, cfg.logreg, images(train!), () => {
      const m = new MultinomialLogisticRegression(784, 10);
      return { variables: m.variables, loss: (b: Batch) => tf.tidy(() => tf.add<tf.Scalar>(crossEntropyWithLogits(m.apply(b.x), b.y), l2Penalty([m.W.value], cfg.logreg.l2))), dispose: () => m.dispose() };
    }), optimizers(cfg.logreg.learningRates, ['adam', 'sgdNesterov'])));
    if (has('bow')) {
      const features = bagOfWords(sst2!.sentences, cfg.bow.vocabulary);
      const rows = (idx: Int32Array) => ({ x: sparseRows(features, idx), y: tf.tensor1d(Array.from(idx, (i) => sst2!.labels![i]), 'float32') });
      specs.push(comparison(task('bow', features.rows.length, cfg.bow, rows, () => {
        const m = new SparseLogisticRegression(features.vocabulary.length);
        // Mean logistic loss −[y log σ(a) + (1 − y) log(1 − σ(a))].
        return { variables: m.variables, loss: (b: ReturnType<typeof rows>) => tf.tidy(() => tf.losses.sigmoidCrossEntropy(b.y, m.apply(b.x))), dispose: () => m.dispose() };
      }), optimizers(cfg.bow.learningRates, ['adam', 'sgdNesterov'])));
    }
    // §6.2: He-normal weights, zero biases; the training cost with dropout noise, as the figure's.
    if (has('mlp')) specs.push(comparison(task('mlp', train!.count, cfg.mlp, images(train!), (s) => {
      const m = new DropoutMlp(784, cfg.mlp.hidden, 10, { input: cfg.mlp.inputDropout, hidden: cfg.mlp.hiddenDropout }, { seed: s });
      return { variables: m.variables, loss: (b: Batch) => tf.tidy(() => crossEntropyWithLogits(m.apply(b.x, { training: true }), b.y) as tf.Scalar), dispose: () => m.dispose() };
    }), optimizers(cfg.mlp.learningRates, [])));
    const results = await compareOptimizers(ctx, specs, seeds);
    const [logreg, bow, mlp] = [results.logreg ?? null, results.bow ?? null, results.mlp ?? null];
    for (const [t, c] of Object.entries({ logreg, bow, mlp })) {
      if (c) ctx.info(`${t}: ` + Object.entries(c.costs).map(([o, costs]) => `${LABELS[o as Opt]} ${sampleMean(costs).toFixed(4)} ± ${sampleStandardDeviation(costs).toFixed(4)} (α ${c.learningRate[o]}; grid ${c.grid[o].map((g) => `${g.learningRate}: ${g.cost.toFixed(4)}`).join(', ')})`).join('; '));
    }
    const metrics = { ...metricsOf('logreg', LINEAR, logreg), ...metricsOf('bow', LINEAR, bow), ...metricsOf('mlp', OPTIMIZERS, mlp) };
    // "Similar convergence": Adam's cost relative to SGD-Nesterov's.
    return { ...metrics, logreg_adam_vs_sgdnesterov: logreg ? metrics.logreg_adam_cost! / metrics.logreg_sgdNesterov_cost! - 1 : undefined };
  },
});
