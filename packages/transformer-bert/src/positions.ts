/**
 * Where a token is: the Transformer has no recurrence, so the order of the sequence enters through
 * position vectors added to the token embeddings (Vaswani et al. 2017, §3.5).
 */
import { tf, type Parameter, type ParameterStore, type Initializer } from '@paperzoo/tensor';

/**
 * The sinusoidal encoding of §3.5: for position pos and dimension pair i,
 *   PE(pos, 2i) = sin(pos / 10000^{2i/d}),   PE(pos, 2i+1) = cos(pos / 10000^{2i/d})
 * → [length, d] (a constant; computed in float64, rounded once).
 */
export function sinusoidalPositions(length: number, size: number): tf.Tensor2D {
  const values = new Float32Array(length * size);
  for (let pos = 0; pos < length; pos++) {
    for (let i = 0; 2 * i < size; i++) {
      const angle = pos / 10000 ** ((2 * i) / size);
      values[pos * size + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < size) values[pos * size + 2 * i + 1] = Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [length, size]);
}

/** Learned positions (§3.5 "learned positional embeddings … nearly identical results", Table 3 row E; GPT, BERT): a table [maxLength, d]. */
export class LearnedPositions {
  readonly table: Parameter;

  constructor(store: ParameterStore, readonly name: string, readonly maxLength: number, readonly size: number, init: Initializer) {
    this.table = store.add(`${name}/table`, [maxLength, size], init); // [maxLength, d]
  }

  /** The first `length` rows, [length, d]. */
  apply(length: number): tf.Tensor2D {
    if (length > this.maxLength) throw new RangeError(`${this.name}: a sequence of ${length} tokens is longer than the ${this.maxLength} positions this model has (raise maxLength / blockSize)`);
    return tf.slice(this.table.value as tf.Tensor2D, [0, 0], [length, this.size]);
  }
}
