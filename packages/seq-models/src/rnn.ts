/**
 * Recurrent layers: the tanh RNN, the LSTM and the GRU, one step at a time or over a sequence.
 *
 * Every layer computes the input half of its gates for all steps of a sequence in one matmul
 * (x·W_ih + b_ih, [T·B, G·u]) and then runs the recurrence step by step (h·W_hh + b_hh and the cell),
 * as PyTorch's CPU RNNs do. Two biases, b_ih and b_hh, as torch.nn.RNN/LSTM/GRU and as Zaremba et al.'s
 * code (two nn.Linear per cell, both initialised U(±0.1)). Default init U(±1/√u) on every weight and
 * bias, as PyTorch.
 *
 * - tanh RNN (Elman 1990): h' = tanh(x·W_ih + b_ih + h·W_hh + b_hh).
 * - LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), in the form of
 *   Zaremba, Sutskever & Vinyals 2014 §3 ("Recurrent Neural Network Regularization",
 *   arXiv:1409.2329): (i, f, g, o) = (σ, σ, tanh, σ)(x·W_ih + b_ih + h·W_hh + b_hh),
 *   c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c'). One fused kernel per step on native (`lstmCell`).
 * - GRU, two variants (gate order r, z, n; torch.nn.GRU's):
 *   - `'reset-before'`: Cho et al. 2014 ("Learning Phrase Representations using RNN Encoder–Decoder
 *     for Statistical Machine Translation", arXiv:1406.1078) eq. 5–8 — the reset gate multiplies h
 *     BEFORE the recurrent matrix: r = σ(x_r + h·U_r), z = σ(x_z + h·U_z),
 *     n = tanh(x_n + (r ⊙ h)·U_n + b_hn), h' = z ⊙ h + (1 − z) ⊙ n. Chung et al. 2014 use this form.
 *   - `'reset-after'` (default): the variant PyTorch and cuDNN compute — the reset gate multiplies
 *     the recurrent product AFTER the matrix: n = tanh(x_n + r ⊙ (h·U_n + b_hn)); the rest as above.
 *     The whole recurrent product h·W_hh is then one matmul per step, and the cell one fused kernel.
 *
 * Shapes: a sequence is time-major, x [T, B, in] → outputs [T, B, u], as PyTorch's default.
 */
import { tf, gruCell, lstmCell, type Initializer, type Parameter, type ParameterStore } from '@paperzoo/tensor';

/** Which recurrent cell. */
export type CellType = 'rnn' | 'lstm' | 'gru';
/** Where the GRU's reset gate acts: Cho et al.'s eq. 7 ('reset-before') or PyTorch/cuDNN's ('reset-after'). */
export type GruVariant = 'reset-after' | 'reset-before';

/** The state of one layer: h [B, u], and the LSTM's cell c [B, u] (null for RNN and GRU). */
export interface LayerState {
  h: tf.Tensor2D;
  c: tf.Tensor2D | null;
}

/** Gate blocks per cell: the width of W_ih and W_hh is gates·u. */
export const GATES: Readonly<Record<CellType, number>> = { rnn: 1, lstm: 4, gru: 3 };

/** Options of {@link RecurrentLayer}. */
export interface RecurrentLayerOptions {
  cell: CellType;
  inputSize: number;
  hiddenSize: number;
  /** Init of every weight and bias; default U(±1/√hiddenSize) (PyTorch). */
  init?: Initializer;
  /** Init of the two biases; default `init` (bentrevett/pytorch-seq2seq notebook 3: weights N(0, 0.01), biases 0). */
  biasInit?: Initializer;
  /** GRU only (default 'reset-after'). */
  gruVariant?: GruVariant;
}

/** tf.tidy for a function returning a layer state (tidy cannot return the null c). */
function tidyState(fn: () => LayerState): LayerState {
  const [h, c] = tf.tidy(() => {
    const s = fn();
    return s.c ? [s.h, s.c] : [s.h];
  });
  return { h: h, c: (c) ?? null };
}

/** One recurrent layer (RNN, LSTM or GRU) over [T, B, in]. */
export class RecurrentLayer {
  readonly cell: CellType;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly gruVariant: GruVariant;
  readonly inputKernel: Parameter; // W_ih [in, G·u]
  readonly recurrentKernel: Parameter; // W_hh [u, G·u]
  readonly inputBias: Parameter; // b_ih [G·u]
  readonly recurrentBias: Parameter; // b_hh [G·u]

  constructor(store: ParameterStore, readonly name: string, options: RecurrentLayerOptions) {
    const { cell, inputSize, hiddenSize } = options;
    for (const [k, v] of [['inputSize', inputSize], ['hiddenSize', hiddenSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name}: ${k} must be a positive integer, got ${v}`);
    }
    if (!(cell in GATES)) throw new RangeError(`${name}: cell must be one of ${Object.keys(GATES).join(', ')}, got '${cell}'`);
    this.cell = cell;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.gruVariant = options.gruVariant ?? 'reset-after';
    const width = GATES[cell] * hiddenSize;
    const init = options.init ?? { kind: 'uniform', limit: 1 / Math.sqrt(hiddenSize) };
    this.inputKernel = store.add(`${name}/inputKernel`, [inputSize, width], init);
    this.recurrentKernel = store.add(`${name}/recurrentKernel`, [hiddenSize, width], init);
    this.inputBias = store.add(`${name}/inputBias`, [width], options.biasInit ?? init);
    this.recurrentBias = store.add(`${name}/recurrentBias`, [width], options.biasInit ?? init);
  }

  /** Zeros [B, u] (and c for the LSTM). */
  zeroState(batch: number): LayerState {
    return { h: tf.zeros([batch, this.hiddenSize]), c: this.cell === 'lstm' ? tf.zeros([batch, this.hiddenSize]) : null };
  }

  /** Parameters this layer has: (in + u + 2)·G·u. */
  static parameterCount(cell: CellType, inputSize: number, hiddenSize: number): number {
    return (inputSize + hiddenSize + 2) * GATES[cell] * hiddenSize;
  }

  /** x·W_ih + b_ih for inputs [N, in] → [N, G·u]. */
  projectInput(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add<tf.Tensor2D>(tf.matMul(x, this.inputKernel.value as tf.Tensor2D), this.inputBias.value));
  }

  /** One step from the projected input xg [B, G·u] and the state → the next state. */
  stepProjected(xg: tf.Tensor2D, state: LayerState): LayerState {
    return tidyState(() => {
      const w = this.recurrentKernel.value as tf.Tensor2D;
      const b = this.recurrentBias.value;
      const h = state.h;
      if (this.cell === 'gru' && this.gruVariant === 'reset-before') {
        // Cho et al. 2014 eq. 5–8: r and z from h·U_rz; the candidate from (r ⊙ h)·U_n
        const u = this.hiddenSize;
        const [xr, xz, xn] = tf.split<tf.Tensor2D>(xg, 3, 1);
        const hrz = tf.add<tf.Tensor2D>(tf.matMul(h, tf.slice(w, [0, 0], [u, 2 * u])), tf.slice(b, [0], [2 * u])); // [B, 2u]
        const [hr, hz] = tf.split<tf.Tensor2D>(hrz, 2, 1);
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add<tf.Tensor2D>(tf.add(xn, tf.matMul(tf.mul<tf.Tensor2D>(r, h), tf.slice(w, [0, 2 * u], [u, u]))), tf.slice(b, [2 * u], [u]))); // [B, u]
        return { h: tf.add<tf.Tensor2D>(n, tf.mul(z, tf.sub(h, n))), c: null }; // z ⊙ h + (1 − z) ⊙ n
      }
      const hg = tf.add<tf.Tensor2D>(tf.matMul(h, w), b); // h·W_hh + b_hh [B, G·u]
      switch (this.cell) {
        case 'rnn':
          return { h: tf.tanh(tf.add<tf.Tensor2D>(xg, hg)), c: null };
        case 'lstm': {
          if (!state.c) throw new Error(`${this.name}: an LSTM state needs c`);
          const [hNext, cNext] = lstmCell(tf.add<tf.Tensor2D>(xg, hg), state.c); // gates i, f, g, o
          return { h: hNext, c: cNext };
        }
        case 'gru':
          return { h: gruCell(xg, hg, h), c: null }; // one fused kernel on native
      }
    });
  }

  /** One step from the raw input x [B, in]. */
  step(x: tf.Tensor2D, state: LayerState): LayerState {
    return tidyState(() => this.stepProjected(this.projectInput(x), state));
  }

  /** The whole sequence: x [T, B, in] → outputs [T, B, u] and the final state. */
  forward(x: tf.Tensor3D, state: LayerState): { outputs: tf.Tensor3D; state: LayerState } {
    const [steps, batch] = x.shape;
    if (x.shape[2] !== this.inputSize) throw new RangeError(`${this.name}: input must be [T, B, ${this.inputSize}], got [${x.shape.join(', ')}]`);
    let final: LayerState = state;
    const outputs = tf.tidy(() => {
      const projected = this.projectInput(tf.reshape(x, [steps * batch, this.inputSize])); // [T·B, G·u]
      const perStep = tf.split<tf.Tensor2D>(projected, steps, 0); // T × [B, G·u]
      const hs: tf.Tensor2D[] = [];
      let s = state;
      for (const xg of perStep) {
        s = this.stepProjected(xg, s);
        hs.push(s.h);
      }
      final = s;
      tf.keep(s.h);
      if (s.c) tf.keep(s.c);
      return tf.stack<tf.Tensor2D>(hs) as tf.Tensor3D; // [T, B, u]
    });
    return { outputs, state: final };
  }
}

/** Options of {@link RecurrentStack}. */
export interface RecurrentStackOptions extends Omit<RecurrentLayerOptions, 'inputSize'> {
  inputSize: number;
  layers: number;
}

/**
 * Layers on top of each other; layer l > 0 reads layer l − 1's outputs. Dropout, when asked, acts on
 * the connections between layers only, never on the recurrent ones (Zaremba et al. 2014 §3; the
 * `dropout` argument of torch.nn.LSTM).
 */
export class RecurrentStack {
  readonly layers: RecurrentLayer[];

  constructor(store: ParameterStore, readonly name: string, options: RecurrentStackOptions) {
    if (!Number.isInteger(options.layers) || options.layers < 1) throw new RangeError(`${name}: layers must be a positive integer, got ${options.layers}`);
    this.layers = Array.from({ length: options.layers }, (_, l) => new RecurrentLayer(store, `${name}/layer${l}`, { ...options, inputSize: l === 0 ? options.inputSize : options.hiddenSize }));
  }

  zeroState(batch: number): LayerState[] {
    return this.layers.map((l) => l.zeroState(batch));
  }

  /**
   * x [T, B, in] → the top layer's outputs [T, B, u] and every layer's final state. `dropout(t)`
   * (e.g. @paperzoo/tensor's `dropout` in training) is applied to each layer's outputs before the
   * next layer reads them.
   */
  forward(x: tf.Tensor3D, states: readonly LayerState[], betweenLayers: (t: tf.Tensor3D) => tf.Tensor3D = (t) => t): { outputs: tf.Tensor3D; states: LayerState[] } {
    if (states.length !== this.layers.length) throw new RangeError(`${this.name}: ${this.layers.length} layer states needed, got ${states.length}`);
    const finals: LayerState[] = [];
    const outputs = tf.tidy(() => {
      let input = x;
      this.layers.forEach((layer, l) => {
        const { outputs: out, state } = layer.forward(l === 0 ? input : betweenLayers(input), states[l]);
        input = out;
        finals.push(state);
        tf.keep(state.h);
        if (state.c) tf.keep(state.c);
      });
      return input;
    });
    return { outputs, states: finals };
  }

  /** One step of every layer: x [B, in] → the top h [B, u] and the new states. */
  step(x: tf.Tensor2D, states: readonly LayerState[], betweenLayers: (t: tf.Tensor2D) => tf.Tensor2D = (t) => t): { output: tf.Tensor2D; states: LayerState[] } {
    const finals: LayerState[] = [];
    const output = tf.tidy(() => {
      let input = x;
      this.layers.forEach((layer, l) => {
        const s = layer.step(l === 0 ? input : betweenLayers(input), states[l]);
        finals.push(s);
        tf.keep(s.h);
        if (s.c) tf.keep(s.c);
        input = s.h;
      });
      return input.clone();
    });
    return { output, states: finals };
  }
}

/** Dispose the tensors of layer states. */
export function disposeStates(states: readonly LayerState[]): void {
  for (const s of states) {
    s.h.dispose();
    s.c?.dispose();
  }
}
