/**
 * The exact GELU: Hendrycks & Gimpel 2016, "Gaussian Error Linear Units (GELUs)"
 * (https://arxiv.org/abs/1606.08415), §2, GELU(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)), Φ the standard
 * normal CDF; PyTorch's nn.GELU() default (approximate='none'), which nanoGPT and BERT use. Its
 * derivative: GELU′(x) = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π).
 *
 * On a backend with the kernel `PaperzooGelu` (the native backend: libm's erfc, Φ(x) = ½·erfc(−x/√2),
 * exact in both tails) it is one kernel, and its first-order gradient one more (`PaperzooGeluGrad`).
 * Elsewhere it is composed from tf ops with tf.erf. As batchNormTraining (./fused.ts), a backward pass
 * that is itself recorded runs the composed gradient (differentiable), so second order is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';
import { fusedBackward, fusedKernel } from './fused.js';

/** The fused kernel: input x; output x·Φ(x). */
export const GELU = 'PaperzooGelu';
/** Its backward kernel: inputs x, dy; output dy·(Φ(x) + x·φ(x)). */
export const GELU_GRAD = 'PaperzooGeluGrad';

/** Φ(x) = ½(1 + erf(x/√2)) from tf ops. */
const normalCdf = (x: Tensor): Tensor => tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

/** GELU(x) = x·Φ(x), the exact (erf) form, elementwise; any shape. Differentiable to any order. */
export function gelu<T extends Tensor>(x: T): T {
  return (
    fusedKernel<T>(GELU, { x }) ??
    tf.tidy(() => {
      const xf = tf.cast(x, 'float32');
      return tf.mul<T>(xf, normalCdf(xf));
    })
  );
}

export const geluGradConfig: GradConfig = {
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({
    x: () =>
      fusedBackward<Tensor>(GELU_GRAD, { x, dy: dy as Tensor }) ??
      tf.mul(dy as Tensor, tf.add(normalCdf(x), tf.mul(x, tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x))))))),
  }),
};
