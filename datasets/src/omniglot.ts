/**
 * Omniglot (Lake, Salakhutdinov & Tenenbaum, Science 2015): zips of 105×105 PNG drawings laid out as
 * `images_background/<alphabet>/characterNN/<id>_<drawer>.png`, 20 drawers per character.
 */
import { normaliseMemberName, unzipMembers } from './archive.js';
import { DatasetError } from './errors.js';
import { decodeGrayPng, type GrayImage } from './png.js';

/** One character class. */
export interface OmniglotCharacter {
  /** Alphabet folder name, e.g. `Alphabet_of_the_Magi`. */
  alphabet: string;
  /** Character folder name within the alphabet, e.g. `character01`. */
  name: string;
  /** The global character number from the file names (`0709_01.png` → 709). */
  id: number;
  /** Indices (into the set's images) of this character's drawings, by drawer. */
  images: number[];
}

/** The drawings of one Omniglot zip. */
export interface OmniglotSet {
  /** Top folder of the zip, e.g. `images_background`. */
  root: string;
  /** Number of images. */
  count: number;
  /** Image height (105). */
  height: number;
  /** Image width (105). */
  width: number;
  /**
   * `[count, height, width]` grayscale pixels. As stored, strokes are 0 (black) on 255 (white); with
   * `invert: true`, strokes are 255 on 0.
   */
  pixels: Uint8Array;
  /** Character index (into {@link OmniglotSet.characters}) of each image: the class label. */
  labels: Int32Array;
  /** Drawer number (1–20) of each image. */
  drawers: Uint8Array;
  /** Characters sorted by alphabet, then character folder. */
  characters: OmniglotCharacter[];
  /** Alphabet names, sorted. */
  alphabets: string[];
  /** Zip member path of each image. */
  paths: string[];
}

/** Options of {@link parseOmniglotZip}. */
export interface OmniglotParseOptions {
  /** File name for error messages; its base name (without `.zip`) is the expected top folder. */
  file?: string;
  /** Only decode these alphabets (default all). */
  alphabets?: readonly string[];
  /** Make strokes 255 on a 0 background (default false: as stored). */
  invert?: boolean;
}

const PNG_PATH = /^([^/]+)\/([^/]+)\/([^/]+)\/(\d+)_(\d+)\.png$/;

/**
 * Decodes an Omniglot zip (fflate) and its PNGs (see `png.ts`: a short path for grayscale PNGs, pngjs for
 * the rest) into one grayscale array with labels.
 *
 * @throws {@link DatasetError} `BAD_ZIP`, `MISSING_ZIP_MEMBER` (no drawings under the expected top folder or
 *   of a requested alphabet), `BAD_PNG`, `BAD_FORMAT` (images of different sizes)
 */
export function parseOmniglotZip(zip: Uint8Array, opts: OmniglotParseOptions = {}): OmniglotSet {
  const file = opts.file ?? '<omniglot zip>';
  const expectedRoot = opts.file ? opts.file.replace(/^.*[\\/]/, '').replace(/\.zip$/i, '') : undefined;
  const wantAlphabets = opts.alphabets ? new Set(opts.alphabets) : null;
  const seenRoots = new Set<string>();
  const members = unzipMembers(zip, file, (name) => {
    const m = PNG_PATH.exec(normaliseMemberName(name));
    if (!m) return false;
    seenRoots.add(m[1]);
    if (expectedRoot !== undefined && m[1] !== expectedRoot) return false;
    return wantAlphabets === null || wantAlphabets.has(m[2]);
  });
  const names = Object.keys(members).map((n) => [n, normaliseMemberName(n)] as const);
  if (names.length === 0) {
    throw new DatasetError('MISSING_ZIP_MEMBER', 'no Omniglot drawings found', {
      file,
      expected: `${expectedRoot ?? '<root>'}/<alphabet>/characterNN/<id>_<drawer>.png${wantAlphabets ? ` for alphabets ${[...wantAlphabets].join(', ')}` : ''}`,
      actual: seenRoots.size ? `top folders ${[...seenRoots].join(', ')}` : 'no PNG members',
      remedy: `Check the file and alphabet names; delete ${file} and rerun to fetch it again.`,
    });
  }
  if (wantAlphabets) {
    const found = new Set(names.map(([, n]) => PNG_PATH.exec(n)![2]));
    const missing = [...wantAlphabets].filter((a) => !found.has(a));
    if (missing.length) {
      throw new DatasetError('MISSING_ZIP_MEMBER', `no drawings for alphabet(s) ${missing.join(', ')}`, { file, expected: missing.join(', '), actual: `alphabets ${[...found].sort().join(', ')}`, remedy: 'Use alphabet folder names of this zip.' });
    }
  }
  names.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));

  let height = 0;
  let width = 0;
  let pixels = new Uint8Array(0);
  const count = names.length;
  const labels = new Int32Array(count);
  const drawers = new Uint8Array(count);
  const characters: OmniglotCharacter[] = [];
  const alphabets: string[] = [];
  const paths: string[] = [];
  const charIndex = new Map<string, number>();
  names.forEach(([raw, name], i) => {
    const m = PNG_PATH.exec(name)!;
    const [, root, alphabet, character, id, drawer] = m;
    let png: GrayImage;
    try {
      png = decodeGrayPng(members[raw]);
    } catch (e) {
      throw new DatasetError('BAD_PNG', `cannot decode ${name} (${(e as Error).message})`, { file, remedy: `Delete ${file} and rerun so a verified copy is fetched.`, cause: e });
    }
    if (i === 0) {
      height = png.height;
      width = png.width;
      pixels = new Uint8Array(count * height * width);
    } else if (png.height !== height || png.width !== width) {
      throw new DatasetError('BAD_FORMAT', `${name} has a different size from the other drawings`, { file, expected: `${height}×${width}`, actual: `${png.height}×${png.width}`, remedy: `Delete ${file} and rerun.` });
    }
    const base = i * height * width;
    if (opts.invert) for (let p = 0; p < height * width; p++) pixels[base + p] = 255 - png.gray[p];
    else pixels.set(png.gray, base);
    const key = `${root}/${alphabet}/${character}`;
    let ci = charIndex.get(key);
    if (ci === undefined) {
      ci = characters.length;
      charIndex.set(key, ci);
      characters.push({ alphabet, name: character, id: parseInt(id, 10), images: [] });
      if (alphabets[alphabets.length - 1] !== alphabet) alphabets.push(alphabet);
    }
    characters[ci].images.push(i);
    labels[i] = ci;
    drawers[i] = parseInt(drawer, 10);
    paths.push(name);
  });
  const root = PNG_PATH.exec(names[0][1])![1];
  return { root, count, height, width, pixels, labels, drawers, characters, alphabets, paths };
}
