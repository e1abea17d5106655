/**
 * The native backend's own behaviour (its kernels' values and gradients are checked by
 * @paperzoo/tensor's conformance suite, which runs on native too): registration, the kernels that
 * fall back to cpu, the output-buffer pool's safety, and the message when the addon is absent.
 * Skipped (visibly) where the addon is not built.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tf, assertNoLeaks, initBackend } from '@paperzoo/tensor';
import { ADDON_PATH } from '../src/addon.js';
import { ENABLE_COMMAND, NATIVE_KERNELS, addonError, nativeAvailable, nativeInfo } from '../src/index.js';

const built = fs.existsSync(ADDON_PATH);

describe('availability', () => {
  it('nativeAvailable() is true exactly when the addon is built, and says how to build it otherwise', () => {
    expect(nativeAvailable()).toBe(built);
    if (!built) expect(addonError()).toContain(ENABLE_COMMAND);
    else expect(addonError()).toBe('');
  });
});

describe.skipIf(!built)('native backend', () => {
  it('registers as native with every cpu kernel, on 2 threads, and auto picks it', async () => {
    expect(await initBackend()).toBe('native');
    expect(tf.getBackend()).toBe('native');
    expect(nativeInfo().threads).toBe(2);
    expect(nativeInfo().libraries).toMatch(/OpenBLAS .*oneDNN/);
    const nativeKernels = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) expect(nativeKernels.has(k.kernelName), k.kernelName).toBe(true);
    for (const k of NATIVE_KERNELS) expect(nativeKernels.has(k.kernelName), k.kernelName).toBe(true);
  });

  it('falls back to the cpu kernel for inputs it does not handle (int32, NCHW) with the same values', async () => {
    await initBackend({ backend: 'native' });
    const ints = tf.tidy(() => Array.from(tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')).dataSync()));
    expect(ints).toEqual([5, 7, 9]);
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 3 * 5 * 5 }, (_, i) => Math.sin(i)), [2, 3, 5, 5]);
    const w = tf.tensor4d(Float32Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
    const nchw = await tf.conv2d(x, w, 1, 'same', 'NCHW').data();
    const nhwc = await tf.transpose(tf.conv2d(tf.transpose(x, [0, 2, 3, 1]), w, 1, 'same'), [0, 3, 1, 2]).data();
    nchw.forEach((v, i) => expect(Math.abs(v - nhwc[i])).toBeLessThan(1e-4));
    tf.dispose([x, w]);
  });

  it('values read from a tensor stay valid after it is disposed and its buffer is reused', async () => {
    await initBackend({ backend: 'native' });
    const n = 1 << 16; // large enough to come from the pool
    await assertNoLeaks(() => {
      const a = tf.fill([n], 3);
      const b = tf.relu(a); // a pooled output
      const read = b.dataSync();
      b.dispose();
      const c = tf.tidy(() => tf.relu(tf.fill([n], -1))); // likely gets b's buffer back
      expect(read[0]).toBe(3);
      expect(read[n - 1]).toBe(3);
      expect(c.dataSync()[0]).toBe(0);
      tf.dispose([a, c]);
    }, { label: 'pool reuse' });
  });

  it('a slice view of a pooled buffer survives the disposal of the tensor it views', async () => {
    await initBackend({ backend: 'native' });
    const n = 1 << 16;
    const parent = tf.tidy(() => tf.relu(tf.fill([2, n], 5))); // pooled
    const view = tf.slice(parent, [1, 0], [1, n]); // contiguous: the cpu kernel's subarray view
    parent.dispose();
    const other = tf.tidy(() => tf.relu(tf.fill([2, n], -7))); // must not get parent's buffer while the view lives
    expect(view.dataSync()[n - 1]).toBe(5);
    tf.dispose([view, other]);
  });
});
