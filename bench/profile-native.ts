/**
 * Per-kernel profile of one bench/native.ts workload on a backend (not a test):
 * `npx tsx --conditions=paperzoo-source bench/profile-native.ts resnet20 [native] [reps] [warm-up steps]`.
 * Wraps every kernel registered for the backend with a timer and prints, per kernel name, calls and
 * total ms per step, next to the step's wall time (the difference is the tfjs engine's bookkeeping,
 * the optimizer's JS and the gradient functions).
 */
import { tf, initBackend, seed, type BackendName } from '@paperzoo/tensor';
import { trainingStep, type TrainingWorkload } from './native-models.js';
import { median } from './timing.js';

const workload = (process.argv[2] ?? 'lenet5') as TrainingWorkload;
const backend = (process.argv[3] ?? 'native') as BackendName;
const reps = Number(process.argv[4] ?? 5);
const warmup = Number(process.argv[5] ?? 20); // a GRU seq2seq step takes seconds: 2 will do
await initBackend({ backend });
if (process.env.PZ_CONV_LAYOUT != null) {
  const native = await import('@paperzoo/tensor-native');
  (native.loadAddon() as unknown as { setConvLayout(n: number): void }).setConvLayout(Number(process.env.PZ_CONV_LAYOUT));
}
if (process.env.PZ_GEMM != null) {
  const native = await import('@paperzoo/tensor-native');
  native.setGemmLibrary(process.env.PZ_GEMM as 'openblas' | 'dnnl');
}

/** PZ_BY_SHAPE=1: one row per kernel and input shapes (and matmul transposes), not per kernel. */
const BY_SHAPE = process.env.PZ_BY_SHAPE === '1';
// ms: total over the timed steps; step: this step's so far; perStep: each timed step's (for the median).
const stats = new Map<string, { calls: number; ms: number; step: number; perStep: number[] }>();
let on = false;
/** "BatchMatMul [64,10] [84,10] ft": the kernel, its inputs' shapes and (matmuls) transposeA/B. */
function shapeKey(name: string, args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): string {
  const shapes = Object.values(args.inputs).map((i) => `[${i!.shape.join(',')}]`).join(' ');
  const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean } | undefined;
  const t = attrs?.transposeA == null ? '' : ` ${attrs.transposeA ? 't' : 'f'}${attrs.transposeB ? 't' : 'f'}`;
  return `${name} ${shapes}${t}`;
}
for (const config of tf.getKernelsForBackend(backend)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend);
  tf.registerKernel({
    ...config,
    kernelFunc: (args: Parameters<typeof inner>[0]) => {
      if (!on) return inner(args);
      const t = performance.now();
      const out = inner(args);
      const dt = performance.now() - t; // the kernel alone, not the bookkeeping below
      const key = BY_SHAPE ? shapeKey(config.kernelName, args) : config.kernelName;
      const s = stats.get(key) ?? { calls: 0, ms: 0, step: 0, perStep: [] };
      s.calls++;
      s.ms += dt;
      s.step += dt;
      stats.set(key, s);
      return out;
    },
  });
}

seed(1);
const { step } = trainingStep(workload);
for (let i = 0; i < warmup; i++) step();
on = true;
const times: number[] = [];
for (let i = 0; i < reps; i++) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
  for (const st of stats.values()) {
    st.perStep.push(st.step);
    st.step = 0;
  }
}
on = false;
times.sort((a, b) => a - b);
const total = [...stats.values()].reduce((a, s) => a + s.ms, 0) / reps;
const calls = [...stats.values()].reduce((a, s) => a + s.calls, 0) / reps;
console.log(`${workload} on ${backend}: median step ${times[Math.floor(reps / 2)].toFixed(1)} ms, mean ${(times.reduce((a, b) => a + b) / reps).toFixed(1)} ms; kernels ${total.toFixed(1)} ms in ${calls} calls per step`);
console.log(`${'kernel'.padEnd(BY_SHAPE ? 60 : 28)}  calls   mean ms median ms (per step)`);
for (const [name, s] of [...stats].sort((a, b) => median(b[1].perStep) - median(a[1].perStep))) {
  console.log(`${name.padEnd(BY_SHAPE ? 60 : 28)} ${(s.calls / reps).toFixed(0).padStart(6)} ${(s.ms / reps).toFixed(3).padStart(9)} ${median(s.perStep).toFixed(3).padStart(9)}`);
}
const medianKernels = median(Array.from({ length: reps }, (_, i) => [...stats.values()].reduce((a, st) => a + (st.perStep[i] ?? 0), 0)));
console.log(`median step's kernels: ${medianKernels.toFixed(2)} ms`);
