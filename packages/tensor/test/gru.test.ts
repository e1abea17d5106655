/**
 * The fused op `gruCell` (PyTorch's "reset after" GRU) on every available backend, against a float64
 * reference written here from the definition (gate order r, z, n):
 *
 *   r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), h' = (1 − z)·n + z·h
 *
 * - values: h' for inputs with negative entries, ranks 2–4 (leading batch dims) and shapes drawn at
 *   random from a seeded generator;
 * - gradients with respect to xGates, hGates and h: against central finite differences of the float64
 *   forward; a 3-step unroll sharing W_hh and b_hh (d/dx, d/dW_hh, d/db_hh);
 * - second order (Hessian-vector products, a gradient of a gradient): against finite differences of the
 *   float64 gradient, and on accelerated backends against cpu's, where the op is composed from tf ops
 *   (cpu has no fused kernel: the fallback path).
 *
 * The native backend runs the fused kernels (packages/tensor-native/test/gru.test.ts checks that they
 * run, at sizes that use its threads); cpu and wasm take the composed path.
 */
import { describe, expect, it } from 'vitest';
import { tf, gruCell } from '../src/index.js';
import { ALL, AVAILABLE, on, tensor } from './backends.js';
import * as ref from './reference.js';

const TOL = 2e-4; // float32 against float64 (relError: max |diff| relative to max(|want|, 1))

function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): void {
  const err = ref.relError(got, want);
  expect(err, `${label}: error ${err.toExponential(2)} > ${tol}`).toBeLessThanOrEqual(tol);
}

const { gru64 } = ref;

interface CellCase {
  name: string;
  lead: number[]; // leading dims of xGates, hGates and h
  u: number;
}

/** Two shapes drawn from a seeded generator: rank 2–4, leading dims 1–3, 1–5 units. */
function randomCases(seed: number, count: number): CellCase[] {
  const random = ref.rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: count }, () => {
    const lead = Array.from({ length: int(1, 3) }, () => int(1, 3));
    const u = int(1, 5);
    return { name: `random [${lead.join(', ')}, 3·${u}]`, lead, u };
  });
}

const CELL_CASES: CellCase[] = [
  { name: '[3, 3·5]', lead: [3], u: 5 },
  { name: '[2, 3, 3·4] (rank 3)', lead: [2, 3], u: 4 },
  { name: '[1, 3·1]', lead: [1], u: 1 },
  ...randomCases(7, 3),
];

function cellData(cs: CellCase, seed: number) {
  const random = ref.rng(seed);
  const rows = cs.lead.reduce((p, q) => p * q, 1);
  const xg = ref.randomTensor([...cs.lead, 3 * cs.u], random, -3, 3);
  const hg = ref.randomTensor([...cs.lead, 3 * cs.u], random, -3, 3);
  const h = ref.randomTensor([...cs.lead, cs.u], random, -2, 2);
  const w = ref.randomTensor(h.shape, random);
  const vs = [xg, hg, h].map((t) => ref.randomTensor(t.shape, random));
  const nG = xg.data.length;
  /** L = Σ w·h' over the concatenation [xGates, hGates, h] in float64. */
  const loss64 = (x: Float64Array): number => gru64(x.subarray(0, nG), x.subarray(nG, 2 * nG), x.subarray(2 * nG), rows, cs.u).reduce((l, v, i) => l + w.data[i] * v, 0);
  const joint = new Float64Array([...xg.data, ...hg.data, ...h.data]);
  return { rows, xg, hg, h, w, vs, nG, loss64, joint };
}

/** [h', dxGates, dhGates, dh, H·v (xGates), H·v (hGates), H·v (h)] on a backend. */
function cellResults(d: ReturnType<typeof cellData>): () => tf.Tensor[] {
  return () => {
    const [xg, hg, h, w] = [d.xg, d.hg, d.h, d.w].map(tensor);
    const vs = d.vs.map(tensor);
    const L = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => tf.sum(tf.mul(w, gruCell(p, q, s)));
    const inner = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor): tf.Scalar => tf.addN(tf.grads(L)([p, q, s]).map((g, k) => tf.sum(tf.mul(g, vs[k])))) as tf.Scalar;
    return [gruCell(xg, hg, h), ...tf.grads(L)([xg, hg, h]), ...tf.grads(inner)([xg, hg, h])];
  };
}

const LABELS = ["h'", 'dxGates', 'dhGates', 'dh', 'H·v (xGates)', 'H·v (hGates)', 'H·v (h)'];

for (const backend of ALL) {
  describe.skipIf(!AVAILABLE[backend])(`gruCell on ${backend}`, () => {
    it.each(CELL_CASES.map((cs, i) => [cs.name, cs, i] as const))('%s: values, gradients and H·v against float64 (and cpu)', async (_name, cs, i) => {
      const d = cellData(cs, 100 + i);
      const got = await on(backend, cellResults(d));
      expectClose("h'", got[0], gru64(d.xg.data, d.hg.data, d.h.data, d.rows, cs.u));
      const n = d.nG;
      const parts = (x: Float64Array): Float64Array[] => [x.subarray(0, n), x.subarray(n, 2 * n), x.subarray(2 * n)];
      parts(ref.numericGrad(d.loss64, d.joint.slice())).forEach((want, k) => expectClose(LABELS[1 + k], got[1 + k], want));
      const v = new Float64Array(d.vs.flatMap((t) => [...t.data]));
      const hv = ref.numericHvp((x) => ref.numericGrad(d.loss64, x, 1e-5), d.joint, v, 1e-3);
      parts(hv).forEach((want, k) => expectClose(LABELS[4 + k], got[4 + k], want, 1e-3));
      if (backend === 'cpu') return;
      // the same numbers as cpu, where the op is composed from tf ops (cpu has no fused kernel)
      const cpu = await on('cpu', cellResults(d));
      LABELS.forEach((label, k) => expectClose(`${label} vs cpu`, got[k], cpu[k], 1e-5));
    });

    it('a 3-step unroll sharing W_hh and b_hh: d/dx, d/dW_hh and d/db_hh against float64 finite differences', async () => {
      const [T, B, u] = [3, 2, 3];
      const random = ref.rng(42);
      const xs = ref.randomTensor([T, B, 3 * u], random, -2, 2);
      const whh = ref.randomTensor([u, 3 * u], random);
      const bhh = ref.randomTensor([3 * u], random, -0.5, 0.5);
      const w = ref.randomTensor([B, u], random);
      // L = Σ_t Σ w·h_t, h_t = cell(x_t, h_{t−1}·W_hh + b_hh, h_{t−1}) from zero state
      const loss64 = (xv: Float64Array, wv: Float64Array, bv: Float64Array): number => {
        let h: Float64Array = new Float64Array(B * u);
        let l = 0;
        for (let t = 0; t < T; t++) {
          const hGates = ref.matMul({ data: h, shape: [B, u] }, { data: wv, shape: [u, 3 * u] }).data.map((v, k) => v + bv[k % (3 * u)]);
          h = gru64(xv.subarray(t * B * 3 * u, (t + 1) * B * 3 * u), hGates, h, B, u);
          for (let k = 0; k < h.length; k++) l += w.data[k] * h[k];
        }
        return l;
      };
      const [dx, dw, db] = await on(backend, () => {
        const wt = tensor(w);
        const f = (x: tf.Tensor, W: tf.Tensor, b: tf.Tensor): tf.Scalar => {
          let h = tf.zeros([B, u]);
          const terms: tf.Tensor[] = [];
          tf.unstack(x).forEach((xt) => {
            h = gruCell(xt, tf.add(tf.matMul(h, W), b), h);
            terms.push(tf.sum(tf.mul(wt, h)));
          });
          return tf.addN(terms) as tf.Scalar;
        };
        return tf.grads(f)([tensor(xs), tensor(whh), tensor(bhh)]);
      });
      expectClose('d/dx', dx, ref.numericGrad((x) => loss64(x, whh.data, bhh.data), xs.data.slice()));
      expectClose('d/dW_hh', dw, ref.numericGrad((v) => loss64(xs.data, v, bhh.data), whh.data.slice()));
      expectClose('d/db_hh', db, ref.numericGrad((v) => loss64(xs.data, whh.data, v), bhh.data.slice()));
    });
  });
}

describe('gruCell shapes', () => {
  it('rejects gates that are not [..., 3u] for h [..., u], naming the shapes', async () => {
    const bad: [number[], number[], number[]][] = [
      [[2, 8], [2, 6], [2, 2]],
      [[2, 6], [2, 9], [2, 2]],
      [[3, 6], [3, 6], [2, 2]],
      [[6], [2, 6], [2, 2]],
    ];
    for (const [x, hg, h] of bad) {
      await expect(on('cpu', () => [gruCell(tf.zeros(x), tf.zeros(hg), tf.zeros(h))])).rejects.toThrow(`gruCell takes xGates [..., 3u], hGates [..., 3u] and h [..., u] with the same leading dims, got xGates [${x}], hGates [${hg}] and h [${h}]`);
    }
  });
});
