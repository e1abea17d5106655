/**
 * Backend choice for paperzoo.
 *
 * `initBackend({ backend })` (or `PAPERZOO_BACKEND`) picks one of:
 * - `native`: @paperzoo/tensor-native, an optional addon over Debian's OpenBLAS and oneDNN (2 threads),
 *   the fastest on CPU when it is built (`apt-get install libopenblas-dev libdnnl-dev && npm rebuild
 *   @paperzoo/tensor-native`);
 * - `wasm`: the default on CPU otherwise, with the kernels the stock backend lacks or gets wrong
 *   registered (see ./kernels and docs/backends.md);
 * - `cpu`: the pure-JS reference and test oracle for forward values;
 * - `webgpu`: a real GPU through the npm `webgpu` package (Dawn), used by `auto` only for a hardware
 *   adapter;
 * - `tensorflow`: tfjs-node / tfjs-node-gpu, an optional peer dependency, never required.
 *
 * `auto` tries tensorflow (GPU) > webgpu (hardware) > native > wasm > cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerPaperzooKernels } from './kernels/index.js';

export type BackendName = 'native' | 'wasm' | 'cpu' | 'webgpu' | 'tensorflow';
export type BackendChoice = BackendName | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'wasm', 'cpu', 'webgpu', 'tensorflow'];

/** Thrown when a backend asked for by name cannot be loaded; the message says why and what to do. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: string,
    reason: string,
    remedy: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}. ${remedy}`);
    this.name = 'BackendUnavailableError';
  }
}

export interface InitBackendOptions {
  /** Which backend; defaults to `PAPERZOO_BACKEND` or `auto`. */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- documents the choices; any string is validated at run time
  backend?: BackendChoice | string;
}

interface LoadedExtra {
  /** Human-readable device name (GPU adapter), when the backend knows one. */
  device?: string;
  threads?: number;
  /** Native libraries the backend computes with (native: OpenBLAS and oneDNN versions). */
  libraries?: string;
}

const extras = new Map<string, LoadedExtra>();

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** Import an optional peer dependency by name without letting bundlers or tsc resolve it statically. */
async function importOptional(name: string): Promise<any> {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- deliberate: hides the import from bundlers and tsc
  const dynamicImport = new Function('n', 'return import(n)') as (n: string) => Promise<any>;
  return dynamicImport(name);
}

async function loadTensorflow(requireGpu: boolean): Promise<void> {
  const names = requireGpu ? ['@tensorflow/tfjs-node-gpu'] : ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const failures: string[] = [];
  for (const name of names) {
    try {
      await importOptional(name);
      if (tf.findBackend('tensorflow') == null) throw new Error('it loaded but registered no tensorflow backend');
      extras.set('tensorflow', { device: name.endsWith('-gpu') ? 'TensorFlow C library (CUDA build)' : undefined });
      return;
    } catch (e) {
      failures.push(`${name}: ${errorMessage(e)}`);
    }
  }
  throw new BackendUnavailableError(
    'tensorflow',
    failures.join('; '),
    'Install @tensorflow/tfjs-node (CPU) or @tensorflow/tfjs-node-gpu (CUDA) 4.22.0 next to paperzoo; their install downloads libtensorflow, so it needs network access.',
  );
}

async function loadWebgpu(requireHardware: boolean): Promise<void> {
  let adapterInfo: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean } = {};
  try {
    const g = globalThis as any;
    if (!g.navigator?.gpu) {
      const dawn = await importOptional('webgpu');
      Object.assign(globalThis, dawn.globals ?? {});
      const gpu = dawn.create([]);
      if (!g.navigator) Object.defineProperty(g, 'navigator', { value: {}, writable: true, configurable: true });
      g.navigator.gpu = gpu;
    }
    const adapter = await g.navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter was found');
    adapterInfo = adapter.info ?? {};
    const software = adapter.isFallbackAdapter === true || adapterInfo.isFallbackAdapter === true ||
      /swiftshader|llvmpipe|lavapipe|software/i.test(`${adapterInfo.vendor} ${adapterInfo.architecture} ${adapterInfo.device} ${adapterInfo.description}`);
    if (requireHardware && software) throw new Error(`the adapter is a software fallback (${adapterInfo.description || adapterInfo.device || 'unknown'})`);
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    throw new BackendUnavailableError(
      'webgpu',
      errorMessage(e),
      'Install the optional packages `webgpu` and `@tensorflow/tfjs-backend-webgpu@4.22.0`, and make sure a Vulkan driver for your GPU is present.',
    );
  }
  const name = [adapterInfo.vendor, adapterInfo.architecture, adapterInfo.device, adapterInfo.description].filter(Boolean).join(' ');
  extras.set('webgpu', { device: name || 'WebGPU adapter' });
}

/**
 * The native backend: @paperzoo/tensor-native, a workspace package (an optional peer dependency when
 * installed from npm) whose addon is compiled at install time and may be absent. paperzoo's cpu kernel
 * fixes are registered first, so that the native backend, which starts from every cpu kernel, has them.
 */
async function loadNative(): Promise<void> {
  let mod: any;
  try {
    // A plain dynamic import (not importOptional): under vitest and tsx it must go through their
    // resolvers, which know the paperzoo-source condition; a variable keeps tsc from resolving it.
    const specifier = '@paperzoo/tensor-native';
    mod = await import(specifier);
  } catch (e) {
    throw new BackendUnavailableError('native', `@paperzoo/tensor-native is not installed (${errorMessage(e)})`, 'Install @paperzoo/tensor-native next to @paperzoo/tensor.');
  }
  if (!mod.nativeAvailable()) {
    throw new BackendUnavailableError('native', mod.addonError(), 'Until then wasm is the fastest CPU backend.');
  }
  registerPaperzooKernels();
  mod.registerNativeBackend();
  const info = mod.nativeInfo() as { libraries: string; threads: number };
  extras.set('native', { threads: info.threads, libraries: info.libraries });
}

async function activate(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new BackendUnavailableError(name, 'tf.setBackend returned false (the backend failed to initialise)', 'Run with PAPERZOO_BACKEND=cpu to use the pure-JS backend.');
  await tf.ready();
  // The cpu backend prints an advert for tfjs-node on first use; library code never prints.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
  registerPaperzooKernels();
}

async function tryBackend(name: BackendName, strict: boolean): Promise<void> {
  if (name === 'tensorflow') await loadTensorflow(!strict);
  if (name === 'webgpu') await loadWebgpu(!strict);
  if (name === 'native') await loadNative();
  if (tf.findBackend(name) == null && tf.engine().registryFactory[name] == null) {
    throw new BackendUnavailableError(name, 'it is not registered', 'Use one of: ' + BACKEND_CHOICES.join(', '));
  }
  await activate(name);
}

/**
 * Choose and initialise the backend. Returns the name of the active backend.
 * A backend asked for by name that cannot load throws a {@link BackendUnavailableError}.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const asked = (options.backend ?? process.env.PAPERZOO_BACKEND ?? 'auto').toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(asked)) {
    throw new BackendUnavailableError(asked, 'unknown backend name', `Choose one of: ${BACKEND_CHOICES.join(', ')}.`);
  }
  if (asked !== 'auto') {
    await tryBackend(asked as BackendName, true);
    return asked as BackendName;
  }
  for (const candidate of ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const) {
    try {
      await tryBackend(candidate, false);
      return candidate;
    } catch {
      // auto: fall through to the next candidate
    }
  }
  throw new BackendUnavailableError('auto', 'no backend could be initialised', 'Reinstall paperzoo (npm ci).');
}

/** Extra facts the loaders learned about the active backend (device name, threads). */
export function backendExtras(name: string): LoadedExtra {
  return extras.get(name) ?? {};
}
