/**
 * The Omniglot few-shot loader on the real files: the Vinyals et al. split files, and the resized, rotated
 * drawings checked pixel for pixel against naive float64 computations from the 105×105 PNGs. Needs the
 * dataset mirror (`PAPERZOO_DATA_MIRROR`); skipped, visibly, without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasetError,
  fetchFile,
  loadOmniglot,
  loadOmniglotFewShot,
  loadVinyalsSplit,
  nearestIndices,
  resizeSquare,
  rotateSquare,
  unzipMembers,
  type FetchOptions,
  type OmniglotFewShot,
  type OmniglotSet,
  type VinyalsSplit,
} from '../src/index.js';
import { configuredMirror, removeTmpDirs, tmpDir } from './helpers.js';

const mirror = configuredMirror();
const noMirror = mirror === null;
if (noMirror) console.warn('PAPERZOO_DATA_MIRROR is not set (or missing): the Omniglot few-shot tests are skipped.');

let opts: FetchOptions;
beforeAll(() => {
  opts = { mirror, cacheDir: tmpDir('pz-omni-fewshot-'), offline: true };
});
afterAll(removeTmpDirs);

const character = (line: string): string => line.slice(0, line.lastIndexOf('/'));

/** Counter-clockwise rotation by 90° of a square image, written out on its own: out[y][x] = in[x][n-1-y]. */
function ccw90(img: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) out[y * n + x] = img[x * n + (n - 1 - y)];
  return out;
}

/** PIL NEAREST by hand: out[y][x] = in[floor((y + 0.5)·105/28)][floor((x + 0.5)·105/28)]. */
function nearestByHand(img: Uint8Array, n: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  const s = n / size;
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) out[y * size + x] = img[Math.floor((y + 0.5) * s) * n + Math.floor((x + 0.5) * s)];
  return out;
}

/** Area average by hand, float64: each input pixel weighted by its overlap with [x·s, (x+1)·s) × [y·s, (y+1)·s). */
function areaByHand(img: Uint8Array, n: number, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  const s = n / size;
  const overlap = (i: number, j: number): number => Math.max(0, Math.min((i + 1) * s, j + 1) - Math.max(i * s, j));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) sum += overlap(y, r) * overlap(x, c) * img[r * n + c];
      out[y * size + x] = Math.round(sum / (s * s));
    }
  }
  return out;
}

/** Drawing `drawer` (1–20) of `alphabet/characterNN` as 105×105 strokes 255 on 0. */
function drawing(set: OmniglotSet, key: string, drawer: number): Uint8Array {
  const ch = set.characters.find((c) => `${c.alphabet}/${c.name}` === key)!;
  const i = ch.images[drawer - 1];
  expect(set.drawers[i]).toBe(drawer);
  return set.pixels.subarray(i * 105 * 105, (i + 1) * 105 * 105);
}

/** The number of positions where two byte arrays differ (a cheap, readable equality for big arrays). */
function differing(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  if (Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) return 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) n += a[i] !== b[i] ? 1 : 0;
  return n;
}

/** The class index of a split line (which must be there). */
function classIndex(d: OmniglotFewShot, line: string): number {
  const k = d.classes.indexOf(line);
  expect(k, line).toBeGreaterThanOrEqual(0);
  return k;
}

const imageOf = (d: OmniglotFewShot, cls: number, drawer: number): Uint8Array => {
  const per = d.size * d.size;
  const at = (cls * d.drawings + drawer) * per;
  return d.images.subarray(at, at + per);
};

describe.skipIf(noMirror)('Vinyals et al. split files', () => {
  it('have 4112 / 688 / 4800 / 1692 classes, four rotations per character, train/val/test disjoint by character, trainval = train then val', async () => {
    const lines = Object.fromEntries(await Promise.all((['train', 'val', 'trainval', 'test'] as VinyalsSplit[]).map(async (s) => [s, await loadVinyalsSplit(s, opts)] as const)));
    expect([lines.train.length, lines.val.length, lines.trainval.length, lines.test.length]).toEqual([4112, 688, 4800, 1692]);
    const chars = (s: VinyalsSplit): Set<string> => new Set(lines[s].map(character));
    expect([chars('train').size, chars('val').size, chars('trainval').size, chars('test').size]).toEqual([1028, 172, 1200, 423]);
    for (const s of ['train', 'val', 'test'] as const) {
      const all = new Set(lines[s]);
      expect(all.size).toBe(lines[s].length);
      expect([...chars(s)].flatMap((c) => ['000', '090', '180', '270'].map((rot) => `${c}/rot${rot}`)).filter((l) => !all.has(l))).toEqual([]);
    }
    const intersect = (a: Set<string>, b: Set<string>): string[] => [...a].filter((x) => b.has(x));
    expect(intersect(chars('train'), chars('val'))).toEqual([]);
    expect(intersect(chars('train'), chars('test'))).toEqual([]);
    expect(intersect(chars('val'), chars('test'))).toEqual([]);
    expect(lines.trainval).toEqual([...lines.train, ...lines.val]);
  });

  it("the test split's 13 alphabets are all in images_evaluation.zip; every class's character is in exactly one zip", async () => {
    const foldersOf = async (zip: string): Promise<Set<string>> => {
      const seen = new Set<string>();
      unzipMembers(fs.readFileSync(await fetchFile('omniglot', zip, opts)), zip, (name) => {
        const m = /^[^/]+\/([^/]+\/character\d+)\/\d+_\d+\.png$/.exec(name);
        if (m) seen.add(m[1]);
        return false; // list only, decompress nothing
      });
      return seen;
    };
    const background = await foldersOf('images_background.zip');
    const evaluation = await foldersOf('images_evaluation.zip');
    expect([background.size, evaluation.size]).toEqual([964, 659]);
    const test = await loadVinyalsSplit('test', opts);
    const alphabets = new Set(test.map((l) => l.split('/')[0]));
    expect(alphabets.size).toBe(13);
    for (const c of new Set(test.map(character))) expect(evaluation.has(c), c).toBe(true);
    for (const l of await loadVinyalsSplit('trainval', opts)) expect(Number(background.has(character(l))) + Number(evaluation.has(character(l))), l).toBe(1);
  });
});

describe('argument checks, resampling and rotation (no data needed)', () => {
  it('a bad split name is a BAD_ARGUMENT error naming it and the allowed ones', async () => {
    for (const load of [() => loadVinyalsSplit('tset' as VinyalsSplit, opts), () => loadOmniglotFewShot({ ...opts, split: 'tset' as VinyalsSplit })]) {
      const err = await load().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as DatasetError).code).toBe('BAD_ARGUMENT');
      expect((err as DatasetError).message).toContain('tset');
      expect((err as DatasetError).message).toContain('train | val | trainval | test');
    }
    await expect(loadOmniglotFewShot({ ...opts, split: 'test', size: 0 })).rejects.toThrow(/size out of range/);
    await expect(loadOmniglotFewShot({ ...opts, split: 'test', resize: 'lanczos' as 'area' })).rejects.toThrow(/lanczos/);
  });

  it("nearest indices are Pillow's (ImagingScaleAffine: x0 = 0.5·105/28, stepped by 105/28 in float64, truncated)", () => {
    const pillow: number[] = [];
    for (let i = 0, xo = (105 / 28) * 0.5; i < 28; i++, xo += 105 / 28) pillow.push(Math.trunc(xo));
    expect([...nearestIndices(105, 28)]).toEqual(pillow);
    expect(pillow.slice(0, 4)).toEqual([1, 5, 9, 13]);
  });

  it('area resize of a tiny image by hand: 3×3 → 2×2 (each output pixel 1.5×1.5 input pixels)', () => {
    // in = [[0, 255, 0], [255, 255, 255], [0, 0, 0]]. Top-left: (0·1 + 255·0.5 + 255·0.5 + 255·0.25) / 2.25 = 141.67 → 142; bottom-left: 255·(1 + 0.5)·0.5 / 2.25 = 85.
    const img = Uint8Array.from([0, 255, 0, 255, 255, 255, 0, 0, 0]);
    expect([...resizeSquare(img, 3, 2, 'area')]).toEqual([142, 142, 85, 85]);
    expect([...resizeSquare(img, 3, 2, 'nearest')]).toEqual([0, 0, 0, 0]); // rows/cols floor(0.75) = 0, floor(2.25) = 2
    expect([...rotateSquare(Uint8Array.from([1, 2, 3, 4]), 2, 90)]).toEqual([2, 4, 1, 3]); // [[1,2],[3,4]] CCW → [[2,4],[1,3]]
  });
});

describe.skipIf(noMirror)('loadOmniglotFewShot on the test split', () => {
  let evaluation: OmniglotSet;
  const data: Partial<Record<'nearest' | 'area', OmniglotFewShot>> = {};
  beforeAll(async () => {
    evaluation = await loadOmniglot({ ...opts, set: 'evaluation', alphabets: ['Gurmukhi', 'Tengwar'], invert: true });
    for (const resize of ['nearest', 'area'] as const) {
      const t = performance.now();
      data[resize] = await loadOmniglotFewShot({ ...opts, split: 'test', resize });
      console.log(`loadOmniglotFewShot test/${resize} (cold): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    }
  });

  it('is [1692, 20, 28, 28] uint8, strokes 255 on 0, classes in file order', async () => {
    const d = data.nearest!;
    expect([d.split, d.size, d.drawings, d.classes.length]).toEqual(['test', 28, 20, 1692]);
    expect(d.images).toBeInstanceOf(Uint8Array);
    expect(d.images.length).toBe(1692 * 20 * 28 * 28);
    expect(d.classes).toEqual(await loadVinyalsSplit('test', opts));
    const values = new Set(d.images.subarray(0, 20 * 28 * 28));
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
    let strokes = 0;
    for (const v of d.images) strokes += v === 255 ? 1 : 0;
    expect(strokes / d.images.length).toBeGreaterThan(0.03); // thin strokes on a black background
    expect(strokes / d.images.length).toBeLessThan(0.2);
  });

  it('rot000 drawings equal a hand computation from the 105×105 PNG, pixel for pixel (nearest and area)', () => {
    for (const [key, drawer] of [['Gurmukhi/character42', 1], ['Tengwar/character07', 13]] as const) {
      const src = drawing(evaluation, key, drawer);
      for (const resize of ['nearest', 'area'] as const) {
        const d = data[resize]!;
        const byHand = resize === 'nearest' ? nearestByHand(src, 105, 28) : areaByHand(src, 105, 28);
        expect(differing(imageOf(d, classIndex(d, `${key}/rot000`), drawer - 1), byHand), `${key} drawer ${drawer} ${resize}`).toBe(0);
      }
    }
    // the area image has grey edges, the nearest one none
    expect(new Set(imageOf(data.area!, classIndex(data.area!, 'Gurmukhi/character42/rot000'), 0)).size).toBeGreaterThan(10);
  });

  it('rot090 / rot180 / rot270 are rot000 turned counter-clockwise by 90° once, twice, three times', () => {
    for (const d of [data.nearest!, data.area!]) {
      for (const key of ['Gurmukhi/character42', 'ULOG/character03']) {
        const at = (rot: string): number => classIndex(d, `${key}/rot${rot}`);
        for (let drawer = 0; drawer < 20; drawer += 7) {
          let turned = imageOf(d, at('000'), drawer);
          for (const rot of ['090', '180', '270']) {
            turned = ccw90(turned, 28);
            expect(differing(imageOf(d, at(rot), drawer), turned), `${key}/rot${rot} drawer ${drawer + 1}`).toBe(0);
          }
        }
      }
    }
  });

  it('resizing and rotating commute on a real drawing (so the loader may resize first)', () => {
    const src = drawing(evaluation, 'Tengwar/character07', 13);
    for (const resize of ['nearest', 'area'] as const) {
      for (const deg of [90, 180, 270] as const) {
        expect(differing(resizeSquare(rotateSquare(src, 105, deg), 105, 28, resize), rotateSquare(resizeSquare(src, 105, 28, resize), 28, deg)), `${resize} ${deg}°`).toBe(0);
      }
    }
    expect(differing(rotateSquare(src, 105, 90), ccw90(src, 105))).toBe(0);
  });

  it('a second load comes from the cache, identical; a damaged cache file is decoded again', async () => {
    const cacheFolder = path.join(opts.cacheDir!, 'omniglot', 'fewshot');
    expect(fs.readdirSync(cacheFolder).filter((f) => f.startsWith('test-28-nearest-'))).toHaveLength(1);
    const t = performance.now();
    const again = await loadOmniglotFewShot({ ...opts, split: 'test' });
    console.log(`loadOmniglotFewShot test/nearest (cached): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    expect(differing(again.images, data.nearest!.images)).toBe(0);
    // damage on a smaller array (val at 14×14), which is quicker to decode again
    const val = await loadOmniglotFewShot({ ...opts, split: 'val', size: 14 });
    expect(val.images.length).toBe(688 * 20 * 14 * 14);
    const [name] = fs.readdirSync(cacheFolder).filter((f) => f.startsWith('val-14-nearest-'));
    const file = path.join(cacheFolder, name);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(differing((await loadOmniglotFewShot({ ...opts, split: 'val', size: 14 })).images, val.images)).toBe(0);
    expect(fs.readFileSync(file).equals(bytes)).toBe(false); // rewritten
    fs.truncateSync(file, 1000);
    expect(differing((await loadOmniglotFewShot({ ...opts, split: 'val', size: 14 })).images, val.images)).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(val.images.length);
  });
});
