/**
 * Which backends the conformance suite runs on. cpu and wasm always (they are dependencies); native
 * when @paperzoo/tensor-native's addon is built (Debian's libopenblas-dev + libdnnl-dev installed);
 * tensorflow when its optional package is installed. Otherwise their suites show as skipped
 * (docs/style.md §7). Every suite compares against cpu and against the float64 reference.
 *
 * webgpu runs when PAPERZOO_TEST_WEBGPU=1 (`npm run test:webgpu`, which also allows a software adapter):
 * then it is always "available", so a missing package or adapter fails every webgpu spec with
 * initBackend's error instead of skipping them. In a plain `vitest run` its suites show as skipped
 * (the software adapter is ~100× slower than the CPU backends; CI runs it as its own step).
 * PAPERZOO_TEST_BACKENDS=webgpu,… limits the suites to the backends named (cpu still serves as the
 * comparison inside them).
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

/** `npm run test:webgpu`: the webgpu suites run (and fail loudly if webgpu cannot load). */
export const WEBGPU_TESTED = /^(1|true|yes)$/i.test(process.env.PAPERZOO_TEST_WEBGPU ?? '');

const ONLY = (process.env.PAPERZOO_TEST_BACKENDS ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const FOUND: Record<BackendName, boolean> = {
  cpu: true,
  wasm: true,
  native: nativeBuilt(),
  webgpu: WEBGPU_TESTED,
  tensorflow: installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu'),
};

export const AVAILABLE: Record<BackendName, boolean> = Object.fromEntries(
  Object.entries(FOUND).map(([name, found]) => [name, found && (ONLY.length === 0 || ONLY.includes(name))]),
) as Record<BackendName, boolean>;

if (WEBGPU_TESTED && AVAILABLE.webgpu) {
  // tfjs's webgpu backend runs elementwise ops on its CPU kernels when all inputs are still on the CPU
  // side and under 1000 elements (WEBGPU_CPU_FORWARD): most test inputs. Off, every op runs its shader.
  await initBackend({ backend: 'webgpu' });
  tf.env().set('WEBGPU_CPU_FORWARD', false);
}

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
