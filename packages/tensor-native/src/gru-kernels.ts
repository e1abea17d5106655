/**
 * Native kernels of the GRU cell (native/gru.cc): the fused cell in PyTorch's "reset after" variant
 * and its gradient, the kernels @paperzoo/tensor's `gruCell` dispatches to when the backend has them.
 *
 * Imported by ./kernels.ts (which appends {@link GRU_KERNELS} to NATIVE_KERNELS) and importing its
 * helpers back: the cycle is safe because nothing here uses them before a kernel runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { FALLBACK, f32, output, type CpuLikeBackend, type NativeKernel } from './kernels.js';
import { cellGeometry } from './lstm-kernels.js';

const sameShape = tf.util.arraysEqual;

/** xGates and hGates [..., 3u] (the same shape) and h [..., u]: rows and units, or null. */
function gruGeometry(xGates: TensorInfo, hGates: TensorInfo, h: TensorInfo): { rows: number; units: number } | null {
  return sameShape(xGates.shape, hGates.shape) ? cellGeometry(xGates, h, 3) : null;
}

/**
 * PaperzooGruCell: inputs xGates = x·W_ih + b_ih and hGates = h·W_hh + b_hh [..., 3u] (gate order
 * r, z, n) and h [..., u]; output h' [..., u] = (1 − z)·n + z·h with r = σ(x_r + h_r),
 * z = σ(x_z + h_z), n = tanh(x_n + r·h_n).
 */
const gruCell: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { xGates, hGates, h } = inputs as { xGates: TensorInfo; hGates: TensorInfo; h: TensorInfo };
  const [xv, hgv, hv] = [f32(be, xGates), f32(be, hGates), f32(be, h)];
  const geo = gruGeometry(xGates, hGates, h);
  if (xv == null || hgv == null || hv == null || geo == null) return FALLBACK;
  const hNext = output(be, h.shape);
  if (geo.rows * geo.units > 0) addon.gruCell(xv, hgv, hv, hNext.values, geo.rows, geo.units);
  return hNext.info;
};

/**
 * PaperzooGruCellGrad: inputs xGates, hGates, h (the cell's inputs; its activations are recomputed)
 * and dh [..., u], the gradient of h'; outputs dxGates, dhGates [..., 3u] and dh [..., u].
 */
const gruCellGrad: NativeKernel = ({ inputs, backend }, addon) => {
  const be = backend as CpuLikeBackend;
  const { xGates, hGates, h, dh } = inputs as { xGates: TensorInfo; hGates: TensorInfo; h: TensorInfo; dh: TensorInfo };
  const [xv, hgv, hv, dyv] = [f32(be, xGates), f32(be, hGates), f32(be, h), f32(be, dh)];
  const geo = gruGeometry(xGates, hGates, h);
  if (xv == null || hgv == null || hv == null || dyv == null || geo == null || !sameShape(dh.shape, h.shape)) return FALLBACK;
  const dx = output(be, xGates.shape);
  const dhg = output(be, hGates.shape);
  const dprev = output(be, h.shape);
  if (geo.rows * geo.units > 0) addon.gruCellGrad(xv, hgv, hv, dyv, dx.values, dhg.values, dprev.values, geo.rows, geo.units);
  return [dx.info, dhg.info, dprev.info];
};

export const GRU_KERNELS: readonly { kernelName: string; library: string; kernel: NativeKernel }[] = [
  { kernelName: 'PaperzooGruCell', library: 'C++ fused loop (vector exp/tanh)', kernel: gruCell },
  { kernelName: 'PaperzooGruCellGrad', library: 'C++ fused loop (vector exp/tanh)', kernel: gruCellGrad },
];
