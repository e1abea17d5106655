/**
 * Learning-rate schedules as pure functions of the 0-based global optimizer step t.
 * Pass one to `fit({ learningRate })`; compose them with {@link linearWarmup}.
 */

/** Learning rate at 0-based global step t. */
export type Schedule = (step: number) => number;

function check(name: string, cond: boolean, what: string): void {
  if (!cond) throw new RangeError(`${name}: ${what}`);
}

function checkStep(step: number): void {
  if (!(step >= 0) || !Number.isFinite(step)) throw new RangeError(`schedule step must be a finite number ≥ 0, got ${step}`);
}

/** η(t) = η₀. */
export function constantLr(initial: number): Schedule {
  check('constantLr', initial >= 0 && Number.isFinite(initial), `initial must be ≥ 0, got ${initial}`);
  return (t) => {
    checkStep(t);
    return initial;
  };
}

/**
 * Step decay: η(t) = η₀ · γ^⌊t / every⌋ — multiply by `factor` γ every `every` steps
 * (e.g. ×0.1 every 30 epochs' worth of steps).
 */
export function stepDecay(options: { initial: number; factor: number; every: number }): Schedule {
  const { initial, factor, every } = options;
  check('stepDecay', initial >= 0, `initial must be ≥ 0, got ${initial}`);
  check('stepDecay', factor > 0, `factor must be > 0, got ${factor}`);
  check('stepDecay', Number.isInteger(every) && every > 0, `every must be a positive integer, got ${every}`);
  return (t) => {
    checkStep(t);
    return initial * factor ** Math.floor(t / every);
  };
}

/**
 * Piecewise constant ("multi-step"): η(t) = values[i] for boundaries[i−1] ≤ t < boundaries[i]
 * (values has one more entry than boundaries; boundaries increase).
 */
export function piecewiseConstant(options: { boundaries: readonly number[]; values: readonly number[] }): Schedule {
  const { boundaries, values } = options;
  check('piecewiseConstant', values.length === boundaries.length + 1, `needs one more value than boundaries (got ${values.length} values, ${boundaries.length} boundaries)`);
  check('piecewiseConstant', boundaries.every((b, i) => i === 0 || b > boundaries[i - 1]), 'boundaries must increase');
  return (t) => {
    checkStep(t);
    let i = 0;
    while (i < boundaries.length && t >= boundaries[i]) i++;
    return values[i];
  };
}

/**
 * Multi-step decay, the CIFAR papers' "divide it by 10 at 32k and 48k iterations" (He et al. 2016,
 * §4.2; NiN, DenseNet): η(t) = η₀ / d^k with k = the number of boundaries ≤ t (d = `divisor`,
 * default 10; boundaries increase). The rates are η₀, η₀/d, (η₀/d)/d, … — divided step by step, as
 * the papers' recipes read, so they are the same floats as a {@link piecewiseConstant} built that way.
 */
export function multiStepDecay(options: { initial: number; boundaries: readonly number[]; divisor?: number }): Schedule {
  const { initial, boundaries, divisor = 10 } = options;
  check('multiStepDecay', initial >= 0 && Number.isFinite(initial), `initial must be ≥ 0, got ${initial}`);
  check('multiStepDecay', divisor > 0 && Number.isFinite(divisor), `divisor must be > 0, got ${divisor}`);
  const values = [initial];
  for (let i = 0; i < boundaries.length; i++) values.push(values[i] / divisor);
  return piecewiseConstant({ boundaries, values });
}

/**
 * Exponential decay: η(t) = η₀ · r^(t / decaySteps); with `staircase`, the exponent is ⌊t / decaySteps⌋.
 */
export function exponentialDecay(options: { initial: number; rate: number; decaySteps: number; staircase?: boolean }): Schedule {
  const { initial, rate, decaySteps, staircase = false } = options;
  check('exponentialDecay', initial >= 0, `initial must be ≥ 0, got ${initial}`);
  check('exponentialDecay', rate > 0, `rate must be > 0, got ${rate}`);
  check('exponentialDecay', decaySteps > 0, `decaySteps must be > 0, got ${decaySteps}`);
  return (t) => {
    checkStep(t);
    const p = t / decaySteps;
    return initial * rate ** (staircase ? Math.floor(p) : p);
  };
}

/**
 * Cosine decay (Loshchilov & Hutter, SGDR, arXiv:1608.03983, eq. 5 without restarts):
 * η(t) = η_min + ½ (η₀ − η_min) (1 + cos(π · min(t, T) / T)), T = totalSteps; η_min = `final` (default 0).
 */
export function cosineDecay(options: { initial: number; totalSteps: number; final?: number }): Schedule {
  const { initial, totalSteps, final = 0 } = options;
  check('cosineDecay', initial >= 0, `initial must be ≥ 0, got ${initial}`);
  check('cosineDecay', totalSteps > 0, `totalSteps must be > 0, got ${totalSteps}`);
  check('cosineDecay', final >= 0, `final must be ≥ 0, got ${final}`);
  return (t) => {
    checkStep(t);
    return final + 0.5 * (initial - final) * (1 + Math.cos((Math.PI * Math.min(t, totalSteps)) / totalSteps));
  };
}

/**
 * Linear warm-up (Goyal et al., arXiv:1706.02677, §2.2) in front of another schedule `then`:
 * η(t) = then(0) · (t + 1) / W for t < W, and then(t − W) afterwards (W = warmupSteps;
 * `then` starts its own count when warm-up ends). A number for `then` means a constant rate.
 */
export function linearWarmup(options: { warmupSteps: number; then: Schedule | number }): Schedule {
  const { warmupSteps } = options;
  check('linearWarmup', Number.isInteger(warmupSteps) && warmupSteps >= 0, `warmupSteps must be an integer ≥ 0, got ${warmupSteps}`);
  const after = typeof options.then === 'number' ? constantLr(options.then) : options.then;
  return (t) => {
    checkStep(t);
    if (t < warmupSteps) return (after(0) * (t + 1)) / warmupSteps;
    return after(t - warmupSteps);
  };
}

/**
 * Inverse square-root decay: η(t) = η₀ / √(1 + t / τ) — η₀ at t = 0, then ∝ 1/√t
 * (τ = `timescale`, default 1, so η(t) = η₀ / √(t + 1)).
 */
export function inverseSqrtDecay(options: { initial: number; timescale?: number }): Schedule {
  const { initial, timescale = 1 } = options;
  check('inverseSqrtDecay', initial >= 0, `initial must be ≥ 0, got ${initial}`);
  check('inverseSqrtDecay', timescale > 0, `timescale must be > 0, got ${timescale}`);
  return (t) => {
    checkStep(t);
    return initial / Math.sqrt(1 + t / timescale);
  };
}
