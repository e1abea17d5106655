/**
 * Memory discipline: every model test in the repo asserts that a training step leaves the live
 * tensor count unchanged (docs/style.md §8).
 */
import * as tf from '@tensorflow/tfjs';

/** Thrown by {@link assertNoLeaks} when tensors created inside the callback are still alive. */
export class TensorLeakError extends Error {
  constructor(
    readonly leaked: number,
    label: string,
  ) {
    super(`${label}: ${leaked} tensor(s) leaked (live tensor count grew by ${leaked}); wrap the work in tf.tidy or dispose what you create`);
    this.name = 'TensorLeakError';
  }
}

/**
 * Run `fn` (sync or async) and throw a {@link TensorLeakError} if the number of live tensors
 * afterwards differs from before. Returns what `fn` returns; a returned tensor counts as a leak
 * unless `allow` says how many tensors the caller expects to keep.
 */
export async function assertNoLeaks<T>(fn: () => T | Promise<T>, options: { label?: string; allow?: number } = {}): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const grown = tf.memory().numTensors - before - (options.allow ?? 0);
  if (grown !== 0) throw new TensorLeakError(grown, options.label ?? 'assertNoLeaks');
  return out;
}

/** The synchronous form of {@link assertNoLeaks}. */
export function assertNoLeaksSync<T>(fn: () => T, options: { label?: string; allow?: number } = {}): T {
  const before = tf.memory().numTensors;
  const out = fn();
  const grown = tf.memory().numTensors - before - (options.allow ?? 0);
  if (grown !== 0) throw new TensorLeakError(grown, options.label ?? 'assertNoLeaksSync');
  return out;
}

/** Dispose every tensor in a (possibly nested) record or array of tensors. */
export function disposeAll(x: tf.TensorContainer | tf.Variable[] | Record<string, tf.Tensor>): void {
  tf.dispose(x);
}

/** Read a scalar tensor into a number and dispose it. */
export async function takeScalar(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0];
  t.dispose();
  return v;
}

/** Synchronous {@link takeScalar}. */
export function takeScalarSync(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
