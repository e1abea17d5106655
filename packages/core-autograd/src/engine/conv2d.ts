/**
 * 2-D convolution, NHWC, with stride, dilation and 'same' / 'valid' / explicit padding — the
 * shared-weight layer of LeCun et al.
 *
 * Y. LeCun, B. Boser, J. S. Denker, D. Henderson, R. E. Howard, W. Hubbard, L. D. Jackel,
 * "Backpropagation Applied to Handwritten Zip Code Recognition", Neural Computation 1(4), 1989,
 * https://doi.org/10.1162/neco.1989.1.4.541, §5 (weight sharing: the gradient of a shared weight is
 * the sum of the gradients of its copies). With x [N, H, W, C], w [kh, kw, C, F] and padding top/left:
 *
 *   y[n, i, j, f] = Σ_{u, v, c} x[n, i·sh + u·dh − top, j·sw + v·dw − left, c] · w[u, v, c, f]
 *
 *   ∂E/∂w[u, v, c, f] = Σ_{n, i, j} ∂E/∂y[n, i, j, f] · x[n, i·sh + u·dh − top, j·sw + v·dw − left, c]
 *   ∂E/∂x[n, p, q, c] = Σ over the (i, j, u, v, f) that read it of ∂E/∂y[n, i, j, f] · w[u, v, c, f]
 *
 * (taps that fall in the padding read 0 and pass no gradient). Naive loops in float64: slow, but an
 * independent reference for every backend's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter.
 */
import { type Pair, type Padding, pair, windowGeometry } from './padding.js';
import { Tensor } from './tensor.js';

export interface Conv2dOptions {
  /** Step of the window, [height, width] or one number (default 1). */
  strides?: Pair;
  /** 'same' | 'valid' | number | [[top, bottom], [left, right]] (default 'valid'). */
  pad?: Padding;
  /** Spacing of the filter taps (default 1: a plain convolution). */
  dilations?: Pair;
}

/** x [N, H, W, C] ⊛ filter [kh, kw, C, F] → [N, outH, outW, F]. */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  if (x.rank !== 4 || filter.rank !== 4 || x.shape[3] !== filter.shape[2]) {
    throw new RangeError(`conv2d: input [${x.shape.join(', ')}] (NHWC) and filter [${filter.shape.join(', ')}] ([kh, kw, C, F]) do not match`);
  }
  const [sh, sw] = pair(options.strides ?? 1, 'strides');
  const [dh, dw] = pair(options.dilations ?? 1, 'dilations');
  const [batch, height, width, channels] = x.shape;
  const [kh, kw, , filters] = filter.shape;
  const { outHeight, outWidth, top, left } = windowGeometry(height, width, [kh, kw], [sh, sw], [dh, dw], options.pad ?? 'valid');

  const xAt = (n: number, p: number, q: number) => ((n * height + p) * width + q) * channels;
  const wAt = (u: number, v: number) => (u * kw + v) * channels * filters;
  const yAt = (n: number, i: number, j: number) => ((n * outHeight + i) * outWidth + j) * filters;

  /** Visit every (output position, filter tap) pair that reads a real (not padded) input pixel. */
  const forEachTap = (visit: (xBase: number, wBase: number, yBase: number) => void) => {
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++) {
          const yBase = yAt(n, i, j);
          for (let u = 0; u < kh; u++) {
            const p = i * sh + u * dh - top;
            if (p < 0 || p >= height) continue;
            for (let v = 0; v < kw; v++) {
              const q = j * sw + v * dw - left;
              if (q < 0 || q >= width) continue;
              visit(xAt(n, p, q), wAt(u, v), yBase);
            }
          }
        }
      }
    }
  };

  const data = new Float64Array(batch * outHeight * outWidth * filters); // [N, outH, outW, F]
  forEachTap((xBase, wBase, yBase) => {
    for (let c = 0; c < channels; c++) {
      const xv = x.data[xBase + c];
      const wRow = wBase + c * filters;
      for (let f = 0; f < filters; f++) data[yBase + f] += xv * filter.data[wRow + f];
    }
  });

  return Tensor.fromOp(data, [batch, outHeight, outWidth, filters], [x, filter], 'conv2d', (out) => {
    const g = out.grad;
    forEachTap((xBase, wBase, yBase) => {
      for (let c = 0; c < channels; c++) {
        const xv = x.data[xBase + c];
        const wRow = wBase + c * filters;
        let gx = 0;
        for (let f = 0; f < filters; f++) {
          gx += g[yBase + f] * filter.data[wRow + f];
          filter.grad[wRow + f] += g[yBase + f] * xv;
        }
        x.grad[xBase + c] += gx;
      }
    });
  });
}
