/**
 * Output size and padding of a sliding window (convolution or pooling), with TensorFlow's rules —
 * the same numbers `tf.conv2d` and `tf.maxPool` use, so results line up element for element.
 *
 * With input size n, window k, stride s and dilation d (effective window k_eff = (k − 1)·d + 1):
 *   'valid':  out = ⌈(n − k_eff + 1)/s⌉,  no padding;
 *   'same':   out = ⌈n/s⌉, total padding p = max(0, (out − 1)·s + k_eff − n), before = ⌊p/2⌋, after = p − before;
 *   explicit: out = ⌊(n + before + after − k_eff)/s⌋ + 1.
 */

/**
 * How to pad a sliding window: 'same', 'valid', one number for every side, `[[top, bottom], [left, right]]`,
 * or tfjs's NHWC form `[[0, 0], [top, bottom], [left, right], [0, 0]]`.
 */
export type Padding = 'same' | 'valid' | number | [[number, number], [number, number]] | [[number, number], [number, number], [number, number], [number, number]];

/** One number for both spatial axes, or [height, width]. */
export type Pair = number | [number, number];

export interface WindowGeometry {
  outHeight: number;
  outWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** [height, width] of a {@link Pair}. */
export function pair(p: Pair, what: string): [number, number] {
  const [a, b] = typeof p === 'number' ? [p, p] : p;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < 1) throw new RangeError(`${what} must be positive integers, got ${String(p)}`);
  return [a, b];
}

function along(n: number, k: number, s: number, d: number, pad: 'same' | 'valid' | [number, number]): [number, number, number] {
  const kEff = (k - 1) * d + 1;
  if (pad === 'valid') return [Math.ceil((n - kEff + 1) / s), 0, 0];
  if (pad === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max(0, (out - 1) * s + kEff - n);
    const before = Math.floor(total / 2);
    return [out, before, total - before];
  }
  const [before, after] = pad;
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) throw new RangeError(`padding must be non-negative integers, got [${before}, ${after}]`);
  return [Math.floor((n + before + after - kEff) / s) + 1, before, after];
}

/** The output size and the padding on each side for an input of [height, width]. */
export function windowGeometry(inHeight: number, inWidth: number, window: [number, number], strides: [number, number], dilations: [number, number], pad: Padding): WindowGeometry {
  let padH: 'same' | 'valid' | [number, number];
  let padW: 'same' | 'valid' | [number, number];
  if (pad === 'same' || pad === 'valid') {
    padH = padW = pad;
  } else if (typeof pad === 'number') {
    padH = padW = [pad, pad];
  } else if (pad.length === 2) {
    [padH, padW] = pad;
  } else if (pad.length === 4) {
    [, padH, padW] = pad;
  } else {
    throw new RangeError(`unknown padding ${JSON.stringify(pad)}`);
  }
  const [outHeight, top, bottom] = along(inHeight, window[0], strides[0], dilations[0], padH);
  const [outWidth, left, right] = along(inWidth, window[1], strides[1], dilations[1], padW);
  if (outHeight < 1 || outWidth < 1) {
    throw new RangeError(`window ${window.join('×')} does not fit the ${inHeight}×${inWidth} input with padding ${JSON.stringify(pad)}`);
  }
  return { outHeight, outWidth, top, bottom, left, right };
}
