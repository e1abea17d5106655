/**
 * Decoupled weight decay — I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019, https://arxiv.org/abs/1711.05101.
 *
 * Two claims:
 * 1. §2–3, Algorithm 2 (the definition): with decoupled decay, every weight shrinks by the factor
 *    (1 − ηλ) per step whatever its gradient — so with a zero gradient θ_t = (1 − ηλ)^t θ_0 exactly —
 *    while Adam with an L2 penalty divides the penalty's gradient λθ by √v̂ like any gradient, so its
 *    weights do not shrink by a common factor. Checked on @paperzoo/core-autograd's AdamW and Adam.
 * 2. §4.2, Fig. 2: decoupling makes the best weight decay depend less on the learning rate ("AdamW
 *    largely decouples weight decay and learning rate"). Measured here on a grid of learning rates α ×
 *    decay factors λ on Fashion-MNIST (README: the design, its scale, and what we found).
 *
 * The paper's Algorithm 2 decays by η_t·λ, η_t the schedule multiplier, independent of α; our AdamW
 * (PyTorch's convention) decays by (learning rate)·weightDecay, so the paper's λ is passed as
 * weightDecay = λ/α (the two are then the same update, step for step).
 */
import { tf, randomNormal, randomInt, seed, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { NonFiniteLossError, cosineDecay, defineReproduction, fit, sampleMean, crossEntropyWithLogits, sweepContext, z, type FitContext, type RunContext } from '@paperzoo/repro';
import { Adam, AdamW, type Optimizer } from '@paperzoo/core-autograd';
import { loadFashionMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';

export interface AdamWConfig {
  /** Zero-gradient check: η and λ (AdamW: decay factor 1 − ηλ per step; Adam: l2 = λ), and the steps. */
  property: { learningRate: number; weightDecay: number; steps: number };
  /** Independent seeds of the whole grid (the landscapes are averaged over them). */
  seeds: number;
  /** Training images (the first N of Fashion-MNIST's 60,000). */
  trainExamples: number;
  /** Validation images, taken from the end of the training set (never trained on). */
  validationExamples: number;
  epochs: number;
  batchSize: number;
  /** Units in each of the two hidden (batch-normalised, ReLU) layers. */
  hidden: number;
  /** The grid: initial learning rates α (cosine-annealed to 0 over the run, as the paper's Fig. 2). */
  learningRates: number[];
  /** AdamW's decoupled decay factors λ (the paper's Algorithm 2: θ ← θ − η_t λ θ). */
  adamwDecays: number[];
  /** Adam's L2 factors λ' (the penalty (λ'/2)‖θ‖², i.e. λ'θ added to the gradient). */
  adamL2: number[];
}

const configSchema = z.object({
  property: z.object({ learningRate: z.number().positive(), weightDecay: z.number().positive(), steps: z.number().int().min(1) }),
  seeds: z.number().int().min(1),
  trainExamples: z.number().int().min(100).max(50000),
  validationExamples: z.number().int().min(100).max(10000),
  epochs: z.number().int().min(1),
  batchSize: z.number().int().min(1),
  hidden: z.number().int().min(1),
  learningRates: z.array(z.number().positive()).min(2),
  adamwDecays: z.array(z.number().min(0)).min(2),
  adamL2: z.array(z.number().min(0)).min(2),
});

// ---------------------------------------------------------------------------------------------------
// Claim 1: the zero-gradient property.

/**
 * Apply `steps` updates with a zero gradient to θ_0 = [1e-3, 0.1, 1, −5] and return θ_t/θ_0 per
 * element. Decoupled decay: every ratio is (1 − ηλ)^t. L2 in Adam: the ratios differ by magnitude.
 */
export function zeroGradientRatios(optimizer: Optimizer, steps: number): number[] {
  const start = [1e-3, 0.1, 1, -5];
  const theta = tf.tidy(() => tf.variable(tf.tensor1d(start), true));
  for (let t = 0; t < steps; t++) {
    const zero = tf.zerosLike(theta);
    optimizer.applyGradients(new Map([[theta, zero]]));
    zero.dispose();
  }
  const end = Array.from(theta.dataSync());
  theta.dispose();
  optimizer.dispose();
  return end.map((v, i) => v / start[i]);
}

// ---------------------------------------------------------------------------------------------------
// Claim 2: the α × λ landscape.

interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/**
 * The net of the grid: 784 → hidden → hidden → 10, each hidden layer x·W → batch norm (γ, β) → ReLU.
 * Batch norm makes W₁ and W₂ scale-invariant, as the convolutions of the paper's ResNet are (README).
 * For evaluation the normalisation uses the statistics of the whole training subset.
 */
class BatchNormMlp {
  readonly variables: Record<string, tf.Variable>;

  constructor(hidden: number) {
    // Variables made inside tidy: the initial tensors are freed, the variables keep their values.
    const variable = (init: () => tf.Tensor) => tf.tidy(() => tf.variable(init(), true));
    const he = (fanIn: number, fanOut: number) => variable(() => tf.mul(randomNormal([fanIn, fanOut]), Math.sqrt(2 / fanIn)));
    this.variables = {
      W1: he(784, hidden),
      gamma1: variable(() => tf.ones([hidden])),
      beta1: variable(() => tf.zeros([hidden])),
      W2: he(hidden, hidden),
      gamma2: variable(() => tf.ones([hidden])),
      beta2: variable(() => tf.zeros([hidden])),
      W3: variable(() => tf.mul(randomNormal([hidden, 10]), Math.sqrt(1 / hidden))),
      b3: variable(() => tf.zeros([10])),
    };
  }

  private static norm(a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, stats: { mean: tf.Tensor; variance: tf.Tensor }): tf.Tensor {
    return tf.add(tf.mul(tf.div(tf.sub(a, stats.mean), tf.sqrt(tf.add(stats.variance, 1e-5))), gamma), beta);
  }

  /** Logits [B, 10]. `population`: normalise with the statistics of these inputs instead of x's own. */
  apply(x: tf.Tensor2D, population?: tf.Tensor2D): tf.Tensor2D {
    const v = this.variables;
    const layer = (input: tf.Tensor, popInput: tf.Tensor | undefined, W: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const a = tf.matMul(input, W); // [B, hidden]
      const stats = tf.moments(popInput ? tf.matMul(popInput, W) : a, 0);
      return tf.relu(BatchNormMlp.norm(a, gamma, beta, stats));
    };
    const h1 = layer(x, population, v.W1, v.gamma1, v.beta1); // [B, hidden]
    const p1 = population ? layer(population, undefined, v.W1, v.gamma1, v.beta1) : undefined;
    const h2 = layer(h1, p1, v.W2, v.gamma2, v.beta2); // [B, hidden]
    return tf.add(tf.matMul(h2, v.W3 as tf.Tensor2D), v.b3); // [B, 10]
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}

type Method = 'adamw' | 'adamL2';

interface Data {
  train: ImageDataset;
  trainX: tf.Tensor2D; // [N, 784], for the batch-norm population statistics
  valX: tf.Tensor2D; // [V, 784]
  valY: tf.Tensor1D; // [V]
}

/** Train one grid point; return the validation error and loss (a diverged run: error 0.9, loss NaN). */
async function trainGridPoint(method: Method, alpha: number, lambda: number, runSeed: number, cfg: AdamWConfig, data: Data, ctx: FitContext): Promise<{ error: number; loss: number }> {
  seed(runSeed); // the same initial weights and minibatch order for every grid point of this seed
  const net = new BatchNormMlp(cfg.hidden);
  const n = cfg.trainExamples;
  const stepsPerEpoch = Math.floor(n / cfg.batchSize);
  const schedule = cosineDecay({ initial: alpha, totalSteps: cfg.epochs * stepsPerEpoch }); // α·η_t
  const optimizer: Optimizer = method === 'adamw' ? new AdamW({ learningRate: schedule, weightDecay: lambda / alpha }) : new Adam({ learningRate: schedule, l2: lambda });
  try {
    await fit({
      ctx,
      variables: net.variables,
      optimizer,
      epochs: cfg.epochs,
      stepsPerEpoch,
      checkpoint: false,
      label: `${method === 'adamw' ? 'AdamW' : 'Adam+L2'} α=${alpha} λ=${lambda}`,
      *batches() {
        const order = shuffledIndicesFromGlobalRng(n);
        for (let s = 0; s + cfg.batchSize <= n; s += cfg.batchSize) {
          const b = takeBatch(data.train, order.subarray(s, s + cfg.batchSize));
          yield { x: tf.tensor2d(b.x, [cfg.batchSize, 784]), y: tf.tensor1d(b.y, 'int32') } satisfies Batch;
        }
      },
      loss: (b) => crossEntropyWithLogits(net.apply(b.x), b.y) as tf.Scalar,
    });
    return tf.tidy(() => {
      const logits = net.apply(data.valX, data.trainX);
      const wrong = tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 1), data.valY), 'float32'));
      return { error: wrong.dataSync()[0] / data.valY.shape[0], loss: crossEntropyWithLogits(logits, data.valY).dataSync()[0] };
    });
  } catch (e) {
    if (e instanceof NonFiniteLossError) return { error: 0.9, loss: Number.NaN };
    throw e;
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}

/**
 * How much a method loses when λ is tuned at one learning rate and kept at another: the mean, over
 * ordered pairs of grid learning rates (α_i, α_j), of E(α_j, λ*(α_i)) − E(α_j, λ*(α_j)), where λ*(α)
 * is the best λ at α. 0 = the best λ is the same at every α (the paper's "separable").
 */
export function transferRegret(landscape: number[][]): number {
  const best = landscape.map((row) => row.indexOf(Math.min(...row)));
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < landscape.length; i++) {
    for (let j = 0; j < landscape.length; j++) {
      if (i === j) continue;
      total += landscape[j][best[i]] - landscape[j][best[j]];
      pairs++;
    }
  }
  return total / pairs;
}

async function run(cfg: AdamWConfig, ctx: RunContext<AdamWConfig>) {
  // Claim 1.
  const { learningRate: eta, weightDecay: lambda, steps } = cfg.property;
  const factor = (1 - eta * lambda) ** steps;
  const decoupled = zeroGradientRatios(new AdamW({ learningRate: eta, weightDecay: lambda }), steps);
  const coupled = zeroGradientRatios(new Adam({ learningRate: eta, l2: lambda }), steps);
  const decoupledError = Math.max(...decoupled.map((r) => Math.abs(r - factor)));
  const coupledSpread = Math.max(...coupled) - Math.min(...coupled);

  // Claim 2.
  const train = await loadFashionMnist({ split: 'train' });
  const valIdx = Array.from({ length: cfg.validationExamples }, (_, i) => train.count - cfg.validationExamples + i);
  const trainIdx = Array.from({ length: cfg.trainExamples }, (_, i) => i);
  const val = takeBatch(train, valIdx);
  const all = takeBatch(train, trainIdx);
  const data: Data = { train, trainX: tf.tensor2d(all.x, [cfg.trainExamples, 784]), valX: tf.tensor2d(val.x, [cfg.validationExamples, 784]), valY: tf.tensor1d(val.y, 'int32') };
  const runSeeds = Array.from({ length: cfg.seeds }, () => randomInt(2 ** 31));
  const grids: Record<Method, number[]> = { adamw: cfg.adamwDecays, adamL2: cfg.adamL2 };
  const error: Record<Method, number[][]> = { adamw: [], adamL2: [] }; // [α][λ], mean over seeds
  const loss: Record<Method, number[][]> = { adamw: [], adamL2: [] };
  const fitCtx = sweepContext(ctx);
  try {
    for (const method of ['adamw', 'adamL2'] as const) {
      for (const alpha of cfg.learningRates) {
        const errRow: number[] = [];
        const lossRow: number[] = [];
        for (const lam of grids[method]) {
          const results = [];
          for (const s of runSeeds) results.push(await trainGridPoint(method, alpha, lam, s, cfg, data, fitCtx));
          errRow.push(sampleMean(results.map((r) => r.error)));
          lossRow.push(sampleMean(results.map((r) => r.loss)));
        }
        error[method].push(errRow);
        loss[method].push(lossRow);
        ctx.info(`${method === 'adamw' ? 'AdamW' : 'Adam+L2'} α=${alpha}: validation error ${errRow.map((e) => (e * 100).toFixed(2) + '%').join(' ')} over λ = ${grids[method].join(', ')}`);
      }
    }
  } finally {
    tf.dispose([data.trainX, data.valX, data.valY]);
  }

  const bestIndex = (rows: number[][]) => rows.map((row) => row.indexOf(Math.min(...row)));
  const table = (rows: number[][]) => rows.map((r) => r.map((e) => e.toFixed(4)).join(' ')).join(' | ');
  const metrics: Record<string, number | boolean | string> = {
    adamw_zero_grad_max_deviation: decoupledError,
    adamw_shrinks_by_common_factor: decoupledError <= 1e-6 * Math.max(1, factor),
    adam_l2_zero_grad_ratio_spread: coupledSpread,
    adam_l2_shrinks_by_common_factor: coupledSpread <= 1e-6,
    adamw_regret: transferRegret(error.adamw),
    adam_l2_regret: transferRegret(error.adamL2),
    adamw_loss_regret: transferRegret(loss.adamw),
    adam_l2_loss_regret: transferRegret(loss.adamL2),
    adamw_best_error: Math.min(...error.adamw.flat()),
    adam_l2_best_error: Math.min(...error.adamL2.flat()),
    adamw_best_lambda_index: bestIndex(error.adamw).join(' '),
    adam_l2_best_lambda_index: bestIndex(error.adamL2).join(' '),
    adamw_error_grid: table(error.adamw),
    adam_l2_error_grid: table(error.adamL2),
    adamw_loss_grid: table(loss.adamw),
    adam_l2_loss_grid: table(loss.adamL2),
  };
  return metrics;
}

export default defineReproduction<AdamWConfig>({
  id: 'adamw-2019',
  package: '@paperzoo/core-autograd',
  paper: {
    title: 'Decoupled Weight Decay Regularization',
    authors: ['I. Loshchilov', 'F. Hutter'],
    year: 2019,
    venue: 'ICLR 2019',
    url: 'https://arxiv.org/abs/1711.05101',
  },
  claims: [
    {
      id: 'adamw-zero-gradient-decay',
      kind: 'exact',
      what: 'with a zero gradient, AdamW multiplies every weight by (1 − ηλ) per step: θ_t = (1 − ηλ)^t θ_0 for weights of any size',
      label: 'AdamW shrinks by (1 − ηλ)',
      source: 'Algorithm 2, line 12; §2',
      metric: 'adamw_shrinks_by_common_factor',
      expected: true,
      tiers: ['smoke', 'full'],
    },
    {
      id: 'adam-l2-not-decay',
      kind: 'exact',
      what: 'Adam with an L2 penalty does not: the penalty gradient λθ is divided by √v̂, so weights of different size shrink by different factors',
      label: 'Adam+L2 shrinks by a common factor',
      source: '§2 (L2 regularisation ≠ weight decay for adaptive methods)',
      metric: 'adam_l2_shrinks_by_common_factor',
      expected: false,
      tiers: ['smoke', 'full'],
    },
    {
      id: 'separable-landscape',
      kind: 'ranking',
      what: 'the best weight decay depends less on the learning rate with AdamW than with Adam+L2: less validation error lost when λ tuned at one α is kept at another (mean over the grid)',
      label: 'transfer regret of λ across α',
      source: '§4.2, Fig. 2 (bottom row)',
      better: 'adamw_regret',
      worse: 'adam_l2_regret',
      betterIs: 'lower',
      names: { better: 'AdamW', worse: 'Adam+L2' },
      tiers: ['full'],
      format: 'percent',
      note: 'Fashion-MNIST batch-norm MLP, not the paper\'s CIFAR-10 ResNet; see README for what the grid shows and how robust it is.',
    },
  ],
  tiers: {
    smoke: {
      config: {
        property: { learningRate: 0.1, weightDecay: 0.1, steps: 10 },
        seeds: 1,
        trainExamples: 1000,
        validationExamples: 2000,
        epochs: 5,
        batchSize: 100,
        hidden: 64,
        learningRates: [3e-4, 3e-2],
        adamwDecays: [3e-4, 3e-2],
        adamL2: [1e-3, 1e-1],
      },
      budget: 'the zero-gradient check plus a 2 × 2 grid per method (1,000 images, 5 epochs, 64 units): a smoke test of the grid code, a few seconds on 2 CPU cores',
    },
    full: {
      config: {
        property: { learningRate: 0.1, weightDecay: 0.1, steps: 10 },
        seeds: 3,
        trainExamples: 2000,
        validationExamples: 10000,
        epochs: 20,
        batchSize: 100,
        hidden: 128,
        learningRates: [3e-4, 3e-3, 3e-2],
        adamwDecays: [3e-5, 3e-4, 3e-3, 3e-2],
        adamL2: [1e-4, 1e-3, 1e-2, 1e-1],
      },
      budget: '3 learning rates × 4 decays × 2 methods × 3 seeds = 72 runs of 400 steps (2,000 images, 20 epochs, 2×128 batch-norm MLP); about 10 min on 2 CPU cores',
    },
  },
  configSchema,
  run,
});
