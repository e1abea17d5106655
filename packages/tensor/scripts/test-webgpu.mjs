#!/usr/bin/env node
/**
 * `npm run test:webgpu`: the kernel conformance, gradient, second-order and training suites of
 * @paperzoo/tensor on the webgpu backend, on whatever adapter Dawn finds — a software one allowed
 * (PAPERZOO_WEBGPU_SOFTWARE=1; in CI Mesa's llvmpipe through OpenGL ES, docs/decisions/0007).
 * Only the webgpu suites run (PAPERZOO_TEST_BACKENDS=webgpu; cpu still serves as the comparison);
 * the others ran in `npm test`. The log names the adapter and the backend first, the time last.
 * Extra arguments go to vitest (e.g. a test file to run only it).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const env = { ...process.env, PAPERZOO_TEST_WEBGPU: '1', PAPERZOO_TEST_BACKENDS: 'webgpu', PAPERZOO_WEBGPU_SOFTWARE: process.env.PAPERZOO_WEBGPU_SOFTWARE ?? '1' };
const start = Date.now();
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const probe = spawnSync(npx, ['tsx', '--conditions=paperzoo-source', 'packages/tensor/scripts/webgpu-probe.ts'], { cwd: root, env, encoding: 'utf8' });
const line = (probe.stdout || probe.stderr).trim().split('\n').filter((l) => !/artificially reduced/.test(l)).join('\n');
console.log(`test:webgpu: ${line}`);
if (probe.status !== 0) {
  console.log('test:webgpu: FAILED: no webgpu adapter (see above; CI installs libegl-mesa0 libgl1-mesa-dri libegl-dev)');
  process.exit(1);
}

const files = [
  'test/webgpu.test.ts',
  'test/conformance-conv.test.ts',
  'test/conformance-pool.test.ts',
  'test/conformance-matmul.test.ts',
  'test/conformance-fused.test.ts',
  'test/fused.test.ts',
  'test/gru.test.ts',
  'test/lstm.test.ts',
  'test/transformer-ops.test.ts',
  'test/second-order.test.ts',
  'test/training.test.ts',
  'test/mirror-pad.test.ts',
];
const args = process.argv.slice(2);
const report = path.join(root, '.paperzoo-tmp', 'webgpu-report.json');
const run = spawnSync(npx, ['vitest', 'run', '--project', '@paperzoo/tensor', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...(args.length ? args : files)], { cwd: root, env, stdio: 'inherit' });

// The files also hold the cpu/wasm/native specs (they ran in npm test; here they show as skipped) and
// a few that do not depend on the backend.
// Count the webgpu ones, and name any webgpu spec that did not run.
try {
  const tests = JSON.parse(fs.readFileSync(report, 'utf8')).testResults.flatMap((f) => f.assertionResults);
  const mine = tests.filter((t) => /webgpu/.test(t.fullName));
  const by = (s) => mine.filter((t) => t.status === s);
  console.log(`test:webgpu: webgpu specs: ${by('passed').length} passed, ${by('failed').length} failed, ${mine.length - by('passed').length - by('failed').length} not run; other specs in the same files (other backends', or backend-independent): ${tests.length - mine.length}, run by npm test`);
  for (const t of mine.filter((t) => t.status !== 'passed' && t.status !== 'failed')) console.log(`test:webgpu: not run: ${t.fullName}`);
} catch (e) {
  console.log(`test:webgpu: could not read ${report}: ${e.message}`);
}
console.log(`test:webgpu: ${run.status === 0 ? 'passed' : 'FAILED'} on ${line.replace(/^backend: webgpu; adapter: /, '')} in ${((Date.now() - start) / 1000).toFixed(0)} s`);
process.exit(run.status ?? 1);
