/**
 * @paperzoo/tensor — THE tensor core of paperzoo.
 *
 * The TensorFlow.js API (tfjs-core 4.22.0) re-exported as `tf`, plus backend choice
 * ({@link initBackend}), kernels that make wasm train, one global {@link seed}, leak assertions and
 * {@link deviceInfo}.
 *
 * ```ts
 * import { tf, initBackend, seed } from '@paperzoo/tensor';
 * await initBackend();          // auto: tensorflow(GPU) > webgpu(hardware) > wasm > cpu
 * seed(1);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';

export { tf };
export * from './backend.js';
export * from './seed.js';
export * from './memory.js';
export * from './device.js';
export { registerPaperzooKernels } from './kernels/index.js';
