/**
 * @paperzoo/tensor-native — a native CPU backend for @paperzoo/tensor.
 *
 * A tfjs backend named `native`: a subclass of tfjs-backend-cpu's MathBackendCPU (tensors are JS
 * typed arrays in `this.data`), with every cpu kernel registered for it too, and the hot kernels
 * (matmul, convolution and its gradients, pooling, batch norm, softmax, elementwise, reductions)
 * replaced by calls into a Node-API addon over Debian's OpenBLAS and oneDNN that reads and writes
 * those same typed arrays, on 2 threads. The addon is compiled at install time; when it is not there,
 * {@link nativeAvailable} is false and registering the backend throws, saying how to build it.
 *
 * ```ts
 * import { registerNativeBackend } from '@paperzoo/tensor-native';
 * registerNativeBackend();            // after paperzoo's cpu kernels are registered
 * await tf.setBackend('native');
 * ```
 * @paperzoo/tensor's `initBackend({ backend: 'native' })` does this (and `auto` prefers native to wasm).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { addonError, loadAddon, type Addon } from './addon.js';
import { NATIVE_KERNELS, nativeKernelConfig } from './kernels.js';
import { BufferPool, activePool, setActivePool } from './pool.js';
import { startCoreShare, type CoreShare } from './share.js';

export { ENABLE_COMMAND, addonError, loadAddon, type Addon } from './addon.js';
export { NATIVE_KERNELS } from './kernels.js';

export const BACKEND_NAME = 'native';

/** Threads the addon computes with (OpenBLAS and OpenMP); PAPERZOO_NATIVE_THREADS overrides. */
export const DEFAULT_THREADS = 2;

function poolFromEnvironment(): BufferPool {
  const fixed = Number(process.env.PAPERZOO_NATIVE_POOL_MB);
  if (fixed > 0) return new BufferPool(fixed * 2 ** 20);
  return new BufferPool(512 * 2 ** 20, Math.max(512 * 2 ** 20, os.totalmem() / 4));
}

/** The tfjs backend: MathBackendCPU's storage and kernels, with the hot kernels in the addon. */
export class NativeBackend extends MathBackendCPU {
  /**
   * Recycled output buffers (see ./pool.ts). The free part holds up to 512 MiB, or the most the
   * workload has had in use at once, up to a quarter of the machine's memory; PAPERZOO_NATIVE_POOL_MB
   * fixes it instead.
   */
  readonly pool = poolFromEnvironment();

  constructor() {
    super();
    // MathBackendCPU prints an advert for tfjs-node on first use; library code never prints.
    (this as unknown as { firstUse: boolean }).firstUse = false;
    // Count the data entries that refer to each pooled buffer: every entry is stored through
    // data.set (write, makeTensorInfo, move) and removed through data.delete (disposeData).
    const data = this.data as unknown as { get(id: object): { values?: unknown } | undefined; has(id: object): boolean; set(id: object, v: { values?: unknown }): void; delete(id: object): boolean };
    const set = data.set.bind(data);
    const del = data.delete.bind(data);
    data.set = (id, entry) => {
      if (data.has(id)) this.pool.release(data.get(id)?.values);
      this.pool.retain(entry.values);
      set(id, entry);
    };
    data.delete = (id) => {
      if (data.has(id)) this.pool.release(data.get(id)?.values);
      return del(id);
    };
    setActivePool(this.pool);
  }

  /** Values handed to user code are copies when they live in a pooled buffer (which will be reused). */
  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const values = super.readSync(dataId);
    return this.pool.owns(values) ? values.slice() : values;
  }

  override async read(dataId: tf.DataId): Promise<tf.backend_util.BackendValues> {
    const values = await super.read(dataId);
    return this.pool.owns(values) ? values.slice() : values;
  }

  override dispose(): void {
    this.pool.clear();
    if (activePool() === this.pool) setActivePool(null);
    super.dispose();
  }
}

/** True when the addon is built and loads. */
export function nativeAvailable(): boolean {
  return loadAddon() != null;
}

let libraries = '';
let threads = 0;
let share: CoreShare | null = null;

/**
 * What the addon computes with: library versions and the requested thread count ('' before
 * registration); `activeThreads`: the count in use now (lower while other paperzoo processes compute
 * on the same cores, see src/share.ts).
 */
export function nativeInfo(): { libraries: string; threads: number; activeThreads: number } {
  return { libraries, threads, activeThreads: share?.threads() ?? threads };
}

/**
 * Which GEMM the matmul kernels call: oneDNN's matmul primitive ('dnnl', the default: as fast or faster
 * here, and on the same OpenMP threads as the other kernels) or OpenBLAS's `cblas_sgemm` ('openblas').
 * PAPERZOO_NATIVE_GEMM sets it at registration. (Not oneDNN's dnnl_sgemm: see native/dense.cc.)
 */
export function setGemmLibrary(lib: 'openblas' | 'dnnl'): void {
  requireAddon().setGemmLib(lib === 'openblas' ? 0 : 1);
  gemmLibrary = lib;
}

let gemmLibrary: 'openblas' | 'dnnl' = 'dnnl';

/** The GEMM the matmul kernels call now. */
export function getGemmLibrary(): 'openblas' | 'dnnl' {
  return gemmLibrary;
}

function requireAddon(): Addon {
  const addon = loadAddon();
  if (addon == null) throw new Error(`@paperzoo/tensor-native: ${addonError()}`);
  return addon;
}

let registered = false;

/**
 * Register the `native` backend (once; later calls do nothing). Every kernel registered for `cpu`
 * at this moment is registered for `native` as well — so register paperzoo's cpu kernel fixes
 * first — then the kernels of {@link NATIVE_KERNELS} replace theirs, falling back to them for inputs
 * they do not handle. Throws when the addon is not built.
 */
export function registerNativeBackend(options: { threads?: number; priority?: number } = {}): void {
  if (registered) return;
  const addon = requireAddon();
  const explicit = options.threads ?? (Number(process.env.PAPERZOO_NATIVE_THREADS) || null);
  threads = explicit ?? DEFAULT_THREADS;
  libraries = addon.init(threads);
  // an explicit count is kept; the default one is shared with other paperzoo processes computing beside us
  share = explicit == null && process.env.PAPERZOO_NATIVE_SHARE !== '0' ? startCoreShare(threads, (n) => addon.setThreads(n)) : null;
  const gemm = process.env.PAPERZOO_NATIVE_GEMM;
  if (gemm != null && gemm !== 'openblas' && gemm !== 'dnnl') throw new Error(`@paperzoo/tensor-native: PAPERZOO_NATIVE_GEMM must be openblas or dnnl, got '${gemm}'`);
  setGemmLibrary(gemm ?? 'dnnl');
  libraries += `; matmul: ${gemmLibrary === 'dnnl' ? 'oneDNN matmul' : 'OpenBLAS sgemm'}`;
  tf.registerBackend(BACKEND_NAME, () => new NativeBackend(), options.priority ?? 0);
  const ours = new Set(NATIVE_KERNELS.map((k) => k.kernelName));
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (ours.has(config.kernelName)) continue;
    tf.registerKernel({ ...config, backendName: BACKEND_NAME });
  }
  for (const { kernelName, kernel } of NATIVE_KERNELS) {
    const shared: typeof kernel = share == null ? kernel : (args, a) => (share!.tick(), kernel(args, a));
    tf.registerKernel(nativeKernelConfig(kernelName, BACKEND_NAME, shared, addon, tf.getKernel(kernelName, 'cpu')));
  }
  registered = true;
}
