/**
 * Max and average pooling, NHWC, with stride and 'same' / 'valid' / explicit padding.
 *
 * Average pooling is the subsampling layer of LeCun et al. 1989/1998; max pooling as in
 * M. Ranzato, F. J. Huang, Y.-L. Boureau, Y. LeCun, "Unsupervised Learning of Invariant Feature
 * Hierarchies with Applications to Object Recognition", CVPR 2007, https://doi.org/10.1109/CVPR.2007.383157.
 * For each window W(i, j) of real (not padded) input positions:
 *
 *   max: y = max_{(p,q)∈W} x[p, q]          ∂E/∂x[p*, q*] += ∂E/∂y at the (first) maximum only
 *   avg: y = (1/|W|) Σ_{(p,q)∈W} x[p, q]    ∂E/∂x[p, q]  += ∂E/∂y / |W| for every (p, q) ∈ W
 *
 * Padded positions are not part of the window: they never win a max and are not counted in |W|
 * (TensorFlow's forward semantics). The backward pass follows the same |W|.
 */
import { type Pair, type Padding, pair, windowGeometry } from './padding.js';
import { Tensor } from './tensor.js';

export interface PoolOptions {
  /** Window size, [height, width] or one number. */
  filterSize: Pair;
  /** Step of the window (default: the window size). */
  strides?: Pair;
  /** 'same' | 'valid' | number | [[top, bottom], [left, right]] (default 'valid'). */
  pad?: Padding;
}

interface Windows {
  /** [N, outH, outW, C]. */
  shape: number[];
  /** Visit each output pixel: the flat index of its channel 0, and those of the real input pixels of its window. */
  forEach(visit: (outBase: number, inBases: number[], channels: number) => void): void;
}

function windows(x: Tensor, options: PoolOptions, what: string): Windows {
  if (x.rank !== 4) throw new RangeError(`${what}: input must be NHWC (rank 4), got [${x.shape.join(', ')}]`);
  const [fh, fw] = pair(options.filterSize, 'filterSize');
  const [sh, sw] = pair(options.strides ?? options.filterSize, 'strides');
  const [batch, height, width, channels] = x.shape;
  const g = windowGeometry(height, width, [fh, fw], [sh, sw], [1, 1], options.pad ?? 'valid');
  if (g.top >= fh || g.bottom >= fh || g.left >= fw || g.right >= fw) {
    throw new RangeError(`${what}: padding ${JSON.stringify(options.pad)} is as large as the ${fh}×${fw} window, so some windows hold no input`);
  }
  return {
    shape: [batch, g.outHeight, g.outWidth, channels],
    forEach(visit) {
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < g.outHeight; i++) {
          for (let j = 0; j < g.outWidth; j++) {
            const inBases: number[] = [];
            for (let u = 0; u < fh; u++) {
              const p = i * sh + u - g.top;
              if (p < 0 || p >= height) continue;
              for (let v = 0; v < fw; v++) {
                const q = j * sw + v - g.left;
                if (q >= 0 && q < width) inBases.push(((n * height + p) * width + q) * channels);
              }
            }
            visit(((n * g.outHeight + i) * g.outWidth + j) * channels, inBases, channels);
          }
        }
      }
    },
  };
}

/** Max pooling: x [N, H, W, C] → [N, outH, outW, C]. */
export function maxPool(x: Tensor, options: PoolOptions): Tensor {
  const w = windows(x, options, 'maxPool');
  const data = new Float64Array(w.shape.reduce((a, b) => a * b, 1)); // [N, outH, outW, C]
  const argmax = new Int32Array(data.length); // flat input index of each output's maximum
  w.forEach((outBase, inBases, channels) => {
    for (let c = 0; c < channels; c++) {
      let best = -Infinity;
      let at = inBases[0] + c;
      for (const base of inBases) {
        if (x.data[base + c] > best) {
          best = x.data[base + c];
          at = base + c;
        }
      }
      data[outBase + c] = best;
      argmax[outBase + c] = at;
    }
  });
  return Tensor.fromOp(data, w.shape, [x], 'maxPool', (out) => {
    for (let k = 0; k < data.length; k++) x.grad[argmax[k]] += out.grad[k];
  });
}

/** Average pooling over the real (unpadded) positions of each window: x [N, H, W, C] → [N, outH, outW, C]. */
export function avgPool(x: Tensor, options: PoolOptions): Tensor {
  const w = windows(x, options, 'avgPool');
  const data = new Float64Array(w.shape.reduce((a, b) => a * b, 1)); // [N, outH, outW, C]
  w.forEach((outBase, inBases, channels) => {
    for (let c = 0; c < channels; c++) {
      let total = 0;
      for (const base of inBases) total += x.data[base + c];
      data[outBase + c] = total / inBases.length;
    }
  });
  return Tensor.fromOp(data, w.shape, [x], 'avgPool', (out) => {
    w.forEach((outBase, inBases, channels) => {
      for (let c = 0; c < channels; c++) {
        const share = out.grad[outBase + c] / inBases.length;
        for (const base of inBases) x.grad[base + c] += share;
      }
    });
  });
}
