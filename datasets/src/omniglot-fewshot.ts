/**
 * Omniglot for few-shot learning: the class split of Vinyals et al. (2016) as Prototypical Networks
 * (Snell, Swersky & Zemel 2017, https://arxiv.org/abs/1703.05175, §3.1) and MAML (Finn, Abbeel & Levine
 * 2017, §5.2) use it. A class is a character at one of four rotations (`<Alphabet>/characterNN/rotDDD`),
 * so the 1,623 characters give 6,492 classes: train 4,112, val 688 (trainval 4,800), test 1,692.
 *
 * The images follow jakesnell/prototypical-networks `protonets/data/omniglot.py`: each 105×105 drawing is
 * rotated by the class's angle with PIL's `Image.rotate` (counter-clockwise), resized to 28×28 with
 * `Image.resize`, which on these 1-bit images is `NEAREST`, and inverted to strokes 1 on 0. (That code
 * also transposes every image, `np.array(img).transpose(0, 1)`; we keep them upright, which changes no
 * learning result.) MAML's `resize_images.py` (cbfinn/maml) resizes with `LANCZOS` instead; `resize:
 * 'area'` is the exact area average, the antialiased resampler closest to it that stays exact.
 *
 * Both resamplers here are symmetric under flips, so resizing and rotating by a multiple of 90° commute;
 * the loader resizes each drawing once and rotates the small image (a test checks this on a real drawing).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { normaliseMemberName, unzipMembers } from './archive.js';
import { DatasetError } from './errors.js';
import { fetchFile, resolveFetchConfig, type FetchOptions } from './fetch.js';
import { badSplit, checkCount, readBytes, readText } from './loaders.js';
import { decodeGrayPng } from './png.js';
import { registry } from './registry.js';
import { splitLines } from './text.js';

/** A class split of Vinyals et al. (2016), as shipped with Prototypical Networks. */
export type VinyalsSplit = 'train' | 'val' | 'trainval' | 'test';

/** The split names, in the order of the registry. */
export const VINYALS_SPLITS: readonly VinyalsSplit[] = ['train', 'val', 'trainval', 'test'];

/** How a 105×105 drawing is shrunk: PIL `NEAREST` (Snell et al.) or the exact area average (≈ MAML's LANCZOS). */
export type OmniglotResize = 'nearest' | 'area';

/** The side of an Omniglot drawing. */
export const OMNIGLOT_SIZE = 105;
/** Drawings (drawers) per character. */
export const OMNIGLOT_DRAWINGS = 20;

/** Options of {@link loadOmniglotFewShot}. */
export interface OmniglotFewShotOptions extends FetchOptions {
  /** Which classes. */
  split: VinyalsSplit;
  /** Side of the resized images, 1–105. Default 28 (both papers). */
  size?: number;
  /** Resampler. Default `nearest` (Prototypical Networks' code). */
  resize?: OmniglotResize;
  /**
   * Keep the resized arrays in the cache folder (`<cache>/omniglot/fewshot/`), keyed by split, size,
   * resampler and the sha256 of the split file and zips, and read them from there next time. Default true.
   */
  cache?: boolean;
}

/** One few-shot split: every class's 20 drawings, resized and rotated. */
export interface OmniglotFewShot {
  /** The split name. */
  split: VinyalsSplit;
  /** The split's lines `<Alphabet>/characterNN/rotDDD` in file order; class index = line index. */
  classes: string[];
  /** Image side (28 by default). */
  size: number;
  /** Drawings per class (20). */
  drawings: number;
  /**
   * `[classes, drawings, size, size]` uint8, strokes 255 on a 0 background. Each class's drawings are in
   * drawer order (file names `<id>_01.png` … `_20.png`) and rotated counter-clockwise by its `rotDDD`.
   */
  images: Uint8Array;
}

const LINE = /^([^/]+)\/(character\d+)\/rot(000|090|180|270)$/;
const splitFile = (split: VinyalsSplit): string => `splits/vinyals/${split}.txt`;
const ZIPS = ['images_background.zip', 'images_evaluation.zip'] as const;

function checkSplit(split: unknown): asserts split is VinyalsSplit {
  if (!VINYALS_SPLITS.includes(split as VinyalsSplit)) throw badSplit('omniglot few-shot (Vinyals et al. 2016)', split, VINYALS_SPLITS);
}

/**
 * The class list of a Vinyals et al. (2016) split: one `<Alphabet>/characterNN/rotDDD` per line, in file
 * order. The file is fetched and checked against the registry's sha256 like every dataset file.
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` (unknown split), `COUNT_MISMATCH`, `BAD_FORMAT` (a malformed line)
 * @example
 * ```ts
 * const test = await loadVinyalsSplit('test'); // 1692 lines, 'Gurmukhi/character01/rot000', ...
 * ```
 */
export async function loadVinyalsSplit(split: VinyalsSplit, opts: FetchOptions = {}): Promise<string[]> {
  checkSplit(split);
  const file = splitFile(split);
  const lines = splitLines(await readText('omniglot', file, opts));
  const label = `omniglot/${file}`;
  lines.forEach((line, i) => {
    if (!LINE.test(line)) {
      throw new DatasetError('BAD_FORMAT', `line ${i + 1} is not a class name`, { file: label, expected: '<Alphabet>/characterNN/rot000|090|180|270', actual: JSON.stringify(line), remedy: 'Delete the file and rerun.' });
    }
  });
  checkCount(label, 'classes', registry.omniglot.files[file].records!, lines.length);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------
// Resampling and rotation of square images

/**
 * PIL's `NEAREST` source index for each of `size` output pixels from `from` input pixels:
 * `floor((i + 0.5) · from / size)`, in integers. Pillow (`ImagingScaleAffine`) steps `i + 0.5` in float64;
 * for 105 → 28 (3.75 per step) every value is exact, so the two agree bit for bit.
 */
export function nearestIndices(from: number, size: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.floor(((2 * i + 1) * from) / (2 * size));
  return out;
}

/** For each output pixel, the overlaps (in units of 1/size of an input pixel) with the input pixels. */
function areaWeights(from: number, size: number): { start: Int32Array; weights: Int32Array[] } {
  const start = new Int32Array(size);
  const weights: Int32Array[] = [];
  for (let i = 0; i < size; i++) {
    const lo = i * from; // output pixel i covers [lo, hi) in input coordinates × size
    const hi = lo + from;
    const first = Math.floor(lo / size);
    const last = Math.ceil(hi / size) - 1;
    start[i] = first;
    const w = new Int32Array(last - first + 1);
    for (let j = first; j <= last; j++) w[j - first] = Math.min(hi, (j + 1) * size) - Math.max(lo, j * size);
    weights.push(w);
  }
  return { start, weights };
}

/**
 * Shrinks a square `[from, from]` uint8 image to `[size, size]`.
 *
 * - `nearest`: `out[y][x] = in[sy][sx]` with the indices of {@link nearestIndices} (PIL `NEAREST`).
 * - `area`: the mean of the input over the output pixel's square, each input pixel weighted by its
 *   overlap, rounded half up: exact in integers (as OpenCV's `INTER_AREA` and a box filter define it).
 */
export function resizeSquare(src: Uint8Array, from: number, size: number, resize: OmniglotResize, out: Uint8Array = new Uint8Array(size * size)): Uint8Array {
  if (resize === 'nearest') {
    const idx = nearestIndices(from, size);
    for (let y = 0; y < size; y++) {
      const row = idx[y] * from;
      for (let x = 0; x < size; x++) out[y * size + x] = src[row + idx[x]];
    }
    return out;
  }
  const { start, weights } = areaWeights(from, size);
  const rows = new Int32Array(from * size); // [from, size]: horizontal weighted sums of each input row
  for (let r = 0; r < from; r++) {
    for (let x = 0; x < size; x++) {
      const w = weights[x];
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k] * src[r * from + start[x] + k];
      rows[r * size + x] = s;
    }
  }
  const total = from * from; // the weights of one output pixel sum to from²
  for (let y = 0; y < size; y++) {
    const w = weights[y];
    for (let x = 0; x < size; x++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k] * rows[(start[y] + k) * size + x];
      out[y * size + x] = Math.floor((2 * s + total) / (2 * total));
    }
  }
  return out;
}

/**
 * Rotates a square `[size, size]` image counter-clockwise by a multiple of 90°, as PIL's `Image.rotate`
 * and torchvision's `rotate` do: an exact index permutation. 90°: the top-right corner goes to the top left.
 */
export function rotateSquare(src: Uint8Array, size: number, degrees: 0 | 90 | 180 | 270, out: Uint8Array = new Uint8Array(size * size)): Uint8Array {
  const n = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = degrees === 0 ? y * size + x : degrees === 90 ? x * size + (n - y) : degrees === 180 ? (n - y) * size + (n - x) : (n - x) * size + y;
      out[y * size + x] = src[from];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The loader

const PNG_PATH = /^([^/]+)\/([^/]+)\/([^/]+)\/(\d+)_(\d+)\.png$/;

/**
 * Decodes the drawings of the wanted characters (`alphabet/characterNN`) from one zip, resizes and inverts
 * each as it goes (the 105×105 pixels are never kept), and stores them in `small` under the character's
 * slot. Returns the characters found.
 */
function decodeCharacters(zip: Uint8Array, file: string, slots: Map<string, number>, size: number, resize: OmniglotResize, small: Uint8Array): Set<string> {
  const members = unzipMembers(zip, file, (name) => {
    const m = PNG_PATH.exec(normaliseMemberName(name));
    return m !== null && slots.has(`${m[2]}/${m[3]}`);
  });
  const byCharacter = new Map<string, string[]>();
  for (const raw of Object.keys(members)) {
    const m = PNG_PATH.exec(normaliseMemberName(raw))!;
    const key = `${m[2]}/${m[3]}`;
    (byCharacter.get(key) ?? byCharacter.set(key, []).get(key)!).push(raw);
  }
  const per = size * size;
  for (const [key, raws] of byCharacter) {
    raws.sort((a, b) => (normaliseMemberName(a) < normaliseMemberName(b) ? -1 : 1)); // <id>_01 … <id>_20: drawer order
    const drawers = raws.map((r) => parseInt(PNG_PATH.exec(normaliseMemberName(r))![5], 10));
    if (drawers.length !== OMNIGLOT_DRAWINGS || drawers.some((d, i) => d !== i + 1)) {
      throw new DatasetError('COUNT_MISMATCH', `${key} does not have drawers 1–${OMNIGLOT_DRAWINGS}`, { file, expected: `drawers 1–${OMNIGLOT_DRAWINGS}`, actual: `drawers ${drawers.join(',')}`, remedy: `Delete ${file} and rerun.` });
    }
    const base = slots.get(key)! * OMNIGLOT_DRAWINGS * per;
    raws.forEach((raw, d) => {
      let png;
      try {
        png = decodeGrayPng(members[raw]);
      } catch (e) {
        throw new DatasetError('BAD_PNG', `cannot decode ${normaliseMemberName(raw)} (${(e as Error).message})`, { file, remedy: `Delete ${file} and rerun so a verified copy is fetched.`, cause: e });
      }
      if (png.width !== OMNIGLOT_SIZE || png.height !== OMNIGLOT_SIZE) {
        throw new DatasetError('BAD_FORMAT', `${normaliseMemberName(raw)} is not ${OMNIGLOT_SIZE}×${OMNIGLOT_SIZE}`, { file, expected: `${OMNIGLOT_SIZE}×${OMNIGLOT_SIZE}`, actual: `${png.width}×${png.height}`, remedy: `Delete ${file} and rerun.` });
      }
      // Resize, then invert the small image (strokes 255 on 0). The order does not matter: nearest copies
      // pixels, and the area mean S / 105² is never half-way between integers (2S is even, 105² odd), so
      // rounding it commutes with v → 255 - v.
      const out = small.subarray(base + d * per, base + (d + 1) * per);
      resizeSquare(png.gray, OMNIGLOT_SIZE, size, resize, out);
      for (let p = 0; p < per; p++) out[p] = 255 - out[p];
    });
  }
  return new Set(byCharacter.keys());
}

const CACHE_MAGIC = 'paperzoo-omniglot-fewshot v1\n';

/** The cache file's header: what the payload is, and a digest of it. */
interface CacheHeader {
  key: string;
  classes: number;
  drawings: number;
  size: number;
  bytes: number;
  sha256: string;
}

async function readCache(file: string, key: string, bytes: number): Promise<Uint8Array | null> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return null;
  }
  const headerEnd = buf.indexOf(0x0a, CACHE_MAGIC.length);
  if (buf.toString('latin1', 0, CACHE_MAGIC.length) !== CACHE_MAGIC || headerEnd < 0) return null;
  let header: CacheHeader;
  try {
    header = JSON.parse(buf.toString('utf8', CACHE_MAGIC.length, headerEnd)) as CacheHeader;
  } catch {
    return null;
  }
  const payload = new Uint8Array(buf.buffer, buf.byteOffset + headerEnd + 1, buf.length - headerEnd - 1);
  if (header.key !== key || header.bytes !== bytes || payload.length !== bytes) return null;
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) return null;
  return payload;
}

async function writeCache(file: string, header: CacheHeader, payload: Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, Buffer.concat([Buffer.from(CACHE_MAGIC + JSON.stringify(header) + '\n', 'utf8'), payload]));
    await fs.rename(tmp, file);
  } catch {
    // The cache only saves time: a read-only cache folder means decoding again next time.
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/**
 * A Vinyals et al. (2016) few-shot split of Omniglot as one uint8 array `[classes, 20, size, size]`,
 * strokes 255 on 0, every class's drawings rotated counter-clockwise by its angle (see the file comment
 * for how this follows Prototypical Networks' and MAML's preprocessing). The split's characters come
 * from `images_background.zip` and `images_evaluation.zip` together (the test split's 13 alphabets are all
 * in the evaluation zip); both are fetched and verified.
 *
 * Decoding the PNGs takes a few seconds, so the result is cached (`cache: false` turns that off) in the
 * cache folder, written atomically and checked on read (header, length, sha256); a stale or damaged file
 * is decoded again.
 *
 * @throws {@link DatasetError} `BAD_ARGUMENT` (split, size or resampler), `MISSING_ZIP_MEMBER` (a class's
 *   character is in neither zip), and the errors of {@link loadVinyalsSplit} and of the zips
 * @example
 * ```ts
 * const test = await loadOmniglotFewShot({ split: 'test' }); // 1692 classes × 20 drawings × 28 × 28
 * const first = test.images.subarray(0, 28 * 28); // Gurmukhi/character01/rot000, drawer 1
 * ```
 */
export async function loadOmniglotFewShot(opts: OmniglotFewShotOptions): Promise<OmniglotFewShot> {
  const { split } = opts;
  checkSplit(split);
  const size = opts.size ?? 28;
  if (!Number.isInteger(size) || size < 1 || size > OMNIGLOT_SIZE) {
    throw new DatasetError('BAD_ARGUMENT', 'image size out of range', { expected: `an integer 1–${OMNIGLOT_SIZE}`, actual: String(size), remedy: 'Pass e.g. size: 28.' });
  }
  const resize = opts.resize ?? 'nearest';
  if (resize !== 'nearest' && resize !== 'area') {
    throw new DatasetError('BAD_ARGUMENT', 'unknown resampler', { expected: 'nearest | area', actual: String(resize), remedy: "Pass resize: 'nearest' or 'area'." });
  }
  const classes = await loadVinyalsSplit(split, opts);
  const per = size * size;
  const bytes = classes.length * OMNIGLOT_DRAWINGS * per;
  const files = registry.omniglot.files;
  const key = [split, size, resize, files[splitFile(split)].sha256, ...ZIPS.map((z) => files[z].sha256)].join(':');
  const cacheFile = path.join(resolveFetchConfig(opts).cacheDir, 'omniglot', 'fewshot', `${split}-${size}-${resize}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.bin`);
  const useCache = opts.cache ?? true;
  if (useCache) {
    const cached = await readCache(cacheFile, key, bytes);
    if (cached) return { split, classes, size, drawings: OMNIGLOT_DRAWINGS, images: cached };
  }

  // Each character once (its four rotations share the resized drawings).
  const slots = new Map<string, number>();
  for (const c of classes) {
    const character = c.slice(0, c.lastIndexOf('/'));
    if (!slots.has(character)) slots.set(character, slots.size);
  }
  const small = new Uint8Array(slots.size * OMNIGLOT_DRAWINGS * per); // [characters, 20, size, size], upright
  const missing = new Set(slots.keys());
  for (const zipName of ZIPS) {
    const p = await fetchFile('omniglot', zipName, opts);
    for (const found of decodeCharacters(await readBytes(p), p, slots, size, resize, small)) missing.delete(found);
  }
  if (missing.size) {
    throw new DatasetError('MISSING_ZIP_MEMBER', `${missing.size} character(s) of the ${split} split are in neither zip`, { file: ZIPS.join(' + '), expected: [...missing].slice(0, 3).join(', '), actual: 'not found', remedy: 'Delete the zips and rerun so verified copies are fetched.' });
  }

  const images = new Uint8Array(bytes);
  classes.forEach((c, k) => {
    const slash = c.lastIndexOf('/');
    const degrees = parseInt(c.slice(slash + 4), 10) as 0 | 90 | 180 | 270;
    const from = slots.get(c.slice(0, slash))! * OMNIGLOT_DRAWINGS * per;
    for (let d = 0; d < OMNIGLOT_DRAWINGS; d++) {
      const at = (k * OMNIGLOT_DRAWINGS + d) * per;
      rotateSquare(small.subarray(from + d * per, from + (d + 1) * per), size, degrees, images.subarray(at, at + per));
    }
  });
  if (useCache) {
    await writeCache(cacheFile, { key, classes: classes.length, drawings: OMNIGLOT_DRAWINGS, size, bytes, sha256: createHash('sha256').update(images).digest('hex') }, images);
  }
  return { split, classes, size, drawings: OMNIGLOT_DRAWINGS, images };
}
