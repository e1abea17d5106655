// Reproduces the heap corruption of oneDNN 2.6.3's dnnl_sgemm under a sampling profiler (not a test;
// see packages/tensor-native/native/dense.cc). From the repository root, with the addon built:
//   node --cpu-prof --cpu-prof-dir=/tmp bench/gemm-signals.mjs dnnl       # aborts: "corrupted size vs. prev_size"
//   node --cpu-prof --cpu-prof-dir=/tmp bench/gemm-signals.mjs openblas   # prints ok
// THREADS=1 gives the same result.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require('../packages/tensor-native/build/Release/paperzoo_native.node');
addon.init(Number(process.env.THREADS ?? 2));
addon.setGemmLib(process.argv[2] === 'dnnl' ? 1 : 0);
const [m, n, k] = [64, 120, 400];
const a = new Float32Array(m * k).fill(1);
const b = new Float32Array(k * n).fill(1);
for (let i = 0; i < 20000; i++) {
  const c = new Float32Array(m * n);
  addon.gemm(a, b, c, 1, m, n, k, false, false, 0, 0);
  if (c[0] !== k) throw new Error(`wrong product: ${c[0]}`);
}
console.log('ok');
