/**
 * How a coupling layer splits its input into the part it conditions on (x_{I1}, passed through
 * unchanged) and the part it transforms (x_{I2}).
 *
 * - NICE (Dinh et al. 2014, §3.2, §5.1) splits a vector into its odd and even components and
 *   alternates the roles from one coupling layer to the next ("we exchange the role of the two
 *   subsets"): {@link parityPartition}.
 * - RealNVP (Dinh et al. 2016, https://arxiv.org/abs/1605.08803, §3.4, Fig. 3) uses binary masks b on
 *   images: a spatial checkerboard, or the first/second half of the channels; the coupling then reads
 *   b ⊙ x and changes only (1 − b) ⊙ x (eq. 9): {@link checkerboardPartition}, {@link channelPartition}.
 *
 * Both fit one interface: `split` gives the conditioning input and the tensor to transform; the
 * coupling's shift/scale pass through `restrict` (identity for a split; × (1 − b) for a mask, so the
 * masked-out part keeps shift 0 and log-scale 0); `merge` puts the halves back.
 */
import { tf } from '@paperzoo/tensor';

export interface Partition {
  /** x → { conditioning: x_{I1} (or b ⊙ x), transformed: x_{I2} (or x) }. */
  split(x: tf.Tensor): { conditioning: tf.Tensor; transformed: tf.Tensor };
  /** A shift or log-scale shaped like `transformed`, zeroed where the input must pass unchanged. */
  restrict(h: tf.Tensor): tf.Tensor;
  /** The inverse of `split` applied to (conditioning, transformed'). */
  merge(conditioning: tf.Tensor, transformed: tf.Tensor): tf.Tensor;
}

/**
 * NICE's partition of x [batch, D] (D even): I1 = the components with index parity `parity`, I2 the
 * others; both halves are [batch, D/2].
 */
export function parityPartition(parity: 0 | 1): Partition {
  return {
    split(x) {
      const [batch, d] = x.shape;
      if (x.rank !== 2 || d % 2 !== 0) throw new RangeError(`parityPartition: needs [batch, D] with D even, got [${x.shape.join(', ')}]`);
      const pairs = tf.reshape(x, [batch, d / 2, 2]); // [batch, D/2, 2]: (even, odd) components
      const [even, odd] = tf.unstack(pairs, 2); // [batch, D/2] each
      return parity === 0 ? { conditioning: even, transformed: odd } : { conditioning: odd, transformed: even };
    },
    restrict: (h) => h,
    merge(conditioning, transformed) {
      const [even, odd] = parity === 0 ? [conditioning, transformed] : [transformed, conditioning];
      // concat of [batch, D/2, 1] halves = tf.stack(…, 2), without the Pack kernel native lacks (it fell back to cpu)
      return tf.reshape(tf.concat([tf.expandDims(even, 2), tf.expandDims(odd, 2)], 2), [even.shape[0], -1]); // [batch, D]
    },
  };
}

/** A mask partition from b [H, W, C] (1 = conditioning) for images x [batch, H, W, C]. */
export function maskPartition(mask: Float32Array, shape: readonly [number, number, number]): Partition {
  const b = () => tf.tensor3d(mask, [...shape]); // [H, W, C], created inside the caller's tidy
  return {
    split: (x) => ({ conditioning: tf.mul(x, b()), transformed: x }),
    restrict: (h) => tf.mul(h, tf.sub(1, b())),
    merge: (_conditioning, transformed) => transformed,
  };
}

/** RealNVP's checkerboard mask (Fig. 3 left): b[i, j, c] = 1 where (i + j) mod 2 = parity. */
export function checkerboardPartition(height: number, width: number, channels: number, parity: 0 | 1): Partition {
  const mask = new Float32Array(height * width * channels);
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) for (let c = 0; c < channels; c++) mask[(i * width + j) * channels + c] = (i + j) % 2 === parity ? 1 : 0;
  return maskPartition(mask, [height, width, channels]);
}

/** RealNVP's channel mask (Fig. 3 right): b = 1 on the first half of the channels (parity 0) or the second (parity 1). */
export function channelPartition(height: number, width: number, channels: number, parity: 0 | 1): Partition {
  if (channels % 2 !== 0) throw new RangeError(`channelPartition: needs an even channel count, got ${channels}`);
  const mask = new Float32Array(height * width * channels);
  for (let p = 0; p < height * width; p++) for (let c = 0; c < channels; c++) mask[p * channels + c] = (c < channels / 2) === (parity === 0) ? 1 : 0;
  return maskPartition(mask, [height, width, channels]);
}
