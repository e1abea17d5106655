/**
 * Native-backend benchmark (not a test): `npm run bench:native` from the repository root.
 *
 * Times four workloads on our CPU backends and, when a Python with torch is found (Debian:
 * `apt-get install python3-torch`), on PyTorch in the same run (bench/torch_models.py, the same
 * models), and prints ms per step and the ratio to PyTorch. The training steps minimise paperzoo's
 * softmaxCrossEntropy (fused into one kernel each way on native, as PyTorch's F.cross_entropy is):
 * - LeNet-5 training step, batch 64 (packages/tensor/test/models.ts; SGD);
 * - ResNet-20 CIFAR training step, batch 128 (bench/native-models.ts; batch norm, SGD with momentum);
 * - 2-layer LSTM language-model training step: 200 units, unroll 20, batch 20, vocabulary 10 000;
 * - a 1024×1024 fp32 matmul, in GFLOP/s, next to the addon's raw OpenBLAS sgemm (the ceiling).
 *
 * Environment: BENCH_BACKENDS=native,wasm (default; cpu is ~100× slower), BENCH_QUICK=1 (fewer
 * repetitions), BENCH_PYTHON=/usr/bin/python3 (which Python runs PyTorch; BENCH_PYTHON=none skips
 * it), PAPERZOO_NATIVE_THREADS (default 2; PyTorch gets the same number).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { tf, initBackend, softmaxCrossEntropy, backendExtras, seed, type BackendName } from '@paperzoo/tensor';
import { digitsLikeBatch, lenet5Params, lenet5Logits } from '../packages/tensor/test/models.js';
import { cifarLikeBatch, lmBatch, lstmLmLogits, lstmLmParams, resnet20Logits, resnet20Params, type Params } from './native-models.js';

const QUICK = process.env.BENCH_QUICK === '1';
const THREADS = Number(process.env.PAPERZOO_NATIVE_THREADS) || 2;
const q = (n: number): number => (QUICK ? Math.max(2, Math.ceil(n / 4)) : n);

type Workload = 'lenet5' | 'resnet20' | 'lstm' | 'matmul';
const WORKLOADS: { key: Workload; label: string; reps: number }[] = [
  { key: 'lenet5', label: 'LeNet-5 training step, batch 64', reps: 40 },
  { key: 'resnet20', label: 'ResNet-20 CIFAR training step, batch 128', reps: 10 },
  { key: 'lstm', label: '2-layer LSTM LM step (200 units, unroll 20, batch 20, vocab 10k)', reps: 20 },
  { key: 'matmul', label: 'matmul 1024×1024 fp32', reps: 10 },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: () => void, warmup: number, reps: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median ms of one optimizer step on paperzoo's softmax cross-entropy (the loss is read back, as in training). */
function trainStep(params: Params, optimizer: tf.Optimizer, logits: () => tf.Tensor2D, labels: tf.Tensor2D, warmup: number, reps: number): number {
  const step = (): void => {
    const loss = optimizer.minimize(() => softmaxCrossEntropy(labels, logits()), true, Object.values(params));
    loss!.dataSync();
    loss!.dispose();
  };
  return timeIt(step, warmup, reps);
}

function runWorkload(key: Workload, reps: number): number {
  seed(1);
  if (key === 'matmul') {
    const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 1);
    const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2);
    const ms = timeIt(() => tf.tidy(() => void tf.sum(tf.matMul(a, b)).dataSync()), 2, reps);
    tf.dispose([a, b]);
    return ms;
  }
  let params: Params;
  let data: tf.Tensor[];
  let ms: number;
  if (key === 'lenet5') {
    params = lenet5Params();
    const { x, y } = digitsLikeBatch(64);
    data = [x, y];
    const opt = tf.train.sgd(0.05);
    ms = trainStep(params, opt, () => lenet5Logits(params, x), y, 5, reps);
    opt.dispose();
  } else if (key === 'resnet20') {
    params = resnet20Params();
    const { x, y } = cifarLikeBatch(128);
    data = [x, y];
    const opt = tf.train.momentum(0.1, 0.9);
    ms = trainStep(params, opt, () => resnet20Logits(params, x), y, 2, reps);
    opt.dispose();
  } else {
    params = lstmLmParams();
    const { tokens, labels } = lmBatch();
    data = [tokens, labels];
    const opt = tf.train.sgd(1);
    ms = trainStep(params, opt, () => lstmLmLogits(params, tokens), labels, 3, reps);
    opt.dispose();
  }
  tf.dispose([...data, ...Object.values(params)]);
  return ms;
}

/** The addon's raw OpenBLAS sgemm on 1024² (no tfjs in the loop): the practical ceiling. */
async function rawOpenblasMs(reps: number): Promise<number | undefined> {
  try {
    const specifier = '@paperzoo/tensor-native';
    const mod = await import(specifier);
    const addon = mod.loadAddon();
    if (addon == null) return undefined;
    const n = 1024;
    const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
    const c = new Float32Array(n * n);
    return timeIt(() => addon.gemm(a, b, c, 1, n, n, n, false, false, 0, 0), 2, reps);
  } catch {
    return undefined;
  }
}

function findPython(): string | undefined {
  const asked = process.env.BENCH_PYTHON;
  if (asked === 'none') return undefined;
  for (const candidate of asked ? [asked] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

function runTorch(python: string): { version: string; rows: Record<Workload, number> } | string {
  const script = path.join(import.meta.dirname, 'torch_models.py');
  const r = spawnSync(python, [script, '--threads', String(THREADS), ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; rows: Record<Workload, number> };
  return { version: out.torch, rows: out.rows };
}

const results: Record<string, Partial<Record<Workload, number>>> = {};
const notes: string[] = [];
const wanted = (process.env.BENCH_BACKENDS ?? 'native,wasm').split(',') as BackendName[];
for (const backend of wanted) {
  try {
    await initBackend({ backend });
  } catch (e) {
    notes.push(`${backend}: not available (${(e as Error).message.split('. ')[0]})`);
    continue;
  }
  results[backend] = {};
  for (const w of WORKLOADS) {
    if (backend === 'cpu' && w.key !== 'lenet5' && w.key !== 'matmul') continue;
    results[backend][w.key] = runWorkload(w.key, backend === 'cpu' ? 2 : q(w.reps));
    process.stderr.write(`${backend} ${w.key}: ${results[backend][w.key]!.toFixed(1)} ms\n`);
  }
}
const openblas = results.native ? await rawOpenblasMs(q(10)) : undefined;
const python = findPython();
let torch: ReturnType<typeof runTorch> | undefined;
if (python) {
  process.stderr.write(`PyTorch (${python}) …\n`);
  torch = runTorch(python);
  if (typeof torch === 'string') notes.push(torch);
} else {
  notes.push('PyTorch: not found (apt-get install python3-torch, or BENCH_PYTHON=…); the ratio column is empty');
}
const torchRows = typeof torch === 'object' ? torch.rows : undefined;

const fmt = (ms: number | undefined): string => (ms == null ? '–' : ms.toFixed(ms < 10 ? 2 : 1));
const backends = Object.keys(results);
console.log(`\n@paperzoo/tensor-native benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${THREADS} threads, Node ${process.versions.node}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (results.native) console.log(`native: ${backendExtras('native').libraries ?? ''}`);
if (typeof torch === 'object') console.log(`PyTorch ${torch.version} (${python}), ${THREADS} threads`);
console.log('');
console.log(`| workload | ${backends.map((b) => `${b} ms`).join(' | ')} | PyTorch ms | ${backends.map((b) => `${b} / PyTorch`).join(' | ')} |`);
console.log(`|---|${backends.map(() => '---:').join('|')}|---:|${backends.map(() => '---:').join('|')}|`);
for (const w of WORKLOADS) {
  const t = torchRows?.[w.key];
  const cells = backends.map((b) => fmt(results[b][w.key]));
  const ratios = backends.map((b) => (t != null && results[b][w.key] != null ? `${(results[b][w.key]! / t).toFixed(2)}×` : '–'));
  console.log(`| ${w.label} | ${cells.join(' | ')} | ${fmt(t)} | ${ratios.join(' | ')} |`);
}
const gf = (ms: number | undefined): string => (ms == null ? '–' : ((2 * 1024 ** 3) / ms / 1e6).toFixed(1));
console.log(`\nmatmul 1024² GFLOP/s: ${backends.map((b) => `${b} ${gf(results[b].matmul)}`).join(', ')}, PyTorch ${gf(torchRows?.matmul)}, raw OpenBLAS sgemm ${gf(openblas)}` +
  (openblas != null && results.native?.matmul != null ? ` — native is ${((100 * openblas) / results.native.matmul).toFixed(0)}% of OpenBLAS` : ''));
for (const n of notes) console.log(`note: ${n}`);
