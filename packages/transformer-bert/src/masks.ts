/**
 * Attention masks as additive biases on the scores q·kᵀ/√d_k (Vaswani et al. 2017, §3.2.3: "masking out
 * (setting to −∞) all values in the input of the softmax which correspond to illegal connections").
 * A masked position gets {@link MASKED} (−1e9, as the PyTorch tutorials' `masked_fill(mask == 0, -1e10)`
 * up to float32 range), so its softmax weight is exactly 0 in float32 while a row that is wholly masked
 * still has finite weights (−∞ would give NaN there). Masks add: causal + padding.
 */
import { tf } from '@paperzoo/tensor';

/** The bias of a masked score. exp(−1e9 − max) underflows to exactly 0 in float32. */
export const MASKED = -1e9;

/**
 * The causal ("look-ahead") mask of a decoder (§3.2.3): position i may attend to positions j ≤ i only.
 * → [1, 1, T, T]: 0 where j ≤ i, {@link MASKED} where j > i; broadcasts over [B, h, T, T] scores.
 */
export function causalMask(length: number): tf.Tensor4D {
  const bias = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) bias[i * length + j] = MASKED;
  return tf.tensor4d(bias, [1, 1, length, length]);
}

/**
 * The padding mask of keys: ids [B, T] → [B, 1, 1, T], {@link MASKED} where ids[b, t] = padId (no query
 * attends to a padding token), 0 elsewhere; broadcasts over [B, h, T_q, T].
 */
export function paddingMask(ids: tf.Tensor2D, padId: number): tf.Tensor4D {
  const [batch, length] = ids.shape;
  return tf.tidy(() => tf.reshape(tf.sub(0, tf.mul(tf.cast(tf.equal(ids, padId), 'float32'), -MASKED)), [batch, 1, 1, length])); // 0 − 0 = +0, not the −0 of 0·(−1e9)
}

/**
 * The padding mask from an explicit attention mask (BERT's `input_mask`): real [B, T], 1 for a real token and
 * 0 for padding → [B, 1, 1, T], {@link MASKED} on the padded keys, 0 elsewhere; broadcasts over [B, h, T_q, T].
 */
export function keyPaddingMask(real: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = real.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(real, 'float32')), MASKED), [batch, 1, 1, length]));
}
