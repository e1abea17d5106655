/**
 * The recurrent layers against an independent float64 reference: the cell equations written out as
 * loops (rnn.ts's header), forward on every backend available and gradients against central finite
 * differences of the float64 reference — for the tanh RNN, the LSTM and both GRU variants, two layers
 * deep, on random shapes with negative inputs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaksSync, makeRng, Module, type BackendName } from '@paperzoo/tensor';
import { batchify } from '@paperzoo/datasets';
import { RecurrentStack, RecurrentLanguageModel, evaluateLanguageModel, lmWindow, fullWindowCount, type CellType, type GruVariant, type LayerState } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Weights { wih: Float64Array; whh: Float64Array; bih: Float64Array; bhh: Float64Array; inSize: number }

/** x [T][B][in] through layers of the reference cell → top outputs [T][B][u]. */
function reference(cell: CellType, variant: GruVariant, layers: Weights[], x: number[][][], u: number): number[][][] {
  const G = { rnn: 1, lstm: 4, gru: 3 }[cell];
  let input = x;
  for (const w of layers) {
    const B = input[0].length;
    let h = Array.from({ length: B }, () => new Array<number>(u).fill(0));
    let c = Array.from({ length: B }, () => new Array<number>(u).fill(0));
    const out: number[][][] = [];
    for (const xt of input) {
      const hNext: number[][] = [];
      const cNext: number[][] = [];
      for (let b = 0; b < B; b++) {
        const xg = new Array<number>(G * u).fill(0);
        const hg = new Array<number>(G * u).fill(0);
        for (let j = 0; j < G * u; j++) {
          xg[j] = w.bih[j];
          for (let i = 0; i < w.inSize; i++) xg[j] += xt[b][i] * w.wih[i * G * u + j];
          hg[j] = w.bhh[j];
          for (let i = 0; i < u; i++) hg[j] += h[b][i] * w.whh[i * G * u + j];
        }
        const hb = new Array<number>(u);
        const cb = new Array<number>(u);
        if (cell === 'rnn') for (let k = 0; k < u; k++) hb[k] = Math.tanh(xg[k] + hg[k]);
        if (cell === 'lstm') {
          for (let k = 0; k < u; k++) {
            const [i, f, g, o] = [sigmoid(xg[k] + hg[k]), sigmoid(xg[u + k] + hg[u + k]), Math.tanh(xg[2 * u + k] + hg[2 * u + k]), sigmoid(xg[3 * u + k] + hg[3 * u + k])];
            cb[k] = f * c[b][k] + i * g;
            hb[k] = o * Math.tanh(cb[k]);
          }
        }
        if (cell === 'gru') {
          const r = Array.from({ length: u }, (_, k) => sigmoid(xg[k] + hg[k]));
          const z = Array.from({ length: u }, (_, k) => sigmoid(xg[u + k] + hg[u + k]));
          for (let k = 0; k < u; k++) {
            let pre: number;
            if (variant === 'reset-after') pre = xg[2 * u + k] + r[k] * hg[2 * u + k];
            else {
              // Cho et al. eq. 7: (r ⊙ h)·U_n + b_hn
              pre = xg[2 * u + k] + w.bhh[2 * u + k];
              for (let i = 0; i < u; i++) pre += r[i] * h[b][i] * w.whh[i * G * u + 2 * u + k];
            }
            const n = Math.tanh(pre);
            hb[k] = (1 - z[k]) * n + z[k] * h[b][k];
          }
        }
        hNext.push(hb);
        cNext.push(cb);
      }
      h = hNext;
      c = cNext;
      out.push(h.map((r) => [...r]));
    }
    input = out;
  }
  return input;
}

class Stack extends Module {
  readonly rnn: RecurrentStack;
  constructor(cell: CellType, variant: GruVariant, inputSize: number, hiddenSize: number, seed: number) {
    super(`test-${cell}-${variant}`);
    this.rnn = new RecurrentStack(this.store, 'rnn', { cell, gruVariant: variant, inputSize, hiddenSize, layers: 2, init: { kind: 'uniform', limit: 0.8 } });
    this.build({ seed });
  }
}

const CASES: [CellType, GruVariant][] = [['rnn', 'reset-after'], ['lstm', 'reset-after'], ['gru', 'reset-after'], ['gru', 'reset-before']];
const backends = (['cpu', 'wasm', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);

describe.each(backends)('recurrent layers on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it.each(CASES)('%s (%s): two layers match the float64 reference, forward', (cell, variant) => {
    const rng = makeRng(7);
    const [T, B, inSize, u] = [5, 3, 4, 6];
    const net = new Stack(cell, variant, inSize, u, 3);
    const xs = Array.from({ length: T }, () => Array.from({ length: B }, () => Array.from({ length: inSize }, () => 4 * rng() - 2)));
    const weights: Weights[] = net.rnn.layers.map((l) => ({
      wih: Float64Array.from(l.inputKernel.value.dataSync()), whh: Float64Array.from(l.recurrentKernel.value.dataSync()),
      bih: Float64Array.from(l.inputBias.value.dataSync()), bhh: Float64Array.from(l.recurrentBias.value.dataSync()), inSize: l.inputSize,
    }));
    const expected = reference(cell, variant, weights, xs, u).flat(2);
    assertNoLeaksSync(() => {
      const x = tf.tensor3d(xs);
      const states = net.rnn.zeroState(B);
      const { outputs, states: finals } = net.rnn.forward(x, states);
      const got = outputs.dataSync();
      expect(outputs.shape).toEqual([T, B, u]);
      expected.forEach((e, i) => expect(Math.abs(got[i] - e)).toBeLessThan(2e-5));
      // stepping one token at a time gives the same final state as the whole sequence
      let s: LayerState[] = net.rnn.zeroState(B);
      for (let t = 0; t < T; t++) {
        const xt = tf.tidy(() => tf.squeeze<tf.Tensor2D>(tf.slice(x, [t, 0, 0], [1, B, inSize]), [0]));
        const { output, states: next } = net.rnn.step(xt, s);
        tf.dispose([xt, output, ...s.flatMap((q) => [q.h, q.c ?? []].flat())]);
        s = next;
      }
      const stepped = s[1].h.dataSync();
      const last = Array.from(got.slice((T - 1) * B * u));
      last.forEach((v, i) => expect(Math.abs(stepped[i] - v)).toBeLessThan(1e-5));
      tf.dispose([x, outputs, ...[...states, ...finals, ...s].flatMap((q) => [q.h, q.c ?? []].flat())]);
    });
    net.dispose();
  });
});

describe('recurrent layer gradients (cpu) against finite differences of the float64 reference', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it.each(CASES)('%s (%s)', (cell, variant) => {
    const rng = makeRng(11);
    const [T, B, inSize, u] = [4, 2, 3, 4];
    const net = new Stack(cell, variant, inSize, u, 5);
    const xs = Array.from({ length: T }, () => Array.from({ length: B }, () => Array.from({ length: inSize }, () => 4 * rng() - 2)));
    const proj = Array.from({ length: T * B * u }, () => 2 * rng() - 1); // loss = Σ outputs · proj
    const weights = (): Weights[] => net.rnn.layers.map((l) => ({
      wih: Float64Array.from(l.inputKernel.value.dataSync()), whh: Float64Array.from(l.recurrentKernel.value.dataSync()),
      bih: Float64Array.from(l.inputBias.value.dataSync()), bhh: Float64Array.from(l.recurrentBias.value.dataSync()), inSize: l.inputSize,
    }));
    const loss64 = (w: Weights[]) => reference(cell, variant, w, xs, u).flat(2).reduce((s, v, i) => s + v * proj[i], 0);
    const vars = net.variables;
    const names = Object.keys(vars);
    const { grads, value } = tf.variableGrads(() => tf.tidy(() => {
      const out = net.rnn.forward(tf.tensor3d(xs), net.rnn.zeroState(B)).outputs;
      return tf.sum(tf.mul(out, tf.tensor3d(proj, [T, B, u])));
    }));
    value.dispose();
    const base = weights();
    const keyOf = (name: string): { layer: number; key: keyof Omit<Weights, 'inSize'> } => {
      const layer = Number(/layer(\d)/.exec(name)![1]);
      const key = ({ inputKernel: 'wih', recurrentKernel: 'whh', inputBias: 'bih', recurrentBias: 'bhh' } as const)[name.split('/').pop() as 'inputKernel'];
      return { layer, key };
    };
    for (const name of names) {
      const g = grads[vars[name].name].dataSync();
      const { layer, key } = keyOf(name);
      for (let probe = 0; probe < 4; probe++) {
        const i = Math.floor(rng() * g.length);
        const eps = 1e-6;
        const plus = base.map((w) => ({ ...w, [key]: Float64Array.from(w[key]) }));
        const minus = base.map((w) => ({ ...w, [key]: Float64Array.from(w[key]) }));
        plus[layer][key][i] += eps;
        minus[layer][key][i] -= eps;
        const fd = (loss64(plus) - loss64(minus)) / (2 * eps);
        expect(Math.abs(g[i] - fd), `${name}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`).toBeLessThan(2e-4 * Math.max(1, Math.abs(fd)));
      }
    }
    tf.dispose(grads);
    net.dispose();
  });
});

describe('language model', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('perplexity over a split does not depend on the window length (the state is carried)', () => {
    const rng = makeRng(3);
    const ids = Int32Array.from({ length: 203 }, () => Math.floor(rng() * 13));
    const model = new RecurrentLanguageModel({ cell: 'lstm', vocabSize: 13, embeddingSize: 8, hiddenSize: 8, layers: 2, seed: 1, tieWeights: true });
    const source = batchify(ids, 4);
    assertNoLeaksSync(() => {
      const a = evaluateLanguageModel(model, source, 3);
      const b = evaluateLanguageModel(model, source, 50);
      expect(a.tokens).toBe((source.steps - 1) * 4);
      expect(Math.abs(a.nll - b.nll)).toBeLessThan(1e-5);
      expect(a.perplexity).toBeGreaterThan(1);
      expect(a.bitsPerToken).toBeCloseTo(a.nll / Math.LN2, 10);
    });
    model.dispose();
  });

  it('windows: inputs and next-token targets, full windows only when counting', () => {
    const source = batchify(Int32Array.from({ length: 40 }, (_, i) => i), 2); // columns 0..19 and 20..39
    const w = lmWindow(source, 0, 3);
    expect(Array.from(w.input)).toEqual([0, 20, 1, 21, 2, 22]);
    expect(Array.from(w.target)).toEqual([1, 21, 2, 22, 3, 23]);
    expect(fullWindowCount(source, 3)).toBe(6); // 19 predictions per column → 6 full windows of 3
    expect(lmWindow(source, 18, 3).steps).toBe(1);
    expect(() => lmWindow(source, 19, 3)).toThrow(/no target/);
  });

  it('tied weights need equal sizes and share the table; parameter counts', () => {
    expect(() => new RecurrentLanguageModel({ cell: 'gru', vocabSize: 10, embeddingSize: 4, hiddenSize: 5, layers: 1, tieWeights: true, allocate: false })).toThrow(/tieWeights/);
    const untied = new RecurrentLanguageModel({ cell: 'lstm', vocabSize: 10_000, embeddingSize: 200, hiddenSize: 200, layers: 2, allocate: false });
    // Zaremba small: embedding 2M + 2 LSTM layers of (200 + 200 + 2)·800 + softmax 200·10k + 10k
    expect(untied.parameterCount()).toBe(2_000_000 + 2 * 402 * 800 + 2_010_000);
    const tied = new RecurrentLanguageModel({ cell: 'lstm', vocabSize: 10_000, embeddingSize: 200, hiddenSize: 200, layers: 2, tieWeights: true, allocate: false });
    expect(untied.parameterCount() - tied.parameterCount()).toBe(2_000_000);
  });
});
