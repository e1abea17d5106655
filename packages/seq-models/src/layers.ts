/**
 * The two non-recurrent layers every sequence model here uses: an embedding table and a linear map.
 * Both take the model's {@link ParameterStore} (docs/style.md §13), so their weights get the model's
 * seeded initialisation, names and checkpoints.
 */
import { tf, type Initializer, type Parameter, type ParameterStore } from '@paperzoo/tensor';

/**
 * Token embedding (Bengio et al. 2003, "A Neural Probabilistic Language Model", §2: the matrix C of
 * word feature vectors): ids [...] → vectors [..., size]. Default init N(0, 1), as torch.nn.Embedding.
 */
export class Embedding {
  readonly table: Parameter;

  constructor(store: ParameterStore, readonly name: string, readonly vocabSize: number, readonly size: number, init: Initializer = { kind: 'normal', std: 1 }) {
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`${name}: vocabSize must be a positive integer, got ${vocabSize}`);
    this.table = store.add(`${name}/table`, [vocabSize, size], init); // [V, size]
  }

  /** ids [...] (int32) → [..., size]. */
  apply(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = tf.gather(this.table.value, tf.reshape(ids, [-1])); // [n, size]
      return tf.reshape(flat, [...ids.shape, this.size]);
    });
  }
}

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Weight init; default U(±1/√in), as torch.nn.Linear (its kaiming_uniform with a = √5). */
  init?: Initializer;
  /** Bias init; default U(±1/√in), as torch.nn.Linear. */
  biasInit?: Initializer;
  /** Add a bias (default true). */
  bias?: boolean;
}

/** y = x·W + b: [B, in] → [B, out], W [in, out]. */
export class Linear {
  readonly kernel: Parameter;
  readonly bias: Parameter | null;

  constructor(store: ParameterStore, readonly name: string, readonly inUnits: number, readonly outUnits: number, options: LinearOptions = {}) {
    const torchDefault: Initializer = { kind: 'uniform', limit: 1 / Math.sqrt(inUnits) };
    this.kernel = store.add(`${name}/kernel`, [inUnits, outUnits], options.init ?? torchDefault); // [in, out]
    this.bias = options.bias === false ? null : store.add(`${name}/bias`, [outUnits], options.biasInit ?? torchDefault); // [out]
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const y: tf.Tensor2D = tf.matMul(x, this.kernel.value); // [B, out]
      return this.bias ? tf.add<tf.Tensor2D>(y, this.bias.value) : y;
    });
  }
}
