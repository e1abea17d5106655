/**
 * MAML on Omniglot 5-way 1-shot — C. Finn, P. Abbeel, S. Levine, "Model-Agnostic Meta-Learning for Fast
 * Adaptation of Deep Networks", ICML 2017, §5.2, Table 1 and App. A.1; beside it first-order MAML (§5.2)
 * and Reptile (Nichol, Achiam & Schulman 2018, Algorithm 2) at the same budget.
 * https://arxiv.org/abs/1703.03400
 *
 * The authors' code (cbfinn/maml, usage line `--datasource=omniglot --metatrain_iterations=60000
 * --meta_batch_size=32 --update_batch_size=1 --update_lr=0.4 --num_updates=1`): 5-way tasks with 1 support
 * and 1 query image per class, meta-batch 32, one inner step of α = 0.4 on Σ cross-entropy / K, Adam 1e-3;
 * the strided 4-block conv net with batch norm on the batch's statistics (at test too); tested on 600
 * tasks of unseen characters after 3 steps (App. A.1). Here the characters come from the Vinyals et al.
 * split with its 90° rotations as classes (the code: 1,200 random training characters, random rotations),
 * resized to 28×28 by nearest neighbour (the code asks PIL for LANCZOS, but PIL resizes 1-bit images —
 * Omniglot's PNGs — by nearest neighbour whatever is asked).
 */
import { defineReproduction, sweep, type FitContext, type JsonValue, z } from '@paperzoo/repro';
import { seed } from '@paperzoo/tensor';
import { loadOmniglotFewShot, type OmniglotFewShot } from '@paperzoo/datasets';
import { ConvEncoder, evaluateFewShot, trainFewShot, type FewShotAlgorithm } from '@paperzoo/meta-learning';

const ALGORITHMS = ['maml', 'fomaml', 'reptile'] as const;
const config = z.object({
  /** Algorithms to train (each from the same initialisation). */ algorithms: z.array(z.enum(ALGORITHMS)).min(1).max(3),
  /** N-way (5). */ ways: z.number().int().min(2).max(60),
  /** K-shot (1); query images per class at training and test = K, as the code. */ shots: z.number().int().min(1).max(10),
  /** Tasks per meta-update (32). */ metaBatch: z.number().int().min(1).max(256),
  /** Meta-iterations (the code's usage line: 60,000). */ iterations: z.number().int().min(1).max(1_000_000),
  /** Iterations per epoch (progress, checkpoints). */ iterationsPerEpoch: z.number().int().min(1).max(100_000),
  /** Inner steps at training time (1). */ innerSteps: z.number().int().min(1).max(10),
  /** Inner step size α (0.4). */ innerLearningRate: z.number().positive().max(10),
  /** Adam's step size (1e-3). */ metaLearningRate: z.number().positive().max(1),
  /** Reptile: inner SGD steps per task (its Omniglot setting: 5). */ reptileInnerSteps: z.number().int().min(1).max(100),
  /** Reptile: inner step size. */ reptileInnerLearningRate: z.number().positive().max(10),
  /** Reptile: initial meta step size ε, annealed linearly to 0 (1). */ reptileStepSize: z.number().positive().max(10),
  /** Fine-tuning steps at test (App. A.1: 3). */ testSteps: z.number().int().min(1).max(50),
  /** Test tasks (600). */ testEpisodes: z.number().int().min(10).max(100_000),
});
type Config = z.infer<typeof config>;

type Measured = { trainLoss: number; accuracy: number[]; ci95: number[] } & { [key: string]: JsonValue };

async function trainAndTest(cfg: Config, algorithm: FewShotAlgorithm, data: { train: OmniglotFewShot; test: OmniglotFewShot }, fitCtx: FitContext, runSeed: number): Promise<Measured> {
  seed(runSeed);
  // the same initial weights for every algorithm (same name and seed)
  const encoder = new ConvEncoder({ variant: 'maml', classes: cfg.ways, seed: runSeed, name: 'conv4-maml-omniglot' });
  try {
    const reptile = algorithm === 'reptile';
    const trainLoss = await trainFewShot({
      ctx: fitCtx, encoder, train: data.train, algorithm, episode: { ways: cfg.ways, shots: cfg.shots, queries: cfg.shots }, metaBatch: cfg.metaBatch,
      iterations: cfg.iterations, iterationsPerEpoch: cfg.iterationsPerEpoch, innerSteps: reptile ? cfg.reptileInnerSteps : cfg.innerSteps,
      innerLearningRate: reptile ? cfg.reptileInnerLearningRate : cfg.innerLearningRate, metaLearningRate: cfg.metaLearningRate, reptileStepSize: cfg.reptileStepSize,
      label: algorithm, curve: `meta_loss/${algorithm}`,
    });
    const learningRate = reptile ? cfg.reptileInnerLearningRate : cfg.innerLearningRate;
    const { accuracy, ci95 } = evaluateFewShot(encoder, data.test, { ways: cfg.ways, shots: cfg.shots, queries: cfg.shots, episodes: cfg.testEpisodes, steps: cfg.testSteps, learningRate, seed: 'test' });
    return { trainLoss, accuracy, ci95 };
  } finally {
    encoder.dispose();
  }
}

export default defineReproduction({
  id: 'maml-omniglot',
  package: '@paperzoo/meta-learning',
  paper: { title: 'Model-Agnostic Meta-Learning for Fast Adaptation of Deep Networks', authors: ['Chelsea Finn', 'Pieter Abbeel', 'Sergey Levine'], year: 2017, venue: 'ICML', url: 'https://arxiv.org/abs/1703.03400' },
  config,
  tiers: {
    full: {
      config: { algorithms: ['maml', 'fomaml', 'reptile'], ways: 5, shots: 1, metaBatch: 32, iterations: 150, iterationsPerEpoch: 50, innerSteps: 1, innerLearningRate: 0.4, metaLearningRate: 1e-3, reptileInnerSteps: 5, reptileInnerLearningRate: 0.4, reptileStepSize: 1, testSteps: 3, testEpisodes: 600 },
      budget: 'a CPU tier: 150 meta-iterations of 32 tasks (1/400 of the paper\'s) for each of MAML, first-order MAML and Reptile; 600 test tasks',
      backend: 'native',
    },
    smoke: {
      config: { algorithms: ['maml'], metaBatch: 8, iterations: 40, iterationsPerEpoch: 20, testEpisodes: 100 },
      budget: '40 meta-iterations of 8 tasks (second-order MAML only); 100 test tasks; under a minute on 2 CPU cores (native)',
    },
    gpu: {
      config: { algorithms: ['maml'], iterations: 60_000, iterationsPerEpoch: 1000 },
      budget: 'the authors\' usage line: 60,000 meta-iterations of 32 tasks (second-order MAML): GPU-sized (README: measured time per iteration here)',
    },
  },
  async run(cfg, ctx) {
    const [train, test] = await Promise.all([loadOmniglotFewShot({ split: 'train' }), loadOmniglotFewShot({ split: 'test' })]);
    const results = await sweep<FewShotAlgorithm, Measured>({ ctx, members: cfg.algorithms, key: (a) => a, logCurves: () => true, run: (a, memberCtx) => trainAndTest(cfg, a, { train, test }, memberCtx, ctx.seed) });
    const get = (a: FewShotAlgorithm) => results.find((r) => r.member === a)?.result;
    const after = (a: FewShotAlgorithm) => get(a)?.accuracy[cfg.testSteps] ?? null;
    return {
      maml_accuracy: after('maml'), maml_accuracy_before: get('maml')?.accuracy[0] ?? null, maml_ci95: get('maml')?.ci95[cfg.testSteps] ?? null,
      maml_accuracy_1step: get('maml')?.accuracy[1] ?? null,
      fomaml_accuracy: after('fomaml'), reptile_accuracy: after('reptile'),
      first_order_gap: after('maml') !== null && after('fomaml') !== null ? after('maml')! - after('fomaml')! : null,
      curves: results.map((r) => `${r.member}: ${r.result.accuracy.map((a) => a.toFixed(4)).join(' ')}`).join(' | '),
    };
  },
  claims: [
    { id: 'maml-5way-1shot', kind: 'value', what: '5-way 1-shot accuracy on unseen characters after 3 fine-tuning steps (600 tasks)', label: '5-way 1-shot', format: 'percent',
      setting: '60,000 meta-iterations of 32 tasks', source: 'MAML Table 1: 98.7 ± 0.4%', metric: 'maml_accuracy', published: 0.987, tolerance: 0.008,
      note: 'tolerance: the paper\'s ±0.4 pp 95% interval and ours (±0.4 pp at 600 tasks) added', tiers: ['gpu'] },
    { id: 'adaptation-helps', kind: 'ranking', what: 'after 150 meta-iterations, 3 steps on one image per class lift 5-way accuracy far above the meta-learned initialisation\'s (chance: labels are permuted per task)', names: { better: 'after 3 steps', worse: 'before' },
      source: 'MAML §5.2 (the point of the method)', better: 'maml_accuracy', worse: 'maml_accuracy_before', betterIs: 'higher', margin: 0.4, tiers: ['full'] },
    { id: 'first-order-close', kind: 'threshold', what: 'second-order minus first-order MAML accuracy at equal budget (150 iterations)', label: 'second − first order', format: 'percent',
      source: 'MAML §5.2: first order "nearly the same" (MiniImagenet 48.07 vs 48.70%)', metric: 'first_order_gap', threshold: 0.03, direction: 'below',
      note: 'threshold: 3 pp, about three times the 95% interval of either mean at 600 tasks; set before the run', tiers: ['full'] },
    { id: 'smoke-adapts', kind: 'ranking', what: 'after 40 meta-iterations of 8 tasks, 3 steps on one image per class lift accuracy above the initialisation\'s', names: { better: 'after 3 steps', worse: 'before' },
      source: 'MAML §5.2 (scaled down)', better: 'maml_accuracy', worse: 'maml_accuracy_before', betterIs: 'higher', margin: 0.2, tiers: ['smoke'], note: 'margin: measured (README)' },
  ],
  plots: {},
});
