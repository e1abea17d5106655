/**
 * A float64 reference of the functional MLP and of MAML through it: the network's loss and its gradient
 * by hand-written backpropagation, the inner loop, and the meta-objective, so a meta-gradient can be
 * checked against central differences of the meta-objective itself (independent of tfjs).
 */

/** Parameters as flat float64 arrays, in the Mlp's order: layer1/kernel, layer1/bias, layer2/kernel, … */
export interface Mlp64 {
  sizes: number[];
  params: Float64Array[];
}

/** Mean squared error of the MLP on points (x [n, in], y [n, out]) and its gradient with respect to every parameter. */
export function mlpLossGrad(sizes: number[], params: Float64Array[], x: Float64Array, y: Float64Array): { loss: number; grads: Float64Array[] } {
  const n = x.length / sizes[0];
  const layers = sizes.length - 1;
  const acts: Float64Array[] = [x]; // inputs of each layer (post-ReLU)
  const pre: Float64Array[] = [];
  let h = x;
  for (let l = 0; l < layers; l++) {
    const [din, dout] = [sizes[l], sizes[l + 1]];
    const w = params[2 * l];
    const b = params[2 * l + 1];
    const z = new Float64Array(n * dout);
    for (let i = 0; i < n; i++)
      for (let o = 0; o < dout; o++) {
        let s = b[o];
        for (let k = 0; k < din; k++) s += h[i * din + k] * w[k * dout + o];
        z[i * dout + o] = s;
      }
    pre.push(z);
    h = l < layers - 1 ? z.map((v) => Math.max(v, 0)) : z;
    acts.push(h);
  }
  const out = h;
  let loss = 0;
  let dz = new Float64Array(out.length);
  for (let i = 0; i < out.length; i++) {
    const d = out[i] - y[i];
    loss += d * d;
    dz[i] = (2 * d) / out.length;
  }
  loss /= out.length;
  const grads: Float64Array[] = params.map((p) => new Float64Array(p.length));
  for (let l = layers - 1; l >= 0; l--) {
    const [din, dout] = [sizes[l], sizes[l + 1]];
    const input = acts[l];
    const w = params[2 * l];
    const gw = grads[2 * l];
    const gb = grads[2 * l + 1];
    const dIn = new Float64Array(n * din);
    for (let i = 0; i < n; i++)
      for (let o = 0; o < dout; o++) {
        const g = dz[i * dout + o];
        gb[o] += g;
        for (let k = 0; k < din; k++) {
          gw[k * dout + o] += input[i * din + k] * g;
          dIn[i * din + k] += w[k * dout + o] * g;
        }
      }
    if (l > 0) {
      const z = pre[l - 1];
      for (let i = 0; i < dIn.length; i++) if (z[i] <= 0) dIn[i] = 0;
    }
    dz = dIn;
  }
  return { loss, grads };
}

/** A regression task: support and query points. */
export interface Task64 {
  supportX: Float64Array;
  supportY: Float64Array;
  queryX: Float64Array;
  queryY: Float64Array;
}

/** θ' after `steps` gradient steps of size α on the support MSE. */
export function adapt64(sizes: number[], params: Float64Array[], task: Task64, steps: number, alpha: number): Float64Array[] {
  let p = params;
  for (let s = 0; s < steps; s++) {
    const { grads } = mlpLossGrad(sizes, p, task.supportX, task.supportY);
    p = p.map((w, k) => w.map((v, i) => v - alpha * grads[k][i]));
  }
  return p;
}

/** MAML's meta-objective: the mean over tasks of the query MSE after adaptation. */
export function metaObjective64(sizes: number[], params: Float64Array[], tasks: Task64[], steps: number, alpha: number): number {
  return tasks.reduce((s, t) => s + mlpLossGrad(sizes, adapt64(sizes, params, t, steps, alpha), t.queryX, t.queryY).loss, 0) / tasks.length;
}

/** ∂(meta-objective)/∂θ by central differences (h = 1e-5), flattened in parameter order. */
export function metaGradientFD(sizes: number[], params: Float64Array[], tasks: Task64[], steps: number, alpha: number, h = 1e-5): Float64Array {
  const out: number[] = [];
  for (const w of params)
    for (let i = 0; i < w.length; i++) {
      const orig = w[i];
      w[i] = orig + h;
      const up = metaObjective64(sizes, params, tasks, steps, alpha);
      w[i] = orig - h;
      const down = metaObjective64(sizes, params, tasks, steps, alpha);
      w[i] = orig;
      out.push((up - down) / (2 * h));
    }
  return Float64Array.from(out);
}

/** The first-order meta-gradient (1/n) Σ_i ∇L_q,i(θ'_i), flattened. */
export function firstOrderMetaGradient64(sizes: number[], params: Float64Array[], tasks: Task64[], steps: number, alpha: number): Float64Array {
  const total = params.map((p) => new Float64Array(p.length));
  for (const t of tasks) {
    const { grads } = mlpLossGrad(sizes, adapt64(sizes, params, t, steps, alpha), t.queryX, t.queryY);
    grads.forEach((g, k) => g.forEach((v, i) => (total[k][i] += v / tasks.length)));
  }
  return Float64Array.from(total.flatMap((g) => Array.from(g)));
}

/** ‖a − b‖ / ‖b‖. */
export function normError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}
