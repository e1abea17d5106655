/**
 * Two native runs side by side (not a test): `npx tsx --conditions=paperzoo-source bench/concurrent.ts`.
 *
 * Times a fixed number of training steps (bench/native-models.ts's `trainingStep`, LeNet-5 by default)
 * in one process alone, then in two identical processes started at once, and prints the ratio of the
 * pair's slower time to the lone time. On 2 cores two runs do twice the work, so ~2× is the floor; a
 * backend whose threads busy-wait for each other (libgomp's default spin, OpenBLAS's thread server) or
 * keep two threads per process on a machine without cores to spare lands well above it.
 *
 * The machine may be shared, so it goes in rounds (alone, pair, alone, pair, …) and prints each round
 * and the medians. The time is the training loop's, measured inside each process (process start, module
 * loading and warm-up excluded).
 *
 * Environment: BENCH_WORKLOAD=lenet5|resnet20|lstm|gru-seq2seq|gpt|maml-sinusoid|protonets|maml-omniglot (default lenet5), BENCH_STEPS (default
 * 300 for LeNet-5, 10 for ResNet-20, 30 for the LSTM, 3 for the GRU seq2seq), BENCH_ROUNDS (default 3), BENCH_BACKEND (default native).
 * Anything else in the environment (PAPERZOO_NATIVE_THREADS, OMP_WAIT_POLICY, …) reaches the workers.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { backendExtras, initBackend, seed, tf } from '@paperzoo/tensor';
import { trainingStep, type TrainingWorkload } from './native-models.js';
import { median } from './timing.js';

const WORKLOAD = (process.env.BENCH_WORKLOAD ?? 'lenet5') as TrainingWorkload;
const DEFAULT_STEPS: Record<TrainingWorkload, number> = { lenet5: 300, resnet20: 10, lstm: 30, 'gru-seq2seq': 3, 'gpt-blocks': 20, gpt: 20, 'maml-sinusoid': 100, protonets: 3, 'maml-omniglot': 3, vae: 100, iwae: 30, realnvp: 5, 'realnvp-conv': 5, dcgan: 5, 'gan-mlp': 10, 'wgan-gp': 5, cyclegan: 20, 'pacgan-mixture': 100 };
const STEPS = Number(process.env.BENCH_STEPS) || DEFAULT_STEPS[WORKLOAD];
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const BACKEND = process.env.BENCH_BACKEND ?? 'native';

interface WorkerResult {
  ms: number;
  threads: number | string;
}

async function worker(): Promise<void> {
  await initBackend({ backend: BACKEND });
  seed(1);
  const w = trainingStep(WORKLOAD);
  const warmup = Math.max(2, Math.ceil(STEPS / 10));
  for (let i = 0; i < warmup; i++) w.step();
  // both processes of a pair start timing together: wait for the parent's go (a line on stdin)
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const t = performance.now();
  for (let i = 0; i < STEPS; i++) w.step();
  const ms = performance.now() - t;
  w.dispose();
  // the thread count in use at the end (native lowers it while other paperzoo processes compute beside it)
  const active = BACKEND === 'native' ? (await import('@paperzoo/tensor-native')).nativeInfo().activeThreads : undefined;
  const result: WorkerResult = { ms, threads: active ?? backendExtras(BACKEND).threads ?? '?' };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stdin.destroy();
  tf.disposeVariables();
}

function startWorker() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'worker'], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`worker exited with ${code}:\n${out}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
  return { ready, go: () => child.stdin.write('go\n'), done };
}

/** Run `n` workers at once; their training loops start together. */
async function runTogether(n: number): Promise<WorkerResult[]> {
  const workers = Array.from({ length: n }, startWorker);
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  return Promise.all(workers.map((w) => w.done));
}

async function main(): Promise<void> {
  const env = ['PAPERZOO_NATIVE_THREADS', 'OMP_NUM_THREADS', 'OMP_WAIT_POLICY', 'GOMP_SPINCOUNT', 'OPENBLAS_NUM_THREADS', 'PAPERZOO_NATIVE_GEMM']
    .filter((k) => process.env[k] != null)
    .map((k) => `${k}=${process.env[k]}`);
  console.log(
    `concurrent runs — ${WORKLOAD}, ${STEPS} steps on ${BACKEND}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}${env.length ? `, ${env.join(' ')}` : ''}`,
  );
  const alone: number[] = [];
  const pair: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [a] = await runTogether(1);
    const [b, c] = await runTogether(2);
    const slower = Math.max(b.ms, c.ms);
    alone.push(a.ms);
    pair.push(slower);
    ratios.push(slower / a.ms);
    console.log(
      `round ${r + 1}: alone ${a.ms.toFixed(0)} ms (${(a.ms / STEPS).toFixed(2)} ms/step, ${a.threads} threads); ` +
        `two at once ${b.ms.toFixed(0)} and ${c.ms.toFixed(0)} ms (${b.threads} threads each); ratio ${(slower / a.ms).toFixed(2)}×`,
    );
  }
  console.log(
    `median: alone ${median(alone).toFixed(0)} ms (${(median(alone) / STEPS).toFixed(2)} ms/step), two at once ${median(pair).toFixed(0)} ms (${(median(pair) / STEPS).toFixed(2)} ms/step); ` +
      `ratio ${median(ratios).toFixed(2)}× (per round: ${ratios.map((x) => x.toFixed(2)).join(', ')}; 2.0× = the work doubled on the same cores)`,
  );
}

if (process.argv[2] === 'worker') await worker();
else await main();
