/**
 * Plain loops over typed arrays, shared by the wasm kernels (which run them on views of the wasm heap)
 * and the cpu fixes (which run them on the cpu backend's arrays). Every loop here is NHWC
 * (`channelsLast`), reads only its inputs and writes only its output, and is checked against the naive
 * float64 reference in ../../test/reference.ts.
 *
 * Geometry comes from tfjs' own `backend_util.computeConv2DInfo` / `computePool2DInfo`, so padding
 * ('same', 'valid', a number or explicit [[0,0],[t,b],[l,r],[0,0]]), strides, dilations and rounding
 * mean exactly what they mean in the forward kernels.
 */
import type { backend_util } from '@tensorflow/tfjs-core';

type Conv2DInfo = backend_util.Conv2DInfo;
type NumArray = Float32Array | Int32Array;

/**
 * For each pooling window, the flat index (b, r, c, ch) into x of its maximum: the first one in
 * row-major window order that is strictly greater than all before it, starting from −∞ (so a window of
 * negative values has a maximum; NaN never wins). -1 for a window that lies entirely in padding or
 * holds only NaN (its pooled value is then −∞). `argmax` has the pooled shape [batch, outHeight,
 * outWidth, channels].
 */
export function maxPoolArgmax(x: Float32Array, info: Conv2DInfo, argmax: Int32Array, pooled?: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const rowStride = inWidth * channels;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * rowStride;
    for (let yr = 0; yr < outHeight; yr++) {
      const rStart = yr * strideHeight - padTop;
      // the window's taps inside the image: wr = wrFrom, wrFrom + dilation, … < wrTo
      const wrFrom = rStart < 0 ? Math.ceil(-rStart / dilationHeight) * dilationHeight : 0;
      const wrTo = Math.min(effectiveFilterHeight, inHeight - rStart);
      for (let yc = 0; yc < outWidth; yc++) {
        const cStart = yc * strideWidth - padLeft;
        const wcFrom = cStart < 0 ? Math.ceil(-cStart / dilationWidth) * dilationWidth : 0;
        const wcTo = Math.min(effectiveFilterWidth, inWidth - cStart);
        const corner = xBatch + rStart * rowStride + cStart * channels;
        for (let ch = 0; ch < channels; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let wr = wrFrom; wr < wrTo; wr += dilationHeight) {
            const row = corner + wr * rowStride + ch;
            for (let wc = wcFrom; wc < wcTo; wc += dilationWidth) {
              const i = row + wc * channels;
              const v = x[i];
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          argmax[o + ch] = at;
          if (pooled) pooled[o + ch] = best;
        }
        o += channels;
      }
    }
  }
}

/** dx = the gradient of max-pooling: each window's dy goes to its argmax. dx must be zero on entry. */
export function maxPoolBackprop(x: Float32Array, dy: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
  const argmax = new Int32Array(dy.length);
  maxPoolArgmax(x, info, argmax);
  for (let i = 0; i < argmax.length; i++) {
    const at = argmax[i];
    if (at >= 0) dx[at] += dy[i];
  }
}

/**
 * dx = the gradient of average pooling as tfjs' forward AvgPool computes it: each output is the mean
 * of the window's elements that lie inside the input (padding is not counted, as in TensorFlow), so
 * each of them receives dy / count. dx must be zero on entry.
 */
export function avgPoolBackprop(dy: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * channels;
    for (let yr = 0; yr < outHeight; yr++) {
      const rStart = yr * strideHeight - padTop;
      for (let yc = 0; yc < outWidth; yc++) {
        const cStart = yc * strideWidth - padLeft;
        let count = 0;
        for (let wr = 0; wr < effectiveFilterHeight; wr += dilationHeight) {
          const r = rStart + wr;
          if (r < 0 || r >= inHeight) continue;
          for (let wc = 0; wc < effectiveFilterWidth; wc += dilationWidth) {
            const c = cStart + wc;
            if (c >= 0 && c < inWidth) count++;
          }
        }
        if (count > 0) {
          const scale = 1 / count;
          for (let wr = 0; wr < effectiveFilterHeight; wr += dilationHeight) {
            const r = rStart + wr;
            if (r < 0 || r >= inHeight) continue;
            for (let wc = 0; wc < effectiveFilterWidth; wc += dilationWidth) {
              const c = cStart + wc;
              if (c < 0 || c >= inWidth) continue;
              const base = xBatch + (r * inWidth + c) * channels;
              for (let ch = 0; ch < channels; ch++) dx[base + ch] += dy[o + ch] * scale;
            }
          }
        }
        o += channels;
      }
    }
  }
}

/**
 * out[s, ...] = Σ x[i, ...] over the i (flat over the leading `segmentIds.length` elements) whose
 * segment id is s. Ids outside [0, numSegments) are dropped, as in TensorFlow. out must be zero on entry.
 */
export function unsortedSegmentSum(x: NumArray, segmentIds: Int32Array, numSegments: number, out: NumArray): void {
  const inner = segmentIds.length === 0 ? 0 : x.length / segmentIds.length;
  for (let i = 0; i < segmentIds.length; i++) {
    const s = segmentIds[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) out[to + j] += x[from + j];
  }
}

/**
 * Every (output position, filter tap) pair of a convolution whose input position lies in the image:
 * visit(xBase, tap, dyBase) gets the flat offset of that input position's channels in x, the tap's
 * index fr·filterWidth + fc, and the flat offset of the output position's channels in dy.
 */
function forEachConvTap(info: Conv2DInfo, visit: (xBase: number, tap: number, dyBase: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, dilationHeight, dilationWidth, filterHeight, filterWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      for (let fr = 0; fr < filterHeight; fr++) {
        const r = yr * strideHeight - padTop + fr * dilationHeight;
        if (r < 0 || r >= inHeight) continue;
        for (let yc = 0; yc < outWidth; yc++) {
          const dyBase = ((b * outHeight + yr) * outWidth + yc) * outChannels;
          for (let fc = 0; fc < filterWidth; fc++) {
            const c = yc * strideWidth - padLeft + fc * dilationWidth;
            if (c < 0 || c >= inWidth) continue;
            visit(((b * inHeight + r) * inWidth + c) * inChannels, fr * filterWidth + fc, dyBase);
          }
        }
      }
    }
  }
}

/**
 * The filter gradient of a depthwise convolution: dW[r, c, d, q] = Σ x[b, r', c', d]·dy[b, y, x, d·m + q]
 * over the positions where filter tap (r, c) met input (r', c'). dW must be zero on entry.
 */
export function depthwiseFilterBackprop(x: Float32Array, dy: Float32Array, info: Conv2DInfo, dW: Float32Array): void {
  const { inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  forEachConvTap(info, (xBase, tap, dyBase) => {
    const wBase = tap * outChannels;
    for (let d = 0; d < inChannels; d++) {
      const xv = x[xBase + d];
      const k = d * multiplier;
      for (let q = 0; q < multiplier; q++) dW[wBase + k + q] += xv * dy[dyBase + k + q];
    }
  });
}

/**
 * The input gradient of a depthwise convolution: dx[b, r, c, d] = Σ dy[b, y, x, d·m + q]·W[fr, fc, d, q]
 * over the output positions and taps that read (r, c). dx must be zero on entry.
 */
export function depthwiseInputBackprop(dy: Float32Array, filter: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
  const { inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  forEachConvTap(info, (xBase, tap, dyBase) => {
    const wBase = tap * outChannels;
    for (let d = 0; d < inChannels; d++) {
      const k = d * multiplier;
      let acc = 0;
      for (let q = 0; q < multiplier; q++) acc += dy[dyBase + k + q] * filter[wBase + k + q];
      dx[xBase + d] += acc;
    }
  });
}

/**
 * The filter gradient of a convolution, dW[fr, fc, d1, d2] = Σ x[b, r, c, d1]·dy[b, y, x, d2] over the
 * positions where tap (fr, fc) met input (r, c). Accumulated in float64 (dW64, zero on entry, the
 * filter's size), like the stock cpu kernel's per-element sums; the caller rounds to float32.
 */
export function conv2dFilterBackprop(x: Float32Array, dy: Float32Array, info: Conv2DInfo, dW64: Float64Array): void {
  const { inChannels, outChannels } = info;
  forEachConvTap(info, (xBase, tap, dyBase) => {
    const wBase = tap * inChannels * outChannels;
    for (let d1 = 0; d1 < inChannels; d1++) {
      const xv = x[xBase + d1];
      if (xv === 0) continue;
      const row = wBase + d1 * outChannels;
      for (let d2 = 0; d2 < outChannels; d2++) dW64[row + d2] += xv * dy[dyBase + d2];
    }
  });
}
