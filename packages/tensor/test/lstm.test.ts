/**
 * The fused ops `lstmCell` and `softmaxCrossEntropy` on every available backend, against float64
 * references written here from the definitions:
 *
 * - values: the LSTM cell (cNext = σ(f)·c + σ(i)·tanh(g), h = σ(o)·tanh(cNext)) and the per-row
 *   cross-entropy −Σ labels·log softmax(logits), averaged over rows;
 * - gradients: against central finite differences of the float64 forward (inputs with negative
 *   entries; one-hot and soft labels that do not sum to 1; an output left unused, whose gradient tfjs
 *   passes as zeros; a 3-step unroll sharing Wh);
 * - second order (Hessian-vector products, a gradient of a gradient): against finite differences of the
 *   float64 gradient, and on accelerated backends against cpu's, where the op is composed from tf ops
 *   (cpu has no fused kernel: the fallback path).
 *
 * The native backend runs the fused kernels (its own tests check that they run); cpu and wasm take
 * the composed path.
 */
import { describe, expect, it } from 'vitest';
import { tf, lstmCell, softmaxCrossEntropy } from '../src/index.js';
import { ACCELERATED, ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

const TOL = 2e-4; // float32 against float64 (relError: max |diff| relative to max(|want|, 1))

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

const { numericGrad, numericHvp } = ref;

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

// ------------------------------------------------------------------------------------------------
// LSTM cell

/** The cell in float64: gates [rows, 4u] (i, f, g, o), c [rows, u] → h, cNext [rows, u]. */
function cell64(gates: ArrayLike<number>, c: ArrayLike<number>, rows: number, u: number): { h: Float64Array; cNext: Float64Array } {
  const h = new Float64Array(rows * u);
  const cNext = new Float64Array(rows * u);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < u; j++) {
      const at = (k: number): number => gates[r * 4 * u + k * u + j];
      const cn = sigma(at(1)) * c[r * u + j] + sigma(at(0)) * Math.tanh(at(2));
      cNext[r * u + j] = cn;
      h[r * u + j] = sigma(at(3)) * Math.tanh(cn);
    }
  return { h, cNext };
}

interface CellCase {
  name: string;
  lead: number[]; // leading dims of gates and c
  u: number;
  /** weights of h and cNext in the scalar loss L = Σ wh·h + Σ wc·cNext (null: that output unused) */
  useH: boolean;
  useC: boolean;
}

const CELL_CASES: CellCase[] = [
  { name: '[3, 4·5], both outputs used', lead: [3], u: 5, useH: true, useC: true },
  { name: '[2, 3, 4·4] (rank 3)', lead: [2, 3], u: 4, useH: true, useC: true },
  { name: '[1, 4·1]', lead: [1], u: 1, useH: true, useC: true },
  { name: 'cNext unused (its gradient arrives as zeros)', lead: [4], u: 3, useH: true, useC: false },
  { name: 'h unused', lead: [4], u: 3, useH: false, useC: true },
];

function cellData(cs: CellCase, seed: number) {
  const random = ref.rng(seed);
  const rows = cs.lead.reduce((p, q) => p * q, 1);
  const gates = ref.randomTensor([...cs.lead, 4 * cs.u], random, -3, 3);
  const c = ref.randomTensor([...cs.lead, cs.u], random, -2, 2);
  const wh = ref.randomTensor([...cs.lead, cs.u], random);
  const wc = ref.randomTensor([...cs.lead, cs.u], random);
  const vg = ref.randomTensor(gates.shape, random);
  const vc = ref.randomTensor(c.shape, random);
  const nG = gates.data.length;
  /** L over the concatenation [gates, c] in float64. */
  const loss64 = (x: Float64Array): number => {
    const { h, cNext } = cell64(x.subarray(0, nG), x.subarray(nG), rows, cs.u);
    let l = 0;
    for (let i = 0; i < h.length; i++) l += (cs.useH ? wh.data[i] * h[i] : 0) + (cs.useC ? wc.data[i] * cNext[i] : 0);
    return l;
  };
  const joint = new Float64Array([...gates.data, ...c.data]);
  return { rows, gates, c, wh, wc, vg, vc, nG, loss64, joint };
}

/** L(gates, c) in tfjs, through lstmCell. */
function cellLoss(cs: CellCase, wh: tf.Tensor, wc: tf.Tensor) {
  return (g: tf.Tensor, c: tf.Tensor): tf.Scalar => {
    const [h, cNext] = lstmCell(g, c);
    const terms: tf.Tensor[] = [];
    if (cs.useH) terms.push(tf.sum(tf.mul(wh, h)));
    if (cs.useC) terms.push(tf.sum(tf.mul(wc, cNext)));
    return tf.addN(terms) as tf.Scalar;
  };
}

/** [h, cNext, dgates, dc, H·v (gates part), H·v (c part)] on a backend. */
function cellResults(cs: CellCase, d: ReturnType<typeof cellData>): () => tf.Tensor[] {
  return () => {
    const [g, c, wh, wc, vg, vc] = [d.gates, d.c, d.wh, d.wc, d.vg, d.vc].map(tensor);
    const L = cellLoss(cs, wh, wc);
    const [h, cNext] = lstmCell(g, c);
    const [dg, dc] = tf.grads(L)([g, c]);
    const inner = (p: tf.Tensor, q: tf.Tensor): tf.Scalar => {
      const [gp, gq] = tf.grads(L)([p, q]);
      return tf.add(tf.sum(tf.mul(gp, vg)), tf.sum(tf.mul(gq, vc)));
    };
    const [hg, hc] = tf.grads(inner)([g, c]);
    return [h, cNext, dg, dc, hg, hc];
  };
}

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`lstmCell on ${backend}`, () => {
    it.each(CELL_CASES.map((cs, i) => [cs.name, cs, i] as const))('%s: values, gradients and H·v against float64', async (_name, cs, i) => {
      const d = cellData(cs, 100 + i);
      const [h, cNext, dg, dc, hg, hc] = await on(backend, cellResults(cs, d));
      const want = cell64(d.gates.data, d.c.data, d.rows, cs.u);
      expectClose('h', h, want.h);
      expectClose('cNext', cNext, want.cNext);
      const grad = numericGrad(d.loss64, d.joint.slice());
      expectClose('dgates', dg, grad.subarray(0, d.nG));
      expectClose('dc', dc, grad.subarray(d.nG));
      const hv = numericHvp((x) => numericGrad(d.loss64, x, 1e-5), d.joint, new Float64Array([...d.vg.data, ...d.vc.data]), 1e-3);
      expectClose('H·v (gates)', hg, hv.subarray(0, d.nG), 1e-3);
      expectClose('H·v (c)', hc, hv.subarray(d.nG), 1e-3);
    });

    it('a 3-step unroll sharing Wh: d/dWh and d/dx against float64 finite differences', async () => {
      const [T, B, u] = [3, 2, 3];
      const random = ref.rng(42);
      const xs = ref.randomTensor([T, B, 4 * u], random, -2, 2);
      const wh = ref.randomTensor([u, 4 * u], random);
      const w = ref.randomTensor([B, u], random);
      // L = Σ_t Σ w·h_t, h_t, c_t = cell(x_t + h_{t−1}·Wh, c_{t−1}) from zero state
      const loss64 = (xv: Float64Array, whv: Float64Array): number => {
        let h: Float64Array = new Float64Array(B * u);
        let c: Float64Array = new Float64Array(B * u);
        let l = 0;
        for (let t = 0; t < T; t++) {
          const gates = ref.matMul({ data: h, shape: [B, u] }, { data: whv, shape: [u, 4 * u] }).data.map((v, k) => v + xv[t * B * 4 * u + k]);
          ({ h, cNext: c } = cell64(gates, c, B, u));
          for (let k = 0; k < h.length; k++) l += w.data[k] * h[k];
        }
        return l;
      };
      const [dx, dwh] = await on(backend, () => {
        const W = tensor(wh);
        const wt = tensor(w);
        const f = (x: tf.Tensor, whT: tf.Tensor): tf.Scalar => {
          let h = tf.zeros([B, u]);
          let c = tf.zeros([B, u]);
          const terms: tf.Tensor[] = [];
          tf.unstack(x).forEach((xt) => {
            [h, c] = lstmCell(tf.add(xt, tf.matMul(h, whT)), c);
            terms.push(tf.sum(tf.mul(wt, h)));
          });
          return tf.addN(terms) as tf.Scalar;
        };
        return tf.grads(f)([tensor(xs), W]);
      });
      expectClose('d/dx', dx, numericGrad((x) => loss64(x, wh.data), xs.data.slice()));
      expectClose('d/dWh', dwh, numericGrad((v) => loss64(xs.data, v), wh.data.slice()));
    });
  });
}

for (const backend of ACCELERATED) {
  describe.skipIf(!AVAILABLE[backend])(`lstmCell on ${backend} equals cpu's composed op`, () => {
    it.each(CELL_CASES.map((cs, i) => [cs.name, cs, i] as const))('%s', async (_name, cs, i) => {
      const d = cellData(cs, 200 + i);
      const cpu = await on('cpu', cellResults(cs, d));
      const got = await on(backend, cellResults(cs, d));
      ['h', 'cNext', 'dgates', 'dc', 'H·v (gates)', 'H·v (c)'].forEach((label, k) => expectClose(label, got[k], cpu[k], 1e-5));
    });
  });
}

describe('lstmCell shapes', () => {
  it('rejects gates that are not [..., 4u] for c [..., u]', async () => {
    await expect(on('cpu', () => lstmCell(tf.zeros([2, 7]), tf.zeros([2, 2])))).rejects.toThrow(/lstmCell takes gates/);
    await expect(on('cpu', () => lstmCell(tf.zeros([3, 8]), tf.zeros([2, 2])))).rejects.toThrow(/lstmCell takes gates/);
  });
});

// ------------------------------------------------------------------------------------------------
// Softmax cross-entropy

/** mean over rows of −Σ labels·log softmax(logits), float64. */
function ce64(labels: ArrayLike<number>, logits: ArrayLike<number>, cols: number): number {
  const rows = logits.length / cols;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, logits[r * cols + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(logits[r * cols + j] - m);
    for (let j = 0; j < cols; j++) total -= labels[r * cols + j] * (logits[r * cols + j] - m - Math.log(s));
  }
  return total / rows;
}

interface CeCase {
  name: string;
  shape: number[];
  labels: 'onehot' | 'soft';
  scale: number; // logits drawn from [−scale, scale)
}

const CE_CASES: CeCase[] = [
  { name: 'one-hot [4, 7]', shape: [4, 7], labels: 'onehot', scale: 3 },
  { name: 'soft labels that do not sum to 1, [3, 5]', shape: [3, 5], labels: 'soft', scale: 2 },
  { name: 'rank 3 [2, 3, 6], soft labels', shape: [2, 3, 6], labels: 'soft', scale: 2 },
  { name: 'large logits (±40), one-hot [2, 9]', shape: [2, 9], labels: 'onehot', scale: 40 },
  { name: 'one class [3, 1]', shape: [3, 1], labels: 'onehot', scale: 2 },
];

function ceData(cs: CeCase, seed: number) {
  const random = ref.rng(seed);
  const cols = cs.shape[cs.shape.length - 1];
  const logits = ref.randomTensor(cs.shape, random, -cs.scale, cs.scale);
  const labels = cs.labels === 'onehot' ? ref.map64(logits, (_, i) => (i % cols === Math.floor(i / cols) % cols ? 1 : 0)) : ref.randomTensor(cs.shape, random, -0.5, 1);
  const vx = ref.randomTensor(cs.shape, random);
  const vl = ref.randomTensor(cs.shape, random);
  const n = logits.data.length;
  const loss64 = (x: Float64Array): number => ce64(x.subarray(n), x.subarray(0, n), cols);
  return { cols, logits, labels, vx, vl, n, loss64, joint: new Float64Array([...logits.data, ...labels.data]) };
}

/** [loss, dlogits, dlabels, H·v (logits), H·v (labels)] on a backend. */
function ceResults(d: ReturnType<typeof ceData>): () => tf.Tensor[] {
  return () => {
    const [x, l, vx, vl] = [d.logits, d.labels, d.vx, d.vl].map(tensor);
    const L = (p: tf.Tensor, q: tf.Tensor): tf.Scalar => softmaxCrossEntropy(q, p);
    const [dx, dl] = tf.grads(L)([x, l]);
    const inner = (p: tf.Tensor, q: tf.Tensor): tf.Scalar => {
      const [gp, gq] = tf.grads(L)([p, q]);
      return tf.add(tf.sum(tf.mul(gp, vx)), tf.sum(tf.mul(gq, vl)));
    };
    const [hx, hl] = tf.grads(inner)([x, l]);
    return [softmaxCrossEntropy(l, x), dx, dl, hx, hl];
  };
}

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`softmaxCrossEntropy on ${backend}`, () => {
    it.each(CE_CASES.map((cs, i) => [cs.name, cs, i] as const))('%s: value, gradients and H·v against float64', async (_name, cs, i) => {
      const d = ceData(cs, 300 + i);
      const [loss, dx, dl, hx, hl] = await on(backend, ceResults(d));
      expectClose('loss', loss, [d.loss64(d.joint)]);
      const grad = numericGrad(d.loss64, d.joint.slice());
      expectClose('d/dlogits', dx, grad.subarray(0, d.n));
      expectClose('d/dlabels', dl, grad.subarray(d.n));
      const hv = numericHvp((x) => numericGrad(d.loss64, x, 1e-5), d.joint, new Float64Array([...d.vx.data, ...d.vl.data]), 1e-3);
      expectClose('H·v (logits)', hx, hv.subarray(0, d.n), 2e-3);
      expectClose('H·v (labels)', hl, hv.subarray(d.n), 2e-3);
    });

    it('equals tf.losses.softmaxCrossEntropy (one-hot) in value and logits gradient', async () => {
      const d = ceData(CE_CASES[0], 400);
      const [ours, oursGrad, stock, stockGrad] = await on(backend, () => {
        const [x, l] = [tensor(d.logits), tensor(d.labels)];
        return [
          softmaxCrossEntropy(l, x),
          tf.grad((p: tf.Tensor) => softmaxCrossEntropy(l, p))(x),
          tf.losses.softmaxCrossEntropy(l, x),
          tf.grad((p: tf.Tensor) => tf.losses.softmaxCrossEntropy(l, p))(x),
        ];
      });
      expectClose('loss', ours, stock, 1e-6);
      expectClose('d/dlogits', oursGrad, stockGrad, 1e-6);
    });

    it('int32 one-hot labels and labels broadcast along rows (the composed path) give the same loss', async () => {
      const d = ceData(CE_CASES[1], 401);
      const [asInt, asFloat, broadcast, tiled] = await on(backend, () => {
        const x = tensor(d.logits);
        const hot = tf.oneHot(tf.tensor1d([1, 0, 4], 'int32'), 5);
        const row = tf.tensor1d([0.2, 0.5, -0.1, 0, 0.4]);
        return [softmaxCrossEntropy(hot, x), softmaxCrossEntropy(tf.cast(hot, 'float32'), x), softmaxCrossEntropy(row, x), softmaxCrossEntropy(tf.tile(tf.reshape(row, [1, 5]), [3, 1]), x)];
      });
      expectClose('int32 labels', asInt, asFloat, 1e-6);
      expectClose('broadcast labels', broadcast, tiled, 1e-6);
    });
  });
}

for (const backend of ACCELERATED) {
  describe.skipIf(!AVAILABLE[backend])(`softmaxCrossEntropy on ${backend} equals cpu's composed op`, () => {
    it.each(CE_CASES.map((cs, i) => [cs.name, cs, i] as const))('%s', async (_name, cs, i) => {
      const d = ceData(cs, 500 + i);
      const cpu = await on('cpu', ceResults(d));
      const got = await on(backend, ceResults(d));
      ['loss', 'd/dlogits', 'd/dlabels', 'H·v (logits)', 'H·v (labels)'].forEach((label, k) => expectClose(label, got[k], cpu[k], 1e-5));
    });
  });
}
