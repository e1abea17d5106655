/**
 * The generator and discriminator PacGAN trains on the 2-D mixtures (Lin et al. 2018,
 * https://arxiv.org/abs/1712.04086, §5.1, "the same architecture as VEEGAN"), as the authors' code
 * builds them (github.com/fjxmlzn/PacGAN, synthetic_data_experiments/2DRing_GAN&PacGAN/pacgan_task.py
 * l. 42–95, sizes in config.py l. 15–24):
 *
 * - generator: z ∈ R² ~ N(0, I) → 4 hidden layers of 400 units, each linear (no bias) → batch norm →
 *   ReLU, then a linear output layer with bias → R²;
 * - discriminator: 3 maxout layers of 200 units × 5 pieces (I. Goodfellow et al., "Maxout Networks",
 *   ICML 2013, eq. 1), then a linear unit (a logit / score), input m·2 for PacGAN-m; no batch norm or
 *   dropout (the dropout graph is built but not used: pacgan_task.py l. 123–125);
 * - every weight ~ N(0, 0.02²), biases 0; batch norm's scale 1 and shift 0 (Blocks' defaults).
 *
 * Batch norm: training mode normalises with the batch statistics (S. Ioffe, C. Szegedy, ICML 2015,
 * Alg. 1; ε = 10⁻⁴, Blocks' default); the population statistics that sampling uses are running
 * averages p ← 0.95 p + 0.05 m (pacgan_task.py l. 149), kept as non-trainable state. `apply` with
 * `collect` records each layer's batch mean and variance; `updateStatistics` folds them in.
 *
 * Shapes: generator [n, 2] → [n, 2]; discriminator [n, m·2] → [n, 1].
 */
import { Module, batchNormTraining, tf, type ModuleOptions } from '@paperzoo/tensor';

const BN_EPSILON = 1e-4;

export interface MixtureGeneratorOptions extends ModuleOptions {
  latent?: number;
  hidden?: number[];
  outputs?: number;
  /** Standard deviation of the initial weights (0.02). */
  initStd?: number;
  /** Weight of the newest batch in the running statistics (0.05). */
  momentum?: number;
}

/** Batch statistics recorded by a training-mode pass: per hidden layer, mean and variance [units]. */
export type BatchStatistics = { mean: tf.Tensor1D; variance: tf.Tensor1D }[];

export class MixtureGenerator extends Module {
  readonly hidden: number[];
  readonly momentum: number;

  constructor(options: MixtureGeneratorOptions = {}) {
    super('mixture-generator');
    const latent = options.latent ?? 2;
    this.hidden = options.hidden ?? [400, 400, 400, 400];
    this.momentum = options.momentum ?? 0.05;
    const init = { kind: 'normal' as const, std: options.initStd ?? 0.02 };
    let fanIn = latent;
    this.hidden.forEach((units, l) => {
      this.store.add(`h${l}/kernel`, [fanIn, units], init); // no bias: batch norm's shift replaces it
      this.store.add(`h${l}/gamma`, [units], { kind: 'ones' });
      this.store.add(`h${l}/beta`, [units], { kind: 'zeros' });
      this.store.add(`h${l}/running_mean`, [units], { kind: 'zeros' }, { trainable: false });
      this.store.add(`h${l}/running_variance`, [units], { kind: 'ones' }, { trainable: false });
      fanIn = units;
    });
    this.store.add('out/kernel', [fanIn, options.outputs ?? 2], init);
    this.store.add('out/bias', [options.outputs ?? 2], { kind: 'zeros' });
    this.build({ seed: options.seed });
  }

  private value(name: string): tf.Tensor {
    return this.store.get(name)!.value;
  }

  /**
   * z [n, latent] → x [n, 2]. Training mode uses batch statistics and, with `collect`, pushes copies
   * of them (kept out of any tidy) for {@link updateStatistics}; otherwise the running statistics.
   */
  apply(z: tf.Tensor2D, { training = false, collect }: { training?: boolean; collect?: BatchStatistics[] } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor2D = z;
      const stats: BatchStatistics = [];
      this.hidden.forEach((_units, l) => {
        const a = tf.matMul(h, this.value(`h${l}/kernel`));
        const gamma = this.value(`h${l}/gamma`);
        const beta = this.value(`h${l}/beta`);
        let y: tf.Tensor;
        if (training) {
          const r = batchNormTraining(a, gamma, beta, BN_EPSILON);
          y = r.y;
          if (collect) stats.push({ mean: tf.keep(tf.clone(r.mean)) as tf.Tensor1D, variance: tf.keep(tf.clone(r.variance)) as tf.Tensor1D });
        } else {
          y = tf.batchNorm(a, this.value(`h${l}/running_mean`), this.value(`h${l}/running_variance`), beta, gamma, BN_EPSILON);
        }
        h = tf.relu(y) as tf.Tensor2D;
      });
      if (collect) collect.push(stats);
      return tf.add<tf.Tensor2D>(tf.matMul(h, this.value('out/kernel')), this.value('out/bias'));
    });
  }

  /**
   * Fold recorded batch statistics into the running ones: p ← (1 − momentum) p + momentum · m̄, m̄ the
   * mean over the recorded passes (PacGAN-m's m generator calls; pacgan_task.py l. 129–149). Disposes them.
   */
  updateStatistics(recorded: BatchStatistics[]): void {
    if (recorded.length === 0) return;
    try {
      this.hidden.forEach((_u, l) => {
        for (const key of ['mean', 'variance'] as const) {
          const v = this.store.get(`h${l}/running_${key}`)!.variableOf();
          tf.tidy(() => {
            const m = tf.div(tf.addN(recorded.map((s) => s[l][key])), recorded.length);
            v.assign(tf.add(tf.mul(v, 1 - this.momentum), tf.mul(m, this.momentum)));
          });
        }
      });
    } finally {
      for (const s of recorded) for (const t of s) tf.dispose([t.mean, t.variance]);
    }
  }
}

export interface MixtureDiscriminatorOptions extends ModuleOptions {
  /** Input size: m·2 for PacGAN-m on 2-D data. */
  inputs?: number;
  hidden?: number[];
  pieces?: number;
  initStd?: number;
}

export class MixtureDiscriminator extends Module {
  readonly hidden: number[];
  readonly pieces: number;

  constructor(options: MixtureDiscriminatorOptions = {}) {
    super('maxout-discriminator');
    this.hidden = options.hidden ?? [200, 200, 200];
    this.pieces = options.pieces ?? 5;
    const init = { kind: 'normal' as const, std: options.initStd ?? 0.02 };
    let fanIn = options.inputs ?? 2;
    this.hidden.forEach((units, l) => {
      this.store.add(`h${l}/kernel`, [fanIn, units * this.pieces], init); // column j·units + i: piece j of unit i
      this.store.add(`h${l}/bias`, [units * this.pieces], { kind: 'zeros' });
      fanIn = units;
    });
    this.store.add('out/kernel', [fanIn, 1], init);
    this.store.add('out/bias', [1], { kind: 'zeros' });
    this.build({ seed: options.seed });
  }

  private value(name: string): tf.Tensor {
    return this.store.get(name)!.value;
  }

  /** x [n, m·2] → scores [n, 1] (logits for the GAN losses, raw scores for LSGAN and WGAN). */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x;
      this.hidden.forEach((_units, l) => {
        const z = tf.add<tf.Tensor2D>(tf.matMul(h, this.value(`h${l}/kernel`)), this.value(`h${l}/bias`));
        h = tf.split<tf.Tensor2D>(z, this.pieces, 1).reduce((a, b) => tf.maximum(a, b)); // max over the pieces
      });
      return tf.add<tf.Tensor2D>(tf.matMul(h, this.value('out/kernel')), this.value('out/bias'));
    });
  }
}
