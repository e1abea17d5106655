/**
 * Which backends the conformance suite runs on. cpu and wasm always (they are dependencies); native
 * when @paperzoo/tensor-native's addon is built (Debian's libopenblas-dev + libdnnl-dev installed);
 * webgpu and tensorflow when their optional packages are installed. Otherwise their suites show as
 * skipped (docs/style.md §7). Every suite compares against cpu and against the float64 reference.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tf, initBackend, type BackendName } from '../src/index.js';
import type { Tensor64 } from './reference.js';

const require = createRequire(import.meta.url);

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The native addon is built (what @paperzoo/tensor-native's nativeAvailable() checks first). */
function nativeBuilt(): boolean {
  const root = path.resolve(import.meta.dirname, '..', '..', 'tensor-native');
  return fs.existsSync(path.join(root, 'build', 'Release', 'paperzoo_native.node'));
}

export const AVAILABLE: Record<BackendName, boolean> = {
  cpu: true,
  wasm: true,
  native: nativeBuilt(),
  webgpu: installed('@tensorflow/tfjs-backend-webgpu') && installed('webgpu'),
  tensorflow: installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu'),
};

/** Backends compared with cpu (cpu itself is compared with the reference only). */
export const ACCELERATED: readonly BackendName[] = ['native', 'wasm', 'webgpu', 'tensorflow'];
export const ALL: readonly BackendName[] = ['cpu', ...ACCELERATED];

/** Run fn on a backend (inside tf.tidy) and read back every returned tensor as a Float64Array. */
export async function on(backend: BackendName, fn: () => tf.Tensor[]): Promise<Float64Array[]> {
  if (tf.getBackend() !== backend) await initBackend({ backend });
  const outs = tf.tidy(fn);
  const read = await Promise.all(outs.map((t) => t.data()));
  tf.dispose(outs);
  return read.map((v) => Float64Array.from(v as Float32Array));
}

/** A tfjs float32 tensor of a reference tensor (values were drawn already rounded to float32). */
export function tensor(t: Tensor64): tf.Tensor {
  return tf.tensor(Float32Array.from(t.data), t.shape, 'float32');
}
