/**
 * Results do not depend on the thread count: test/fixtures/train-threads.ts trains a small conv net
 * (conv, batchNormTraining, relu, max pool, fused-bias conv, mean, dense, softmax cross-entropy,
 * momentum SGD) for 5 steps and computes standalone matmuls, reductions and batch-norm statistics, in
 * child processes with PAPERZOO_NATIVE_THREADS=1 and 2 (the default); the bytes of every final weight and result
 * are compared (sha256).
 *
 * Known exception, kept visible rather than hidden: oneDNN 2.6's matmul partitions the reduction (K)
 * dimension across threads when M·N is small next to K ([10, 8192]·[8192, 10]; a dense layer's weight
 * gradient over a long batch), so those products differ in the last bits between thread counts. The
 * test lists them and checks that nothing else differs. (With 3 threads oneDNN also re-partitions a
 * [256, 1024]·[1024, 300] product; our own kernels give the same bits with 1, 2 or 3 threads.)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH } from '../src/addon.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../../..');
const built = fs.existsSync(ADDON_PATH);

/** Products whose summation order oneDNN's matmul chooses by thread count (see the module comment). */
const ONEDNN_K_SPLIT = new Set(['matmul long k', 'matmul transposed k']);

function digests(threads: number): Record<string, string> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=paperzoo-source', path.join(HERE, 'fixtures', 'train-threads.ts')], {
    cwd: REPO,
    env: { ...process.env, PAPERZOO_NATIVE_THREADS: String(threads), OMP_NUM_THREADS: undefined },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`train-threads.ts with ${threads} threads exited ${r.status}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; digests: Record<string, string> };
  expect(out.threads).toBe(threads);
  return out.digests;
}

describe.skipIf(!built)('thread count', () => {
  it('1 and 2 threads train the same weights, bit for bit (oneDNN long-K matmuls excepted and listed)', () => {
    const [one, two] = [1, 2].map(digests);
    const weights = Object.keys(one).filter((k) => k.startsWith('weight '));
    expect(weights.length).toBe(7);
    for (const k of weights) expect(two[k], k).toBe(one[k]);
    const differing = Object.keys(one).filter((k) => one[k] !== two[k]);
    expect(differing.filter((k) => !ONEDNN_K_SPLIT.has(k))).toEqual([]);
  }, 120_000);
});
