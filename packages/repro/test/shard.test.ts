import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverApps } from '../src/discover.js';
import { parseShard, shardIndexOf, shardOf } from '../src/shard.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every id is in exactly one of the n shards, and the shards are sorted and balanced (sizes differ by ≤ 1). */
function expectPartition(ids: readonly string[], n: number): void {
  const shards = Array.from({ length: n }, (_, k) => shardOf(ids, k + 1, n));
  const all = shards.flat();
  expect([...all].sort()).toEqual([...ids].sort());
  expect(new Set(all).size).toBe(new Set(ids).size);
  const sizes = shards.map((s) => s.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  for (const [k, s] of shards.entries()) {
    expect(s).toEqual([...s].sort());
    for (const id of s) expect(shardIndexOf(ids, id, n)).toBe(k + 1);
  }
}

describe('shardOf', () => {
  it('covers every discovered app exactly once for n = 1..5', async () => {
    const ids = (await discoverApps(REPO)).map((a) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(14);
    for (let n = 1; n <= 5; n++) expectPartition(ids, n);
  });

  it('covers synthetic id lists exactly once, whatever their order', () => {
    const lists = [
      [],
      ['a'],
      ['b', 'a'],
      ['zeta', 'alpha', 'mu', 'beta', 'omega', 'kappa', 'delta'],
      Array.from({ length: 23 }, (_, i) => `app-${(i * 7919) % 101}`),
    ];
    for (const ids of lists) for (let n = 1; n <= 5; n++) expectPartition(ids, n);
  });

  it('is deterministic: sorted ids, then every n-th from the i-th', () => {
    const ids = ['e', 'c', 'a', 'd', 'b'];
    expect(shardOf(ids, 1, 2)).toEqual(['a', 'c', 'e']);
    expect(shardOf(ids, 2, 2)).toEqual(['b', 'd']);
    expect(shardOf([...ids].reverse(), 2, 2)).toEqual(['b', 'd']);
    expect(shardOf(ids, 1, 1)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(shardOf(['a', 'b'], 4, 4)).toEqual([]);
  });

  it('rejects impossible shards', () => {
    expect(() => shardOf(['a'], 0, 2)).toThrow(RangeError);
    expect(() => shardOf(['a'], 3, 2)).toThrow(/between 1 and 2/);
    expect(() => shardOf(['a'], 1, 0)).toThrow(/positive integer/);
    expect(() => shardIndexOf(['a'], 'b', 2)).toThrow(/not one of/);
  });
});

describe('parseShard', () => {
  it('reads i/n', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
  });

  it('names the flag and the expected form on bad input', () => {
    for (const bad of ['2', '2/', '/4', 'a/b', '2-4', '1.5/4', '-1/4', '']) expect(() => parseShard(bad)).toThrow(/--shard expects i\/n, with 1 ≤ i ≤ n \(e\.g\. 2\/4\)/);
    expect(() => parseShard('0/4')).toThrow(/i must be between 1 and 4/);
    expect(() => parseShard('5/4')).toThrow(/i must be between 1 and 4/);
    expect(() => parseShard('1/0')).toThrow(/n must be at least 1/);
  });
});
