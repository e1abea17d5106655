/**
 * The "done when": a LeNet-5 run interrupted mid-epoch (Ctrl-C → AbortSignal, the CLI's
 * path) or killed outright (only the last end-of-epoch checkpoint survives), then rerun with resume,
 * ends with exactly the test error and weights-derived metrics of an uninterrupted run with the same
 * seed. A small budget (1,280 digits × 3 epochs) keeps it to seconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunAbortedError, runReproduction, type RunEvent } from '@paperzoo/repro';
import lenet5 from '../reproduction.js';

const appDir = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lenet5-resume-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const set = ['trainExamples=1280', 'epochs=3', 'evalBatchSize=2000'];
const base = { appDir, tier: 'smoke' as const, seed: 7, backend: 'wasm', set };

describe('lenet5 resume', () => {
  it('continues exactly after an interrupt mid-epoch and after a hard kill', async () => {
    const straight = await runReproduction(lenet5, { ...base, resultsDir: path.join(tmp, 'straight') });

    // 1. Ctrl-C half-way through epoch 2: the fit loop saves a mid-epoch checkpoint and stops.
    const dir1 = path.join(tmp, 'interrupted');
    const ac = new AbortController();
    let progressInEpoch2 = 0;
    let savedAfterEpoch1 = '';
    const onEvent = (e: RunEvent) => {
      if (e.type === 'checkpoint' && !e.partial && e.epoch === 1) {
        savedAfterEpoch1 = path.join(tmp, 'after-epoch-1.pzck');
        fs.copyFileSync(e.file, savedAfterEpoch1); // what a SIGKILL during epoch 2 would leave
      }
      if (e.type === 'progress' && e.done > 40 && ++progressInEpoch2 === 3) ac.abort();
    };
    await expect(runReproduction(lenet5, { ...base, resultsDir: dir1, signal: ac.signal, onEvent })).rejects.toBeInstanceOf(RunAbortedError);
    const resumes: RunEvent[] = [];
    const onResume = (e: RunEvent) => e.type === 'resume' && resumes.push(e);
    const resumed = await runReproduction(lenet5, { ...base, resultsDir: dir1, resume: true, onEvent: onResume });
    expect(resumes).toMatchObject([{ type: 'resume', epoch: 1 }]); // mid-epoch 2: one epoch completed
    expect(resumed.result.metrics.test_error).toBe(straight.result.metrics.test_error);
    expect(resumed.result.metrics.train_loss).toBe(straight.result.metrics.train_loss);

    // 2. Hard kill during epoch 2: only the end-of-epoch-1 checkpoint exists.
    expect(savedAfterEpoch1).not.toBe('');
    const dir2 = path.join(tmp, 'killed');
    const ckptDir = path.join(dir2, 'smoke', 'checkpoint');
    fs.mkdirSync(ckptDir, { recursive: true });
    fs.copyFileSync(savedAfterEpoch1, path.join(ckptDir, path.basename(resumed.resultFile).replace('result.json', 'checkpoint.pzck')));
    const afterKill = await runReproduction(lenet5, { ...base, resultsDir: dir2, resume: true, onEvent: onResume });
    expect(resumes).toHaveLength(2);
    expect(resumes[1]).toMatchObject({ type: 'resume', epoch: 1 });
    expect(afterKill.result.metrics.test_error).toBe(straight.result.metrics.test_error);
    expect(afterKill.result.metrics.train_loss).toBe(straight.result.metrics.train_loss);
    // Sanity: the short run learned something, so equality is not two untrained nets agreeing.
    expect(straight.result.metrics.test_error as number).toBeLessThan(0.5);
  }, 300_000);
});
