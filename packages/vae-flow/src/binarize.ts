/**
 * Binarised MNIST for Bernoulli decoders.
 *
 * Dynamic binarisation (Burda, Grosse & Salakhutdinov 2015, "Importance Weighted Autoencoders", §5,
 * https://arxiv.org/abs/1509.00519): every time a training digit is used, each pixel is redrawn as
 * x_i ~ Bernoulli(intensity_i), intensity = pixel / 255. The draws come from the global generator of
 * @paperzoo/tensor (`nextSeed`), so a run's seed fixes them and a resumed run redraws the same ones.
 * The test set is binarised once, with a fixed seed of its own ({@link binarizeOnce}), so every model is
 * evaluated on the same binary digits.
 */
import { makeRng, nextSeed, tf } from '@paperzoo/tensor';

/** Grey pixels (uint8, 0–255) of the images `indices` as intensities in [0, 1]: [indices.length · size]. */
export function unitIntensities(pixels: Uint8Array, size: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * size;
    for (let j = 0; j < size; j++) out[i * size + j] = pixels[from + j] / 255;
  }
  return out;
}

/**
 * x ~ Bernoulli(p) elementwise, drawn from the global generator: p [n, d] in [0, 1] → [n, d] of 0/1,
 * as step(p − u), u ~ U(0, 1): one float32 kernel, the same draws as `cast(less(u, p))` (p − u > 0 exactly
 * when p > u). (Written so when the native backend's bool→float32 cast kept uint8 storage, which made every
 * matmul after it ~150× slower; tensor-native now has its own Cast kernel.)
 */
export function dynamicBinarize(p: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.step(tf.sub(p, tf.randomUniform(p.shape, 0, 1, 'float32', nextSeed()))));
}

/** A fixed binarisation (the test set's): x_i = 1 when u_i < pixel_i / 255, u from a generator seeded by `seed`. */
export function binarizeOnce(pixels: Uint8Array, seed: number | string): Float32Array {
  const rng = makeRng(`binarize:${seed}`);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = rng() < pixels[i] / 255 ? 1 : 0;
  return out;
}

/** logit of each pixel's mean intensity over `data` [n, size], clipped to [10⁻³, 1 − 10⁻³]: a Bernoulli output bias. [size] */
export function meanLogit(data: Float32Array, size: number): Float32Array {
  const sum = new Float64Array(size);
  for (let i = 0; i < data.length; i++) sum[i % size] += data[i];
  return Float32Array.from(sum, (s) => {
    const p = Math.min(0.999, Math.max(0.001, s / (data.length / size)));
    return Math.log(p / (1 - p));
  });
}
