/**
 * The program of the one-command GPU run (tools/gpu/README.md). tools/gpu/build.mjs bundles it with
 * every dependency into one gpu.mjs; tools/gpu/run.sh runs its stages with time limits:
 *
 *   node gpu.mjs check [--allow-software]         stage 1: the WebGPU adapter is an NVIDIA GPU, else exit 3
 *   node gpu.mjs conformance --out f.json [--allow-software] [--budget s]
 *                                                 @paperzoo/tensor's conformance, gradient, second-order
 *                                                 and training suites on webgpu (the vitest files, bundled)
 *   node gpu.mjs bench --out f.json [--quick] [--lenet-batch 64] [--resnet-batch 128] [--torch torch_gpu.py] [--python python3]
 *                                                 LeNet-5 (batch 64) and ResNet-20 (batch 128) training steps
 *                                                 on webgpu, then the same in PyTorch on the same GPU
 *   node gpu.mjs lenet5 --out dir [--budget s] [--set key=value …]
 *                                                 lenet5's full tier on webgpu (MNIST carried in the pack)
 *
 * Every stage prints one JSON line last (also written to --out where given).
 */
import './test-env.js';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tf, initBackend, deviceInfo, webgpuAdapter, seed, softmaxCrossEntropy } from '@paperzoo/tensor';
import { runReproduction } from '@paperzoo/repro';
import { digitsLikeBatch, lenet5Logits, lenet5Params } from '../../../packages/tensor/test/models.js';
import { cifarLikeBatch, resnet20Logits, resnet20Params } from '../../../bench/native-models.js';
import lenet5 from '../../../apps/cnn-zoo/lenet5/reproduction.js';
import { runRegistered } from './vitest-shim.js';
import './tests.js';

const [command = '', ...rest] = process.argv.slice(2);
const flag = (name: string): boolean => rest.includes(name);
const option = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const options = (name: string): string[] => rest.flatMap((a, i) => (a === name && rest[i + 1] != null ? [rest[i + 1]] : []));
const allowSoftware = flag('--allow-software');

function finish(result: Record<string, unknown>, code = 0): never {
  const out = option('--out');
  const line = JSON.stringify(result);
  if (out) fs.writeFileSync(out.endsWith('.json') ? out : path.join(out, `${command}.json`), JSON.stringify(result, null, 2) + '\n');
  console.log(line);
  process.exit(code);
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Stage 1: the adapter Dawn finds, and whether it is the NVIDIA GPU (not a software fallback). */
async function adapterOrFail(): Promise<{ adapter: string; software: boolean; nvidia: boolean; device: string }> {
  try {
    await initBackend({ backend: 'webgpu', webgpuSoftware: allowSoftware });
  } catch (e) {
    const reason = message(e).replace(/^backend 'webgpu' is not available: /, '').replace(/; for tests on a software adapter.*$|\. Install the optional packages.*$/s, '');
    finish({ stage: 'check', ok: false, error: `no NVIDIA adapter: ${reason} (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? 'unset'})` }, 3);
  }
  const a = webgpuAdapter()!;
  const found = { adapter: a.name, software: a.software, nvidia: /nvidia/i.test(a.name) && !a.software, device: deviceInfo().device };
  if (!found.nvidia && !allowSoftware) {
    finish({ stage: 'check', ok: false, ...found, error: `no NVIDIA adapter: Dawn found only ${a.software ? 'a software adapter' : 'a non-NVIDIA adapter'}: ${a.name}` }, 3);
  }
  return found;
}

async function check(): Promise<never> {
  const found = await adapterOrFail();
  // One small kernel end to end, so that a driver that lists an adapter but cannot run shaders fails here.
  const y = tf.tidy(() => tf.sum(tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]))));
  const v = (await y.data())[0];
  y.dispose();
  finish({ stage: 'check', ok: v === 64 * 64 * 64, ...found, matmulCheck: v });
}

async function conformance(): Promise<never> {
  const found = await adapterOrFail();
  const budget = Number(option('--budget') ?? Infinity);
  const run = await runRegistered((l) => console.error(l), Date.now() + budget * 1000);
  finish({ stage: 'conformance', ok: run.failed === 0, ...found, ...run, failures: run.failures.slice(0, 50) }, run.failed === 0 ? 0 : 1);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of a training step (its loss read back, as PyTorch's loss.item() does). */
async function timeStep(workload: 'lenet5' | 'resnet20', batch: number, warmup: number, reps: number): Promise<number> {
  seed(1);
  const lenet = workload === 'lenet5';
  const params = lenet ? lenet5Params() : resnet20Params();
  const { x, y } = lenet ? digitsLikeBatch(batch) : cifarLikeBatch(batch);
  const logits = () => (lenet ? lenet5Logits(params, x) : resnet20Logits(params, x));
  const optimizer = lenet ? tf.train.sgd(0.05) : tf.train.momentum(0.1, 0.9);
  const variables = Object.values(params);
  const times: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const t = performance.now();
    const loss = optimizer.minimize(() => softmaxCrossEntropy(y, logits()), true, variables);
    await loss!.data();
    loss!.dispose();
    if (i >= warmup) times.push(performance.now() - t);
  }
  optimizer.dispose();
  tf.dispose([x, y, ...variables]);
  return median(times);
}

async function bench(): Promise<never> {
  const found = await adapterOrFail();
  const quick = flag('--quick');
  const batch = { lenet5: Number(option('--lenet-batch') ?? 64), resnet20: Number(option('--resnet-batch') ?? 128) };
  const webgpu = {
    lenet5: await timeStep('lenet5', batch.lenet5, quick ? 2 : 5, quick ? 3 : 40),
    resnet20: await timeStep('resnet20', batch.resnet20, quick ? 1 : 2, quick ? 2 : 10),
  };
  let torch: Record<string, unknown> = { error: 'not run (no --torch)' };
  const script = option('--torch');
  if (script) {
    const args = [script, '--lenet-batch', String(batch.lenet5), '--resnet-batch', String(batch.resnet20), ...(quick ? ['--quick'] : [])];
    const r = spawnSync(option('--python') ?? 'python3', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    try {
      torch = JSON.parse(last) as Record<string, unknown>;
    } catch {
      torch = { error: `PyTorch run failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}` };
    }
  }
  const rows = (torch.rows ?? {}) as Record<string, number>;
  const ratio = Object.fromEntries(Object.entries(webgpu).map(([k, v]) => [k, rows[k] ? v / rows[k] : null]));
  finish({ stage: 'bench', ok: true, ...found, unit: 'ms per training step (median; loss read back)', batch, webgpu, torch, webgpuOverTorch: ratio, quick });
}

async function lenet5Full(): Promise<never> {
  const found = await adapterOrFail();
  const out = path.resolve(option('--out') ?? 'lenet5');
  fs.mkdirSync(out, { recursive: true });
  const budget = Number(option('--budget') ?? Infinity);
  const signal = Number.isFinite(budget) ? AbortSignal.timeout(budget * 1000) : undefined;
  const start = Date.now();
  try {
    const { result } = await runReproduction(lenet5, { appDir: out, resultsDir: path.join(out, 'results'), tier: 'full', backend: 'webgpu', set: options('--set'), signal });
    finish({ stage: 'lenet5', ok: true, ...found, seconds: (Date.now() - start) / 1000, metrics: result.metrics, claims: result.claims, set: options('--set') });
  } catch (e) {
    finish({ stage: 'lenet5', ok: false, ...found, seconds: (Date.now() - start) / 1000, error: message(e), set: options('--set') }, 1);
  }
}

const commands: Record<string, () => Promise<never>> = { check, conformance, bench, lenet5: lenet5Full };
if (!commands[command]) {
  console.error(`usage: node gpu.mjs ${Object.keys(commands).join('|')} [options] (see tools/gpu/README.md)`);
  process.exit(2);
}
await commands[command]();
