/**
 * Tensor-core benchmark (not a test): `npm run bench` from the repository root.
 *
 * On every backend that loads here: a LeNet-5 training step (batch 64, 32×32×1 input, conv 6@5×5 →
 * tanh → max-pool → conv 16@5×5 → tanh → max-pool → dense 120 → 84 → 10, softmax cross-entropy, SGD)
 * and a 1024×1024 fp32 matmul, as ms and GFLOP/s (median of the timed repetitions after warm-up).
 * Then stock tfjs against paperzoo's kernels where both exist, on the shapes that matter.
 *
 * Options (environment): BENCH_BACKENDS=wasm,cpu (default: all four, skipping those that do not load),
 * BENCH_QUICK=1 (fewer repetitions).
 */
import os from 'node:os';
import { tf, initBackend, deviceInfo, seed, withStockKernels, type BackendName } from '@paperzoo/tensor';
import { digitsLikeBatch, lenet5Params, sgdStep } from '../packages/tensor/test/models.js';
import { timeIt } from './timing.js';

const QUICK = process.env.BENCH_QUICK === '1';
const BATCH = 64;

interface Row {
  backend: string;
  workload: string;
  ms: number;
  gflops?: number;
  note?: string;
}

const rows: Row[] = [];

/** Multiply-adds ×2 of one LeNet-5 training step: forward, plus dx and dW of every layer but the first's dx. */
function lenetStepFlops(batch: number): number {
  const conv1 = batch * 28 * 28 * 6 * 5 * 5 * 1;
  const conv2 = batch * 10 * 10 * 16 * 5 * 5 * 6;
  const dense = batch * (400 * 120 + 120 * 84 + 84 * 10);
  const forward = conv1 + conv2 + dense;
  const backward = conv1 /* dW only */ + 2 * conv2 + 2 * dense;
  return 2 * (forward + backward);
}

function lenetStep(reps: number): number {
  seed(1);
  const params = lenet5Params();
  const { x, y } = digitsLikeBatch(BATCH);
  const optimizer = tf.train.sgd(0.05);
  const ms = timeIt(() => sgdStep(optimizer, params, x, y), Math.min(3, reps), reps);
  optimizer.dispose();
  tf.dispose([x, y, ...Object.values(params)]);
  return ms;
}

function matmul(n: number, reps: number, transposeB = false): number {
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  // (read back inside tidy but return nothing: tidy walks a returned typed array element by element)
  const ms = timeIt(() => tf.tidy(() => void tf.sum(tf.matMul(a, b, false, transposeB)).dataSync()), 1, reps);
  tf.dispose([a, b]);
  return ms;
}

/** Time one kernel-level workload built by `make` (inputs) and `run` (the op), disposing everything. */
function timeOp(make: () => tf.Tensor[], run: (...t: tf.Tensor[]) => tf.Tensor, reps: number): number {
  const inputs = make();
  const ms = timeIt(() => tf.tidy(() => void run(...inputs).dataSync()), 2, reps);
  tf.dispose(inputs);
  return ms;
}

const gflops = (flops: number, ms: number): number => flops / ms / 1e6;

async function benchBackend(backend: BackendName): Promise<void> {
  try {
    await initBackend({ backend });
  } catch (e) {
    const message = (e as Error).message;
    const note = /Cannot find package/.test(message) ? 'not installed here (optional peer dependency)' : `not available: ${message.split('. ')[0]}`;
    rows.push({ backend, workload: '—', ms: NaN, note });
    return;
  }
  const slow = backend === 'cpu';
  const stepReps = slow ? (QUICK ? 1 : 3) : QUICK ? 8 : 25;
  const step = lenetStep(stepReps);
  rows.push({ backend, workload: `LeNet-5 training step, batch ${BATCH}`, ms: step, gflops: gflops(lenetStepFlops(BATCH), step), note: `median of ${stepReps}` });
  const mmReps = slow ? 1 : QUICK ? 3 : 8;
  const mm = matmul(1024, mmReps);
  rows.push({ backend, workload: 'matmul 1024×1024', ms: mm, gflops: gflops(2 * 1024 ** 3, mm), note: `median of ${mmReps}` });
}

/** Stock tfjs vs paperzoo, same workload, with the stock kernels put back (withStockKernels). */
async function stockVsOurs(): Promise<void> {
  const compare = async (backend: BackendName, workload: string, kernels: string[], flops: number | undefined, fn: (reps: number) => number, reps: number): Promise<void> => {
    await initBackend({ backend });
    const ours = fn(reps);
    const stock = await withStockKernels(backend, () => fn(reps), kernels);
    rows.push({ backend, workload: `${workload} — stock`, ms: stock, gflops: flops && gflops(flops, stock) });
    rows.push({ backend, workload: `${workload} — paperzoo`, ms: ours, gflops: flops && gflops(flops, ours), note: `${(stock / ours).toFixed(1)}× faster` });
  };
  const q = (n: number): number => (QUICK ? Math.max(1, Math.ceil(n / 3)) : n);
  await compare('wasm', `LeNet-5 step, batch ${BATCH} (stock = only missing/wrong kernels added)`, ['BatchMatMul', 'Conv2DBackpropInput'], lenetStepFlops(BATCH), lenetStep, q(15));
  await compare('wasm', 'matmul 1024×1024, b transposed', ['BatchMatMul'], 2 * 1024 ** 3, (r) => matmul(1024, r, true), q(3));
  await compare('wasm', 'dense backward dW = xᵀ·dy, [64,400]ᵀ·[64,120]', ['BatchMatMul'], 2 * 64 * 400 * 120, (r) =>
    timeOp(() => [tf.randomNormal([64, 400]), tf.randomNormal([64, 120])], (a, b) => tf.matMul(a, b, true, false), r), q(30));
  await compare('wasm', 'attention scores [8,128,64]·[8,128,64]ᵀ', ['BatchMatMul'], 2 * 8 * 128 * 128 * 64, (r) =>
    timeOp(() => [tf.randomNormal([8, 128, 64]), tf.randomNormal([8, 128, 64])], (a, b) => tf.matMul(a, b, false, true), r), q(20));
  await compare('wasm', 'conv2dTranspose (LeNet conv2 dx) [64,10,10,16]→[64,14,14,6]', ['Conv2DBackpropInput'], 2 * 64 * 10 * 10 * 16 * 150, (r) =>
    timeOp(() => [tf.randomNormal([64, 10, 10, 16]), tf.randomNormal([5, 5, 6, 16])], (dy, w) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, [64, 14, 14, 6], 1, 'valid'), r), q(20));
  await compare('cpu', `LeNet-5 step, batch ${BATCH}`, ['Conv2DBackpropFilter'], lenetStepFlops(BATCH), lenetStep, 1);
  await compare('cpu', 'embedding gradient: gather 512 of 2000×64, backward', ['UnsortedSegmentSum'], undefined, (r) =>
    timeOp(() => [tf.randomNormal([2000, 64]), tf.randomUniform([512], 0, 2000, 'int32')], (table, ids) => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table), r), 1);
}

function printTable(): void {
  const info = deviceInfo();
  console.log(`\n@paperzoo/tensor benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.versions.node}, tfjs ${info.versions.tfjsCore}, load average ${os.loadavg()[0].toFixed(1)}\n`);
  console.log('| backend | workload | ms | GFLOP/s | note |');
  console.log('|---|---|---:|---:|---|');
  for (const r of rows) {
    const ms = Number.isNaN(r.ms) ? '–' : r.ms.toFixed(r.ms < 10 ? 2 : 1);
    const gf = r.gflops == null || Number.isNaN(r.gflops) ? '' : r.gflops.toFixed(r.gflops < 10 ? 2 : 1);
    console.log(`| ${r.backend} | ${r.workload} | ${ms} | ${gf} | ${r.note ?? ''} |`);
  }
}

const wanted = (process.env.BENCH_BACKENDS ?? 'wasm,cpu,webgpu,tensorflow').split(',') as BackendName[];
for (const backend of wanted) await benchBackend(backend);
if (wanted.includes('wasm') && wanted.includes('cpu')) await stockVsOurs();
printTable();
