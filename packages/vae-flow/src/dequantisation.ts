/**
 * Dequantisation and the units of a flow's likelihood — NICE (Dinh et al. 2014, §5.1): "we added a
 * uniform noise of 1/256 to the data and rescaled it to be in [0, 1]^D after dequantization":
 *
 *   x = (k + u) / 256,   k ∈ {0, …, 255} the pixel,  u ~ U(0, 1)
 *
 * NICE's 1980.50 (MNIST) is the log-density of such x in nats, summed over the D = 784 pixels. The
 * rescale by 1/256 has log |det| = −D log 256, so the same model's density of (k + u) ∈ [0, 256)^D is
 * lower by D log 256 (≈ 4347.4 nats for MNIST), and in bits per dimension (RealNVP's unit):
 *
 *   bits/dim = (NLL_[0,1] + D log 256) / (D log 2)
 */
import { tf, randomUniform, makeRng } from '@paperzoo/tensor';

/** log 256, the per-dimension Jacobian term of the [0, 256) → [0, 1] rescale (nats). */
export const LOG_256 = Math.log(256);

/** NLL of x = (k + u)/256 in nats → NLL of (k + u) ∈ [0, 256)^D in nats: + D log 256. */
export function nllOnByteScale(nllUnitScale: number, dims: number): number {
  return nllUnitScale + dims * LOG_256;
}

/** NLL of x in [0, 1]^D (nats, per example) → bits per dimension on the 256-level scale. */
export function bitsPerDim(nllUnitScale: number, dims: number): number {
  return nllOnByteScale(nllUnitScale, dims) / (dims * Math.LN2);
}

/**
 * Dequantised [0, 1] pixels for `count` images starting at `offset` (by example index list), noise from
 * the global generator: pixels uint8 [n·D] → x [n, D].
 */
export function dequantize(pixels: Uint8Array, dims: number, indices: ArrayLike<number>): tf.Tensor2D {
  const n = indices.length;
  const k = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) k.set(pixels.subarray(indices[i] * dims, (indices[i] + 1) * dims), i * dims);
  return tf.tidy(() => tf.div(tf.add(tf.tensor2d(k, [n, dims]), randomUniform([n, dims], 0, 1)), 256));
}

/** As {@link dequantize} but with noise from its own generator keyed by `seed` (a fixed test set; the global generator untouched). */
export function dequantizeFixed(pixels: Uint8Array, dims: number, start: number, count: number, seed: number | string): tf.Tensor2D {
  const rng = makeRng(`dequantize:${seed}:${start}`);
  const x = new Float32Array(count * dims);
  for (let i = 0; i < count * dims; i++) x[i] = (pixels[start * dims + i] + rng()) / 256;
  return tf.tensor2d(x, [count, dims]);
}
