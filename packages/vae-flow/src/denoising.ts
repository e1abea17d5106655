/**
 * The denoising autoencoder — P. Vincent, H. Larochelle, Y. Bengio, P.-A. Manzagol, "Extracting and
 * Composing Robust Features with Denoising Autoencoders", ICML 2008, §2.3 and eq. (3)–(4).
 * https://doi.org/10.1145/1390156.1390294
 *
 * Masking noise q_D(x̃ | x): a fixed number ν·d of the d components of each input, chosen at random, are
 * set to 0 (§2.3, "destroyed"); the rest are kept. The autoencoder maps the corrupted x̃ to a
 * reconstruction z = g(f(x̃)) and is trained to reconstruct the CLEAN x with the cross-entropy
 *   L_H(x, z) = −Σ_k [x_k log z_k + (1 − x_k) log(1 − z_k)],
 * averaged over the batch. Any encoder–decoder works; here the {@link DeepAutoencoder} of this package.
 */
import { nextSeed, tf } from '@paperzoo/tensor';
import type { AutoencoderParams, DeepAutoencoder } from './deep-autoencoder.js';

/**
 * x̃: x [N, d] with ⌊ν·d⌉ components of each row, chosen uniformly without replacement, set to 0. The
 * choice draws a seed from the global generator of @paperzoo/tensor.
 */
export function maskingNoise(x: tf.Tensor2D, fraction: number): tf.Tensor2D {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`maskingNoise: fraction must be in [0, 1], got ${fraction}`);
  const [n, d] = x.shape;
  const destroyed = Math.round(fraction * d);
  if (destroyed === 0) return x.clone();
  return tf.tidy(() => {
    // the `destroyed` smallest of d uniform keys per row are a uniform random subset of that size
    const keys = tf.randomUniform([n, d], 0, 1, 'float32', nextSeed()); // [N, d]
    const threshold = tf.topk(tf.neg(keys), destroyed).values.slice([0, destroyed - 1], [n, 1]); // −(the destroyed-th smallest key) [N, 1]
    const keep = tf.step(tf.add(keys, threshold)); // 1 where the key is above the destroyed-th smallest; float ops only (native's bool→float cast is slow in matMul)
    return tf.mul<tf.Tensor2D>(x, keep);
  });
}

/** The denoising loss of eq. (4): the cross-entropy between the clean x [N, d] and the reconstruction of its corrupted copy. */
export function denoisingLoss(model: DeepAutoencoder, x: tf.Tensor2D, fraction: number, params?: AutoencoderParams): tf.Scalar {
  return tf.tidy(() => {
    const corrupted = maskingNoise(x, fraction); // x̃ [N, d]
    const a = model.decodeLogits(model.encode(corrupted, params), params); // logits of z = g(f(x̃)) [N, d]
    return tf.div<tf.Scalar>(tf.sum(tf.sub(tf.softplus(a), tf.mul(x, a))), x.shape[0]); // L_H(x, z), against the clean x
  });
}
