// Each GEMM of the native addon under a sampling profiler's signals (not a test; see
// packages/tensor-native/native/dense.cc). From the repository root, with the addon built:
//   node --cpu-prof --cpu-prof-dir=/tmp bench/gemm-signals.mjs matmul     # oneDNN's matmul primitive (the default): ok
//   node --cpu-prof --cpu-prof-dir=/tmp bench/gemm-signals.mjs openblas   # ok
//   node --cpu-prof --cpu-prof-dir=/tmp bench/gemm-signals.mjs sgemm      # oneDNN 2.6.3's dnnl_sgemm: aborts, "corrupted size vs. prev_size"
// THREADS=1 gives the same results.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const addon = require('../packages/tensor-native/build/Release/paperzoo_native.node');
addon.init(Number(process.env.THREADS ?? 2));
addon.setGemmLib({ openblas: 0, matmul: 1, sgemm: 2 }[process.argv[2]] ?? 1);
const [m, n, k] = [64, 120, 400];
const a = new Float32Array(m * k).fill(1);
const b = new Float32Array(k * n).fill(1);
for (let i = 0; i < 20000; i++) {
  const c = new Float32Array(m * n);
  addon.gemm(a, b, c, 1, m, n, k, false, false, 0, 0);
  if (c[0] !== k) throw new Error(`wrong product: ${c[0]}`);
}
console.log('ok');
