/**
 * Helpers of the fused-kernel tests (./lstm.test.ts, ./gru.test.ts): deterministic inputs, running a
 * computation on cpu or native, the kernels a computation runs, and a relative-error check.
 */
import { expect } from 'vitest';
import { tf, initBackend } from '@paperzoo/tensor';

/** Deterministic values in [lo, hi). */
export function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * a) / 2 ** 32;
  });
}

/** Run fn on a backend inside tidy; every returned tensor read back. */
export async function on(backend: 'cpu' | 'native', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend({ backend });
  const outs = tf.tidy(fn);
  const read = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  return read;
}

/** The kernel names a computation runs on native. */
export async function kernelsRun(fn: () => tf.Tensor | tf.Tensor[]): Promise<Set<string>> {
  await initBackend({ backend: 'native' });
  const info = await tf.profile(() => tf.tidy(() => {
    const r = fn();
    return Array.isArray(r) ? r : [r];
  }));
  tf.dispose(info.result);
  return new Set(info.kernelNames);
}

export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length, label).toBe(want.length);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  expect(diff / scale, `${label}: error ${(diff / scale).toExponential(2)}`).toBeLessThanOrEqual(tol);
}

/** Every output as cpu's: NaN where it has NaN, the same ±Inf, finite values to 5 decimals. */
export function expectSameSpecials(got: Float32Array[], want: Float32Array[]): void {
  want.forEach((w, t) =>
    w.forEach((v, i) => {
      if (Number.isNaN(v)) expect(got[t][i], `output ${t}[${i}]`).toBeNaN();
      else if (!Number.isFinite(v)) expect(got[t][i], `output ${t}[${i}]`).toBe(v);
      else expect(got[t][i], `output ${t}[${i}]`).toBeCloseTo(v, 5);
    }),
  );
}

/** The outputs of fn on native equal cpu's (1e-5 relative), named by `labels` in order. */
export async function expectNativeAsCpu(fn: () => tf.Tensor[], labels: string[]): Promise<void> {
  const want = await on('cpu', fn);
  const got = await on('native', fn);
  labels.forEach((label, i) => expectClose(label, got[i], want[i]));
}
