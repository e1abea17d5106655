/**
 * The real datasets: the registry against the shared snapshot's manifest, and every loader's published
 * counts and statistics. MNIST is committed in the repository and always runs; the others need the mirror
 * (`PAPERZOO_DATA_MIRROR`, set by .ci/run in CI) and are skipped, visibly, without it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_DIR,
  CIFAR10_CLASSES,
  channelStats,
  datasetNames,
  decodeGrayPngFast,
  decodePngWithPngjs,
  fetchDataset,
  fetchFile,
  loadAirfoil,
  loadCifar10,
  loadCifar10Normalized,
  loadFashionMnist,
  loadMnist,
  loadMulti30k,
  loadOmniglot,
  loadPtb,
  loadSst2,
  loadTinyShakespeare,
  loadWikiText2,
  paperSplit,
  parseCifarMeta,
  registry,
  subset,
  takeBatch,
  unzipMembers,
  type FetchOptions,
} from '../src/index.js';
import { configuredMirror, removeTmpDirs, sha256, tmpDir } from './helpers.js';

const mirror = configuredMirror();
const noMirror = mirror === null;
if (noMirror) console.warn('PAPERZOO_DATA_MIRROR is not set (or missing): real-data tests other than MNIST are skipped.');

let opts: FetchOptions;
beforeAll(() => {
  // A fresh cache: stamps for the mirror's files go there, never into ~/.cache.
  opts = { mirror, cacheDir: tmpDir('pz-real-'), offline: true };
});
afterAll(removeTmpDirs);

const histogram = (labels: ArrayLike<number>, k: number): number[] => {
  const h = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]]++;
  return h;
};

describe('registry', () => {
  it('uses the mirror folder names and well-formed checksums', () => {
    expect([...datasetNames].sort()).toEqual(['airfoil', 'cifar-10', 'fashion-mnist', 'mnist', 'multi30k', 'omniglot', 'ptb', 'sst-2', 'tiny-shakespeare', 'wikitext-2']);
    for (const name of datasetNames) {
      expect(registry[name].name).toBe(name);
      for (const [file, f] of Object.entries(registry[name].files)) {
        expect(f.sha256, `${name}/${file}`).toMatch(/^[0-9a-f]{64}$/);
        expect(f.bytes).toBeGreaterThan(0);
        const archived = (registry[name].archives ?? []).some((a) => file in a.members);
        expect(f.urls.length > 0 || archived, `${name}/${file} has a source`).toBe(true);
        for (const u of f.urls) expect(u).toMatch(/^https?:\/\//);
      }
    }
  });

  it('the committed MNIST files are the registered bytes', () => {
    for (const [file, f] of Object.entries(registry.mnist.files)) {
      const bytes = fs.readFileSync(path.join(BUNDLED_DIR, 'mnist', file));
      expect(bytes.length).toBe(f.bytes);
      expect(sha256(bytes)).toBe(f.sha256);
    }
  });

  it.skipIf(noMirror)('equals the snapshot MANIFEST.json, and every registered file in the mirror verifies', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(mirror!, 'MANIFEST.json'), 'utf8')) as Record<string, { files: Record<string, { bytes: number; sha256: string }> }>;
    expect(Object.keys(manifest).sort()).toEqual([...datasetNames].sort());
    for (const name of datasetNames) {
      const fromRegistry = Object.fromEntries(Object.entries(registry[name].files).map(([f, e]) => [f, { bytes: e.bytes, sha256: e.sha256 }]));
      expect(fromRegistry, name).toEqual(manifest[name].files);
      const paths = await fetchDataset(name, undefined, opts);
      expect(Object.keys(paths).sort()).toEqual(Object.keys(manifest[name].files).sort());
    }
  });
});

describe('MNIST (committed in the repository)', () => {
  it('loads 60000 train / 10000 test 28×28 digits with the published label counts and statistics', async () => {
    const train = await loadMnist({ split: 'train', mirror: null, cacheDir: tmpDir(), offline: true });
    expect(train).toMatchObject({ count: 60000, height: 28, width: 28, channels: 1, numClasses: 10 });
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(histogram(train.labels, 10)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    const stats = channelStats(train);
    expect(stats.mean[0]).toBeCloseTo(0.1307, 4);
    expect(stats.std[0]).toBeCloseTo(0.3081, 4);
    const test = await loadMnist({ split: 'test', mirror: null, cacheDir: tmpDir(), offline: true });
    expect(test.count).toBe(10000);
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const { val } = paperSplit('mnist-55k-5k');
    const valSet = subset(train, val);
    expect(valSet.count).toBe(5000);
    const batch = takeBatch(valSet, [0, 1]);
    expect(batch.shape).toEqual([2, 28, 28, 1]);
    expect(Math.max(...batch.x)).toBeLessThanOrEqual(1);
  });
});

describe.skipIf(noMirror)('datasets from the mirror', () => {
  it('Fashion-MNIST: 60000 / 10000, 6000 per class', async () => {
    const train = await loadFashionMnist({ ...opts, split: 'train' });
    expect(histogram(train.labels, 10)).toEqual(new Array(10).fill(6000));
    const test = await loadFashionMnist({ ...opts, split: 'test' });
    expect(Array.from(test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect(test.classNames[9]).toBe('Ankle boot');
  });

  it('CIFAR-10: 50000 / 10000, per-batch label counts, channel statistics, class names', async () => {
    const train = await loadCifar10({ ...opts, split: 'train' });
    expect(train).toMatchObject({ count: 50000, height: 32, width: 32, channels: 3, layout: 'NCHW' });
    expect(histogram(train.labels.subarray(0, 10000), 10)).toEqual([1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981]);
    expect(histogram(train.labels, 10)).toEqual(new Array(10).fill(5000));
    expect(Array.from(train.labels.subarray(0, 10), (l) => CIFAR10_CLASSES[l])).toEqual(['frog', 'truck', 'truck', 'deer', 'automobile', 'automobile', 'bird', 'horse', 'ship', 'cat']);
    const { mean, std } = channelStats(train);
    [0.4914, 0.4822, 0.4465].forEach((m, c) => expect(mean[c]).toBeCloseTo(m, 3));
    [0.247, 0.2435, 0.2616].forEach((s, c) => expect(std[c]).toBeCloseTo(s, 3));
    const test = await loadCifar10({ ...opts, split: 'test' });
    expect(histogram(test.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(Array.from(test.labels.subarray(0, 4), (l) => CIFAR10_CLASSES[l])).toEqual(['cat', 'ship', 'ship', 'airplane']);
    const one = await loadCifar10({ ...opts, batches: [5] });
    expect(histogram(one.labels, 10)).toEqual([1014, 1014, 952, 1016, 997, 1025, 980, 977, 1003, 1022]);
    expect(parseCifarMeta(fs.readFileSync(await fetchFile('cifar-10', 'batches.meta.txt', opts), 'utf8'))).toEqual(CIFAR10_CLASSES);
    const { train: tr, val } = paperSplit('cifar10-45k-5k');
    expect(tr.length + val.length).toBe(train.count);
  });

  it('CIFAR-10 normalised: the first n training images standardised by their own channel statistics, the test images by the same', async () => {
    const { train, test, stats } = await loadCifar10Normalized({ ...opts, trainExamples: 12000, testExamples: 500 });
    expect(train.shape).toEqual([12000, 32, 32, 3]);
    expect(test.shape).toEqual([500, 32, 32, 3]);
    expect(Array.from(train.y.subarray(0, 3), (l) => CIFAR10_CLASSES[l])).toEqual(['frog', 'truck', 'truck']);
    expect(Array.from(train.y.subarray(10000, 10001))).toEqual([(await loadCifar10({ ...opts, batches: [2] })).labels[0]]);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let sq = 0;
      for (let i = c; i < train.x.length; i += 3) {
        sum += train.x[i];
        sq += train.x[i] ** 2;
      }
      const m = sum / (train.x.length / 3);
      expect(m).toBeCloseTo(0, 4);
      expect(Math.sqrt(sq / (train.x.length / 3) - m * m)).toBeCloseTo(1, 3);
    }
    const raw = await loadCifar10({ ...opts, split: 'test' });
    // pixel (0, 0), channel c of test image 0: (v/255 − mean_c)/std_c
    for (let c = 0; c < 3; c++) expect(test.x[c]).toBeCloseTo((raw.pixels[c * 1024] / 255 - stats.mean[c]) / stats.std[c], 5);
  });

  it('PTB: 10000-word vocabulary, 929589 / 73760 / 82430 tokens with <eos>', async () => {
    const ptb = await loadPtb(opts);
    expect(ptb.vocab.size).toBe(10000);
    expect([ptb.train.length, ptb.valid.length, ptb.test.length]).toEqual([929589, 73760, 82430]);
    expect(ptb.vocab.has('<unk>')).toBe(true);
  });

  it('WikiText-2: 33278-word vocabulary, 2088628 / 217646 / 245569 tokens (the published counts)', async () => {
    const wt = await loadWikiText2(opts);
    expect(wt.vocab.size).toBe(33278);
    expect([wt.train.length, wt.valid.length, wt.test.length]).toEqual([2088628, 217646, 245569]);
    expect(wt.vocab.words.slice(0, 4)).toEqual(['<eos>', '=', 'Valkyria', 'Chronicles']);
  });

  it('tiny-shakespeare: 1115394 characters, 65 symbols, nanoGPT ids and 90/10 split', async () => {
    const ts = await loadTinyShakespeare(opts);
    expect(ts.chars).toHaveLength(65);
    expect(ts.ids.length).toBe(1115394);
    expect(Array.from(ts.ids.subarray(0, 10))).toEqual([18, 47, 56, 57, 58, 1, 15, 47, 58, 47]);
    expect([ts.train.length, ts.val.length]).toEqual([1003854, 111540]);
  });

  it('SST-2: 67349 / 872 / 1821 sentences with the GLUE label balance', async () => {
    const train = await loadSst2({ ...opts, split: 'train' });
    expect(train.sentences.length).toBe(67349);
    expect(train.labels!.reduce((a, b) => a + b, 0)).toBe(37569);
    const dev = await loadSst2({ ...opts, split: 'dev' });
    expect([dev.sentences.length, dev.labels!.reduce((a, b) => a + b, 0)]).toEqual([872, 444]);
    const test = await loadSst2({ ...opts, split: 'test' });
    expect(test.sentences.length).toBe(1821);
    expect(test.labels).toBeNull();
  });

  it('Multi30k: 29000 / 1014 / 1000 aligned de–en pairs', async () => {
    const train = await loadMulti30k({ ...opts, split: 'train' });
    expect(train.source.length).toBe(29000);
    expect(train.source[0]).toBe('Zwei junge weiße Männer sind im Freien in der Nähe vieler Büsche.');
    expect(train.target[0]).toBe('Two young, White males are outside near many bushes.');
    expect((await loadMulti30k({ ...opts, split: 'valid', sourceLang: 'en' })).target.length).toBe(1014);
    expect((await loadMulti30k({ ...opts, split: 'test' })).source.length).toBe(1000);
  });

  it('airfoil: 1503 rows × 6 columns, standardised features', async () => {
    const a = await loadAirfoil(opts);
    expect(a.table.rows).toBe(1503);
    expect(Array.from(a.table.data.subarray(0, 6))).toEqual([800, 0, 0.3048, 71.3, 0.00266337, 126.201]);
    expect(a.features.length).toBe(1503 * 5);
    const raw = await loadAirfoil({ ...opts, standardize: false });
    expect(raw.targets[0]).toBeCloseTo(126.201, 3);
  });

  it('Omniglot: 30 alphabets / 964 characters / 19280 drawings (background), 20 / 659 / 13180 (evaluation)', async () => {
    const bg = await loadOmniglot({ ...opts, set: 'background' });
    expect([bg.alphabets.length, bg.characters.length, bg.count, bg.height, bg.width]).toEqual([30, 964, 19280, 105, 105]);
    expect(bg.paths[0]).toBe('images_background/Alphabet_of_the_Magi/character01/0709_01.png');
    expect(bg.characters.every((c) => c.images.length === 20)).toBe(true);
    expect(new Set(bg.pixels.subarray(0, 105 * 105))).toEqual(new Set([0, 255]));
    const ev = await loadOmniglot({ ...opts, set: 'evaluation' });
    expect([ev.alphabets.length, ev.characters.length, ev.count]).toEqual([20, 659, 13180]);
    expect(ev.characters[0]).toMatchObject({ alphabet: 'Angelic', name: 'character01', id: 965 });
    // The upstream small1 zip (upstream PNG bytes) decodes to the same pixels as the rebuilt background zip.
    const small = await loadOmniglot({ ...opts, set: 'background_small1', alphabets: ['Greek'] });
    const at = (set: typeof bg, p: string): Uint8Array => {
      const i = set.paths.findIndex((x) => x.endsWith(p));
      return set.pixels.subarray(i * 105 * 105, (i + 1) * 105 * 105);
    };
    const some = small.paths.slice(0, 40).map((p) => p.split('/').slice(1).join('/'));
    for (const p of some) expect(Array.from(at(small, p)), p).toEqual(Array.from(at(bg, p)));
  });

  it('the fast grayscale PNG path decodes the real Omniglot PNGs exactly as pngjs', async () => {
    const zip = fs.readFileSync(await fetchFile('omniglot', 'images_background_small2.zip', opts));
    const members = unzipMembers(zip, 'images_background_small2.zip', (n) => n.endsWith('.png'));
    const names = Object.keys(members).sort().filter((_, i) => i % 10 === 0);
    expect(names.length).toBeGreaterThan(200);
    for (const n of names) {
      const fast = decodeGrayPngFast(members[n]);
      expect(fast, n).not.toBeNull();
      expect(Array.from(fast!.gray), n).toEqual(Array.from(decodePngWithPngjs(members[n]).gray));
    }
  });
});
