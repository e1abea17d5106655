/**
 * Batch normalisation on MNIST — S. Ioffe, C. Szegedy, ICML 2015. https://arxiv.org/abs/1502.03167
 *
 * Claim (§4.1, Fig. 1(a)): a 784-100-100-100-10 sigmoid MLP reaches a higher test accuracy with BN than
 * without, sooner. The figure has no numbers, so the claims are rankings (BN's worst seed above no-BN's
 * best at several points of the run) and BN reaching no-BN's final accuracy within a fraction of the run.
 * Each seed trains one BN and one plain net on the same batches; all train side by side in one `fit`.
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, countCorrect, sampleMean, z, type RunContext } from '@paperzoo/repro';
import { Mlp, perKey, trainSideBySide } from '@paperzoo/cnn-zoo';
import { SGD } from '@paperzoo/core-autograd';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';

const config = z.object({
  /** SGD steps (the paper: 50,000). */
  steps: z.number().int().min(1).max(10_000_000),
  /** Steps between test evaluations (one `fit` epoch; a checkpoint after each); divides `steps`. */
  evalEvery: z.number().int().min(1).max(10_000_000),
  /** Examples per step (the paper: 60). */
  batchSize: z.number().int().min(2).max(60000),
  /** Independent seeds; each trains one BN and one plain net on the same batches. */
  seeds: z.number().int().min(1).max(10),
  /** SGD learning rate (the paper does not give one; see README). */
  learningRate: z.number().positive().max(100),
  /** Standard deviation of the Gaussian initial weights ("small random Gaussian values"). */
  initStd: z.number().positive().max(10),
  /** Test digits evaluated (the first N of 10,000). */
  testExamples: z.number().int().min(100).max(10000),
});

/** Fractions of the run at which the ranking is checked (10%, 20%, 50%, 100% = the end). */
const CHECKPOINTS = [0.1, 0.2, 0.5, 1] as const;
const PCT = ['10pct', '20pct', '50pct', '100pct'] as const;
const pct = (f: number) => PCT[CHECKPOINTS.indexOf(f as (typeof CHECKPOINTS)[number])];

/** Pixels in [0, 1], [n, 784], and labels. */
function tensors(ds: ImageDataset, indices: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const b = takeBatch(ds, indices); // unit scale, [n, 28, 28, 1]
  return { x: tf.tensor2d(b.x, [b.shape[0], 784]), y: tf.tensor1d(b.y, 'int32') };
}

async function run(cfg: z.output<typeof config>, ctx: RunContext<z.output<typeof config>>) {
  if (cfg.steps % cfg.evalEvery !== 0) throw new RangeError(`steps (${cfg.steps}) must be a multiple of evalEvery (${cfg.evalEvery})`);
  const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
  const evaluations = cfg.steps / cfg.evalEvery;
  const seeds = Array.from({ length: cfg.seeds }, (_, s) => s);
  const init = { kind: 'normal' as const, std: cfg.initStd };
  // Per seed s: 'bn/s' and 'plain/s' from the same init seed, trained on the same batches.
  const models: Record<string, Mlp> = {};
  for (const s of seeds) for (const batchNorm of [true, false]) models[`${batchNorm ? 'bn' : 'plain'}/${s}`] = new Mlp({ batchNorm, weightInit: init }, { seed: ctx.seed * 1000 + s });
  const parameters = { bn: models['bn/0'].parameterCount(), plain: models['plain/0'].parameterCount() };
  const testSet = tensors(test, Array.from({ length: cfg.testExamples }, (_, i) => i));
  const accuracy = (net: Mlp): number => tf.tidy(() => countCorrect(net.apply(testSet.x), testSet.y).dataSync()[0]) / cfg.testExamples;

  try {
    const result = await trainSideBySide({
      ctx,
      models,
      optimizer: new SGD({ learningRate: cfg.learningRate }),
      epochs: evaluations,
      stepsPerEpoch: cfg.evalEvery,
      label: `${2 * cfg.seeds} MLPs`,
      // Per evaluation interval and seed: a fresh permutation of the 60,000 digits (drawn from the
      // global generator, so --resume replays it), cut into batches of 60.
      *batches() {
        const need = cfg.evalEvery * cfg.batchSize;
        const orders = seeds.map(() => {
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
          const batch: Record<string, { x: tf.Tensor2D; y: tf.Tensor1D }> = {};
          for (const s of seeds) batch[`bn/${s}`] = batch[`plain/${s}`] = tensors(train, orders[s].subarray(step * cfg.batchSize, (step + 1) * cfg.batchSize));
          yield batch;
        }
      },
      evaluate: () => {
        const bn = seeds.map((s) => accuracy(models[`bn/${s}`]));
        const plain = seeds.map((s) => accuracy(models[`plain/${s}`]));
        const out: Record<string, number> = { 'test_accuracy/with BN (mean)': sampleMean(bn), 'test_accuracy/without BN (mean)': sampleMean(plain) };
        seeds.forEach((s) => ((out[`seeds/with BN, seed ${s}`] = bn[s]), (out[`seeds/without BN, seed ${s}`] = plain[s])));
        return out;
      },
    });
    // Rankings at fractions of the run, from the evaluation history.
    const at = (p: (typeof PCT)[number]) => result.history[Math.max(0, Math.round(CHECKPOINTS[PCT.indexOf(p)] * evaluations) - 1)].metrics;
    const accuracies = (p: (typeof PCT)[number], bn: boolean) => seeds.map((s) => at(p)[`seeds/with${bn ? '' : 'out'} BN, seed ${s}`]);
    // "Sooner": the first evaluation at which BN's mean accuracy reaches no-BN's final mean accuracy,
    // as a fraction of the run (2 when it never does).
    const plainFinal = sampleMean(accuracies('100pct', false));
    const reached = result.history.findIndex((h) => h.metrics['test_accuracy/with BN (mean)'] >= plainFinal);
    return {
      ...perKey('bn_worst_acc', PCT, (p) => Math.min(...accuracies(p, true))),
      ...perKey('plain_best_acc', PCT, (p) => Math.max(...accuracies(p, false))),
      ...perKey('bn_mean_acc', PCT, (p) => sampleMean(accuracies(p, true))),
      ...perKey('plain_mean_acc', PCT, (p) => sampleMean(accuracies(p, false))),
      bn_steps_to_plain_final_fraction: reached < 0 ? 2 : (reached + 1) / evaluations,
      bn_steps_to_plain_final: reached < 0 ? -1 : (reached + 1) * cfg.evalEvery,
      test_accuracy_bn: sampleMean(accuracies('100pct', true)),
      test_accuracy_plain: plainFinal,
      steps: result.steps,
      parameters_bn: parameters.bn,
      parameters_plain: parameters.plain,
    };
  } finally {
    tf.dispose([testSet.x, testSet.y]);
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
    better: `bn_worst_acc_${pct(f)}` as const,
    worse: `plain_best_acc_${pct(f)}` as const,
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

export default defineReproduction({
  id: 'batchnorm-mnist',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift', authors: ['S. Ioffe', 'C. Szegedy'], year: 2015, venue: 'ICML 2015 (PMLR 37)', url: 'https://arxiv.org/abs/1502.03167' },
  claims: [
    ...rankingClaims(['full'], FULL_MARGINS, ''),
    ...rankingClaims(['smoke'], SMOKE_MARGINS, ' (smoke: 1,000 of the 50,000 steps)'),
    { id: 'bn-sooner', kind: 'threshold', what: 'fraction of the run BN needs to reach the final test accuracy of the net without BN', label: 'BN reaches no-BN’s final accuracy after', source: '§4.1, Fig. 1(a) ("higher test accuracy … sooner")', metric: 'bn_steps_to_plain_final_fraction', threshold: SOONER_FRACTION, direction: 'below', tiers: ['smoke', 'full'], format: 'percent' },
    { id: 'bn-params', kind: 'exact', what: 'BN replaces each hidden bias by a scale and a shift: 300 more parameters than the 784-100-100-100-10 MLP (99,710): 100,010', source: '§3.2', metric: 'parameters_bn', expected: 100_010, tiers: ['smoke', 'full'], format: 'integer' },
  ],
  config,
  tiers: {
    smoke: {
      config: { steps: 1000, evalEvery: 100 },
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
