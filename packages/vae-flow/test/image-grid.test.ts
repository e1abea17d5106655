import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { imageGridPng } from '../src/index.js';

describe('imageGridPng', () => {
  it('lays n images out in rows of cols tiles, pixel values exact, gaps grey', () => {
    const images = Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => (i % 4) / 3); // 3 images of 2×2: 0, 1/3, 2/3, 1
    const png = PNG.sync.read(imageGridPng(images, 3, 2, 2, { cols: 2, scale: 1, gap: 1 }));
    expect([png.width, png.height]).toEqual([2 * 2 + 3, 2 * 2 + 3]);
    const at = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    expect([at(1, 1), at(2, 1), at(1, 2), at(2, 2)]).toEqual([0, 85, 170, 255]); // first tile
    expect([at(4, 1), at(5, 2)]).toEqual([0, 255]); // second tile, first row
    expect([at(1, 4), at(2, 5)]).toEqual([0, 255]); // third tile, second row
    expect([at(0, 0), at(3, 1), at(4, 4), at(5, 5)]).toEqual([128, 128, 128, 128]); // gaps and the empty fourth slot
  });
  it('names the mismatch when the values are not n images of h×w', () => {
    expect(() => imageGridPng(new Float32Array(5), 2, 2, 2)).toThrow(/5 values are not 2 images of 2×2/);
  });
});
