/**
 * A PNG of grey-scale images in a grid: samples, reconstructions, latent traversals (sample grids sit beside
 * each result.json). Values in [0, 1] (clipped); one pixel of `gap` grey between tiles; pngjs encodes.
 * The library builds the bytes; writing the file is the caller's.
 */
import { PNG } from 'pngjs';

export interface ImageGridOptions {
  /** Tiles per row (default: ⌈√n⌉). */
  cols?: number;
  /** Screen pixels per image pixel (default 2). */
  scale?: number;
  /** Pixels between tiles (default 2), drawn mid-grey. */
  gap?: number;
}

/** `images`: n images of h×w, row-major, concatenated (an [n, h, w] or [n, h·w] tensor's data). */
export function imageGridPng(images: ArrayLike<number>, n: number, h: number, w: number, options: ImageGridOptions = {}): Buffer {
  if (!Number.isInteger(n) || n < 1 || images.length !== n * h * w) throw new RangeError(`imageGridPng: ${images.length} values are not ${n} images of ${h}×${w}`);
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const scale = options.scale ?? 2;
  const gap = options.gap ?? 2;
  const width = cols * w * scale + (cols + 1) * gap;
  const height = rows * h * scale + (rows + 1) * gap;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const grey = Buffer.alloc(width * height, 128);
  for (let i = 0; i < n; i++) {
    const x0 = gap + (i % cols) * (w * scale + gap);
    const y0 = gap + Math.floor(i / cols) * (h * scale + gap);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, images[i * h * w + r * w + c])));
        for (let dy = 0; dy < scale; dy++) grey.fill(v, (y0 + r * scale + dy) * width + x0 + c * scale, (y0 + r * scale + dy) * width + x0 + (c + 1) * scale);
      }
    }
  }
  png.data = grey;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}
