/**
 * The learning rate of an optimizer: a number, or a schedule `step → lr` where `step` counts the
 * updates already applied (0 for the first update), like Keras's `optimizer.iterations`.
 * Schedules themselves (step, exponential, cosine, warm-up, 1/√t) live in @paperzoo/repro.
 */
export type LearningRate = number | ((step: number) => number);

/** The learning rate for the update that follows `step` earlier updates; throws on a bad value. */
export function learningRateAt(learningRate: LearningRate, step: number): number {
  const lr = typeof learningRate === 'number' ? learningRate : learningRate(step);
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(`learning rate must be a finite number ≥ 0, got ${String(lr)}${typeof learningRate === 'function' ? ` from the schedule at step ${step}` : ''}`);
  }
  return lr;
}
