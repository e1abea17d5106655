/**
 * Decoupled weight decay — I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019, https://arxiv.org/abs/1711.05101. Claim 1 (Algorithm 2, §2): with a zero gradient AdamW
 * multiplies every weight by (1 − ηλ) per step; Adam + L2 divides λθ by √v̂, so its weights do not
 * shrink by a common factor. Claim 2 (§4.2, Fig. 2): the best λ depends less on the learning rate
 * with AdamW — measured on an α × λ grid with a batch-norm MLP on Fashion-MNIST (README). Our AdamW
 * decays by learningRate·weightDecay (PyTorch's convention), so the paper's λ is weightDecay = λ/α.
 */
import { tf, randomInt, seed, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { NonFiniteLossError, cosineDecay, crossEntropyWithLogits, defineReproduction, fit, sampleMean, sweep, z } from '@paperzoo/repro';
import { Adam, AdamW, BatchNormMlp, zeroGradientRatios } from '@paperzoo/core-autograd';
import { loadFashionMnist, takeBatch } from '@paperzoo/datasets';

const grid = z.array(z.number().min(0).max(10)).min(2);
const configSchema = z.object({
  /** Zero-gradient check: η and λ (AdamW: decay factor 1 − ηλ per step; Adam: l2 = λ), and the steps. */
  property: z.object({ learningRate: z.number().positive().max(1), weightDecay: z.number().positive().max(1), steps: z.number().int().min(1).max(10000) }),
  /** Independent seeds of the whole grid (the landscapes are averaged over them). */
  seeds: z.number().int().min(1).max(100),
  /** Training images (the first N of Fashion-MNIST's 60,000). */
  trainExamples: z.number().int().min(100).max(50000),
  /** Validation images, taken from the end of the training set (never trained on). */
  validationExamples: z.number().int().min(100).max(10000),
  epochs: z.number().int().min(1).max(1000),
  batchSize: z.number().int().min(1).max(10000),
  /** Units in each of the two hidden (batch-normalised, ReLU) layers. */
  hidden: z.number().int().min(1).max(4096),
  /** The grid: initial learning rates α (cosine-annealed to 0 over the run, as the paper's Fig. 2). */
  learningRates: z.array(z.number().positive().max(10)).min(2),
  /** AdamW's decoupled decay factors λ (the paper's Algorithm 2: θ ← θ − η_t λ θ). */
  adamwDecays: grid,
  /** Adam's L2 factors λ' (the penalty (λ'/2)‖θ‖², i.e. λ'θ added to the gradient). */
  adamL2: grid,
});

/**
 * How much a method loses when λ is tuned at one learning rate and kept at another: the mean, over
 * ordered pairs (α_i, α_j), of E(α_j, λ*(α_i)) − E(α_j, λ*(α_j)). 0: the best λ is the same at every α.
 */
function transferRegret(landscape: number[][]): number {
  const best = landscape.map((row) => row.indexOf(Math.min(...row)));
  const pairs = best.flatMap((bi, i) => best.map((bj, j) => (i === j ? null : landscape[j][bi] - landscape[j][bj]))).filter((d) => d !== null);
  return sampleMean(pairs);
}

export default defineReproduction({
  id: 'adamw-2019',
  package: '@paperzoo/core-autograd',
  paper: { title: 'Decoupled Weight Decay Regularization', authors: ['I. Loshchilov', 'F. Hutter'], year: 2019, venue: 'ICLR 2019', url: 'https://arxiv.org/abs/1711.05101' },
  config: configSchema,
  claims: [
    { id: 'adamw-zero-gradient-decay', kind: 'exact', what: 'with a zero gradient, AdamW multiplies every weight by (1 − ηλ) per step: θ_t = (1 − ηλ)^t θ_0 for weights of any size', label: 'AdamW shrinks by (1 − ηλ)', source: 'Algorithm 2, line 12; §2', metric: 'adamw_shrinks_by_common_factor', expected: true, tiers: ['smoke', 'full'] },
    { id: 'adam-l2-not-decay', kind: 'exact', what: 'Adam with an L2 penalty does not: the penalty gradient λθ is divided by √v̂, so weights of different size shrink by different factors', label: 'Adam+L2 shrinks by a common factor', source: '§2 (L2 regularisation ≠ weight decay for adaptive methods)', metric: 'adam_l2_shrinks_by_common_factor', expected: false, tiers: ['smoke', 'full'] },
    { id: 'separable-landscape', kind: 'ranking', what: 'the best weight decay depends less on the learning rate with AdamW than with Adam+L2: less validation error lost when λ tuned at one α is kept at another (mean over the grid)', label: 'transfer regret of λ across α', source: '§4.2, Fig. 2 (bottom row)', better: 'adamw_regret', worse: 'adam_l2_regret', betterIs: 'lower', names: { better: 'AdamW', worse: 'Adam+L2' }, tiers: ['full'], format: 'percent', note: "Fashion-MNIST batch-norm MLP, not the paper's CIFAR-10 ResNet; see README for what the grid shows and how robust it is." },
  ],
  tiers: {
    full: {
      config: { property: { learningRate: 0.1, weightDecay: 0.1, steps: 10 }, seeds: 3, trainExamples: 2000, validationExamples: 10000, epochs: 20, batchSize: 100, hidden: 128, learningRates: [3e-4, 3e-3, 3e-2], adamwDecays: [3e-5, 3e-4, 3e-3, 3e-2], adamL2: [1e-4, 1e-3, 1e-2, 1e-1] },
      budget: '3 learning rates × 4 decays × 2 methods × 3 seeds = 72 runs of 400 steps (2,000 images, 20 epochs, 2×128 batch-norm MLP); about 10 min on 2 CPU cores',
    },
    smoke: {
      config: { seeds: 1, trainExamples: 1000, validationExamples: 2000, epochs: 5, hidden: 64, learningRates: [3e-4, 3e-2], adamwDecays: [3e-4, 3e-2], adamL2: [1e-3, 1e-1] },
      budget: 'the zero-gradient check plus a 2 × 2 grid per method (1,000 images, 5 epochs, 64 units): a smoke test of the grid code, a few seconds on 2 CPU cores',
    },
  },
  async run(cfg, ctx) {
    // Claim 1.
    const { learningRate: eta, weightDecay: lambda, steps } = cfg.property;
    const factor = (1 - eta * lambda) ** steps;
    const decoupledError = Math.max(...zeroGradientRatios(new AdamW({ learningRate: eta, weightDecay: lambda }), steps).map((r) => Math.abs(r - factor)));
    const coupled = zeroGradientRatios(new Adam({ learningRate: eta, l2: lambda }), steps);
    // Claim 2: every (method, α, λ, seed) a sweep member; every grid point of a seed starts from the same weights and minibatches.
    const train = await loadFashionMnist({ split: 'train' });
    const n = cfg.trainExamples;
    const val = takeBatch(train, Array.from({ length: cfg.validationExamples }, (_, i) => train.count - cfg.validationExamples + i));
    const [trainX, valX, valY] = [tf.tensor2d(takeBatch(train, Array.from({ length: n }, (_, i) => i)).x, [n, 784]), tf.tensor2d(val.x, [cfg.validationExamples, 784]), tf.tensor1d(val.y, 'int32')];
    const runSeeds = Array.from({ length: cfg.seeds }, () => randomInt(2 ** 31));
    const lambdas = { adamw: cfg.adamwDecays, adamL2: cfg.adamL2 };
    const members = (['adamw', 'adamL2'] as const).flatMap((method) => cfg.learningRates.flatMap((alpha, a) => lambdas[method].flatMap((lam, l) => runSeeds.map((s) => ({ method, alpha, a, lam, l, s })))));
    const stepsPerEpoch = Math.floor(n / cfg.batchSize);
    const results = await sweep({
      ctx,
      members,
      key: (m) => `${m.method}/lr=${m.alpha}/lambda=${m.lam}/seed=${m.s}`,
      async run(m, memberCtx) {
        seed(m.s);
        const net = new BatchNormMlp(784, cfg.hidden, 10, { seed: m.s });
        const schedule = cosineDecay({ initial: m.alpha, totalSteps: cfg.epochs * stepsPerEpoch }); // α·η_t
        const optimizer = m.method === 'adamw' ? new AdamW({ learningRate: schedule, weightDecay: m.lam / m.alpha }) : new Adam({ learningRate: schedule, l2: m.lam });
        try {
          const r = await fit({
            ctx: memberCtx, variables: net.variables, optimizer, epochs: cfg.epochs, stepsPerEpoch, owns: [net, optimizer],
            label: `${m.method === 'adamw' ? 'AdamW' : 'Adam+L2'} α=${m.alpha} λ=${m.lam}`,
            *batches() {
              const order = shuffledIndicesFromGlobalRng(n);
              for (let s = 0; s + cfg.batchSize <= n; s += cfg.batchSize) {
                const b = takeBatch(train, order.subarray(s, s + cfg.batchSize));
                yield { x: tf.tensor2d(b.x, [cfg.batchSize, 784]), y: tf.tensor1d(b.y, 'int32') };
              }
            },
            loss: (b) => crossEntropyWithLogits(net.apply(b.x), b.y) as tf.Scalar,
            // Validation after the last epoch, batch norm with the statistics of the whole training subset.
            evaluate: ({ epoch }) => (epoch < cfg.epochs ? {} : tf.tidy(() => {
              const logits = net.apply(valX, trainX);
              return { val_error: tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), valY), 'float32')).dataSync()[0] / cfg.validationExamples, 'loss/val': crossEntropyWithLogits(logits, valY).dataSync()[0] };
            })),
          });
          return { error: r.metrics.val_error, loss: r.metrics['loss/val'] };
        } catch (e) {
          if (e instanceof NonFiniteLossError) return { error: 0.9, loss: null }; // diverged
          throw e;
        }
      },
    });
    tf.dispose([trainX, valX, valY]);
    // [α][λ], mean over seeds.
    const landscape = (method: 'adamw' | 'adamL2', q: 'error' | 'loss') =>
      cfg.learningRates.map((_, a) => lambdas[method].map((_l, l) => sampleMean(results.filter((e) => e.member.method === method && e.member.a === a && e.member.l === l).map((e) => e.result[q] ?? Number.NaN))));
    const [wError, lError, wLoss, lLoss] = [landscape('adamw', 'error'), landscape('adamL2', 'error'), landscape('adamw', 'loss'), landscape('adamL2', 'loss')];
    const bestIndex = (rows: number[][]) => rows.map((row) => row.indexOf(Math.min(...row))).join(' ');
    const table = (rows: number[][]) => rows.map((r) => r.map((e) => e.toFixed(4)).join(' ')).join(' | ');
    return {
      adamw_zero_grad_max_deviation: decoupledError,
      adamw_shrinks_by_common_factor: decoupledError <= 1e-6 * Math.max(1, factor),
      adam_l2_zero_grad_ratio_spread: Math.max(...coupled) - Math.min(...coupled),
      adam_l2_shrinks_by_common_factor: Math.max(...coupled) - Math.min(...coupled) <= 1e-6,
      adamw_regret: transferRegret(wError),
      adam_l2_regret: transferRegret(lError),
      adamw_loss_regret: transferRegret(wLoss),
      adam_l2_loss_regret: transferRegret(lLoss),
      adamw_best_error: Math.min(...wError.flat()),
      adam_l2_best_error: Math.min(...lError.flat()),
      adamw_best_lambda_index: bestIndex(wError),
      adam_l2_best_lambda_index: bestIndex(lError),
      adamw_error_grid: table(wError),
      adam_l2_error_grid: table(lError),
      adamw_loss_grid: table(wLoss),
      adam_l2_loss_grid: table(lLoss),
    };
  },
});
