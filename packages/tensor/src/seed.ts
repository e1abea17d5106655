/**
 * One seed for everything random in a run: initializers, dropout masks, shuffles and sampling.
 *
 * tfjs random ops take an optional integer seed and otherwise draw one from `Math.random`. paperzoo
 * code never leaves it unset: it passes {@link nextSeed}, drawn from one global generator that
 * {@link seed} resets. The same `seed(n)` therefore gives bit-identical runs on a given backend.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

type Prng = () => number;
type StatefulPrng = Prng & { state(): object };

let generator: StatefulPrng = seedrandom.alea('0', { state: true });
let currentSeed = 0;

/** Reset the global generator. Call once at the start of a run (the harness does). */
export function seed(n: number): void {
  if (!Number.isInteger(n)) throw new RangeError(`seed must be an integer, got ${n}`);
  currentSeed = n;
  generator = seedrandom.alea(String(n), { state: true });
}

/** The global generator's full state, for checkpoints: restoring it continues the exact stream. */
export interface RngState {
  seed: number;
  state: object;
}

/** Snapshot the global generator (JSON-serialisable). */
export function getRngState(): RngState {
  return { seed: currentSeed, state: generator.state() };
}

/** Restore a snapshot taken by {@link getRngState}. */
export function setRngState(s: RngState): void {
  currentSeed = s.seed;
  generator = seedrandom.alea('', { state: s.state as seedrandom.State.Alea });
}

/** The seed last given to {@link seed} (0 before any call). */
export function currentSeedValue(): number {
  return currentSeed;
}

/** A uniform number in [0, 1) from the global generator. */
export function random(): number {
  return generator();
}

/** A fresh 31-bit integer seed for a tfjs random op, drawn from the global generator. */
export function nextSeed(): number {
  return Math.floor(generator() * 2 ** 31);
}

/** A uniform integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(generator() * n);
}

/**
 * A Fisher–Yates shuffle of 0..n-1 drawn from the global generator (see {@link seed}): each call
 * advances it, so consecutive calls give different orders. For an order fixed by (seed, epoch) alone,
 * use @paperzoo/datasets' `seededShuffledIndices`.
 */
export function shuffledIndicesFromGlobalRng(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(generator() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** A separate generator seeded from a string or number, for code that needs its own stream. */
export function makeRng(s: number | string): Prng {
  return seedrandom.alea(String(s));
}

/** `tf.randomNormal` with a seed from the global generator. */
export function randomNormal(shape: number[], mean = 0, stdDev = 1): tf.Tensor {
  return tf.randomNormal(shape, mean, stdDev, 'float32', nextSeed());
}

/** `tf.randomUniform` with a seed from the global generator. */
export function randomUniform(shape: number[], min = 0, max = 1): tf.Tensor {
  return tf.randomUniform(shape, min, max, 'float32', nextSeed());
}

/** `tf.truncatedNormal` with a seed from the global generator. */
export function truncatedNormal(shape: number[], mean = 0, stdDev = 1): tf.Tensor {
  return tf.truncatedNormal(shape, mean, stdDev, 'float32', nextSeed());
}

/** Inverted dropout (`tf.dropout`) with a seed from the global generator; identity when rate is 0. */
export function dropout<T extends tf.Tensor>(x: T, rate: number): T {
  if (rate === 0) return x;
  return tf.dropout(x, rate, undefined, nextSeed()) as T;
}
