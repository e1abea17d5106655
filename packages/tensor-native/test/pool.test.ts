/** The output-buffer pool's bookkeeping (pure TypeScript; runs with or without the addon). */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/pool.js';

const KB16 = 4096; // elements of a 16 KiB buffer

/** Take a buffer, let one tensor entry refer to it, then drop that entry: it goes back to the pool. */
function cycle(pool: BufferPool, n: number): Float32Array {
  const b = pool.take(n);
  pool.retain(b);
  pool.release(b);
  return b;
}

describe('BufferPool', () => {
  it('reuses a released buffer of the same size, and zeroes it when asked', () => {
    const pool = new BufferPool(1 << 20);
    const a = cycle(pool, KB16);
    a.fill(7);
    const b = pool.take(KB16, true);
    expect(b.buffer).toBe(a.buffer);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(pool.stats().freeBytes).toBe(0);
  });

  it('keeps a buffer while any entry refers to it', () => {
    const pool = new BufferPool(1 << 20);
    const a = pool.take(KB16);
    pool.retain(a);
    pool.retain(a.subarray(10)); // a view, as the cpu kernels make
    pool.release(a);
    expect(pool.take(KB16).buffer).not.toBe(a.buffer);
    pool.release(a.subarray(10));
    expect(pool.take(KB16).buffer).toBe(a.buffer);
  });

  it('over its limit evicts the oldest free buffers, so a new shape still gets pooled', () => {
    const pool = new BufferPool(3 * KB16 * 4); // room for three 16 KiB buffers
    const oldest = cycle(pool, KB16);
    cycle(pool, KB16 + 1);
    const third = cycle(pool, KB16 + 2);
    const fresh = cycle(pool, KB16 + 3); // a new size: the oldest (KB16) must go to make room
    expect(pool.stats().freeBytes).toBeLessThanOrEqual(3 * KB16 * 4);
    expect(pool.take(KB16 + 3).buffer).toBe(fresh.buffer);
    expect(pool.take(KB16).buffer, 'the oldest was evicted').not.toBe(oldest.buffer);
    expect(pool.take(KB16 + 2).buffer, 'a younger one was kept').toBe(third.buffer);
  });

  it('keeps as many free bytes as were ever in use at once (a training step frees all it used), up to its maximum', () => {
    const pool = new BufferPool(KB16 * 4, 4 * KB16 * 4); // at least one 16 KiB buffer, at most four
    const step = (): Float32Array[] => {
      const bufs = [0, 1, 2].map((i) => pool.take(KB16 + i));
      bufs.forEach((b) => pool.retain(b));
      return bufs;
    };
    const first = step(); // three in use at once
    first.forEach((b) => pool.release(b));
    expect(pool.stats().peakLiveBytes).toBe(4 * (3 * KB16 + 3));
    expect(pool.stats().freeBytes, 'all three kept, over the 16 KiB floor').toBe(4 * (3 * KB16 + 3));
    const second = step();
    second.forEach((b, i) => expect(b.buffer, `buffer ${i} reused`).toBe(first[i].buffer));
    second.forEach((b) => pool.release(b));
    const many = [0, 1, 2, 3, 4, 5].map((i) => pool.take(2 * KB16 + i)); // six in use: more than the maximum
    many.forEach((b) => pool.retain(b));
    many.forEach((b) => pool.release(b));
    expect(pool.stats().freeBytes).toBeLessThanOrEqual(4 * KB16 * 4);
  });

  it('never pools arrays it did not allocate, nor ones larger than the limit', () => {
    const pool = new BufferPool(KB16 * 4);
    const user = new Float32Array(KB16);
    pool.retain(user);
    pool.release(user);
    expect(pool.take(KB16).buffer).not.toBe(user.buffer);
    const big = cycle(pool, 2 * KB16);
    expect(pool.take(2 * KB16).buffer).not.toBe(big.buffer);
  });
});
