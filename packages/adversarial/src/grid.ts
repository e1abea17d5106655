/**
 * A PNG of adversarial examples: one row per example, three tiles per row — clean | adversarial |
 * perturbation — each with a label strip underneath ("7 99%": predicted class and its probability;
 * the perturbation tile shows ε or ‖δ‖). Grey-scale images in [0, 1] (values outside are clipped for
 * display; the perturbation is shown as 0.5 + δ/(2·max|δ|), mid-grey = 0). Text is drawn with a
 * built-in 3×5 bitmap font, so no font files or canvas are needed; pngjs encodes.
 *
 * The library builds the PNG bytes; writing the file is the caller's (apps write it beside result.json).
 */
import { PNG } from 'pngjs';

/** 3×5 glyphs, rows top to bottom, 3 bits per row (4 = left pixel). */
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 3, 1, 7], '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7], '6': [7, 4, 7, 5, 7], '7': [7, 1, 1, 2, 2], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7],
  A: [2, 5, 7, 5, 5], B: [6, 5, 6, 5, 6], C: [7, 4, 4, 4, 7], D: [6, 5, 5, 5, 6], E: [7, 4, 6, 4, 7], F: [7, 4, 6, 4, 4],
  G: [7, 4, 5, 5, 7], H: [5, 5, 7, 5, 5], I: [7, 2, 2, 2, 7], J: [1, 1, 1, 5, 7], K: [5, 5, 6, 5, 5], L: [4, 4, 4, 4, 7],
  M: [5, 7, 7, 5, 5], N: [6, 5, 5, 5, 5], O: [7, 5, 5, 5, 7], P: [7, 5, 7, 4, 4], Q: [7, 5, 5, 7, 1], R: [6, 5, 6, 5, 5],
  S: [7, 4, 7, 1, 7], T: [7, 2, 2, 2, 2], U: [5, 5, 5, 5, 7], V: [5, 5, 5, 5, 2], W: [5, 5, 7, 7, 5], X: [5, 5, 2, 5, 5],
  Y: [5, 5, 2, 2, 2], Z: [7, 1, 2, 4, 7], '%': [5, 1, 2, 4, 5], '.': [0, 0, 0, 0, 2], '-': [0, 0, 7, 0, 0],
  '+': [0, 2, 7, 2, 0], '=': [0, 7, 0, 7, 0], ':': [0, 2, 0, 2, 0], '|': [2, 2, 2, 2, 2], '/': [1, 1, 2, 4, 4],
  '>': [4, 2, 1, 2, 4], '<': [1, 2, 4, 2, 1], '(': [1, 2, 2, 2, 1], ')': [4, 2, 2, 2, 4], ' ': [0, 0, 0, 0, 0],
};

/** RGB colour. */
export type Rgb = [number, number, number];

/** A drawable RGB canvas. */
export class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) this.data.set([...background, 255], i * 4);
  }

  pixel(x: number, y: number, rgb: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data.set(rgb, (y * this.width + x) * 4);
  }

  /** Text in the 3×5 font (upper-cased; unknown characters drawn as spaces), `scale` pixels per dot. */
  text(x: number, y: number, s: string, rgb: Rgb = [0, 0, 0], scale = 2): void {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const g = GLYPHS[ch] ?? GLYPHS[' '];
      for (let r = 0; r < 5; r++) for (let c = 0; c < 3; c++) {
        if (g[r] & (4 >> c)) for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) this.pixel(cx + c * scale + dx, y + r * scale + dy, rgb);
      }
      cx += 4 * scale;
    }
  }

  /** Width in pixels of `s` at `scale`. */
  static textWidth(s: string, scale = 2): number {
    return s.length * 4 * scale - scale;
  }

  /** A grey-scale image (values in [0, 1], row-major h×w), each pixel drawn as scale×scale. */
  image(x: number, y: number, pixels: ArrayLike<number>, h: number, w: number, scale: number): void {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[r * w + c])));
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) this.pixel(x + c * scale + dx, y + r * scale + dy, [v, v, v]);
    }
  }

  /** Encode as PNG bytes. */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png, { colorType: 2 });
  }
}

/** One row of the grid. */
export interface GridRow {
  /** Clean image, h×w values in [0, 1]. */
  clean: ArrayLike<number>;
  /** Adversarial image, h×w. */
  adversarial: ArrayLike<number>;
  /** True class. */
  label: number | string;
  /** Prediction and confidence on the clean image. */
  cleanPrediction: { label: number | string; confidence: number };
  /** Prediction and confidence on the adversarial image. */
  adversarialPrediction: { label: number | string; confidence: number };
}

export interface GridOptions {
  /** Image height and width (28 × 28 for MNIST). */
  height?: number;
  width?: number;
  /** Pixels per image pixel. Default 3. */
  scale?: number;
  /** A title line above the grid (3×5 font, upper-cased). */
  title?: string;
  /** Caption of the perturbation tile, e.g. "EPS 0.25". */
  perturbationCaption?: string;
}

const GREEN: Rgb = [0, 120, 0];
const RED: Rgb = [200, 0, 0];

/** Clean | adversarial | perturbation, one row per example, with predicted labels and confidences. */
export function adversarialGridPng(rows: GridRow[], options: GridOptions = {}): Buffer {
  const h = options.height ?? 28;
  const w = options.width ?? 28;
  const scale = options.scale ?? 3;
  const pad = 6;
  const tileW = w * scale;
  const tileH = h * scale;
  const strip = 16; // label strip under each tile
  const line = 14; // one line of 2× text
  const titleHeight = options.title ? line : 0;
  const header = pad + titleHeight + line;
  const width = Math.max(pad + 3 * (tileW + pad), options.title ? 2 * pad + Canvas.textWidth(options.title) : 0);
  const height = header + rows.length * (tileH + strip + pad) + pad;
  const canvas = new Canvas(width, height);
  if (options.title) canvas.text(pad, pad, options.title, [0, 0, 0], 2);
  ['CLEAN', 'ADV', 'PERTURB'].forEach((name, i) => canvas.text(pad + i * (tileW + pad), pad + titleHeight, name, [60, 60, 60], 2));
  let y = header;
  const pct = (p: number) => `${Math.round(100 * p)}%`;
  for (const row of rows) {
    const delta = Array.from(row.adversarial, (v, i) => v - row.clean[i]);
    const maxAbs = Math.max(1e-12, ...delta.map(Math.abs));
    const shown = delta.map((d) => 0.5 + d / (2 * maxAbs));
    canvas.image(pad, y, row.clean, h, w, scale);
    canvas.image(pad + tileW + pad, y, row.adversarial, h, w, scale);
    canvas.image(pad + 2 * (tileW + pad), y, shown, h, w, scale);
    const ty = y + tileH + 3;
    const c = row.cleanPrediction;
    const a = row.adversarialPrediction;
    canvas.text(pad, ty, `${c.label} ${pct(c.confidence)}`, String(c.label) === String(row.label) ? GREEN : RED);
    canvas.text(pad + tileW + pad, ty, `${a.label} ${pct(a.confidence)}`, String(a.label) === String(row.label) ? GREEN : RED);
    canvas.text(pad + 2 * (tileW + pad), ty, options.perturbationCaption ?? `MAX ${maxAbs.toFixed(2)}`, [60, 60, 60]);
    y += tileH + strip + pad;
  }
  return canvas.toPng();
}
