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
// tfjs-core alone registers neither the gradients nor the chained tensor methods (x.add(y)); the
// @tensorflow/tfjs umbrella does it with these two imports, and so do we.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

export { tf };
export * from './backend.js';
export * from './seed.js';
export * from './memory.js';
export * from './device.js';
export { registerPaperzooKernels } from './kernels/index.js';
