/**
 * PNG decoding to 8-bit grayscale.
 *
 * Omniglot has 32460 tiny 1-bit grayscale PNGs; pngjs needs about 1 ms for each (15 s for one zip). Plain
 * non-interlaced grayscale PNGs therefore take a short path here (fflate's inflate + the PNG row filters of
 * the spec, §9), about 20× faster; every other PNG (colour, palette, interlaced, 16-bit) is decoded by pngjs.
 * A test checks that both paths give identical pixels on the real files.
 */
import { unzlibSync } from 'fflate';
import { PNG } from 'pngjs';

/** A decoded grayscale image. */
export interface GrayImage {
  width: number;
  height: number;
  /** `[height, width]` row-major, 0 = black, 255 = white. */
  gray: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * The short path: grayscale (colour type 0), bit depth 1/2/4/8, not interlaced. Returns null for any other
 * kind of PNG; throws on a malformed one.
 */
export function decodeGrayPngFast(png: Uint8Array): GrayImage | null {
  for (let i = 0; i < 8; i++) if (png[i] !== SIGNATURE[i]) throw new Error('not a PNG (bad signature)');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let sawEnd = false;
  while (off + 8 <= png.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(png[off + 4], png[off + 5], png[off + 6], png[off + 7]);
    const data = off + 8;
    if (data + len + 4 > png.length) throw new Error(`chunk ${type} runs past the end of the file`);
    if (type === 'IHDR') {
      width = view.getUint32(data);
      height = view.getUint32(data + 4);
      depth = png[data + 8];
      const colorType = png[data + 9];
      const interlace = png[data + 12];
      if (colorType !== 0 || interlace !== 0 || ![1, 2, 4, 8].includes(depth)) return null;
    } else if (type === 'IDAT') {
      idat.push(png.subarray(data, data + len));
      idatBytes += len;
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
    off = data + len + 4;
  }
  if (width === 0 || height === 0) throw new Error('no IHDR chunk');
  if (!sawEnd) throw new Error('no IEND chunk (truncated)');
  let z: Uint8Array;
  if (idat.length === 1) z = idat[0];
  else {
    z = new Uint8Array(idatBytes);
    let at = 0;
    for (const part of idat) {
      z.set(part, at);
      at += part.length;
    }
  }
  const stride = Math.ceil((width * depth) / 8);
  const raw = unzlibSync(z);
  if (raw.length < (stride + 1) * height) throw new Error(`image data too short (${raw.length} of ${(stride + 1) * height} bytes)`);
  const gray = new Uint8Array(width * height);
  let prev = new Uint8Array(stride);
  let cur = new Uint8Array(stride);
  const scale = depth === 1 ? 255 : depth === 2 ? 85 : depth === 4 ? 17 : 1;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    const rowStart = y * (stride + 1);
    const filter = raw[rowStart];
    const src = rowStart + 1;
    for (let x = 0; x < stride; x++) {
      const v = raw[src + x];
      const left = x > 0 ? cur[x - 1] : 0;
      const up = prev[x];
      const upLeft = x > 0 ? prev[x - 1] : 0;
      switch (filter) {
        case 0:
          cur[x] = v;
          break;
        case 1:
          cur[x] = v + left;
          break;
        case 2:
          cur[x] = v + up;
          break;
        case 3:
          cur[x] = v + ((left + up) >> 1);
          break;
        case 4:
          cur[x] = v + paeth(left, up, upLeft);
          break;
        default:
          throw new Error(`unknown filter type ${filter} in row ${y}`);
      }
    }
    const out = y * width;
    if (depth === 8) gray.set(cur, out);
    else {
      for (let x = 0; x < width; x++) {
        const bit = x * depth;
        gray[out + x] = ((cur[bit >> 3] >> (8 - depth - (bit & 7))) & mask) * scale;
      }
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return { width, height, gray };
}

/** Decodes any PNG with pngjs and keeps the red channel (the gray level of a grayscale image). */
export function decodePngWithPngjs(png: Uint8Array): GrayImage {
  const img = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  const gray = new Uint8Array(img.width * img.height);
  for (let p = 0; p < gray.length; p++) gray[p] = img.data[p * 4];
  return { width: img.width, height: img.height, gray };
}

/** Decodes a PNG to 8-bit gray: the short path when it applies, pngjs otherwise. Throws on malformed input. */
export function decodeGrayPng(png: Uint8Array): GrayImage {
  return decodeGrayPngFast(png) ?? decodePngWithPngjs(png);
}
