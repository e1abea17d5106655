/**
 * Native optimizer kernels (native/optim.cc): the fused Adam/AdamW update that @paperzoo/core-autograd's
 * Adam and AdamW dispatch to, one kernel per variable instead of ~15 elementwise ops.
 *
 * Imported by ./kernels.ts (which appends {@link OPTIM_KERNELS} to NATIVE_KERNELS) and importing its
 * helpers back: the cycle is safe because nothing here uses them before a kernel runs.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { float32Inputs, output, type CpuLikeBackend, type NativeKernel } from './kernels.js';

/** The attributes of PaperzooAdamUpdate (JS numbers, as the composed ops see them). */
interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  step: number;
  decayFactor: number;
  gradScale: number;
}

/**
 * PaperzooAdamUpdate: inputs value, gradient, m, v (float32, one size); attrs learningRate, beta1,
 * beta2, epsilon, step, decayFactor (1, or AdamW's 1 − ηλ), gradScale (1, or the global-norm clipping
 * factor); outputs θ', m', v'. Each scalar is the float32 that tfjs makes of the JS number the composed
 * op multiplies, divides or adds (1 − β₁ and 1 − β₁^t computed in double first, as there).
 */
const adamUpdate: NativeKernel = ({ inputs, backend, attrs }, addon) => {
  const be = backend as CpuLikeBackend;
  const t = inputs as { value: TensorInfo; gradient: TensorInfo; m: TensorInfo; v: TensorInfo };
  const a = float32Inputs(be, 'PaperzooAdamUpdate', t);
  const n = a.value.length;
  if (a.gradient.length !== n || a.m.length !== n || a.v.length !== n) throw new Error('@paperzoo/tensor-native: PaperzooAdamUpdate: value, gradient, m and v must have one size');
  const { learningRate, beta1, beta2, epsilon, step, decayFactor, gradScale } = attrs as unknown as AdamUpdateAttrs;
  // Float32Array rounds each to float32 (as Math.fround, and as tf.scalar does in the composed ops)
  const scalars = new Float32Array([gradScale, beta1, 1 - beta1, beta2, 1 - beta2, 1 - beta1 ** step, 1 - beta2 ** step, epsilon, learningRate, decayFactor]);
  const theta = output(be, t.value.shape);
  const m = output(be, t.m.shape);
  const v = output(be, t.v.shape);
  if (n > 0) addon.adamUpdate(a.value, a.gradient, a.m, a.v, scalars, theta.values, m.values, v.values);
  return [theta.info, m.info, v.info];
};

export const OPTIM_KERNELS: readonly { kernelName: string; library: string; kernel: NativeKernel }[] = [
  { kernelName: 'PaperzooAdamUpdate', library: 'C++ loop (OpenMP, no FMA contraction)', kernel: adamUpdate },
];
