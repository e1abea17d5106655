/**
 * Batch normalisation on MNIST — S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift", ICML 2015. https://arxiv.org/abs/1502.03167
 *
 * Claim (§4.1, Fig. 1(a)): a 784-100-100-100-10 sigmoid MLP trained for 50,000 steps of 60 examples
 * reaches a higher test accuracy with batch normalisation than without, and gets there sooner. The
 * figure has no numbers to compare against, so the claims are rankings: BN above no-BN at several
 * points of training and at the end, for every pair of seeds (BN's worst seed above no-BN's best), and
 * BN reaching no-BN's final accuracy in a fraction of the steps.
 *
 * Design: each seed trains one BN net and one plain net on the same batches (a paired comparison); all
 * nets train jointly in one `fit` (their losses are summed; the parameters are disjoint, so plain SGD on
 * the sum is exactly independent SGD on each), so checkpoints and `--resume` cover the whole experiment,
 * batch-norm running statistics included (`extraVariables`).
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, fit, crossEntropyWithLogits, countCorrect, sampleMean, z, type RunContext } from '@paperzoo/repro';
import { Mlp, collectVariables } from '@paperzoo/cnn-zoo';
import { SGD } from '@paperzoo/core-autograd';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';

/** Everything a run can vary. Tiers are presets; `--set key=value` overrides fields. */
export interface BatchNormMnistConfig {
  /** SGD steps (the paper: 50,000). */
  steps: number;
  /** Steps between test evaluations (one `fit` epoch; a checkpoint after each). */
  evalEvery: number;
  /** Examples per step (the paper: 60). */
  batchSize: number;
  /** Independent seeds; each trains one BN and one plain net on the same batches. */
  seeds: number;
  /** SGD learning rate (the paper does not give one; see README). */
  learningRate: number;
  /** Standard deviation of the Gaussian initial weights ("small random Gaussian values"). */
  initStd: number;
  /** Test digits evaluated (the first N of 10,000). */
  testExamples: number;
}

const configSchema = z.object({
  steps: z.number().int().positive(),
  evalEvery: z.number().int().positive(),
  batchSize: z.number().int().min(2),
  seeds: z.number().int().min(1).max(10),
  learningRate: z.number().positive(),
  initStd: z.number().positive(),
  testExamples: z.number().int().min(100).max(10000),
});

/** Fractions of the run at which the ranking is checked (10%, 20%, 50%, 100% = the end). */
const CHECKPOINTS = [0.1, 0.2, 0.5, 1] as const;
const pct = (f: number) => `${Math.round(f * 100)}pct`;

/** Pixels in [0, 1], [n, 784], and labels. */
function tensors(ds: ImageDataset, indices: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const b = takeBatch(ds, indices); // unit scale, [n, 28, 28, 1]
  return { x: tf.tensor2d(b.x, [b.shape[0], 784]), y: tf.tensor1d(b.y, 'int32') };
}

interface Pair {
  bn: Mlp;
  plain: Mlp;
}

async function run(cfg: BatchNormMnistConfig, ctx: RunContext<BatchNormMnistConfig>) {
  if (cfg.steps % cfg.evalEvery !== 0) throw new RangeError(`steps (${cfg.steps}) must be a multiple of evalEvery (${cfg.evalEvery})`);
  const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  const evaluations = cfg.steps / cfg.evalEvery;

  const init = { kind: 'normal' as const, std: cfg.initStd };
  const pairs: Pair[] = [];
  for (let s = 0; s < cfg.seeds; s++) {
    const seed = ctx.seed * 1000 + s;
    pairs.push({ bn: new Mlp({ batchNorm: true, weightInit: init }, { seed }), plain: new Mlp({ batchNorm: false, weightInit: init }, { seed }) });
  }
  const nets = pairs.flatMap((p) => [p.bn, p.plain]);
  const { variables, stateVariables } = collectVariables(Object.fromEntries(nets.map((net, i) => [i, net]))); // '<i>/<path>'
  const optimizer = new SGD({ learningRate: cfg.learningRate });
  const testSet = tensors(test, Array.from({ length: cfg.testExamples }, (_, i) => i));
  const accuracy = (net: Mlp): number => {
    const c = tf.tidy(() => countCorrect(net.apply(testSet.x), testSet.y));
    const v = c.dataSync()[0] / cfg.testExamples;
    c.dispose();
    return v;
  };

  try {
    const result = await fit({
      ctx,
      variables,
      extraVariables: stateVariables,
      optimizer,
      epochs: evaluations,
      stepsPerEpoch: cfg.evalEvery,
      label: `${2 * cfg.seeds} MLPs`,
      // Per evaluation interval and seed: a fresh permutation of the 60,000 digits (drawn from the
      // global generator, so --resume replays it), cut into batches of 60.
      *batches() {
        const need = cfg.evalEvery * cfg.batchSize;
        const orders = pairs.map(() => {
          const out = new Int32Array(need);
          for (let filled = 0; filled < need; ) {
            const perm = shuffledIndicesFromGlobalRng(train.count);
            const take = Math.min(perm.length, need - filled);
            out.set(perm.subarray(0, take), filled);
            filled += take;
          }
          return out;
        });
        for (let step = 0; step < cfg.evalEvery; step++) {
          yield orders.map((order) => tensors(train, order.subarray(step * cfg.batchSize, (step + 1) * cfg.batchSize)));
        }
      },
      // Σ over seeds of (BN net's loss + plain net's loss): disjoint parameters, so each net gets exactly its own SGD step.
      loss: (batch) =>
        tf.addN(pairs.flatMap((p, s) => [crossEntropyWithLogits(p.bn.apply(batch[s].x, { training: true }), batch[s].y), crossEntropyWithLogits(p.plain.apply(batch[s].x, { training: true }), batch[s].y)])) as tf.Scalar,
      evaluate: () => {
        const bn = pairs.map((p) => accuracy(p.bn));
        const plain = pairs.map((p) => accuracy(p.plain));
        const out: Record<string, number> = {
          'test_accuracy/with BN (mean)': sampleMean(bn),
          'test_accuracy/without BN (mean)': sampleMean(plain),
        };
        bn.forEach((a, s) => (out[`seeds/with BN, seed ${s}`] = a));
        plain.forEach((a, s) => (out[`seeds/without BN, seed ${s}`] = a));
        return out;
      },
    });

    // Rankings at fractions of the run, from the evaluation history.
    const metrics: Record<string, number> = {};
    const at = (fraction: number) => result.history[Math.max(0, Math.round(fraction * evaluations) - 1)].metrics;
    for (const f of CHECKPOINTS) {
      const m = at(f);
      const bn = pairs.map((_, s) => m[`seeds/with BN, seed ${s}`]);
      const plain = pairs.map((_, s) => m[`seeds/without BN, seed ${s}`]);
      metrics[`bn_worst_acc_${pct(f)}`] = Math.min(...bn);
      metrics[`plain_best_acc_${pct(f)}`] = Math.max(...plain);
      metrics[`bn_mean_acc_${pct(f)}`] = sampleMean(bn);
      metrics[`plain_mean_acc_${pct(f)}`] = sampleMean(plain);
    }
    // "Sooner": the first evaluation at which BN's mean accuracy reaches no-BN's final mean accuracy,
    // as a fraction of the run (2 when it never does).
    const plainFinal = metrics.plain_mean_acc_100pct;
    const reached = result.history.findIndex((h) => h.metrics['test_accuracy/with BN (mean)'] >= plainFinal);
    metrics.bn_steps_to_plain_final_fraction = reached < 0 ? 2 : (reached + 1) / evaluations;
    metrics.bn_steps_to_plain_final = reached < 0 ? -1 : (reached + 1) * cfg.evalEvery;
    return {
      ...metrics,
      test_accuracy_bn: metrics.bn_mean_acc_100pct,
      test_accuracy_plain: metrics.plain_mean_acc_100pct,
      steps: result.steps,
      parameters_bn: pairs[0].bn.parameterCount(),
      parameters_plain: pairs[0].plain.parameterCount(),
    };
  } finally {
    tf.dispose([testSet.x, testSet.y]);
    optimizer.dispose();
    nets.forEach((n) => n.dispose());
  }
}

/** The ranking claims at each checkpoint, for the tiers given. */
function rankingClaims(tiers: ('smoke' | 'full')[], margins: readonly number[], scale: string) {
  return CHECKPOINTS.map((f, i) => ({
    id: `bn-above-no-bn-${pct(f)}${tiers.includes('smoke') ? '-smoke' : ''}`,
    kind: 'ranking' as const,
    what: `test accuracy after ${f === 1 ? 'all' : `${Math.round(f * 100)}% of the`} steps: the worst BN seed above the best no-BN seed${scale}`,
    label: `${f === 1 ? 'final' : `${Math.round(f * 100)}%-of-run`} accuracy, BN (worst seed) vs no BN (best seed)`,
    source: '§4.1, Fig. 1(a)',
    better: `bn_worst_acc_${pct(f)}`,
    worse: `plain_best_acc_${pct(f)}`,
    betterIs: 'higher' as const,
    margin: margins[i],
    names: { better: 'with BN (worst seed)', worse: 'without BN (best seed)' },
    tiers,
    format: 'percent' as const,
  }));
}

/**
 * Smoke margins per checkpoint (10%, 20%, 50%, 100% of the run), set from measured runs (README "How the
 * smoke margins were set"): about half of the smallest gap observed over 3 runs × 3 seeds.
 */
const SMOKE_MARGINS = [0.3, 0.2, 0.03, 0.005] as const;
/** The full tier: the paper says only "higher". */
const FULL_MARGINS = [0, 0, 0, 0] as const;
/** "Sooner" read off Fig. 1(a): BN passes no-BN’s final accuracy within the first half of the run. */
const SOONER_FRACTION = 0.5;

export default defineReproduction<BatchNormMnistConfig>({
  id: 'batchnorm-mnist',
  package: '@paperzoo/cnn-zoo',
  paper: {
    title: 'Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift',
    authors: ['S. Ioffe', 'C. Szegedy'],
    year: 2015,
    venue: 'ICML 2015 (PMLR 37)',
    url: 'https://arxiv.org/abs/1502.03167',
  },
  claims: [
    ...rankingClaims(['full'], FULL_MARGINS, ''),
    ...rankingClaims(['smoke'], SMOKE_MARGINS, ' (smoke: 1,000 of the 50,000 steps)'),
    {
      id: 'bn-sooner',
      kind: 'threshold',
      what: 'fraction of the run BN needs to reach the final test accuracy of the net without BN',
      label: 'BN reaches no-BN’s final accuracy after',
      source: '§4.1, Fig. 1(a) ("higher test accuracy … sooner")',
      metric: 'bn_steps_to_plain_final_fraction',
      threshold: SOONER_FRACTION,
      direction: 'below',
      tiers: ['smoke', 'full'],
      format: 'percent',
    },
    {
      id: 'bn-params',
      kind: 'exact',
      what: 'BN replaces each hidden bias by a scale and a shift: 300 more parameters than the 784-100-100-100-10 MLP (99,710): 100,010',
      source: '§3.2',
      metric: 'parameters_bn',
      expected: 100_010,
      tiers: ['smoke', 'full'],
      format: 'integer',
    },
  ],
  configSchema,
  tiers: {
    smoke: {
      config: { steps: 1000, evalEvery: 100, batchSize: 60, seeds: 3, learningRate: 0.5, initStd: 0.1, testExamples: 10000 },
      budget: '1,000 steps × 3 seeds × 2 nets, about 40–60 s on 2 CPU cores (wasm)',
      description: '1,000 of the paper’s 50,000 steps; 3 seeds',
    },
    full: {
      config: { steps: 50000, evalEvery: 1000, batchSize: 60, seeds: 3, learningRate: 0.5, initStd: 0.1, testExamples: 10000 },
      budget: '50,000 steps of 60 digits (the paper) × 3 seeds × 2 nets, about an hour on 2 shared CPU cores (wasm)',
      backend: 'wasm',
    },
  },
  plots: {
    test_accuracy: { format: 'percent', title: 'MNIST test accuracy, with and without BN (Fig. 1(a)), mean of seeds', y: 'test accuracy' },
    seeds: { format: 'percent', title: 'MNIST test accuracy per seed', y: 'test accuracy' },
  },
  run,
});
