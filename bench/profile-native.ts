/**
 * Per-kernel profile of one bench/native.ts workload on a backend (not a test):
 * `npx tsx --conditions=paperzoo-source bench/profile-native.ts resnet20 [native]`.
 * Wraps every kernel registered for the backend with a timer and prints, per kernel name, calls and
 * total ms per step, next to the step's wall time (the difference is the tfjs engine's bookkeeping,
 * the optimizer's JS and the gradient functions).
 */
import { tf, initBackend, softmaxCrossEntropy, seed, type BackendName } from '@paperzoo/tensor';
import { digitsLikeBatch, lenet5Params, lenet5Logits } from '../packages/tensor/test/models.js';
import { cifarLikeBatch, lmBatch, lstmLmLogits, lstmLmParams, resnet20Logits, resnet20Params } from './native-models.js';

const workload = process.argv[2] ?? 'lenet5';
const backend = (process.argv[3] ?? 'native') as BackendName;
const reps = Number(process.argv[4] ?? 5);
await initBackend({ backend });
if (process.env.PZ_CONV_LAYOUT != null) {
  const native = await import('@paperzoo/tensor-native');
  (native.loadAddon() as unknown as { setConvLayout(n: number): void }).setConvLayout(Number(process.env.PZ_CONV_LAYOUT));
}
if (process.env.PZ_GEMM != null) {
  const native = await import('@paperzoo/tensor-native');
  native.setGemmLibrary(process.env.PZ_GEMM as 'openblas' | 'dnnl');
}

const stats = new Map<string, { calls: number; ms: number }>();
let on = false;
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args: Parameters<typeof inner>[0]) => {
      if (!on) return inner(args);
      const t = performance.now();
      const out = inner(args);
      const s = stats.get(config.kernelName) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += performance.now() - t;
      stats.set(config.kernelName, s);
      return out;
    },
  });
}

seed(1);
let params: Record<string, tf.Variable>;
let logits: () => tf.Tensor2D;
let labels: tf.Tensor2D;
let opt: tf.Optimizer;
if (workload === 'lenet5') {
  params = lenet5Params();
  const { x, y } = digitsLikeBatch(64);
  labels = y;
  logits = () => lenet5Logits(params, x);
  opt = tf.train.sgd(0.05);
} else if (workload === 'resnet20') {
  params = resnet20Params();
  const { x, y } = cifarLikeBatch(128);
  labels = y;
  logits = () => resnet20Logits(params, x);
  opt = tf.train.momentum(0.1, 0.9);
} else {
  params = lstmLmParams();
  const { tokens, labels: l } = lmBatch();
  labels = l;
  logits = () => lstmLmLogits(params, tokens);
  opt = tf.train.sgd(1);
}
const step = (): void => {
  const loss = opt.minimize(() => softmaxCrossEntropy(labels, logits()), true, Object.values(params));
  loss!.dataSync();
  loss!.dispose();
};
for (let i = 0; i < 20; i++) step();
on = true;
const times: number[] = [];
for (let i = 0; i < reps; i++) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
}
on = false;
times.sort((a, b) => a - b);
const total = [...stats.values()].reduce((a, s) => a + s.ms, 0) / reps;
const calls = [...stats.values()].reduce((a, s) => a + s.calls, 0) / reps;
console.log(`${workload} on ${backend}: median step ${times[Math.floor(reps / 2)].toFixed(1)} ms, mean ${(times.reduce((a, b) => a + b) / reps).toFixed(1)} ms; kernels ${total.toFixed(1)} ms in ${calls} calls per step`);
for (const [name, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(28)} ${(s.calls / reps).toFixed(0).padStart(6)} calls ${(s.ms / reps).toFixed(2).padStart(9)} ms`);
}
