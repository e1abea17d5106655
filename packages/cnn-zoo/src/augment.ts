/**
 * Image preprocessing of the CNN papers, on plain Float32Arrays in NHWC layout (before they become
 * tensors), with randomness from a generator the caller passes — @paperzoo/tensor's `random` in an app,
 * so a seeded run and its `--resume` draw the same crops and flips.
 *
 * - {@link padCropFlip}: He et al. 2016, §4.2 (CIFAR-10): "4 pixels are padded on each side, and a
 *   32×32 crop is randomly sampled from the padded image or its horizontal flip" — the "C10+"
 *   augmentation of ResNet, DenseNet and most CIFAR papers since (NiN's Table 1 "with augmentation"
 *   uses translations and flips too).
 * - {@link downsample}: averages s×s blocks (a box filter), for smaller inputs in scaled-down runs.
 */

/** A uniform number in [0, 1). */
export type UniformSource = () => number;

/**
 * Random crop of the zero-padded image and random horizontal flip, per image.
 * x: [n, h, w, c] flattened; returns a new array of the same shape. Zero padding is in the units of
 * `x` (so normalise first if 0 should mean "mean colour", as ResNet's per-pixel-mean-subtracted input).
 */
export function padCropFlip(x: Float32Array, shape: readonly [number, number, number, number], pad: number, random: UniformSource): Float32Array {
  const [n, h, w, c] = shape;
  const out = new Float32Array(x.length);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const dy = Math.floor(random() * (2 * pad + 1)) - pad; // crop offset in [−pad, pad]
    const dx = Math.floor(random() * (2 * pad + 1)) - pad;
    const flip = random() < 0.5;
    const base = i * size;
    for (let r = 0; r < h; r++) {
      const sr = r + dy;
      if (sr < 0 || sr >= h) continue; // padded row: stays 0
      for (let col = 0; col < w; col++) {
        const cc = flip ? w - 1 - col : col;
        const sc = cc + dx;
        if (sc < 0 || sc >= w) continue;
        const src = base + (sr * w + sc) * c;
        const dst = base + (r * w + col) * c;
        for (let k = 0; k < c; k++) out[dst + k] = x[src + k];
      }
    }
  }
  return out;
}

/** Average s×s blocks: [n, h, w, c] → [n, h/s, w/s, c] (h, w divisible by s). */
export function downsample(x: Float32Array, shape: readonly [number, number, number, number], s: number): { x: Float32Array; shape: [number, number, number, number] } {
  const [n, h, w, c] = shape;
  if (h % s || w % s) throw new RangeError(`downsample: ${h}×${w} is not divisible by ${s}`);
  const oh = h / s;
  const ow = w / s;
  const out = new Float32Array(n * oh * ow * c);
  const inv = 1 / (s * s);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < oh; r++) {
      for (let col = 0; col < ow; col++) {
        for (let k = 0; k < c; k++) {
          let sum = 0;
          for (let u = 0; u < s; u++) for (let v = 0; v < s; v++) sum += x[((i * h + r * s + u) * w + col * s + v) * c + k];
          out[((i * oh + r) * ow + col) * c + k] = sum * inv;
        }
      }
    }
  }
  return { x: out, shape: [n, oh, ow, c] };
}

/** Per-channel (x − mean)/std in place over [n, h, w, c] data; returns the array. */
export function normalizeChannels(x: Float32Array, channels: number, mean: readonly number[], std: readonly number[]): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const k = i % channels;
    x[i] = (x[i] - mean[k]) / std[k];
  }
  return x;
}
