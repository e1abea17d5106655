import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRngState, initBackend, random, seed, tf } from '@paperzoo/tensor';
import { CheckpointMismatchError, createCheckpointStore, CurveLog, decodeCheckpoint, encodeCheckpoint } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'cpu' });
});

const identity = { id: 'x', tier: 'smoke', seed: 1, config: { a: 1, b: [1, 2] }, backend: 'cpu' };

describe('checkpoint file format', () => {
  it('round-trips float32, int32 and bool tensors and the header', async () => {
    const tensors = { w: tf.tensor2d([[1.5, -2], [3, 4e-8]]), n: tf.tensor1d([1, 2, 3], 'int32'), m: tf.tensor1d([true, false, true], 'bool'), s: tf.scalar(7) };
    const bytes = await encodeCheckpoint({ identity, savedAt: 'now', epoch: 2, step: 10, rng: getRngState(), curves: {}, state: { k: [1, 'two'] } }, tensors);
    const { header, tensors: back } = decodeCheckpoint(bytes);
    expect(header).toMatchObject({ epoch: 2, step: 10, state: { k: [1, 'two'] }, identity });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].shape).toEqual(t.shape);
      expect(Array.from(back[k].dataSync())).toEqual(Array.from(t.dataSync()));
    }
    tf.dispose([...Object.values(tensors), ...Object.values(back)]);
  });

  it('rejects damaged files', async () => {
    const bytes = await encodeCheckpoint({ identity, savedAt: 'now', epoch: 0, step: 0, rng: getRngState(), curves: {}, state: null }, { w: tf.ones([100]) });
    expect(() => decodeCheckpoint(new Uint8Array(20))).toThrow(CheckpointMismatchError);
    expect(() => decodeCheckpoint(bytes.slice(0, bytes.length - 8), 'f')).toThrow(/tensor 'w' runs past the end of the file/);
    const bad = bytes.slice();
    bad[12] = 0x7b + 1; // break the JSON header
    expect(() => decodeCheckpoint(bad)).toThrow(/unreadable header/);
  });
});

describe('checkpoint store', () => {
  it('saves atomically, restores curves and RNG state, refuses other runs', async () => {
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pz-ckpt-')), 'checkpoint');
    const curves = new CurveLog();
    curves.log({ 'loss/train': 1 }, { step: 1, epoch: 0.5 });
    const saved: number[] = [];
    const store = createCheckpointStore({ dir, identity, curves, resume: false, onSave: (i) => saved.push(i.epoch) });
    seed(5);
    const w = tf.tensor1d([1, 2, 3]);
    await store.save({ epoch: 1, step: 4, tensors: { w }, state: { hello: 'world' } });
    expect(saved).toEqual([1]);
    expect(store.lastSavedEpoch).toBe(1);
    expect(readdirSync(dir)).toEqual(['checkpoint.pzck']);
    expect(await store.load()).toBeNull(); // not resuming
    const expectedNext = random();

    const curves2 = new CurveLog();
    seed(99);
    const resuming = createCheckpointStore({ dir, identity, curves: curves2, resume: true });
    const loaded = await resuming.load();
    expect(loaded).toMatchObject({ epoch: 1, step: 4, state: { hello: 'world' } });
    expect(Array.from(loaded!.tensors.w.dataSync())).toEqual([1, 2, 3]);
    expect(curves2.snapshot()).toEqual(curves.snapshot());
    expect(random()).toBe(expectedNext); // the RNG continues where it was saved
    tf.dispose([w, ...Object.values(loaded!.tensors)]);

    const other = createCheckpointStore({ dir, identity: { ...identity, config: { a: 2, b: [1, 2] } }, curves: new CurveLog(), resume: true });
    await expect(other.load()).rejects.toThrow(/config differs in a \(1 there, 2 here\)/);
    const otherTier = createCheckpointStore({ dir, identity: { ...identity, tier: 'full' }, curves: new CurveLog(), resume: true });
    await expect(otherTier.load()).rejects.toThrow(/it is from the smoke tier/);
    const warnings: string[] = [];
    const otherBackend = createCheckpointStore({ dir, identity: { ...identity, backend: 'wasm' }, curves: new CurveLog(), resume: true, onWarn: (t) => warnings.push(t) });
    tf.dispose(Object.values((await otherBackend.load())!.tensors));
    expect(warnings[0]).toMatch(/made on the cpu backend and this run uses wasm/);

    writeFileSync(path.join(dir, 'checkpoint.pzck'), readFileSync(path.join(dir, 'checkpoint.pzck')).subarray(0, 30));
    await expect(resuming.load()).rejects.toThrow(/damaged/);
    await resuming.clear();
    expect(await resuming.exists()).toBe(false);
    expect(await resuming.load()).toBeNull();
  });
});
