/**
 * Splitting the reproductions into shards, so that CI can run the full tiers on several machines
 * (`paperzoo run --all --shard 2/4`). The split is deterministic: ids are sorted (code-unit order, the
 * order {@link discoverApps} returns) and the i-th id goes to shard (i mod n) + 1. It depends on the
 * ids alone, so every machine computes the same split from the same checkout, and every id lands in
 * exactly one shard.
 */

/** One shard of n: index is 1-based (1 ≤ index ≤ count). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** The form a shard is written in on the command line. */
export const SHARD_FORM = 'i/n, with 1 ≤ i ≤ n (e.g. 2/4)';

/** Parse '2/4' into `{ index: 2, count: 4 }`; throws a RangeError naming the expected form otherwise. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new RangeError(`--shard expects ${SHARD_FORM}, got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`--shard expects ${SHARD_FORM}, got '${text}' (n must be at least 1)`);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new RangeError(`--shard expects ${SHARD_FORM}, got '${text}' (i must be between 1 and ${count})`);
  return { index, count };
}

function checkSpec(index: number, count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new RangeError(`shard index must be between 1 and ${count}, got ${index}`);
}

/** Sort ids the way shards are assigned (code-unit order, not locale order). */
function sortedIds(ids: readonly string[]): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The ids of shard `index` of `count` (1-based): sorted, then every count-th from position index − 1. */
export function shardOf(ids: readonly string[], index: number, count: number): string[] {
  checkSpec(index, count);
  return sortedIds(ids).filter((_, i) => i % count === index - 1);
}

/** The 1-based shard of `count` that `id` belongs to among `ids`; throws if `id` is not one of them. */
export function shardIndexOf(ids: readonly string[], id: string, count: number): number {
  checkSpec(1, count);
  const i = sortedIds(ids).indexOf(id);
  if (i < 0) throw new RangeError(`'${id}' is not one of the ids`);
  return (i % count) + 1;
}
