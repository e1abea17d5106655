/**
 * Native kernels of recurrent language models (native/lstm.cc): the fused LSTM cell and its gradient,
 * fused softmax cross-entropy and its gradient (the kernels @paperzoo/tensor's `lstmCell` and
 * `softmaxCrossEntropy` dispatch to when the backend has them), and UnsortedSegmentSum (the gradient
 * of an embedding lookup) into a pooled buffer.
 *
 * Imported by ./kernels.ts (which appends {@link LSTM_KERNELS} to NATIVE_KERNELS) and importing its
 * helpers back: the cycle is safe because nothing here uses them before a kernel runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { FALLBACK, f32, output, type CpuLikeBackend, type NativeKernel } from './kernels.js';

const size = tf.util.sizeFromShape;
const sameShape = tf.util.arraysEqual;

/**
 * gates [..., k·u] and a state [..., u] with the same leading dims (k = 4 for the LSTM cell, 3 for the
 * GRU cell of ./gru-kernels.ts): rows and units, or null.
 */
export function cellGeometry(gates: TensorInfo, c: TensorInfo, gatesPerUnit = 4): { rows: number; units: number } | null {
  const rank = c.shape.length;
  if (rank === 0 || gates.shape.length !== rank) return null;
  const units = c.shape[rank - 1];
  if (gates.shape[rank - 1] !== gatesPerUnit * units || !sameShape(gates.shape.slice(0, -1), c.shape.slice(0, -1))) return null;
  return { rows: size(c.shape.slice(0, -1)), units };
}

/**
 * PaperzooLstmCell: inputs gates [..., 4u] (pre-activations, gate order i, f, g, o) and c [..., u];
 * outputs h and cNext [..., u]: cNext = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(cNext).
 */
const lstmCell: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { gates, c } = inputs as { gates: TensorInfo; c: TensorInfo };
  const gv = f32(be, gates);
  const cv = f32(be, c);
  const geo = cellGeometry(gates, c);
  if (gv == null || cv == null || geo == null) return FALLBACK;
  const h = output(be, c.shape);
  const cNext = output(be, c.shape);
  if (geo.rows * geo.units > 0) addon.lstmCell(gv, cv, h.values, cNext.values, geo.rows, geo.units);
  return [h.info, cNext.info];
};

/**
 * PaperzooLstmCellGrad: inputs gates, c (the cell's inputs; its activations are recomputed, which
 * costs less than keeping them) and dh, dcNext [..., u]; outputs dgates [..., 4u] and dc [..., u].
 */
const lstmCellGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { gates, c, dh, dcNext } = inputs as { gates: TensorInfo; c: TensorInfo; dh: TensorInfo; dcNext: TensorInfo };
  const [gv, cv, dhv, dnv] = [f32(be, gates), f32(be, c), f32(be, dh), f32(be, dcNext)];
  const geo = cellGeometry(gates, c);
  if (gv == null || cv == null || dhv == null || dnv == null || geo == null || !sameShape(dh.shape, c.shape) || !sameShape(dcNext.shape, c.shape)) return FALLBACK;
  const dgates = output(be, gates.shape);
  const dc = output(be, c.shape);
  if (geo.rows * geo.units > 0) addon.lstmCellGrad(gv, cv, dhv, dnv, dgates.values, dc.values, geo.rows, geo.units);
  return [dgates.info, dc.info];
};

/**
 * PaperzooSoftmaxCrossEntropy: inputs logits and labels, both [..., C] (C > 0); outputs the per-row
 * loss [...] = −Σ_c labels·log softmax(logits) and stats [..., 3] = (max, log Σ exp(x − max), Σ labels)
 * per row, which the gradient reads instead of a saved [..., C] softmax.
 */
const softmaxCrossEntropy: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { logits, labels } = inputs as { logits: TensorInfo; labels: TensorInfo };
  const xv = f32(be, logits);
  const lv = f32(be, labels);
  const rank = logits.shape.length;
  if (xv == null || lv == null || rank === 0 || logits.shape[rank - 1] === 0 || !sameShape(logits.shape, labels.shape)) return FALLBACK;
  const cols = logits.shape[rank - 1];
  const rows = xv.length / cols;
  const loss = output(be, logits.shape.slice(0, -1));
  const stats = output(be, [...logits.shape.slice(0, -1), 3]);
  if (rows > 0) addon.softmaxCrossEntropy(xv, lv, loss.values, stats.values, rows, cols);
  return [loss.info, stats.info];
};

/**
 * PaperzooSoftmaxCrossEntropyGrad: inputs logits, labels [..., C], stats [..., 3] (from the forward
 * kernel) and dy [...] (the per-row loss gradient); attr part 0: d/dlogits = dy·(softmax·Σlabels −
 * labels); part 1: d/dlabels = −dy·log softmax.
 */
const softmaxCrossEntropyGrad: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const { logits, labels, stats, dy } = inputs as { logits: TensorInfo; labels: TensorInfo; stats: TensorInfo; dy: TensorInfo };
  const { part } = attrs as unknown as { part: number };
  const [xv, lv, sv, dyv] = [f32(be, logits), f32(be, labels), f32(be, stats), f32(be, dy)];
  const rank = logits.shape.length;
  if (xv == null || lv == null || sv == null || dyv == null || rank === 0 || !sameShape(logits.shape, labels.shape)) return FALLBACK;
  const cols = logits.shape[rank - 1];
  const rows = cols === 0 ? 0 : xv.length / cols;
  if (dyv.length !== rows || sv.length !== 3 * rows) return FALLBACK;
  const out = output(be, logits.shape);
  if (out.values.length > 0) addon.softmaxCrossEntropyGrad(xv, lv, sv, dyv, out.values, rows, cols, part === 1 ? 1 : 0);
  return out.info;
};

/**
 * UnsortedSegmentSum of float32 rows (the gradient of an embedding lookup: the rows of dy added into
 * a [vocabulary, units] table): a zeroed pooled buffer and one row add per id. paperzoo's cpu kernel
 * does the same loop into a fresh array, whose page faults cost more than the adds. Ids outside
 * [0, numSegments) are skipped, as there.
 */
const unsortedSegmentSum: NativeKernel = ({ inputs, backend, attrs }) => {
  const be = backend as CpuLikeBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const xv = f32(be, x);
  const ids = segmentIds.dtype === 'int32' ? be.data.get(segmentIds.dataId).values : null;
  if (xv == null || !(ids instanceof Int32Array)) return FALLBACK;
  const out = output(be, [numSegments, ...x.shape.slice(segmentIds.shape.length)], true);
  const inner = ids.length === 0 ? 0 : xv.length / ids.length;
  const o = out.values;
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) o[to + j] += xv[from + j];
  }
  return out.info;
};

export const LSTM_KERNELS: readonly { kernelName: string; library: string; kernel: NativeKernel }[] = [
  { kernelName: 'PaperzooLstmCell', library: 'C++ fused loop (vector exp/tanh)', kernel: lstmCell },
  { kernelName: 'PaperzooLstmCellGrad', library: 'C++ fused loop (vector exp/tanh)', kernel: lstmCellGrad },
  { kernelName: 'PaperzooSoftmaxCrossEntropy', library: 'C++ fused loop (OpenMP, vector exp)', kernel: softmaxCrossEntropy },
  { kernelName: 'PaperzooSoftmaxCrossEntropyGrad', library: 'C++ fused loop (OpenMP, vector exp)', kernel: softmaxCrossEntropyGrad },
  { kernelName: 'UnsortedSegmentSum', library: 'row adds into a pooled buffer', kernel: unsortedSegmentSum },
];
