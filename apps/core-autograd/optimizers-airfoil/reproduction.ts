/**
 * Adam, Adagrad and RMSProp on the NASA airfoil data — A. Zhang, Z. C. Lipton, M. Li, A. J. Smola,
 * "Dive into Deep Learning", ch. "Optimization Algorithms" (d2l.ai, PyTorch edition),
 * https://d2l.ai/chapter_optimization/index.html: the chapter's testbed (`get_data_ch11`,
 * `train_ch11`): linear regression on the first 1,500 standardised rows, loss (ŷ − y)²/2 over
 * minibatches of 10, two epochs, the reported loss the mean over all rows after the last step.
 * Replica r: every optimizer starts from the same w and sees the same shuffles (compareOptimizers).
 */
import { tf, randomInt, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { comparison, compareOptimizers, defineReproduction, sampleMean, sampleStandardDeviation, z } from '@paperzoo/repro';
import { Adagrad, Adam, LinearRegression, RMSProp } from '@paperzoo/core-autograd';
import { loadAirfoil } from '@paperzoo/datasets';

const configSchema = z.object({
  /** Rows used, the first N of the 1,503 (d2l: 1,500). */
  rows: z.number().int().min(10).max(1503),
  /** Examples per minibatch (d2l: 10). */
  batchSize: z.number().int().min(1).max(1503),
  /** Passes over the rows (d2l: 2). */
  epochs: z.number().int().min(1).max(1000),
  /** Independent runs per optimizer (fresh init and shuffles each); the claims judge their mean. */
  replicas: z.number().int().min(1).max(10000),
  /** ε of all three optimizers (d2l's from-scratch code: 1e-6). */
  epsilon: z.number().positive().max(1),
  /** Adam's η (d2l: 0.01; β₁ = 0.9, β₂ = 0.999). */
  adamLearningRate: z.number().positive().max(10),
  /** Adagrad's η (d2l: 0.1). */
  adagradLearningRate: z.number().positive().max(10),
  /** RMSProp's η (d2l: 0.01). */
  rmspropLearningRate: z.number().positive().max(10),
  /** RMSProp's γ, the decay of the mean square (d2l: 0.9). */
  rmspropGamma: z.number().gt(0).lt(1),
});

const NOTE = "d2l prints one run (its value moves by a few thousandths between builds); we judge the mean over independent runs. ±0.01 is the brief's tolerance, several times the spread of that mean (README).";
const claim = (name: 'adam' | 'adagrad' | 'rmsprop', label: string, setting: string, published: number) =>
  ({ id: `${name}-loss`, kind: 'value', what: `training loss of linear regression on the airfoil data after 2 epochs of ${label} (${setting}, batch 10)`, label: `${label} training loss`, setting, source: `§ ${label}, from-scratch implementation`, metric: `${name}_loss`, published, tolerance: 0.01, tiers: ['smoke', 'full'], digits: 3, note: NOTE }) as const;

export default defineReproduction({
  id: 'optimizers-airfoil',
  package: '@paperzoo/core-autograd',
  paper: {
    title: 'Dive into Deep Learning, ch. Optimization Algorithms (Adagrad, RMSProp, Adam sections)',
    authors: ['A. Zhang', 'Z. C. Lipton', 'M. Li', 'A. J. Smola'],
    year: 2023,
    venue: 'Cambridge University Press / d2l.ai',
    url: 'https://d2l.ai/chapter_optimization/index.html',
  },
  config: configSchema,
  claims: [claim('adam', 'Adam', 'η = 0.01', 0.245), claim('adagrad', 'Adagrad', 'η = 0.1', 0.243), claim('rmsprop', 'RMSProp', 'η = 0.01, γ = 0.9', 0.242)],
  tiers: {
    full: {
      config: { rows: 1500, batchSize: 10, epochs: 2, replicas: 50, epsilon: 1e-6, adamLearningRate: 0.01, adagradLearningRate: 0.1, rmspropLearningRate: 0.01, rmspropGamma: 0.9 },
      budget: "the book's setup (2 epochs, batch 10) × 3 optimizers × 50 runs, under a minute on 2 CPU cores",
    },
    smoke: { config: { replicas: 10 }, budget: 'the same with 10 runs per optimizer, a few seconds on 2 CPU cores' },
  },
  plots: { loss: { title: 'training loss per minibatch (first run)', y: 'loss' } },
  async run(cfg, ctx) {
    const airfoil = await loadAirfoil(); // standardised with the mean/std of all 1,503 rows, as get_data_ch11
    const n = cfg.rows;
    const x = (idx: ArrayLike<number>) => tf.tensor2d(Float32Array.from(Array.from(idx).flatMap((r) => Array.from(airfoil.features.subarray(r * 5, r * 5 + 5)))), [idx.length, 5]);
    const y = (idx: ArrayLike<number>) => tf.tensor2d(Float32Array.from(idx, (r) => airfoil.targets[r]), [idx.length, 1]);
    const all = Array.from({ length: n }, (_, i) => i);
    const squaredLoss = (m: LinearRegression, bx: tf.Tensor, by: tf.Tensor) => tf.tidy(() => tf.mean<tf.Scalar>(tf.div(tf.square(tf.sub(m.apply(bx), by)), 2)));
    const replicaSeeds = Array.from({ length: cfg.replicas }, () => randomInt(2 ** 31));
    const only = (make: (lr: number) => Adam | Adagrad | RMSProp, lr: number) => ({ learningRates: [lr], make });
    const { loss: c } = await compareOptimizers(
      ctx,
      [comparison({
        name: 'loss',
        epochs: cfg.epochs,
        stepsPerEpoch: Math.ceil(n / cfg.batchSize),
        // d2l's DataLoader(shuffle=True): a fresh permutation every epoch, the last batch possibly short.
        *batches() {
          const order = shuffledIndicesFromGlobalRng(n);
          for (let s = 0; s < n; s += cfg.batchSize) yield { x: x(order.subarray(s, s + cfg.batchSize)), y: y(order.subarray(s, s + cfg.batchSize)) };
        },
        build(seed) {
          const m = new LinearRegression(5, 0.01, { seed }); // w ~ N(0, 0.01²), b = 0
          // d2l's evaluate_loss over the whole data_iter: the mean loss over all rows.
          const cost = () => tf.tidy(() => squaredLoss(m, x(all), y(all)).dataSync()[0]);
          return { variables: m.variables, loss: (b: { x: tf.Tensor; y: tf.Tensor }) => squaredLoss(m, b.x, b.y), cost, dispose: () => m.dispose() };
        },
      }, {
        adam: only((lr) => new Adam({ learningRate: lr, beta1: 0.9, beta2: 0.999, epsilon: cfg.epsilon }), cfg.adamLearningRate),
        adagrad: only((lr) => new Adagrad({ learningRate: lr, epsilon: cfg.epsilon }), cfg.adagradLearningRate),
        rmsprop: only((lr) => new RMSProp({ learningRate: lr, decay: cfg.rmspropGamma, epsilon: cfg.epsilon }), cfg.rmspropLearningRate),
      })],
      replicaSeeds,
    );
    const stats = (l: number[]) => ({ mean: sampleMean(l), sd: sampleStandardDeviation(l), min: Math.min(...l), max: Math.max(...l), first: l[0] });
    const [adam, adagrad, rmsprop] = [stats(c.costs.adam), stats(c.costs.adagrad), stats(c.costs.rmsprop)];
    ctx.info(`mean ± s.d. over ${cfg.replicas} runs: Adam ${adam.mean.toFixed(4)} ± ${adam.sd.toFixed(4)}, Adagrad ${adagrad.mean.toFixed(4)} ± ${adagrad.sd.toFixed(4)}, RMSProp ${rmsprop.mean.toFixed(4)} ± ${rmsprop.sd.toFixed(4)}`);
    return {
      adam_loss: adam.mean, adam_loss_sd: adam.sd, adam_loss_min: adam.min, adam_loss_max: adam.max, adam_loss_first: adam.first,
      adagrad_loss: adagrad.mean, adagrad_loss_sd: adagrad.sd, adagrad_loss_min: adagrad.min, adagrad_loss_max: adagrad.max, adagrad_loss_first: adagrad.first,
      rmsprop_loss: rmsprop.mean, rmsprop_loss_sd: rmsprop.sd, rmsprop_loss_min: rmsprop.min, rmsprop_loss_max: rmsprop.max, rmsprop_loss_first: rmsprop.first,
    };
  },
});
