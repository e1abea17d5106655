/**
 * Conjugate gradients with line searches — C. E. Rasmussen's `minimize.m` (2001), the optimizer of
 * Hinton & Salakhutdinov's fine-tuning (Science 2006, supporting material: "three line searches" per
 * mini-batch of 1000; their backprop.m calls `minimize(VV, 'CG_MNIST', 3, …)`).
 * http://learning.eng.cam.ac.uk/carl/code/minimize/
 *
 * Search directions by Polak–Ribière, s ← ((∇f₁ − ∇f₀)·∇f₁ / ∇f₀·∇f₀) s − ∇f₁ (restarting with −∇f when
 * the direction points uphill); each line search extrapolates with cubic fits (at most EXT = 3× the
 * last step) and then interpolates (cubic or quadratic, kept INT = 0.1 inside the bracket) until the
 * Wolfe–Powell conditions hold: f(x + t s) ≤ f(x) + ρ t f′(0) and |f′(t)| ≤ −σ f′(0), ρ = σ/2, σ = 0.1.
 * At most MAX = 20 evaluations per line search; the next initial step is the last times the slope ratio
 * (at most RATIO = 10). Vectors are float64 [n]; `f` returns the value and gradient at a point.
 */

/** The objective: value and gradient [n] at x [n]. */
export type Objective = (x: Float64Array) => { value: number; gradient: Float64Array<ArrayBufferLike> };

export interface MinimizeResult {
  /** The point reached [n]. */
  x: Float64Array<ArrayBufferLike>;
  /** f after each successful line search (and f(x₀) first). */
  values: number[];
  /** Function evaluations used. */
  evaluations: number;
  /** Line searches done. */
  lineSearches: number;
}

const INT = 0.1;
const EXT = 3.0;
const MAX = 20;
const RATIO = 10;
const SIG = 0.1;
const RHO = SIG / 2;
const REALMIN = 2.2250738585072014e-308;

function dot(a: Float64Array<ArrayBufferLike>, b: Float64Array<ArrayBufferLike>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** x + t·s, a new vector. */
function step(x: Float64Array<ArrayBufferLike>, t: number, s: Float64Array<ArrayBufferLike>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * s[i];
  return out;
}

function finite(v: number, g: Float64Array<ArrayBufferLike>): boolean {
  if (!Number.isFinite(v)) return false;
  for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return false;
  return true;
}

/**
 * Minimise f from x0 with `lineSearches` line searches (minimize.m's positive `length`; red = 1, the
 * expected first reduction). Returns the best point found.
 */
export function minimize(f: Objective, x0: Float64Array, lineSearches: number): MinimizeResult {
  if (!Number.isInteger(lineSearches) || lineSearches < 1) throw new RangeError(`minimize: lineSearches must be a positive integer, got ${lineSearches}`);
  let x: Float64Array<ArrayBufferLike> = Float64Array.from(x0);
  let evaluations = 0;
  const evaluate = (p: Float64Array) => {
    evaluations++;
    return f(p);
  };
  let i = 0;
  let lsFailed = false;
  const first = evaluate(x);
  let f0 = first.value;
  let df0 = first.gradient;
  const values = [f0];
  let s: Float64Array<ArrayBufferLike> = df0.map((g) => -g); // search direction
  let d0 = -dot(s, s); // slope f′(0) along s
  let x3 = 1 / (1 - d0); // initial step: red / (1 − d0)
  while (i < lineSearches) {
    i++;
    // the best point so far, returned if the line search fails
    let X0 = x;
    let F0 = f0;
    let dF0 = df0;
    let M = MAX;
    let x1 = 0, f1 = 0, d1 = 0;
    let x2 = 0, f2 = f0, d2 = d0;
    let f3 = f0, df3 = df0, d3 = d0;
    let x4 = 0, f4 = 0, d4 = 0;
    // extrapolation
    for (;;) {
      x2 = 0;
      f2 = f0;
      d2 = d0;
      f3 = f0;
      df3 = df0;
      let success = false;
      while (!success && M > 0) {
        M--;
        const r = evaluate(step(x, x3, s));
        if (finite(r.value, r.gradient)) {
          f3 = r.value;
          df3 = r.gradient;
          success = true;
        } else x3 = (x2 + x3) / 2; // bisect towards the last good point
      }
      if (f3 < F0) {
        X0 = step(x, x3, s);
        F0 = f3;
        dF0 = df3;
      }
      d3 = dot(df3, s);
      if (d3 > SIG * d0 || f3 > f0 + x3 * RHO * d0 || M === 0) break;
      x1 = x2; f1 = f2; d1 = d2;
      x2 = x3; f2 = f3; d2 = d3;
      // cubic extrapolation
      const A = 6 * (f1 - f2) + 3 * (d2 + d1) * (x2 - x1);
      const B = 3 * (f2 - f1) - (2 * d1 + d2) * (x2 - x1);
      const disc = B * B - A * d1 * (x2 - x1);
      x3 = disc < 0 ? NaN : x1 - (d1 * (x2 - x1) ** 2) / (B + Math.sqrt(disc));
      if (!Number.isFinite(x3) || x3 < 0) x3 = x2 * EXT;
      else if (x3 > x2 * EXT) x3 = x2 * EXT;
      else if (x3 < x2 + INT * (x2 - x1)) x3 = x2 + INT * (x2 - x1);
    }
    // interpolation
    while ((Math.abs(d3) > -SIG * d0 || f3 > f0 + x3 * RHO * d0) && M > 0) {
      if (d3 > 0 || f3 > f0 + x3 * RHO * d0) {
        x4 = x3; f4 = f3; d4 = d3;
      } else {
        x2 = x3; f2 = f3; d2 = d3;
      }
      if (f4 > f0) {
        x3 = x2 - (0.5 * d2 * (x4 - x2) ** 2) / (f4 - f2 - d2 * (x4 - x2)); // quadratic
      } else {
        const A = (6 * (f2 - f4)) / (x4 - x2) + 3 * (d4 + d2); // cubic
        const B = 3 * (f4 - f2) - (2 * d2 + d4) * (x4 - x2);
        const disc = B * B - A * d2 * (x4 - x2) ** 2;
        x3 = disc < 0 ? NaN : x2 + (Math.sqrt(disc) - B) / A;
      }
      if (!Number.isFinite(x3)) x3 = (x2 + x4) / 2;
      x3 = Math.max(Math.min(x3, x4 - INT * (x4 - x2)), x2 + INT * (x4 - x2));
      const r = evaluate(step(x, x3, s));
      f3 = r.value;
      df3 = r.gradient;
      if (f3 < F0) {
        X0 = step(x, x3, s);
        F0 = f3;
        dF0 = df3;
      }
      M--;
      d3 = dot(df3, s);
    }
    if (Math.abs(d3) < -SIG * d0 && f3 < f0 + x3 * RHO * d0) {
      // line search succeeded
      x = step(x, x3, s);
      f0 = f3;
      values.push(f0);
      const beta = (dot(df3, df3) - dot(df0, df3)) / dot(df0, df0); // Polak–Ribière
      for (let k = 0; k < s.length; k++) s[k] = beta * s[k] - df3[k];
      df0 = df3;
      const dOld = d0;
      d0 = dot(df0, s);
      if (d0 > 0) {
        s = df0.map((g) => -g);
        d0 = -dot(s, s);
      }
      x3 = x3 * Math.min(RATIO, dOld / (d0 - REALMIN));
      lsFailed = false;
    } else {
      // restore the best point and try the steepest descent once
      x = X0;
      f0 = F0;
      df0 = dF0;
      if (lsFailed || i > lineSearches) break;
      s = df0.map((g) => -g);
      d0 = -dot(s, s);
      x3 = 1 / (1 - d0);
      lsFailed = true;
    }
  }
  return { x, values, evaluations, lineSearches: i };
}
