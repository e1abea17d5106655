/**
 * Kernels and gradients paperzoo registers on top of tfjs 4.22.0 (see docs/backends.md):
 * ./wasm.ts (kernels the stock wasm backend lacks or gets wrong), ./cpu.ts (cpu kernels found wrong or
 * unusably slow), ./webgpu.ts (webgpu kernels found wrong; registered when webgpu loads) and ./gradients.ts (gradients for every backend, first and second order).
 */
import { registerCpuKernels } from './cpu.js';
import { registerGradients } from './gradients.js';
import { registerWasmKernels } from './wasm.js';

export { WASM_KERNELS, type KernelFix } from './wasm.js';
export { CPU_KERNELS } from './cpu.js';
export { WEBGPU_KERNELS, WebgpuUnsupportedError, registerWebgpuKernels, clarifySyncReads, type WebgpuKernelFix } from './webgpu.js';
export { GRADIENTS, withStockGradients, type GradientFix } from './gradients.js';
export { stockKernel, withStockKernels } from './registry.js';
export { logSoftmax, softmaxCrossEntropy, softmaxCrossEntropyPerExample } from './ops.js';
export { batchNormTraining, differentiatedAgain, fusedKernel, backendHasKernel, ADAM_UPDATE, BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD, type BatchNormTrainingResult } from './fused.js';
export { lstmCell } from './lstm.js';
export { gruCell } from './gru.js';
export { layerNorm, LAYER_NORM, LAYER_NORM_GRAD } from './layer-norm.js';
export { gelu, GELU, GELU_GRAD } from './gelu.js';

let registered = false;

/**
 * Register every paperzoo kernel and gradient once; safe to call repeatedly. Kernels are registered
 * by backend name, so this covers backends that are activated later too.
 */
export function registerPaperzooKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmKernels();
  registerCpuKernels();
  registerGradients();
}
