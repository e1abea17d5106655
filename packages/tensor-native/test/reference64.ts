/**
 * Float64 reference implementations of the native backend's elementwise, reduction, data-movement,
 * softmax and batch-norm kernels, written from their definitions (numpy broadcasting, TensorFlow's
 * NaN rules) and independent of every tfjs backend: ./kernels.test.ts checks native against these,
 * and against cpu as well.
 */

/** A float64 tensor: row-major data and its shape. */
export interface T64 {
  data: Float64Array;
  shape: number[];
}

const size = (shape: readonly number[]): number => shape.reduce((p, q) => p * q, 1);

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/** A tensor of `shape` whose value at each coordinate is `at(coords)`. */
export function build(shape: number[], at: (coords: number[]) => number): T64 {
  const data = new Float64Array(size(shape));
  const coords = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < data.length; i++) {
    data[i] = at(coords);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++coords[d] < shape[d]) break;
      coords[d] = 0;
    }
  }
  return { data, shape };
}

const strideCache = new WeakMap<T64, number[]>();

/** The value of t at `coords` (coordinates of size-1 dims are ignored: broadcasting). */
function get(t: T64, coords: readonly number[]): number {
  let st = strideCache.get(t);
  if (st == null) strideCache.set(t, (st = stridesOf(t.shape)));
  const lead = coords.length - t.shape.length;
  let i = 0;
  for (let d = 0; d < t.shape.length; d++) if (t.shape[d] !== 1) i += coords[lead + d] * st[d];
  return t.data[i];
}

export const map = (t: T64, f: (v: number) => number): T64 => ({ data: t.data.map(f), shape: t.shape });

/** f(a, b) with numpy broadcasting. */
export function binary(a: T64, b: T64, f: (p: number, q: number) => number): T64 {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [pa, pb] = [pad(a.shape), pad(b.shape)];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  return build(shape, (c) => f(get(a, c), get(b, c)));
}

export const scalar = (v: number): T64 => ({ data: Float64Array.of(v), shape: [] });

/** NaN-propagating max/min, as TensorFlow's Maximum/Minimum and Max/Min reductions. */
export const max = (p: number, q: number): number => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.max(p, q));
export const min = (p: number, q: number): number => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.min(p, q));

/** Reduce over `axes` with `op`, starting from the first element of each group. */
export function reduce(t: T64, axes: number[], op: 'sum' | 'mean' | 'max' | 'min', keepDims = false): T64 {
  const kept = t.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = size(axes.map((a) => t.shape[a]));
  const out = new Float64Array(size(kept));
  const seen = new Uint8Array(out.length);
  const ks = stridesOf(kept);
  build(t.shape, (c) => {
    let o = 0;
    c.forEach((v, d) => (o += kept[d] === 1 ? 0 : v * ks[d]));
    const v = get(t, c);
    if (!seen[o]) out[o] = v;
    else if (op === 'max') out[o] = max(out[o], v);
    else if (op === 'min') out[o] = min(out[o], v);
    else out[o] += v;
    seen[o] = 1;
    return 0;
  });
  if (op === 'mean') for (let i = 0; i < out.length; i++) out[i] /= count;
  return { data: out, shape: keepDims ? kept : t.shape.filter((_, i) => !axes.includes(i)) };
}

/** softmax (or log softmax) over the last axis, max-shifted. */
export function softmax(t: T64, log = false): T64 {
  const cols = t.shape[t.shape.length - 1];
  const out = new Float64Array(t.data.length);
  for (let r = 0; r < t.data.length / cols; r++) {
    const row = t.data.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
    row.forEach((v, j) => (out[r * cols + j] = log ? v - m - Math.log(s) : Math.exp(v - m) / s));
  }
  return { data: out, shape: t.shape };
}

export const slice = (t: T64, begin: number[], sz: number[]): T64 => build(sz, (c) => get(t, c.map((v, d) => v + begin[d])));
export const tile = (t: T64, reps: number[]): T64 => build(t.shape.map((d, i) => d * reps[i]), (c) => get(t, c.map((v, d) => v % t.shape[d])));
export const transpose = (t: T64, perm: number[]): T64 =>
  build(
    perm.map((p) => t.shape[p]),
    (c) => get(t, perm.map((_, d) => c[perm.indexOf(d)])),
  );

export function pad(t: T64, paddings: [number, number][], value: number): T64 {
  const shape = t.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  return build(shape, (c) => {
    const inner = c.map((v, d) => v - paddings[d][0]);
    return inner.every((v, d) => v >= 0 && v < t.shape[d]) ? get(t, inner) : value;
  });
}

export function concat(ts: T64[], axis: number): T64 {
  const shape = [...ts[0].shape];
  shape[axis] = ts.reduce((acc, t) => acc + t.shape[axis], 0);
  return build(shape, (c) => {
    let k = c[axis];
    for (const t of ts) {
      if (k < t.shape[axis]) return get(t, c.map((v, d) => (d === axis ? k : v)));
      k -= t.shape[axis];
    }
    throw new Error('concat: out of range');
  });
}

export function split(t: T64, sizes: number[], axis: number): T64[] {
  let at = 0;
  return sizes.map((s) => {
    const begin = t.shape.map((_, d) => (d === axis ? at : 0));
    at += s;
    return slice(
      t,
      begin,
      t.shape.map((d, i) => (i === axis ? s : d)),
    );
  });
}

/** Rows of t at `indices` (axis 0). */
export const gatherRows = (t: T64, indices: number[]): T64 => build([indices.length, ...t.shape.slice(1)], (c) => get(t, [indices[c[0]], ...c.slice(1)]));

/** y = (x − mean)·scale/√(variance + ε) + offset, per channel (last axis). */
export function batchNorm(x: T64, mean: T64, variance: T64, offset: T64, scale: T64, eps: number): T64 {
  const c = x.shape[x.shape.length - 1];
  return { data: x.data.map((v, i) => ((v - mean.data[i % c]) * scale.data[i % c]) / Math.sqrt(variance.data[i % c] + eps) + offset.data[i % c]), shape: x.shape };
}
