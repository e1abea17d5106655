/**
 * The six MLPs of a batchnorm-mnist run (3 seeds × with/without BN) train in one `fit`, with the BN
 * running statistics as `extraVariables`. A run killed after its first evaluation interval and resumed
 * ends with exactly the accuracies of an uninterrupted run — which needs the running statistics (BN
 * test accuracy is computed with them) and every net's weights restored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReproduction, type RunEvent } from '@paperzoo/repro';
import batchnormMnist from '../reproduction.js';

const appDir = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'batchnorm-mnist-resume-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const set = ['steps=60', 'evalEvery=20', 'testExamples=1000'];
const base = { appDir, tier: 'smoke' as const, seed: 3, backend: 'wasm', set };

describe('batchnorm-mnist resume', () => {
  it('continues exactly after a hard kill', async () => {
    let saved = '';
    const onEvent = (e: RunEvent) => {
      if (e.type === 'checkpoint' && !e.partial && e.epoch === 1) {
        saved = path.join(tmp, 'after-interval-1.pzck');
        fs.copyFileSync(e.file, saved); // what a SIGKILL during the second interval would leave
      }
    };
    const straight = await runReproduction(batchnormMnist, { ...base, resultsDir: path.join(tmp, 'straight'), onEvent });
    expect(saved).not.toBe('');
    const dir = path.join(tmp, 'killed');
    const ckptDir = path.join(dir, 'smoke', 'checkpoint');
    fs.mkdirSync(ckptDir, { recursive: true });
    fs.copyFileSync(saved, path.join(ckptDir, 'checkpoint.pzck'));
    const resumes: RunEvent[] = [];
    const resumed = await runReproduction(batchnormMnist, { ...base, resultsDir: dir, resume: true, onEvent: (e) => e.type === 'resume' && resumes.push(e) });
    expect(resumes).toMatchObject([{ type: 'resume', epoch: 1 }]);
    for (const key of ['bn_mean_acc_100pct', 'plain_mean_acc_100pct', 'bn_worst_acc_100pct', 'plain_best_acc_100pct']) {
      expect(resumed.result.metrics[key], key).toBe(straight.result.metrics[key]);
    }
    // Sanity: the nets learned something in 60 steps (BN ones clearly), so equality is not chance.
    expect(straight.result.metrics.bn_mean_acc_100pct as number).toBeGreaterThan(0.5);
  }, 300_000);
});
