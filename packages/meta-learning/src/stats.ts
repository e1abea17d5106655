/**
 * The mean over test tasks and its 95% confidence half-width as the authors' evaluation code reports it
 * (cbfinn/maml main.py `ci95`, jakesnell/prototypical-networks eval.py): 1.96·σ/√n with the population σ
 * (np.std).
 */
export function meanAndCi95(values: ArrayLike<number>): { mean: number; ci95: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, ci95: (1.96 * Math.sqrt(ss / n)) / Math.sqrt(n) };
}
