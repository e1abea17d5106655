/**
 * Loading the Node-API addon (build/Release/paperzoo_native.node, compiled at install time by
 * scripts/install.mjs). Loading never throws: {@link loadAddon} returns null and remembers why.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/addon.cc). Arrays are used in place; nothing is copied. */
export interface Addon {
  init(threads: number): string;
  /** Change the thread count between kernels (drops the cached oneDNN primitives). */
  setThreads(threads: number): void;
  setGemmLib(lib: number): void;
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  biasActivation(y: Float32Array, bias: Float32Array | null, rows: number, cols: number, activation: number, alpha: number): void;
  conv2d(x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, geometry: Int32Array, activation: number, alpha: number): string;
  conv2dBackpropInput(dy: Float32Array, w: Float32Array, dx: Float32Array, geometry: Int32Array): string;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: Int32Array): string;
  maxPool(x: Float32Array, y: Float32Array | null, argmax: Int32Array | null, geometry: Int32Array): void;
  maxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  avgPool(x: Float32Array, y: Float32Array, geometry: Int32Array): void;
  avgPoolGrad(dy: Float32Array, dx: Float32Array, geometry: Int32Array): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, layout: Float64Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  stridedCopy(src: Float32Array, dst: Float32Array, layout: Float64Array): void;
  batchNorm(x: Float32Array, mean: Float32Array, variance: Float32Array, offset: Float32Array | null, scale: Float32Array | null, y: Float32Array, channels: number, epsilon: number): void;
  batchNormGrad(x: Float32Array, mean: Float32Array, variance: Float32Array, scale: Float32Array | null, dy: Float32Array, epsilon: number, dx: Float32Array, dmean: Float32Array, dvariance: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  softmax(x: Float32Array, y: Float32Array, rows: number, cols: number, log: boolean): void;
  activationGrad(op: number, dy: Float32Array, v: Float32Array, dx: Float32Array, alpha: number): void;
  batchNormTrain(x: Float32Array, scale: Float32Array | null, offset: Float32Array | null, epsilon: number, y: Float32Array, mean: Float32Array, variance: Float32Array): void;
  batchNormTrainGrad(x: Float32Array, scale: Float32Array | null, mean: Float32Array, variance: Float32Array, dy: Float32Array, dmean: Float32Array | null, dvariance: Float32Array | null, epsilon: number, dx: Float32Array, dscale: Float32Array, doffset: Float32Array): void;
  lstmCell(gates: Float32Array, c: Float32Array, h: Float32Array, cNext: Float32Array, rows: number, units: number): void;
  lstmCellGrad(gates: Float32Array, c: Float32Array, dh: Float32Array, dcNext: Float32Array, dgates: Float32Array, dc: Float32Array, rows: number, units: number): void;
  gruCell(xGates: Float32Array, hGates: Float32Array, h: Float32Array, hNext: Float32Array, rows: number, units: number): void;
  gruCellGrad(xGates: Float32Array, hGates: Float32Array, h: Float32Array, dhNext: Float32Array, dxGates: Float32Array, dhGates: Float32Array, dh: Float32Array, rows: number, units: number): void;
  softmaxCrossEntropy(logits: Float32Array, labels: Float32Array, loss: Float32Array, stats: Float32Array, rows: number, cols: number): void;
  softmaxCrossEntropyGrad(logits: Float32Array, labels: Float32Array, stats: Float32Array, dy: Float32Array, out: Float32Array, rows: number, cols: number, part: number): void;
  layerNorm(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, epsilon: number, y: Float32Array, mean: Float32Array, rstd: Float32Array): void;
  layerNormGrad(x: Float32Array, gamma: Float32Array | null, mean: Float32Array, rstd: Float32Array, dy: Float32Array, dx: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null): void;
  gelu(x: Float32Array, y: Float32Array): void;
  geluGrad(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  softmaxGrad(y: Float32Array, dy: Float32Array, dx: Float32Array, rows: number, cols: number): void;
  select(condition: Uint8Array, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out = a op b (1/0) over binary's broadcast layout; op: {@link COMPARE}. */
  compare(op: number, a: Float32Array, b: Float32Array, out: Uint8Array, layout: Float64Array): void;
  logicalNot(x: Uint8Array, out: Uint8Array): void;
  /** scalars: the 10 float32 scalars of native/optim.h's AdamScalars, in its order. */
  adamUpdate(theta: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, scalars: Float32Array, thetaOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void;
}

/** Codes shared with native/kernels.h. */
export const UNARY = { Relu: 0, Relu6: 1, Tanh: 2, Sigmoid: 3, Exp: 4, Log: 5, Neg: 6, Sqrt: 7, Rsqrt: 8, Square: 9, Abs: 10, Reciprocal: 11, Step: 12, Elu: 13, LeakyRelu: 14, Softplus: 15, Erf: 16 } as const;
export const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6 } as const;
export const COMPARE = { Greater: 0, GreaterEqual: 1, Less: 2, LessEqual: 3, Equal: 4, NotEqual: 5 } as const;
export const ACTIVATION: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, leakyrelu: 4, sigmoid: 5, tanh: 6 };
export const REDUCE = { Sum: 0, Max: 1, Min: 2 } as const;
export const ACTIVATION_GRAD: Record<string, number> = { relu: 0, tanh: 1, sigmoid: 2, leakyrelu: 3 };

/** The command that builds the addon, for messages. */
export const ENABLE_COMMAND = 'apt-get install libopenblas-dev libdnnl-dev && npm rebuild @paperzoo/tensor-native';

/** Where the compiled addon lives (the package root is one level above src/ and dist/). */
export const ADDON_PATH = fileURLToPath(new URL('../build/Release/paperzoo_native.node', import.meta.url));

let cached: Addon | null | undefined;
let why = '';

/** The addon, or null when it is not built or does not load ({@link addonError} says why). */
export function loadAddon(): Addon | null {
  if (cached !== undefined) return cached;
  if (!fs.existsSync(ADDON_PATH)) {
    why = `the addon was not built (no ${ADDON_PATH}); run: ${ENABLE_COMMAND}`;
    cached = null;
    return null;
  }
  try {
    // How idle OpenMP threads wait for the next kernel (libgomp reads this when the addon loads it).
    // libgomp's default spins ~300 000 rounds (milliseconds) before sleeping: on a shared 2-core machine
    // that made a LeNet-5 step 8× slower (216 vs 27 ms with two busy processes beside it). Sleeping at
    // once (spin 0) costs a wake-up per parallel region: 12 vs 7.6 ms per step on a quiet machine. A
    // short spin (10 000 rounds) keeps both: 7.6 ms quiet, 28 ms loaded. Explicit settings are kept.
    if (process.env.OMP_WAIT_POLICY == null) {
      process.env.OMP_WAIT_POLICY = 'passive';
      process.env.GOMP_SPINCOUNT ??= '10000';
    }
    const require = createRequire(import.meta.url);
    cached = require(ADDON_PATH) as Addon;
  } catch (e) {
    why = `the addon did not load (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); run: ${ENABLE_COMMAND}`;
    cached = null;
  }
  return cached;
}

/** Why {@link loadAddon} returned null ('' when it loaded). */
export function addonError(): string {
  loadAddon();
  return why;
}
