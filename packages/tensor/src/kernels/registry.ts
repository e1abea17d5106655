/**
 * Kernel registration that remembers what it replaced: paperzoo's kernels call the stock ones they
 * build on (wasm's BatchMatMul is both replaced and used), and tests and the benchmark can run a piece
 * of code with the stock kernels put back, to show what was wrong and what got faster.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

const stock = new Map<string, KernelConfig>();
const ours = new Map<string, KernelConfig>();
const key = (kernelName: string, backendName: string): string => `${backendName}/${kernelName}`;

/** Register (kernelName, backendName) → kernelFunc, keeping the stock kernel it replaces. */
export function overrideKernel(kernelName: string, backendName: string, kernelFunc: KernelFunc): void {
  const k = key(kernelName, backendName);
  const existing = tf.getKernel(kernelName, backendName);
  if (existing != null) {
    if (existing.kernelFunc === kernelFunc) return;
    if (!stock.has(k) && !ours.has(k)) stock.set(k, existing);
    tf.unregisterKernel(kernelName, backendName);
  }
  // Keep the stock kernel's setup: when the backend initialises after this registration, the setup
  // (wasm: binding the C function) must still run, because paperzoo's kernel may call the stock one.
  const replaced = stock.get(k);
  const config: KernelConfig = { kernelName, backendName, kernelFunc, setupFunc: replaced?.setupFunc, disposeFunc: replaced?.disposeFunc };
  ours.set(k, config);
  tf.registerKernel(config);
}

/** The stock kernel that {@link overrideKernel} replaced, if there was one. */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return stock.get(key(kernelName, backendName));
}

/** The kernel to build on: the stock one when paperzoo replaced it, else whatever is registered. */
export function baseKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  return stock.get(key(kernelName, backendName)) ?? tf.getKernel(kernelName, backendName);
}

function swap(kernelName: string, backendName: string, to: KernelConfig | undefined): void {
  if (tf.getKernel(kernelName, backendName) != null) tf.unregisterKernel(kernelName, backendName);
  if (to != null) tf.registerKernel(to);
}

/**
 * Run `fn` with the stock kernels of `backendName` (all that paperzoo replaced or added, or only the
 * named ones) put back — a kernel paperzoo added is absent meanwhile — then restore paperzoo's.
 * For tests and benchmarks that compare with stock tfjs.
 */
export async function withStockKernels<T>(backendName: string, fn: () => T | Promise<T>, kernelNames?: readonly string[]): Promise<T> {
  const names = [...ours.values()].filter((c) => c.backendName === backendName && (kernelNames == null || kernelNames.includes(c.kernelName))).map((c) => c.kernelName);
  for (const name of names) swap(name, backendName, stock.get(key(name, backendName)));
  try {
    return await fn();
  } finally {
    for (const name of names) swap(name, backendName, ours.get(key(name, backendName)));
  }
}
