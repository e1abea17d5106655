import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend } from '@paperzoo/tensor';
import { runReproduction } from '@paperzoo/repro';
import repro from '../reproduction.js';

const appDir = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'airfoil-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('optimizers-airfoil', () => {
  if (!process.env.PAPERZOO_DATA_MIRROR) it.skip('end to end: needs PAPERZOO_DATA_MIRROR for the airfoil table', () => {});
  else
    it('two runs per optimizer: no leaked tensors, seed-exact, the book\'s loss range', async () => {
      const set = ['replicas=2'];
      const a = await assertNoLeaks(() => runReproduction(repro, { appDir, tier: 'smoke', seed: 11, backend: 'wasm', set, resultsDir: path.join(tmp, 'a') }));
      const b = await runReproduction(repro, { appDir, tier: 'smoke', seed: 11, backend: 'wasm', set, resultsDir: path.join(tmp, 'b') });
      expect(a.result.metrics).toEqual(b.result.metrics);
      for (const name of ['adam', 'adagrad', 'rmsprop']) {
        const loss = a.result.metrics[`${name}_loss`] as number;
        expect(loss).toBeGreaterThan(0.2);
        expect(loss).toBeLessThan(0.3);
      }
    });
});
