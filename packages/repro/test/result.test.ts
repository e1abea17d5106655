import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult, RESULT_SCHEMA_ID, ResultValidationError, validateResult, writeResult, type ResultRecord } from '../src/index.js';

const record = (): ResultRecord => ({
  schema: RESULT_SCHEMA_ID,
  id: 'lenet5',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'T', authors: ['A'], year: 1998, venue: 'V', url: 'https://example.org' },
  tier: 'smoke',
  budget: '60 s',
  seed: 0,
  verdict: 'pass',
  claims: [
    { id: 'c', what: 'w', source: 'Fig. 1', kind: 'threshold', metric: 'test_error', published: null, measured: 0.02, verdict: 'pass', tolerance: '< 5.00%', detail: 'below the 5.00% threshold', line: 'test error 2.00% — below the 5.00% threshold', format: 'percent' },
  ],
  metrics: { test_error: 0.02, params: 61706, ok: true, nan_metric: null },
  config: { epochs: 1 },
  overrides: {},
  backend: 'wasm',
  device: { backend: 'wasm', device: 'CPU', threads: 2, cpus: 2, platform: 'linux', arch: 'x64' },
  git: { sha: 'a'.repeat(40), dirty: true },
  versions: { node: '20.0.0' },
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:01:00.000Z',
  wallTimeSeconds: 60,
  resumed: null,
  curves: { 'loss/train': { step: [1, 2], value: [0.5, null], epoch: [0.5, 1] } },
  plots: ['loss.svg'],
});

function issues(data: unknown): string {
  try {
    validateResult(data, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ResultValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('result schema', () => {
  it('accepts a complete record', () => {
    expect(validateResult(record())).toEqual(record());
  });

  it('rejects missing fields, bad enums, bad dates and ragged curves, naming each', () => {
    const { git: _git, ...noGit } = record();
    expect(issues(noGit)).toMatch(/git/);
    expect(issues({ ...record(), tier: 'nightly' })).toMatch(/tier/);
    expect(issues({ ...record(), verdict: 'ok' })).toMatch(/verdict/);
    expect(issues({ ...record(), startedAt: 'yesterday' })).toMatch(/startedAt/);
    expect(issues({ ...record(), schema: 'paperzoo-result/0' })).toMatch(/schema/);
    expect(issues({ ...record(), curves: { l: { step: [1, 2], value: [1], epoch: [null, null] } } })).toMatch(/same length/);
    expect(issues({ ...record(), claims: [{ ...record().claims[0], verdict: 'maybe' }] })).toMatch(/claims\[0\]\.verdict|claims.0.verdict/);
    expect(issues({ ...record(), metrics: { m: [1] } })).toMatch(/metrics/);
    expect(issues({ ...record(), wallTimeSeconds: -1 })).toMatch(/wallTimeSeconds/);
  });

  it('writes atomically and reads back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pz-result-'));
    const file = path.join(dir, 'smoke', 'result.json');
    await writeResult(file, record());
    expect(await readResult(file)).toEqual(record());
    expect(readdirSync(path.dirname(file))).toEqual(['result.json']);
    await expect(writeResult(file, { ...record(), seed: 1.5 })).rejects.toThrow(ResultValidationError);
    writeFileSync(file, '{ not json');
    await expect(readResult(file)).rejects.toThrow(/is not a valid paperzoo result/);
  });
});
