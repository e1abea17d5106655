/**
 * Parsers on bytes built here: good files give the documented typed results, and each kind of bad file gives
 * its DatasetError code with a message that names the file, expected vs actual, and the remedy.
 */
import zlib from 'node:zlib';
import { zipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  CIFAR_RECORD_BYTES,
  DatasetError,
  EOS,
  Vocabulary,
  batchify,
  bpttBatch,
  buildCharCorpus,
  buildWordCorpus,
  decodeGrayPng,
  decodeGrayPngFast,
  decodePngWithPngjs,
  encodeIdxUint8,
  gunzipBytes,
  imageToFloat32,
  oneHot,
  parseCifarBatch,
  parseCifarMeta,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
  parseNumericTable,
  parseOmniglotZip,
  parseParallelText,
  parseTsv,
  readTarMembers,
  readZipMember,
  splitLines,
  splitWords,
  standardizeColumns,
  subset,
  takeBatch,
  channelStats,
  tokenizeWords,
  type ImageDataset,
} from '../src/index.js';
import { makeGrayPng, makeTar } from './helpers.js';

/** Runs `fn`, expects a DatasetError with `code`, and returns it. */
function expectDatasetError(fn: () => unknown, code: string): DatasetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as DatasetError).code).toBe(code);
    expect((e as DatasetError).message).toContain(`[${code}]`);
    return e as DatasetError;
  }
  throw new Error(`expected DatasetError ${code}, nothing was thrown`);
}

describe('IDX', () => {
  const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 10);
  const images = encodeIdxUint8([3, 2, 4], pixels);
  const labels = encodeIdxUint8([3], Uint8Array.of(7, 0, 9));

  it('parses uint8 images and labels, raw and gzip', () => {
    for (const bytes of [images, zlib.gzipSync(images)]) {
      const im = parseIdxImages(bytes, 'x-images');
      expect(im).toMatchObject({ count: 3, rows: 2, cols: 4 });
      expect(Array.from(im.pixels)).toEqual(Array.from(pixels));
    }
    expect(Array.from(parseIdxLabels(zlib.gzipSync(labels)).labels)).toEqual([7, 0, 9]);
    expect(images[3]).toBe(3);
    expect(new DataView(images.buffer).getUint32(0)).toBe(2051);
    expect(new DataView(labels.buffer).getUint32(0)).toBe(2049);
  });

  it('parses big-endian multi-byte element types', () => {
    const buf = new Uint8Array(4 + 4 + 8);
    const v = new DataView(buf.buffer);
    v.setUint32(0, 0x00000c01); // int32, rank 1
    v.setUint32(4, 2);
    v.setInt32(8, -5);
    v.setInt32(12, 70000);
    const a = parseIdx(buf);
    expect(a.dtype).toBe('int32');
    expect(Array.from(a.data)).toEqual([-5, 70000]);
  });

  it('BAD_IDX_MAGIC: not IDX, or labels where images are expected', () => {
    const bad = images.slice();
    bad[0] = 0x12;
    const e = expectDatasetError(() => parseIdxImages(bad, '/tmp/bad-images.idx'), 'BAD_IDX_MAGIC');
    expect(e.message).toContain('/tmp/bad-images.idx');
    expect(e.message).toContain('0x12000803');
    expect(e.message).toMatch(/Delete .*bad-images.idx and rerun/);
    const bad2 = images.slice();
    bad2[2] = 0x42; // unknown element type
    expectDatasetError(() => parseIdx(bad2), 'BAD_IDX_MAGIC');
    const e3 = expectDatasetError(() => parseIdxImages(labels, 'train-labels'), 'BAD_IDX_MAGIC');
    expect(e3.message).toContain('2051');
  });

  it('TRUNCATED_FILE: data shorter than the header announces; SIZE_MISMATCH: trailing bytes', () => {
    const e = expectDatasetError(() => parseIdxImages(images.subarray(0, images.length - 5), 'short.idx'), 'TRUNCATED_FILE');
    expect(e.expected).toBe('24 data bytes');
    expect(e.actual).toBe('19 bytes');
    expectDatasetError(() => parseIdx(images.subarray(0, 6)), 'TRUNCATED_FILE');
    const long = new Uint8Array(images.length + 2);
    long.set(images);
    expectDatasetError(() => parseIdx(long), 'SIZE_MISMATCH');
  });

  it('TRUNCATED_GZIP: a gzip file cut off half-way (sync and async)', async () => {
    const gz = zlib.gzipSync(Buffer.from(images));
    const cut = gz.subarray(0, gz.length >> 1);
    const e = expectDatasetError(() => parseIdxImages(cut, 'train-images-idx3-ubyte.gz'), 'TRUNCATED_GZIP');
    expect(e.message).toContain('train-images-idx3-ubyte.gz');
    expect(e.message).toMatch(/delete .* and rerun/i);
    await expect(gunzipBytes(cut, 'cut.gz')).rejects.toMatchObject({ code: 'TRUNCATED_GZIP' });
    await expect(gunzipBytes(Uint8Array.of(1, 2, 3), 'nogz')).rejects.toMatchObject({ code: 'BAD_GZIP' });
  });
});

describe('CIFAR-10 binary', () => {
  /** Two records: labels 3 and 9; pixel value = channel*100 + row*10 + col (mod 256) for a 32×32 image. */
  function record(label: number, salt: number): Uint8Array {
    const r = new Uint8Array(CIFAR_RECORD_BYTES);
    r[0] = label;
    for (let c = 0; c < 3; c++) for (let h = 0; h < 32; h++) for (let w = 0; w < 32; w++) r[1 + c * 1024 + h * 32 + w] = (c * 100 + h * 3 + w + salt) & 0xff;
    return r;
  }
  const file = Buffer.concat([record(3, 0), record(9, 1)]);

  it('parses records as labels + CHW pixels; HWC / NHWC accessors transpose', () => {
    const b = parseCifarBatch(file, 'data_batch_1.bin', 2);
    expect(b.count).toBe(2);
    expect(Array.from(b.labels)).toEqual([3, 9]);
    const ds: ImageDataset = { count: 2, height: 32, width: 32, channels: 3, layout: 'NCHW', pixels: b.pixels, labels: b.labels, numClasses: 10, classNames: [] };
    const hwc = imageToFloat32(ds, 1, { normalize: 'none' });
    // pixel (h=2, w=5), channel 1 of image 1: 100 + 6 + 5 + 1
    expect(hwc[(2 * 32 + 5) * 3 + 1]).toBe(112);
    const chw = imageToFloat32(ds, 1, { normalize: 'none', layout: 'NCHW' });
    expect(chw[1 * 1024 + 2 * 32 + 5]).toBe(112);
    const batch = takeBatch(ds, [1, 0]);
    expect(batch.shape).toEqual([2, 32, 32, 3]);
    expect(Array.from(batch.y)).toEqual([9, 3]);
    expect(batch.x[(2 * 32 + 5) * 3 + 1]).toBeCloseTo(112 / 255, 6);
    expect(batch.x[3072 + (2 * 32 + 5) * 3 + 2]).toBeCloseTo((200 + 6 + 5) / 255, 6);
    const norm = takeBatch(ds, [0], { normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }, layout: 'NCHW' });
    expect(norm.shape).toEqual([1, 3, 32, 32]);
    expect(norm.x[0]).toBeCloseTo((0 / 255 - 0.5) / 0.25, 5);
    const sym = takeBatch(ds, [0], { normalize: 'symmetric' });
    expect(sym.x[0]).toBeCloseTo(-1, 6);
    const s = subset(ds, [1]);
    expect(s.count).toBe(1);
    expect(Array.from(s.labels)).toEqual([9]);
    const stats = channelStats(ds);
    expect(stats.mean).toHaveLength(3);
    expect(stats.mean[0]).toBeGreaterThan(0);
  });

  it('TRUNCATED_FILE for a partial record, COUNT_MISMATCH / BAD_FORMAT for bad content', () => {
    const e = expectDatasetError(() => parseCifarBatch(file.subarray(0, file.length - 100), '/c/data_batch_2.bin'), 'TRUNCATED_FILE');
    expect(e.message).toContain('/c/data_batch_2.bin');
    expect(e.actual).toBe(`${2 * CIFAR_RECORD_BYTES - 100} bytes`);
    expectDatasetError(() => parseCifarBatch(file, 'f', 10000), 'TRUNCATED_FILE');
    expectDatasetError(() => parseCifarBatch(file, 'f', 1), 'COUNT_MISMATCH');
    const badLabel = Buffer.from(file);
    badLabel[CIFAR_RECORD_BYTES] = 11;
    expect(expectDatasetError(() => parseCifarBatch(badLabel, 'f'), 'BAD_FORMAT').message).toContain('record 1');
  });

  it('reads batches.meta.txt', () => {
    expect(parseCifarMeta('airplane\nautomobile\n\n')).toEqual(['airplane', 'automobile']);
  });

  it('one-hot labels', () => {
    expect(Array.from(oneHot([2, 0], 3))).toEqual([0, 0, 1, 1, 0, 0]);
    expectDatasetError(() => oneHot([3], 3), 'BAD_ARGUMENT');
  });
});

describe('word- and char-level text', () => {
  it('splits lines like Python text mode and words like str.split()', () => {
    expect(splitLines('a b\r\nc\rd\n')).toEqual(['a b', 'c', 'd']);
    expect(splitLines('x\n\ny')).toEqual(['x', '', 'y']);
    expect(splitWords('  the  cat\tsat \u00a0 ')).toEqual(['the', 'cat', 'sat']);
  });

  it('adds <eos> per line and grows one vocabulary over train, valid, test (pytorch/examples Corpus)', () => {
    const c = buildWordCorpus({ train: ' the cat \n the dog \n', valid: ' a cat \n', test: '\n' });
    expect(c.vocab.words).toEqual(['the', 'cat', EOS, 'dog', 'a']);
    expect(Array.from(c.train)).toEqual([0, 1, 2, 0, 3, 2]);
    expect(Array.from(c.valid)).toEqual([4, 1, 2]);
    expect(Array.from(c.test)).toEqual([2]); // an empty line is still one <eos>
    const v = new Vocabulary(['<unk>', 'x']);
    expect(Array.from(v.encode(['x', 'zzz'], '<unk>'))).toEqual([1, 0]);
    expectDatasetError(() => v.encode(['zzz']), 'BAD_ARGUMENT');
    expect(Array.from(tokenizeWords('a b', new Vocabulary(), { addEos: false }))).toEqual([0, 1]);
  });

  it('batchify / bpttBatch follow pytorch/examples', () => {
    const ids = Int32Array.from({ length: 11 }, (_, i) => i);
    const b = batchify(ids, 2); // columns [0..4] and [5..9]; 10 dropped
    expect(b.steps).toBe(5);
    expect(Array.from(b.data)).toEqual([0, 5, 1, 6, 2, 7, 3, 8, 4, 9]);
    const w = bpttBatch(b, 0, 3);
    expect(w.seqLen).toBe(3);
    expect(Array.from(w.input)).toEqual([0, 5, 1, 6, 2, 7]);
    expect(Array.from(w.target)).toEqual([1, 6, 2, 7, 3, 8]);
    expect(bpttBatch(b, 3, 3).seqLen).toBe(1);
    expectDatasetError(() => bpttBatch(b, 4, 3), 'BAD_ARGUMENT');
  });

  it('char corpus: sorted code points, encode/decode round trip', () => {
    const c = buildCharCorpus('hello\n');
    expect(c.chars).toEqual(['\n', 'e', 'h', 'l', 'o']);
    expect(Array.from(c.ids)).toEqual([2, 1, 3, 3, 4, 0]);
    expect(c.decode(c.encode('hole'))).toBe('hole');
    expectDatasetError(() => c.encode('z'), 'BAD_ARGUMENT');
  });
});

describe('TSV, parallel text, numeric tables', () => {
  it('parses a TSV with a header; BAD_TSV names the line', () => {
    const t = parseTsv('sentence\tlabel\r\ngood film \t1\nbad \t0\n', 'dev.tsv', ['sentence', 'label']);
    expect(t.rows).toEqual([
      ['good film ', '1'],
      ['bad ', '0'],
    ]);
    const e = expectDatasetError(() => parseTsv('sentence\tlabel\nno tab here\n', 'sst-2/train.tsv'), 'BAD_TSV');
    expect(e.message).toContain('sst-2/train.tsv');
    expect(e.message).toContain('line 2');
    expectDatasetError(() => parseTsv('index\tsentence\n', 'x', ['sentence', 'label']), 'BAD_TSV');
  });

  it('pairs parallel lines; COUNT_MISMATCH when counts differ', () => {
    expect(parseParallelText('ein Hund\nzwei\n', 'a dog\ntwo\n')).toEqual({ source: ['ein Hund', 'zwei'], target: ['a dog', 'two'] });
    const e = expectDatasetError(() => parseParallelText('a\nb\n', 'a\n', { source: 'train.de.gz', target: 'train.en.gz' }), 'COUNT_MISMATCH');
    expect(e.message).toContain('train.de.gz');
    expect(e.actual).toBe('2 vs 1');
  });

  it('parses whitespace tables and standardises columns', () => {
    const t = parseNumericTable('800\t0\t0.3048\n1000 2 0.5\r\n\n', 3, 'airfoil.dat');
    expect(t.rows).toBe(2);
    expect(Array.from(t.data)).toEqual([800, 0, 0.3048, 1000, 2, 0.5]);
    const s = standardizeColumns(t);
    expect(Array.from(s.data.subarray(0, 3)).map((v) => Math.round(v))).toEqual([-1, -1, -1]);
    expectDatasetError(() => parseNumericTable('1 2\n', 3, 'a.dat'), 'BAD_FORMAT');
    expectDatasetError(() => parseNumericTable('1 2 x\n', 3, 'a.dat'), 'BAD_FORMAT');
  });
});

describe('archives', () => {
  it('reads tar members (./ prefixes ignored) and zip members; MISSING_ZIP_MEMBER names what is there', async () => {
    const tar = makeTar({ './simple-examples/data/ptb.valid.txt': new TextEncoder().encode(' a b \n'), 'other.bin': new Uint8Array(600) });
    const m = await readTarMembers(tar);
    expect([...m.keys()]).toEqual(['simple-examples/data/ptb.valid.txt', 'other.bin']);
    expect(new TextDecoder().decode(m.get('simple-examples/data/ptb.valid.txt'))).toBe(' a b \n');
    expect(m.get('other.bin')!.length).toBe(600);
    const broken = new Uint8Array(tar);
    broken[10] ^= 0xff; // corrupt the header checksum
    await expect(readTarMembers(broken)).rejects.toMatchObject({ code: 'BAD_TAR' });
    for (const cut of [300, 515, 700, 1100]) await expect(readTarMembers(tar.subarray(0, cut))).rejects.toMatchObject({ code: 'TRUNCATED_FILE' });

    const zip = zipSync({ 'SST-2/dev.tsv': new TextEncoder().encode('sentence\tlabel\n') });
    expect(new TextDecoder().decode(readZipMember(zip, 'SST-2/dev.tsv', 'SST-2.zip'))).toBe('sentence\tlabel\n');
    const e = expectDatasetError(() => readZipMember(zip, 'SST-2/train.tsv', 'SST-2.zip'), 'MISSING_ZIP_MEMBER');
    expect(e.message).toContain('SST-2.zip');
    expect(e.message).toContain('SST-2/dev.tsv');
    expectDatasetError(() => readZipMember(Uint8Array.of(1, 2, 3, 4), 'x', 'junk.zip'), 'BAD_ZIP');
  });
});

describe('Omniglot zips of PNGs', () => {
  const W = 6;
  const H = 5;
  const img = (seed: number): Uint8Array => Uint8Array.from({ length: W * H }, (_, i) => ((i * 7 + seed) % 3 === 0 ? 0 : 255));
  function omniglotZip(root: string): Uint8Array {
    const files: Record<string, Uint8Array> = {};
    let seed = 0;
    for (const [alphabet, chars] of [['Greek', ['character01', 'character02']], ['Latin', ['character01']]] as const) {
      chars.forEach((ch, k) => {
        for (let d = 1; d <= 2; d++) files[`${root}/${alphabet}/${ch}/${String(100 + seed + k).padStart(4, '0')}_${String(d).padStart(2, '0')}.png`] = makeGrayPng(W, H, img(seed * 10 + k * 2 + d));
      });
      seed += 10;
    }
    return zipSync(files);
  }

  it('decodes alphabet/character/drawer structure into grayscale pixels and labels', () => {
    const set = parseOmniglotZip(omniglotZip('images_background'), { file: '/x/images_background.zip' });
    expect(set).toMatchObject({ root: 'images_background', count: 6, height: H, width: W, alphabets: ['Greek', 'Latin'] });
    expect(set.characters.map((c) => `${c.alphabet}/${c.name}:${c.id}`)).toEqual(['Greek/character01:100', 'Greek/character02:101', 'Latin/character01:110']);
    expect(Array.from(set.labels)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(set.drawers)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(Array.from(set.pixels.subarray(0, W * H))).toEqual(Array.from(img(1)));
    const inv = parseOmniglotZip(omniglotZip('images_background'), { invert: true, alphabets: ['Latin'] });
    expect(inv.count).toBe(2);
    expect(inv.pixels[0]).toBe(255 - img(10 * 10 + 1)[0]);
  });

  it('MISSING_ZIP_MEMBER for the wrong zip or alphabet, BAD_PNG for a corrupt drawing', () => {
    const e = expectDatasetError(() => parseOmniglotZip(omniglotZip('images_background'), { file: 'images_evaluation.zip' }), 'MISSING_ZIP_MEMBER');
    expect(e.message).toContain('images_background');
    expectDatasetError(() => parseOmniglotZip(omniglotZip('images_background'), { alphabets: ['Klingon'] }), 'MISSING_ZIP_MEMBER');
    const bad = zipSync({ 'r/A/character01/0001_01.png': Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10, 0, 0) });
    expectDatasetError(() => parseOmniglotZip(bad, { file: 'r.zip' }), 'BAD_PNG');
  });

  it('the grayscale short path agrees with pngjs, 1-bit and 8-bit, and falls back for colour', () => {
    const gray = Uint8Array.from({ length: 13 * 4 }, (_, i) => (i * 37) & 0xff);
    const p8 = makeGrayPng(13, 4, gray);
    expect(Array.from(decodeGrayPngFast(p8)!.gray)).toEqual(Array.from(gray));
    // A 1-bit PNG written by hand, with Sub / Up / Average / Paeth row filters: pngjs is the reference.
    const width = 13;
    const height = 5;
    const packed = Array.from({ length: height }, (_, y) => Uint8Array.from({ length: 2 }, (_, x) => (y * 91 + x * 53 + 17) & (x === 1 ? 0xf8 : 0xff)));
    const rows: number[] = [];
    packed.forEach((row, y) => {
      const filter = y % 5;
      rows.push(filter);
      row.forEach((v, x) => {
        const left = x > 0 ? row[x - 1] : 0;
        const up = y > 0 ? packed[y - 1][x] : 0;
        const upLeft = x > 0 && y > 0 ? packed[y - 1][x - 1] : 0;
        const p = left + up - upLeft;
        const pred = [0, left, up, (left + up) >> 1, Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft][filter];
        rows.push((v - pred) & 0xff);
      });
    });
    const chunk = (type: string, data: Uint8Array): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(zlib.crc32(body));
      return Buffer.concat([len, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 1; // bit depth
    const png1 = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Uint8Array.from(rows))), chunk('IEND', new Uint8Array(0))]);
    const fast = decodeGrayPngFast(png1)!;
    expect(fast.width).toBe(width);
    expect(Array.from(fast.gray)).toEqual(Array.from(decodePngWithPngjs(png1).gray));
    expect(new Set(fast.gray)).toEqual(new Set([0, 255]));
    const rgba = new PNG({ width: 2, height: 1 });
    rgba.data = Buffer.from([10, 20, 30, 255, 40, 50, 60, 255]);
    const colour = PNG.sync.write(rgba);
    expect(decodeGrayPngFast(colour)).toBeNull();
    expect(Array.from(decodeGrayPng(colour).gray)).toEqual([10, 40]);
  });
});
