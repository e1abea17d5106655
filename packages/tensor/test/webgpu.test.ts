/**
 * The webgpu backend itself (run by `npm run test:webgpu`, PAPERZOO_TEST_WEBGPU=1; skipped otherwise):
 * it initialises on an adapter and names it, `auto` never takes a software adapter, a software adapter
 * is refused without the opt-in, and every kernel paperzoo registers for another backend exists on
 * webgpu, with paperzoo's webgpu replacements (src/kernels/webgpu.ts) in place. The kernels' values
 * are checked by the conformance, gradient and second-order suites on webgpu.
 */
import { describe, expect, it } from 'vitest';
import { tf, initBackend, deviceInfo, webgpuAdapter, BackendUnavailableError, CPU_KERNELS, WASM_KERNELS, WEBGPU_KERNELS, WebgpuUnsupportedError } from '../src/index.js';
import { stockKernel } from '../src/kernels/index.js';
import { AVAILABLE, WEBGPU_TESTED } from './backends.js';

describe.skipIf(!WEBGPU_TESTED || !AVAILABLE.webgpu)('webgpu backend', () => {
  it('initialises on an adapter and names it', async () => {
    expect(await initBackend({ backend: 'webgpu' })).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const info = deviceInfo();
    const adapter = webgpuAdapter();
    console.log(`webgpu adapter: ${info.device}`);
    expect(info.backend).toBe('webgpu');
    expect(adapter?.name.length).toBeGreaterThan(0);
    expect(info.device).toContain(adapter!.name);
    if (adapter!.software) expect(info.device).toContain('software adapter');
  });

  it('auto never takes a software adapter; without the opt-in, asking for webgpu on one throws', async () => {
    await initBackend({ backend: 'webgpu' });
    const adapter = webgpuAdapter()!;
    if (!adapter.software) return;
    const chosen = await initBackend({ backend: 'auto' });
    expect(chosen).not.toBe('webgpu');
    const refused = initBackend({ backend: 'webgpu', webgpuSoftware: false });
    await expect(refused).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend({ backend: 'webgpu', webgpuSoftware: false })).rejects.toThrow(/software.*PAPERZOO_WEBGPU_SOFTWARE=1/);
    await initBackend({ backend: 'webgpu' });
  });

  it("every kernel paperzoo registers for cpu or wasm exists on webgpu, and paperzoo's webgpu fixes replaced the stock ones", async () => {
    await initBackend({ backend: 'webgpu' });
    const names = new Set([...WASM_KERNELS, ...CPU_KERNELS].map((k) => k.kernelName));
    for (const name of names) expect(tf.getKernel(name, 'webgpu'), name).toBeDefined();
    for (const fix of WEBGPU_KERNELS) {
      expect(tf.getKernel(fix.kernelName, 'webgpu')?.kernelFunc, fix.kernelName).toBe(fix.kernelFunc);
      expect(stockKernel(fix.kernelName, 'webgpu'), `${fix.kernelName}: the stock kernel it replaced`).toBeDefined();
    }
  });
});

describe.skipIf(!WEBGPU_TESTED || !AVAILABLE.webgpu || typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined')('webgpu under Node: listed unsupported', () => {
  it('a synchronous read of a GPU tensor throws a WebgpuUnsupportedError saying to await data(); async reads work', async () => {
    await initBackend({ backend: 'webgpu' });
    const y = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), 1));
    expect(() => y.dataSync()).toThrow(WebgpuUnsupportedError);
    expect(() => y.arraySync()).toThrow(/synchronous read .* use `await tensor.data\(\)`/);
    expect(Array.from(await y.data())).toEqual([2, 3, 4]);
    y.dispose();
  });
});
