/**
 * The Transformer's learning-rate schedule — Vaswani et al. 2017, §5.3, eq. (3): linear warm-up for
 * `warmupSteps`, then decay ∝ 1/√step,
 *
 *   lrate = d_model^−0.5 · min(step^−0.5, step · warmup_steps^−1.5)        (step = 1, 2, …)
 *
 * peaking at step = warmup_steps (paper: d_model 512, warmup 4000 → 7.0e-4). Returned as a function of
 * the 0-based optimizer step that `fit` passes (step + 1 in the formula), times an optional `factor`
 * (the Annotated Transformer's; 1 in the paper).
 */
export function noamLearningRate(options: { size: number; warmupSteps: number; factor?: number }): (step: number) => number {
  const { size, warmupSteps, factor = 1 } = options;
  if (!(warmupSteps >= 1)) throw new RangeError(`noamLearningRate: warmupSteps must be ≥ 1, got ${warmupSteps}`);
  return (step) => {
    const s = step + 1;
    return factor * size ** -0.5 * Math.min(s ** -0.5, s * warmupSteps ** -1.5);
  };
}

/**
 * BERT's learning-rate schedule (Devlin et al. 2018, Appendix A.2: "learning rate warmup over the first
 * 10,000 steps, and linear decay of the learning rate"; google-research/bert `optimization.py`): for the
 * 0-based optimizer step t that `fit` passes, with peak η, W warm-up steps and T steps in all,
 *
 *   t < W:   η · t / W                 (optimization.py's `warmup_percent_done · init_lr`)
 *   t ≥ W:   η · (1 − t / T)           (`polynomial_decay` to 0 with power 1)
 */
export function bertLearningRate(options: { learningRate: number; warmupSteps: number; totalSteps: number }): (step: number) => number {
  const { learningRate, warmupSteps, totalSteps } = options;
  if (!(totalSteps >= 1 && warmupSteps >= 0 && warmupSteps <= totalSteps)) throw new RangeError(`bertLearningRate: need 0 ≤ warmupSteps (${warmupSteps}) ≤ totalSteps (${totalSteps}), totalSteps ≥ 1`);
  return (t) => (t < warmupSteps ? (learningRate * t) / warmupSteps : learningRate * Math.max(0, 1 - t / totalSteps));
}
