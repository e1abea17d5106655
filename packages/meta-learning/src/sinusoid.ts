/**
 * Sinusoid regression tasks — C. Finn, P. Abbeel, S. Levine, "Model-Agnostic Meta-Learning for Fast
 * Adaptation of Deep Networks", ICML 2017, §5.1. https://arxiv.org/abs/1703.03400
 *
 * "Each task involves regressing from the input to the output of a sine wave, where the amplitude and
 * phase of the sinusoid are varied between tasks. … the amplitude varies within [0.1, 5.0] and the phase
 * varies within [0, π], and the input and output both have a dimensionality of 1. During training and
 * testing, datapoints x are sampled uniformly from [−5.0, 5.0]." A task τ = (A, φ) maps x ↦ A·sin(x − φ)
 * (cbfinn/maml data_generator.py `generate_sinusoid_batch`).
 *
 * As in the authors' code, one meta-training batch draws `support + query` points per task: the first
 * `support` (K) are the inner loop's training points (`inputa`), the rest its evaluation points (`inputb`).
 */
import { random, tf } from '@paperzoo/tensor';

/** The task distribution of §5.1. */
export const SINUSOID_TASKS = { amplitude: [0.1, 5], phase: [0, Math.PI], x: [-5, 5] } as const;

/** A batch of sinusoid tasks with points drawn from each. */
export interface SinusoidBatch {
  /** Amplitude A of each task: [tasks]. */
  amplitude: Float32Array;
  /** Phase φ of each task: [tasks]. */
  phase: Float32Array;
  /** Inner-loop (support) inputs and targets: [tasks, support, 1]. */
  supportX: tf.Tensor3D;
  supportY: tf.Tensor3D;
  /** Evaluation (query) inputs and targets: [tasks, query, 1]. */
  queryX: tf.Tensor3D;
  queryY: tf.Tensor3D;
}

/** A uniform draw in [lo, hi) from `rng`. */
function uniform(rng: () => number, [lo, hi]: readonly [number, number]): number {
  return lo + (hi - lo) * rng();
}

/** y = A·sin(x − φ). */
export function sinusoid(amplitude: number, phase: number, x: number): number {
  return amplitude * Math.sin(x - phase);
}

/** Points of given tasks: x ~ U[−5, 5], y = A·sin(x − φ). Returns [tasks, points, 1] each. */
export function sinusoidPoints(amplitude: ArrayLike<number>, phase: ArrayLike<number>, points: number, rng: () => number = random): { x: tf.Tensor3D; y: tf.Tensor3D } {
  const tasks = amplitude.length;
  const xs = new Float32Array(tasks * points);
  const ys = new Float32Array(tasks * points);
  for (let t = 0; t < tasks; t++)
    for (let i = 0; i < points; i++) {
      const x = uniform(rng, SINUSOID_TASKS.x);
      xs[t * points + i] = x;
      ys[t * points + i] = sinusoid(amplitude[t], phase[t], x);
    }
  return { x: tf.tensor3d(xs, [tasks, points, 1]), y: tf.tensor3d(ys, [tasks, points, 1]) };
}

/**
 * `tasks` sinusoid tasks (A ~ U[0.1, 5], φ ~ U[0, π]) with `support + query` points each, from the global
 * generator of @paperzoo/tensor (or `rng`). The caller owns the four tensors.
 */
export function sampleSinusoidBatch(tasks: number, support: number, query: number, rng: () => number = random): SinusoidBatch {
  if (!Number.isInteger(tasks) || tasks < 1) throw new RangeError(`sampleSinusoidBatch: tasks must be a positive integer, got ${tasks}`);
  if (!Number.isInteger(support) || support < 1 || !Number.isInteger(query) || query < 1) throw new RangeError(`sampleSinusoidBatch: support and query must be positive integers, got ${support} and ${query}`);
  const amplitude = new Float32Array(tasks);
  const phase = new Float32Array(tasks);
  for (let t = 0; t < tasks; t++) {
    amplitude[t] = uniform(rng, SINUSOID_TASKS.amplitude);
    phase[t] = uniform(rng, SINUSOID_TASKS.phase);
  }
  // One draw of support + query points per task, split as the authors' code splits inputa / inputb.
  const { x, y } = sinusoidPoints(amplitude, phase, support + query, rng);
  const [supportX, queryX] = tf.split(x, [support, query], 1) as [tf.Tensor3D, tf.Tensor3D];
  const [supportY, queryY] = tf.split(y, [support, query], 1) as [tf.Tensor3D, tf.Tensor3D];
  x.dispose();
  y.dispose();
  return { amplitude, phase, supportX, supportY, queryX, queryY };
}

/** Dispose the tensors of a batch. */
export function disposeSinusoidBatch(b: SinusoidBatch): void {
  tf.dispose([b.supportX, b.supportY, b.queryX, b.queryY]);
}
