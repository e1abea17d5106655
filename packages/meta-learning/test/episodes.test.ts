/**
 * The N-way K-shot episode sampler: shapes, labels and order on a synthetic split whose pixels name their
 * class and drawing, seeds, range errors, and the pixel 1-nearest-neighbour baseline on the real Omniglot
 * test split (needs the dataset mirror, `PAPERZOO_DATA_MIRROR`; skipped, visibly, without it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOmniglotFewShot, resolveFetchConfig, type OmniglotFewShot } from '@paperzoo/datasets';
import { assertNoLeaksSync, initBackend, makeRng, seed, tf } from '@paperzoo/tensor';
import { disposeEpisode, episodeImages, pixelNearestNeighbour, sampleEpisode, type Episode } from '../src/index.js';

/**
 * A split of `classes` classes × 20 drawings of 2×2 images: pixel 0 of class c, drawing d is c·20 + d
 * (so every image says where it came from), pixels 1–3 are 0, 85, 255.
 */
function syntheticSplit(classes: number): OmniglotFewShot {
  const images = new Uint8Array(classes * 20 * 4);
  for (let i = 0; i < classes * 20; i++) images.set([i, 0, 85, 255], i * 4);
  return { split: 'test', classes: Array.from({ length: classes }, (_, c) => `Synthetic/character${c + 1}/rot000`), size: 2, drawings: 20, images };
}

/** (class, drawing) of each image of a `[n, 2, 2, 1]` tensor of {@link syntheticSplit}. */
function origins(t: tf.Tensor4D): { cls: number; drawing: number }[] {
  const v = t.dataSync();
  return Array.from({ length: t.shape[0] }, (_, i) => {
    const id = Math.round(v[i * 4] * 255);
    return { cls: Math.floor(id / 20), drawing: id % 20 };
  });
}

const snapshot = (ep: Episode) => ({
  support: Array.from(ep.support.dataSync()),
  query: Array.from(ep.query.dataSync()),
  supportLabels: Array.from(ep.supportLabels.dataSync()),
  queryLabels: Array.from(ep.queryLabels.dataSync()),
  classes: ep.classes,
});

describe.each(['cpu', 'wasm'] as const)('sampleEpisode on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('shapes, dtypes, class-major labels, pixels / 255 of the sampled classes, no drawing twice', () => {
    const data = syntheticSplit(12);
    seed(1);
    for (let trial = 0; trial < 20; trial++) {
      const ep = sampleEpisode(data, { ways: 5, shots: 3, queries: 4 });
      expect(ep.support.shape).toEqual([15, 2, 2, 1]);
      expect(ep.query.shape).toEqual([20, 2, 2, 1]);
      expect([ep.support.dtype, ep.query.dtype, ep.supportLabels.dtype, ep.queryLabels.dtype]).toEqual(['float32', 'float32', 'int32', 'int32']);
      expect(Array.from(ep.supportLabels.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
      expect(Array.from(ep.queryLabels.dataSync())).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]);
      expect(new Set(ep.classes).size).toBe(5);
      for (const c of ep.classes) expect(c >= 0 && c < 12).toBe(true);
      const s = origins(ep.support);
      const q = origins(ep.query);
      expect(s.map((o) => o.cls)).toEqual(ep.classes.flatMap((c) => [c, c, c]));
      expect(q.map((o) => o.cls)).toEqual(ep.classes.flatMap((c) => [c, c, c, c]));
      const used = [...s, ...q].map((o) => `${o.cls}/${o.drawing}`);
      expect(new Set(used).size).toBe(used.length);
      const v = ep.support.dataSync();
      expect([v[1], v[2], v[3]]).toEqual([0, Math.fround(85 / 255), 1]);
      disposeEpisode(ep);
    }
  });

  it('a seed fixes the episode; the global generator advances; a passed `random` is used instead', () => {
    const data = syntheticSplit(30);
    const spec = { ways: 5, shots: 1, queries: 5 };
    const draw = (random?: () => number) => {
      const ep = sampleEpisode(data, spec, random);
      const s = snapshot(ep);
      disposeEpisode(ep);
      return s;
    };
    seed(42);
    const a = draw();
    const a2 = draw();
    seed(42);
    expect(draw()).toEqual(a);
    expect(draw()).toEqual(a2);
    expect(a2).not.toEqual(a);
    seed(42);
    const r = draw(makeRng(5));
    expect(draw()).toEqual(a); // the passed generator left the global one untouched
    expect(draw(makeRng(5))).toEqual(r);
    expect(draw(makeRng(6))).not.toEqual(r);
  });

  it('leaks nothing once the episode is disposed; episodeImages gives the same floats', () => {
    const data = syntheticSplit(6);
    assertNoLeaksSync(() => disposeEpisode(sampleEpisode(data, { ways: 6, shots: 10, queries: 10 })));
    expect(Array.from(episodeImages(data, 3, [19, 0]))).toEqual([79, 0, 85, 255, 60, 0, 85, 255].map((p) => Math.fround(p / 255)));
  });

  it('range errors name the bad value', () => {
    const data = syntheticSplit(4);
    expect(() => sampleEpisode(data, { ways: 5, shots: 1, queries: 1 })).toThrow(RangeError);
    expect(() => sampleEpisode(data, { ways: 5, shots: 1, queries: 1 })).toThrow(/ways = 5 is more than the 4 classes/);
    expect(() => sampleEpisode(data, { ways: 2, shots: 5, queries: 16 })).toThrow(/shots \+ queries = 5 \+ 16 = 21 is more than the 20 drawings/);
    expect(() => sampleEpisode(data, { ways: 2, shots: 0, queries: 1 })).toThrow(/shots must be an integer ≥ 1, got 0/);
    expect(() => sampleEpisode(data, { ways: 2.5, shots: 1, queries: 1 })).toThrow(/ways must be an integer ≥ 1, got 2.5/);
    expect(() => sampleEpisode(data, { ways: 2, shots: 1, queries: -1 })).toThrow(/queries must be an integer ≥ 0, got -1/);
    const atLimits = sampleEpisode(data, { ways: 4, shots: 10, queries: 10 }); // the limits themselves are fine
    expect(atLimits.classes.length).toBe(4);
    disposeEpisode(atLimits);
  });

  it('pixelNearestNeighbour: float64 1-NN, ties to the lower support index', () => {
    const ep: Episode = {
      // support: [0,0,0,0] (label 0), [1,1,1,1] (label 1), [0,0,0,0] (label 1: a tie with support 0)
      support: tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0], [3, 2, 2, 1]),
      supportLabels: tf.tensor1d([0, 1, 1], 'int32'),
      // queries: near support 0/2 (tie → label 0, right), near support 1 (label 1, right), near 0 but labelled 1 (wrong)
      query: tf.tensor4d([0.1, 0, 0, 0, 0.9, 1, 1, 0.6, 0, 0, 0.2, 0], [3, 2, 2, 1]),
      queryLabels: tf.tensor1d([0, 1, 1], 'int32'),
      classes: [0, 1],
    };
    expect(pixelNearestNeighbour(ep)).toBeCloseTo(2 / 3, 12);
    disposeEpisode(ep);
  });
});

const mirror = resolveFetchConfig().mirror;
const noMirror = mirror === null || !fs.existsSync(mirror);
if (noMirror) console.warn('PAPERZOO_DATA_MIRROR is not set (or missing): the Omniglot episode tests are skipped.');

describe.skipIf(noMirror)('episodes of the Omniglot test split (Vinyals et al. 2016), 28×28', () => {
  let data: OmniglotFewShot;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pz-episodes-'));
    await initBackend({ backend: 'cpu' });
    data = await loadOmniglotFewShot({ split: 'test', mirror, cacheDir, offline: true });
  });
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('a 20-way 5-shot episode: [100, 28, 28, 1] support, [300, 28, 28, 1] query, values in [0, 1]', () => {
    seed(0);
    const ep = sampleEpisode(data, { ways: 20, shots: 5, queries: 15 });
    expect(ep.support.shape).toEqual([100, 28, 28, 1]);
    expect(ep.query.shape).toEqual([300, 28, 28, 1]);
    const v = ep.support.dataSync();
    expect(Math.min(...v)).toBe(0);
    expect(Math.max(...v)).toBe(1);
    expect(() => sampleEpisode(data, { ways: 1693, shots: 1, queries: 1 })).toThrow(/ways = 1693 is more than the 1692 classes of the test split/);
    disposeEpisode(ep);
  });

  it('pixel 1-NN over 200 5-way 1-shot episodes (15 queries per class) is far above chance (20%)', () => {
    seed(0);
    let sum = 0;
    const episodes = 200;
    for (let i = 0; i < episodes; i++) {
      const ep = sampleEpisode(data, { ways: 5, shots: 1, queries: 15 });
      sum += pixelNearestNeighbour(ep);
      disposeEpisode(ep);
    }
    const accuracy = sum / episodes;
    console.log(`pixel 1-NN, 5-way 1-shot, 200 test episodes (seed 0): ${(100 * accuracy).toFixed(2)}%`);
    // Measured: 37.69% here; 37.49% / 37.70% over 2000 episodes from seeds 0 / 1 (episode sd 8.2 pp, so
    // 0.6 pp standard error at 200). With resize 'area': 43.9%. 20-way 1-shot: 17.9% (area 24.2%).
    expect(accuracy).toBeGreaterThan(0.33);
    expect(accuracy).toBeLessThan(0.43);
    expect(accuracy).toBeCloseTo(0.376933, 6); // pinned: seed 0 fixes the 200 episodes (style.md §9)
  });
});
