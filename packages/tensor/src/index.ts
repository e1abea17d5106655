/**
 * @paperzoo/tensor — THE tensor core of paperzoo.
 *
 * The TensorFlow.js API (tfjs 4.22.0: core + layers) re-exported as `tf`, plus backend choice
 * ({@link initBackend}), kernels that make wasm train, one global {@link seed}, leak assertions and
 * {@link deviceInfo}.
 *
 * ```ts
 * import { tf, initBackend, seed } from '@paperzoo/tensor';
 * await initBackend();          // auto: tensorflow(GPU) > webgpu(hardware) > native > wasm > cpu
 * seed(1);
 * ```
 */
// The @tensorflow/tfjs umbrella (tfjs-core 4.22.0 + tfjs-layers, pinned): under Node it is the one
// build that registers every gradient and the chained tensor methods (x.add(y)); tfjs-core's own Node
// build registers neither. See docs/decisions/0001-tfjs-umbrella.md.
import * as tf from '@tensorflow/tfjs';

export { tf };
export * from './backend.js';
export * from './seed.js';
export * from './memory.js';
export * from './module.js';
export * from './device.js';
export {
  registerPaperzooKernels,
  // second-order-safe replacements for tf.logSoftmax / tf.losses.softmaxCrossEntropy (MAML, HVPs)
  logSoftmax,
  softmaxCrossEntropy,
  softmaxCrossEntropyPerExample,
  // fused training ops: one kernel each way on the native backend, composed tfjs ops elsewhere
  batchNormTraining,
  differentiatedAgain,
  // a fused kernel where the active backend has it (else null), and the fused Adam/AdamW update's name
  fusedKernel,
  backendHasKernel,
  ADAM_UPDATE,
  type BatchNormTrainingResult,
  // one LSTM step, fused into one kernel (and one for its gradient) where the backend has it
  lstmCell,
  // one GRU step (PyTorch's reset-after variant), fused likewise
  gruCell,
  // transformer ops (GPT, BERT), fused likewise: layer norm over the last axis, the exact GELU
  layerNorm,
  gelu,
  // what paperzoo registers, and the stock kernels/gradients it replaced (tests, benchmarks, README)
  WASM_KERNELS,
  CPU_KERNELS,
  WEBGPU_KERNELS,
  WebgpuUnsupportedError,
  type WebgpuKernelFix,
  GRADIENTS,
  withStockKernels,
  withStockGradients,
  type KernelFix,
  type GradientFix,
} from './kernels/index.js';
