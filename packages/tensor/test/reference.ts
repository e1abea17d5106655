/**
 * An independent float64 reference for the kernels paperzoo registers: naive loops in plain JS,
 * written from the definitions (TensorFlow's NHWC conventions) without using any tfjs code — not even
 * its padding arithmetic — so that they can judge tfjs' cpu backend as well as ours.
 *
 * Shapes: x [B, H, W, C], conv filter [kh, kw, ci, co], depthwise filter [kh, kw, ci, m].
 */

export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface Geometry {
  outH: number;
  outW: number;
  top: number;
  left: number;
}

/** Output size and leading padding of a window op, as TensorFlow defines them. */
export function geometry(inH: number, inW: number, kh: number, kw: number, stride: [number, number], dilation: [number, number], pad: Pad): Geometry {
  const effH = (kh - 1) * dilation[0] + 1;
  const effW = (kw - 1) * dilation[1] + 1;
  if (pad === 'valid') return { outH: Math.ceil((inH - effH + 1) / stride[0]), outW: Math.ceil((inW - effW + 1) / stride[1]), top: 0, left: 0 };
  if (pad === 'same') {
    const outH = Math.ceil(inH / stride[0]);
    const outW = Math.ceil(inW / stride[1]);
    const padH = Math.max((outH - 1) * stride[0] + effH - inH, 0);
    const padW = Math.max((outW - 1) * stride[1] + effW - inW, 0);
    return { outH, outW, top: Math.floor(padH / 2), left: Math.floor(padW / 2) };
  }
  if (typeof pad === 'number') {
    return { outH: Math.floor((inH + 2 * pad - effH) / stride[0]) + 1, outW: Math.floor((inW + 2 * pad - effW) / stride[1]) + 1, top: pad, left: pad };
  }
  const [, [t, b], [l, r]] = pad;
  return { outH: Math.floor((inH + t + b - effH) / stride[0]) + 1, outW: Math.floor((inW + l + r - effW) / stride[1]) + 1, top: t, left: l };
}

export interface ConvSpec {
  stride: [number, number];
  dilation: [number, number];
  pad: Pad;
}

/** Visit every (output position, filter tap, input position inside the image) triple of a window op. */
function forEachTap(
  xShape: number[],
  kh: number,
  kw: number,
  spec: ConvSpec,
  visit: (b: number, oy: number, ox: number, fy: number, fx: number, iy: number, ix: number) => void,
): Geometry {
  const [B, H, W] = xShape;
  const g = geometry(H, W, kh, kw, spec.stride, spec.dilation, spec.pad);
  for (let b = 0; b < B; b++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++)
        for (let fy = 0; fy < kh; fy++) {
          const iy = oy * spec.stride[0] - g.top + fy * spec.dilation[0];
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < kw; fx++) {
            const ix = ox * spec.stride[1] - g.left + fx * spec.dilation[1];
            if (ix < 0 || ix >= W) continue;
            visit(b, oy, ox, fy, fx, iy, ix);
          }
        }
  return g;
}

export interface Tensor64 {
  data: Float64Array;
  shape: number[];
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
export const zeros64 = (shape: number[]): Tensor64 => ({ data: new Float64Array(size(shape)), shape });

/** y = conv2d(x, w): y[b, oy, ox, co] = Σ x[b, iy, ix, ci]·w[fy, fx, ci, co]. */
export function conv2d(x: Tensor64, w: Tensor64, spec: ConvSpec): Tensor64 {
  const [, H, W, ci] = x.shape;
  const [kh, kw, , co] = w.shape;
  const g = geometry(H, W, kh, kw, spec.stride, spec.dilation, spec.pad);
  const y = zeros64([x.shape[0], g.outH, g.outW, co]);
  forEachTap(x.shape, kh, kw, spec, (b, oy, ox, fy, fx, iy, ix) => {
    const yo = ((b * g.outH + oy) * g.outW + ox) * co;
    for (let c = 0; c < ci; c++) {
      const xv = x.data[((b * H + iy) * W + ix) * ci + c];
      const wo = ((fy * kw + fx) * ci + c) * co;
      for (let o = 0; o < co; o++) y.data[yo + o] += xv * w.data[wo + o];
    }
  });
  return y;
}

/** The vector–Jacobian products of {@link conv2d}: dx = ∂⟨dy, y⟩/∂x, dw = ∂⟨dy, y⟩/∂w. */
export function conv2dBackprop(x: Tensor64, w: Tensor64, dy: Tensor64, spec: ConvSpec): { dx: Tensor64; dw: Tensor64 } {
  const [, H, W, ci] = x.shape;
  const [kh, kw, , co] = w.shape;
  const [, outH, outW] = dy.shape;
  const dx = zeros64(x.shape);
  const dw = zeros64(w.shape);
  forEachTap(x.shape, kh, kw, spec, (b, oy, ox, fy, fx, iy, ix) => {
    const yo = ((b * outH + oy) * outW + ox) * co;
    for (let c = 0; c < ci; c++) {
      const xi = ((b * H + iy) * W + ix) * ci + c;
      const wo = ((fy * kw + fx) * ci + c) * co;
      let acc = 0;
      for (let o = 0; o < co; o++) {
        acc += dy.data[yo + o] * w.data[wo + o];
        dw.data[wo + o] += x.data[xi] * dy.data[yo + o];
      }
      dx.data[xi] += acc;
    }
  });
  return { dx, dw };
}

/** Depthwise conv: y[b, oy, ox, c·m + q] = Σ x[b, iy, ix, c]·w[fy, fx, c, q]. */
export function depthwiseConv2d(x: Tensor64, w: Tensor64, spec: ConvSpec): Tensor64 {
  const [, H, W, ci] = x.shape;
  const [kh, kw, , m] = w.shape;
  const g = geometry(H, W, kh, kw, spec.stride, spec.dilation, spec.pad);
  const y = zeros64([x.shape[0], g.outH, g.outW, ci * m]);
  forEachTap(x.shape, kh, kw, spec, (b, oy, ox, fy, fx, iy, ix) => {
    for (let c = 0; c < ci; c++)
      for (let q = 0; q < m; q++) y.data[((b * g.outH + oy) * g.outW + ox) * ci * m + c * m + q] += x.data[((b * H + iy) * W + ix) * ci + c] * w.data[((fy * kw + fx) * ci + c) * m + q];
  });
  return y;
}

export function depthwiseConv2dBackprop(x: Tensor64, w: Tensor64, dy: Tensor64, spec: ConvSpec): { dx: Tensor64; dw: Tensor64 } {
  const [, H, W, ci] = x.shape;
  const [kh, kw, , m] = w.shape;
  const [, outH, outW] = dy.shape;
  const dx = zeros64(x.shape);
  const dw = zeros64(w.shape);
  forEachTap(x.shape, kh, kw, spec, (b, oy, ox, fy, fx, iy, ix) => {
    for (let c = 0; c < ci; c++)
      for (let q = 0; q < m; q++) {
        const yi = ((b * outH + oy) * outW + ox) * ci * m + c * m + q;
        const xi = ((b * H + iy) * W + ix) * ci + c;
        const wi = ((fy * kw + fx) * ci + c) * m + q;
        dx.data[xi] += dy.data[yi] * w.data[wi];
        dw.data[wi] += dy.data[yi] * x.data[xi];
      }
  });
  return { dx, dw };
}

/**
 * Max pool; `argmax` holds, per output, the flat index into x of the first strictly-greatest element in
 * row-major window order (−1 for an empty window).
 */
export function maxPool(x: Tensor64, k: [number, number], spec: ConvSpec): { y: Tensor64; argmax: Int32Array } {
  const [, H, W, C] = x.shape;
  const g = geometry(H, W, k[0], k[1], spec.stride, spec.dilation, spec.pad);
  const y = zeros64([x.shape[0], g.outH, g.outW, C]);
  y.data.fill(-Infinity);
  const argmax = new Int32Array(y.data.length).fill(-1);
  forEachTap(x.shape, k[0], k[1], spec, (b, oy, ox, _fy, _fx, iy, ix) => {
    for (let c = 0; c < C; c++) {
      const o = ((b * g.outH + oy) * g.outW + ox) * C + c;
      const i = ((b * H + iy) * W + ix) * C + c;
      if (x.data[i] > y.data[o]) {
        y.data[o] = x.data[i];
        argmax[o] = i;
      }
    }
  });
  return { y, argmax };
}

export function maxPoolBackprop(x: Tensor64, dy: Tensor64, k: [number, number], spec: ConvSpec): Tensor64 {
  const { argmax } = maxPool(x, k, spec);
  const dx = zeros64(x.shape);
  argmax.forEach((i, o) => {
    if (i >= 0) dx.data[i] += dy.data[o];
  });
  return dx;
}

/** Average pool over the window's elements inside the image (padding not counted, as TensorFlow). */
export function avgPool(x: Tensor64, k: [number, number], spec: ConvSpec): Tensor64 {
  const [, H, W, C] = x.shape;
  const g = geometry(H, W, k[0], k[1], spec.stride, spec.dilation, spec.pad);
  const y = zeros64([x.shape[0], g.outH, g.outW, C]);
  const count = new Float64Array(x.shape[0] * g.outH * g.outW);
  forEachTap(x.shape, k[0], k[1], spec, (b, oy, ox, _fy, _fx, iy, ix) => {
    const p = (b * g.outH + oy) * g.outW + ox;
    count[p]++;
    for (let c = 0; c < C; c++) y.data[p * C + c] += x.data[((b * H + iy) * W + ix) * C + c];
  });
  for (let p = 0; p < count.length; p++) for (let c = 0; c < C; c++) y.data[p * C + c] /= count[p];
  return y;
}

export function avgPoolBackprop(x: Tensor64, dy: Tensor64, k: [number, number], spec: ConvSpec): Tensor64 {
  const [, H, W, C] = x.shape;
  const [, outH, outW] = dy.shape;
  const count = new Float64Array(x.shape[0] * outH * outW);
  forEachTap(x.shape, k[0], k[1], spec, (b, oy, ox) => {
    count[(b * outH + oy) * outW + ox]++;
  });
  const dx = zeros64(x.shape);
  forEachTap(x.shape, k[0], k[1], spec, (b, oy, ox, _fy, _fx, iy, ix) => {
    const p = (b * outH + oy) * outW + ox;
    for (let c = 0; c < C; c++) dx.data[((b * H + iy) * W + ix) * C + c] += dy.data[p * C + c] / count[p];
  });
  return dx;
}

/** out[s] = Σ_{i: ids[i] = s} x[i] (rows of x), ids outside [0, n) dropped. */
export function unsortedSegmentSum(x: Tensor64, ids: Int32Array, n: number): Tensor64 {
  const inner = x.data.length / ids.length;
  const out = zeros64([n, ...x.shape.slice(1)]);
  ids.forEach((s, i) => {
    if (s >= 0 && s < n) for (let j = 0; j < inner; j++) out.data[s * inner + j] += x.data[i * inner + j];
  });
  return out;
}

/** Largest |a − b| relative to the largest |b| (or 1 if b is tiny): the tolerance measure of the tests. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (Number.isNaN(diff)) return Infinity;
  return diff / Math.max(scale, 1);
}

/** A deterministic generator for test data (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi), rounded to float32 so tfjs and the reference see the same inputs. */
export function randomTensor(shape: number[], random: () => number, lo = -1, hi = 1): Tensor64 {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(lo + (hi - lo) * random());
  return { data, shape };
}

/** Batched matmul with numpy broadcasting of the leading dims: [..., m, k] × [..., k, n]. */
export function matMul(a: Tensor64, b: Tensor64, transposeA = false, transposeB = false): Tensor64 {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const padA = [...Array<number>(rank - outerA.length).fill(1), ...outerA];
  const padB = [...Array<number>(rank - outerB.length).fill(1), ...outerB];
  const outer = padA.map((d, i) => Math.max(d, padB[i]));
  const out = zeros64([...outer, m, n]);
  const batches = size(outer);
  for (let o = 0; o < batches; o++) {
    let rest = o;
    let ia = 0;
    let ib = 0;
    let sa = 1;
    let sb = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rest % outer[d];
      rest = Math.floor(rest / outer[d]);
      if (padA[d] !== 1) ia += c * sa;
      if (padB[d] !== 1) ib += c * sb;
      sa *= padA[d];
      sb *= padB[d];
    }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) {
          const av = a.data[ia * m * k + (transposeA ? p * m + i : i * k + p)];
          const bv = b.data[ib * k * n + (transposeB ? j * k + p : p * n + j)];
          acc += av * bv;
        }
        out.data[(o * m + i) * n + j] = acc;
      }
  }
  return out;
}

/** Elementwise map. */
export function map64(t: Tensor64, f: (v: number, i: number) => number): Tensor64 {
  return { data: t.data.map(f), shape: t.shape };
}

/** softmax of each row of [rows, classes]. */
export function softmaxRows(logits: Tensor64): Tensor64 {
  const classes = logits.shape[logits.shape.length - 1];
  const out = zeros64(logits.shape);
  for (let r = 0; r < logits.data.length / classes; r++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits.data[r * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out.data[r * classes + c] = Math.exp(logits.data[r * classes + c] - max);
    for (let c = 0; c < classes; c++) out.data[r * classes + c] /= sum;
  }
  return out;
}

/** Mean softmax cross-entropy over rows, and its gradient w.r.t. the logits: (softmax − labels)/rows. */
export function softmaxCrossEntropy(labels: Tensor64, logits: Tensor64): { loss: number; dLogits: Tensor64 } {
  const classes = logits.shape[logits.shape.length - 1];
  const rows = logits.data.length / classes;
  const p = softmaxRows(logits);
  let loss = 0;
  for (let i = 0; i < p.data.length; i++) loss -= labels.data[i] * Math.log(p.data[i]);
  return { loss: loss / rows, dLogits: map64(p, (v, i) => (v - labels.data[i]) / rows) };
}

/** Central differences of f at x (float64), one coordinate at a time. */
export function numericGrad(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = f(x);
    x[i] = keep - eps;
    const down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** (∇f(x + εv) − ∇f(x − εv)) / 2ε: a Hessian-vector product from a float64 gradient. */
export function numericHvp(grad: (x: Float64Array) => Float64Array, x: Float64Array, v: Float64Array, eps = 1e-5): Float64Array {
  const plus = grad(x.map((t, i) => t + eps * v[i]));
  const minus = grad(x.map((t, i) => t - eps * v[i]));
  return plus.map((p, i) => (p - minus[i]) / (2 * eps));
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The GRU cell (PyTorch's reset-after variant) in float64: xGates, hGates [rows, 3u] (r, z, n), h [rows, u] → h' [rows, u]. */
export function gru64(xGates: ArrayLike<number>, hGates: ArrayLike<number>, h: ArrayLike<number>, rows: number, u: number): Float64Array {
  return gruGrad64(xGates, hGates, h, null, rows, u).out;
}

/**
 * The GRU cell and, for an upstream gradient dy [rows, u], its vector–Jacobian products from the closed
 * forms: da_n = dy·(1 − z)(1 − n²), da_r = da_n·h_n·r(1 − r), da_z = dy·(h − n)·z(1 − z);
 * dxGates = [da_r, da_z, da_n], dhGates = [da_r, da_z, da_n·r], dh = dy·z.
 */
export function gruGrad64(xGates: ArrayLike<number>, hGates: ArrayLike<number>, h: ArrayLike<number>, dy: ArrayLike<number> | null, rows: number, u: number) {
  const out = new Float64Array(rows * u);
  const dx = new Float64Array(rows * 3 * u);
  const dhg = new Float64Array(rows * 3 * u);
  const dh = new Float64Array(rows * u);
  for (let row = 0; row < rows; row++)
    for (let j = 0; j < u; j++) {
      const at = (k: number): number => row * 3 * u + k * u + j;
      const i = row * u + j;
      const r = sigmoid(xGates[at(0)] + hGates[at(0)]);
      const z = sigmoid(xGates[at(1)] + hGates[at(1)]);
      const n = Math.tanh(xGates[at(2)] + r * hGates[at(2)]);
      out[i] = (1 - z) * n + z * h[i];
      if (dy == null) continue;
      const dan = dy[i] * (1 - z) * (1 - n * n);
      dx[at(0)] = dhg[at(0)] = dan * hGates[at(2)] * r * (1 - r);
      dx[at(1)] = dhg[at(1)] = dy[i] * (h[i] - n) * z * (1 - z);
      dx[at(2)] = dan;
      dhg[at(2)] = dan * r;
      dh[i] = dy[i] * z;
    }
  return { out, dx, dhg, dh };
}
