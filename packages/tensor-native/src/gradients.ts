/**
 * The gradient of FusedBatchNorm on the native backend: one kernel (PaperzooBatchNormGrad, two passes
 * over x and dy) instead of the ~10 full-size ops of tfjs' decomposition (tile, sub, mul, rsqrt, sum…),
 * which dominated a ResNet-20 step. The same formulas as tfjs' gradient (dx = dy·s·inv,
 * dmean = −s·inv·Σdy, dvariance = −½·s·inv³·Σdy·(x − mean), dscale = inv·Σdy·(x − mean),
 * doffset = Σdy, inv = 1/√(variance + ε)).
 *
 * Registered for every backend (gradients are global in tfjs) but used only when the active backend
 * is native, the statistics are per-channel vectors, and the backward pass is not itself being
 * recorded (a gradient of this gradient needs tfjs' differentiable decomposition; paperzoo's
 * second-order tests take that path); otherwise tfjs' own gradient runs, unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

/** True while a backward pass is itself being recorded (as @paperzoo/tensor's gradients decide it). */
function differentiatedAgain(): boolean {
  const { gradientDepth, kernelDepth } = tf.engine().state;
  return gradientDepth > 0 && kernelDepth === 0;
}

let registered = false;

export function registerNativeGradients(backendName: string): void {
  if (registered) return;
  const stock = tf.getGradient('FusedBatchNorm');
  if (stock == null) return; // tfjs-core without gradients registered: nothing to speed up
  registered = true;
  const config: GradConfig = {
    kernelName: 'FusedBatchNorm',
    inputsToSave: stock.inputsToSave ?? ['x', 'mean', 'variance', 'scale'],
    outputsToSave: stock.outputsToSave,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      const c = x.shape[x.shape.length - 1];
      const vector = (t: Tensor | undefined): boolean => t == null || (t.rank === 1 && t.shape[0] === c && t.dtype === 'float32');
      if (tf.getBackend() !== backendName || differentiatedAgain() || Array.isArray(dy) || x.dtype !== 'float32' || !vector(mean) || !vector(variance) || !vector(scale)) {
        return stock.gradFunc(dy, saved, attrs);
      }
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      // Run now, not inside the closures: the engine runs each closure in its own tidy, which would
      // dispose the outputs the other closures return.
      const parts = tf.engine().runKernel('PaperzooBatchNormGrad', scale == null ? { x, mean, variance, dy } : { x, mean, variance, scale, dy }, { varianceEpsilon }) as unknown as Tensor[];
      const get = (i: number) => (): Tensor => parts[i];
      return { x: get(0), mean: get(1), variance: get(2), scale: get(3), offset: get(4) };
    },
  };
  tf.registerGradient(config);
}
