/**
 * Every package is installable on its own: build @paperzoo/tensor, `npm pack` it, install the tarball
 * into an empty temporary project (from the npm cache that `npm ci` filled) and train one step there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('npm pack of @paperzoo/tensor', () => {
  it('installs into a fresh project and trains one conv step on wasm', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'paperzoo-pack-'));
    try {
      run('npx', ['tsc', '-p', 'packages/tensor/tsconfig.build.json', '--outDir', path.join(tmp, 'dist')], root);
      // Pack from a copy so the test never writes into the working tree.
      const pkgDir = path.join(tmp, 'pkg');
      fs.mkdirSync(pkgDir);
      fs.cpSync(path.join(tmp, 'dist'), path.join(pkgDir, 'dist'), { recursive: true });
      for (const f of ['package.json', 'README.md']) if (fs.existsSync(path.join(root, 'packages/tensor', f))) fs.copyFileSync(path.join(root, 'packages/tensor', f), path.join(pkgDir, f));
      const tarball = run('npm', ['pack', '--silent', '--pack-destination', tmp], pkgDir).trim().split('\n').pop()!;
      const tgz = path.join(tmp, tarball);
      const listing = run('tar', ['tzf', tgz], tmp);
      expect(listing).toContain('package/dist/index.js');
      expect(listing).toContain('package/dist/index.d.ts');
      expect(listing).not.toContain('package/src/');

      const app = path.join(tmp, 'app');
      fs.mkdirSync(app);
      fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], app);
      fs.writeFileSync(
        path.join(app, 'train.mjs'),
        `import { tf, initBackend, seed } from '@paperzoo/tensor';
const backend = await initBackend({ backend: 'wasm' });
seed(1);
const w = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.1, 'float32', 1));
const d = tf.variable(tf.randomNormal([4 * 4 * 4, 2], 0, 0.1, 'float32', 2));
const x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 3);
const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1], 'int32'), 2);
const loss = () => tf.losses.softmaxCrossEntropy(y, tf.maxPool(tf.tanh(tf.conv2d(x, w, 1, 'same')), 2, 2, 'valid').reshape([8, -1]).matMul(d));
const before = loss().dataSync()[0];
tf.train.sgd(0.5).minimize(loss);
const after = loss().dataSync()[0];
console.log(JSON.stringify({ backend, before, after }));
`,
      );
      const out = JSON.parse(run('node', ['train.mjs'], app).trim().split('\n').pop()!);
      expect(out.backend).toBe('wasm');
      expect(Number.isFinite(out.before)).toBe(true);
      expect(out.after).toBeLessThan(out.before);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 240_000);
});
