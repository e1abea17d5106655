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
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { clarifySyncReads, registerPaperzooKernels, registerWebgpuKernels } from './kernels/index.js';

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
  /**
   * webgpu asked for by name: accept a software adapter (Mesa llvmpipe through Dawn's OpenGL ES
   * backend, lavapipe, SwiftShader) when there is no hardware one. Also `PAPERZOO_WEBGPU_SOFTWARE=1`.
   * `auto` never picks a software adapter.
   */
  webgpuSoftware?: boolean;
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

/**
 * Import an optional peer dependency by name without letting bundlers or tsc resolve it statically.
 * A bundle that carries one registers a loader for it on `globalThis.__paperzooOptionalModules`
 * (tools/gpu does, for `webgpu` and `@tensorflow/tfjs-backend-webgpu`). A plain dynamic import of a
 * variable (not `new Function`): under vitest and tsx it must go through their resolvers.
 */
async function importOptional(name: string): Promise<any> {
  const bundled = (globalThis as any).__paperzooOptionalModules?.[name] as (() => Promise<any>) | undefined;
  if (bundled) return bundled();
  return import(/* @vite-ignore */ name);
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

/** What {@link loadWebgpu} found: the Dawn instance, the adapter options that reach it, the adapter's facts. */
interface WebgpuProbe {
  gpu: any;
  /** Merged into every requestAdapter call (tfjs's factory makes its own call). */
  adapterOptions: Record<string, unknown>;
  info: { vendor?: string; architecture?: string; device?: string; description?: string };
  software: boolean;
  /** 'vulkan' (Dawn's default on Linux) or 'opengles' (compatibility feature level, EGL surfaceless). */
  route: 'vulkan' | 'opengles' | 'native';
}

let webgpuProbe: WebgpuProbe | undefined;

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software/i;

function adapterFacts(adapter: any): { info: WebgpuProbe['info']; software: boolean } {
  const info = (adapter.info ?? {}) as WebgpuProbe['info'] & { isFallbackAdapter?: boolean };
  const software = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true ||
    SOFTWARE_ADAPTER.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
  return { info: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description }, software };
}

/**
 * Find a WebGPU adapter through Dawn (npm `webgpu`). Dawn's default instance on Linux sees Vulkan
 * drivers only. When no hardware adapter is found and software adapters are allowed, a second
 * instance is made with Dawn's OpenGL ES backend at the `compatibility` feature level on Mesa's EGL
 * surfaceless platform (llvmpipe): it needs no display and no Vulkan, only Debian's
 * libegl-mesa0 + libgl1-mesa-dri + libegl-dev (Dawn opens the unversioned libEGL.so).
 * docs/decisions/0007-webgpu-software-adapter.md says why this route and not lavapipe.
 */
async function probeWebgpu(allowSoftware: boolean): Promise<WebgpuProbe> {
  const g = globalThis as any;
  if (g.navigator?.gpu && !g.navigator.gpu.__paperzoo) {
    // A host that has WebGPU already (a browser, Deno): take its adapter as it is.
    const adapter = await g.navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter was found');
    return { gpu: g.navigator.gpu, adapterOptions: {}, ...adapterFacts(adapter), route: 'native' };
  }
  const dawn = await importOptional('webgpu');
  Object.assign(globalThis, dawn.globals ?? {});
  // Without a Vulkan loader Dawn's default instance finds nothing and prints a warning: skip it.
  const vulkan = vulkanLoaderFindable() ? dawn.create([]) : null;
  const hw = vulkan ? await vulkan.requestAdapter({ powerPreference: 'high-performance' }) : null;
  if (hw) {
    const facts = adapterFacts(hw);
    if (!facts.software || allowSoftware) return { gpu: vulkan, adapterOptions: {}, ...facts, route: 'vulkan' };
  }
  if (!allowSoftware) {
    throw new Error(hw ? `the only adapter is a software one (${describeAdapter(adapterFacts(hw).info)})` : 'Dawn found no Vulkan adapter (no GPU driver, or no libvulkan.so.1); for tests on a software adapter set PAPERZOO_WEBGPU_SOFTWARE=1');
  }
  // EGL reads its platform when it is first initialised; surfaceless needs no display server.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gles = dawn.create(['backend=opengles']);
  const adapterOptions = { featureLevel: 'compatibility' };
  const sw = await gles.requestAdapter(adapterOptions);
  if (!sw) throw new Error('no adapter: neither a Vulkan driver nor Mesa EGL (OpenGL ES, llvmpipe) was found');
  return { gpu: gles, adapterOptions, ...adapterFacts(sw), route: 'opengles' };
}

/** Linux: libvulkan.so.1 is on LD_LIBRARY_PATH or in the loader cache (elsewhere: assume yes). */
function vulkanLoaderFindable(): boolean {
  if (process.platform !== 'linux') return true;
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (fs.existsSync(path.join(dir, 'libvulkan.so.1'))) return true;
  }
  try {
    return fs.readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

function describeAdapter(info: WebgpuProbe['info']): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}

/**
 * The webgpu backend. `auto` (requireHardware) takes a hardware adapter only. Asked for by name, a
 * software adapter is used only when allowed (`webgpuSoftware` or PAPERZOO_WEBGPU_SOFTWARE=1): it is
 * two orders of magnitude slower than a GPU, so it is for tests, never a silent fallback.
 */
async function loadWebgpu(requireHardware: boolean, allowSoftware: boolean): Promise<void> {
  try {
    if (requireHardware && webgpuProbe == null && !vulkanLoaderFindable()) {
      // auto on a machine without Vulkan: Dawn would only print a warning and find nothing.
      throw new Error('no Vulkan loader (libvulkan.so.1) on this machine');
    }
    webgpuProbe ??= await probeWebgpu(allowSoftware && !requireHardware);
    const probe = webgpuProbe;
    if (probe.software && (requireHardware || !allowSoftware)) {
      throw new Error(`the adapter is a software one (${describeAdapter(probe.info)})${requireHardware ? '' : '; set PAPERZOO_WEBGPU_SOFTWARE=1 (or initBackend({ webgpuSoftware: true })) to use it anyway'}`);
    }
    const g = globalThis as any;
    if (probe.route !== 'native' && g.navigator?.gpu?.__paperzoo !== probe.gpu) {
      // tfjs's backend factory calls navigator.gpu.requestAdapter itself: pass our options through.
      const gpu = probe.gpu;
      const wrapped = {
        __paperzoo: gpu,
        requestAdapter: (o: Record<string, unknown> = {}) => gpu.requestAdapter({ ...o, ...probe.adapterOptions }),
        getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat?.() ?? 'rgba8unorm',
        get wgslLanguageFeatures() {
          return gpu.wgslLanguageFeatures;
        },
      };
      if (!g.navigator) Object.defineProperty(g, 'navigator', { value: {}, writable: true, configurable: true });
      try {
        g.navigator.gpu = wrapped;
      } catch {
        Object.defineProperty(g.navigator, 'gpu', { value: wrapped, writable: true, configurable: true });
      }
    }
    // Imported after navigator.gpu exists: it registers its factory only if it sees one.
    await importOptional('@tensorflow/tfjs-backend-webgpu');
    if (tf.engine().registryFactory.webgpu == null) throw new Error('@tensorflow/tfjs-backend-webgpu was loaded before navigator.gpu existed and registered nothing');
    registerWebgpuKernels();
  } catch (e) {
    if (e instanceof BackendUnavailableError) throw e;
    throw new BackendUnavailableError(
      'webgpu',
      errorMessage(e),
      'Install the optional packages `webgpu@0.6.2` and `@tensorflow/tfjs-backend-webgpu@4.22.0`, and a Vulkan driver for your GPU (packages/tensor/README.md, "GPU").',
    );
  }
  const p = webgpuProbe;
  const route = p.route === 'opengles' ? "Dawn OpenGL ES, featureLevel 'compatibility'" : p.route === 'vulkan' ? 'Dawn Vulkan' : 'host WebGPU';
  extras.set('webgpu', { device: `${describeAdapter(p.info)} (${route}${p.software ? '; software adapter' : ''})` });
}

/** The WebGPU adapter found by the last webgpu load (undefined before one): for logs and benchmarks. */
export function webgpuAdapter(): { name: string; software: boolean; route: string } | undefined {
  return webgpuProbe && { name: describeAdapter(webgpuProbe.info), software: webgpuProbe.software, route: webgpuProbe.route };
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

async function tryBackend(name: BackendName, strict: boolean, webgpuSoftware: boolean): Promise<void> {
  if (name === 'tensorflow') await loadTensorflow(!strict);
  if (name === 'webgpu') await loadWebgpu(!strict, webgpuSoftware);
  if (name === 'native') await loadNative();
  if (tf.findBackend(name) == null && tf.engine().registryFactory[name] == null) {
    throw new BackendUnavailableError(name, 'it is not registered', 'Use one of: ' + BACKEND_CHOICES.join(', '));
  }
  await activate(name);
  if (name === 'webgpu') clarifySyncReads(tf.backend());
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
  const webgpuSoftware = options.webgpuSoftware ?? /^(1|true|yes)$/i.test(process.env.PAPERZOO_WEBGPU_SOFTWARE ?? '');
  if (asked !== 'auto') {
    await tryBackend(asked as BackendName, true, webgpuSoftware);
    return asked as BackendName;
  }
  for (const candidate of ['tensorflow', 'webgpu', 'native', 'wasm', 'cpu'] as const) {
    try {
      await tryBackend(candidate, false, false);
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
