/**
 * The networks and the learning procedure of Rumelhart, Hinton & Williams 1986, on
 * @paperzoo/core-autograd's readable engine.
 *
 * D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating
 * errors", Nature 323, 533–536 (1986), https://doi.org/10.1038/323533a0; the long version is
 * "Learning internal representations by error propagation", ch. 8 of Parallel Distributed Processing,
 * vol. 1 (MIT Press, 1986), pp. 318–362.
 *
 * Units (eqs. 1–2): x_j = Σ_i y_i w_ji + b_j,  y_j = 1/(1 + e^{−x_j})    (logistic units, a bias each)
 * Error (eq. 3):     E = ½ Σ_c Σ_j (y_{j,c} − d_{j,c})²                    (summed over all cases c)
 * Gradient:          ∂E/∂w by back-propagation (eqs. 4–7) — `backward()` of the engine
 * Update (eq. 9):    Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1),  w ← w + Δw(t)      (once per sweep: the
 *                    gradient is accumulated over all cases before each change, as in the paper)
 *
 * Two engines, the same network: {@link ScalarNet} builds the graph one number at a time from
 * {@link Value} (what the paper draws: units and connections), {@link MatrixNet} one layer at a time
 * from the float64 n-d {@link Tensor} (the same numbers, ~50× fewer graph nodes; used for the
 * 8-3-8 encoder, whose scalar graph has ~1,300 nodes per sweep).
 */
import { Tensor, Value, add, matmul, mul, sigmoid, sub, sum, tensor } from './engine/index.js';

/** The shape of a one-hidden-layer net of logistic units. */
export interface NetShape {
  inputs: number;
  hidden: number;
  outputs: number;
  /** Direct input → output connections besides the hidden layer (the paper's XOR net with one hidden unit). */
  skip: boolean;
}

/** A training problem: one row per case. */
export interface Problem {
  inputs: number[][];
  targets: number[][];
}

/** Exclusive-or: output 1 when exactly one input is on. */
export const XOR: Problem = {
  inputs: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  targets: [[0], [1], [1], [0]],
};

/** The N-log₂N-N encoder: N one-hot patterns to be reproduced through a narrow hidden layer. */
export function encoderProblem(n: number): Problem {
  const oneHot = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  return { inputs: oneHot, targets: oneHot.map((r) => r.slice()) };
}

/** What one sweep through all cases reports, measured before that sweep's weight change. */
export interface SweepOutcome {
  /** E = ½ Σ (y − d)² over all cases and outputs. */
  error: number;
  /** The outputs, one row per case. */
  outputs: number[][];
  /** The hidden activations, one row per case. */
  hidden: number[][];
}

/** A network that can run one sweep: forward over every case, accumulate ∂E/∂w, report. */
export interface SweepNet {
  /** Number of weights and biases. */
  readonly parameterCount: number;
  /** Forward over all cases and back-propagate E; afterwards {@link gradient} holds ∂E/∂w. */
  sweep(problem: Problem): SweepOutcome;
  /** ∂E/∂w of the last sweep, in parameter order. */
  gradient(): Float64Array;
  /** Add Δw to the weights, in parameter order. */
  addToWeights(delta: Float64Array): void;
  /** The weights, in parameter order. */
  weights(): Float64Array;
  /** Set the weights, in parameter order (a checkpoint's). */
  setWeights(w: ArrayLike<number>): void;
}

/**
 * The net as a graph of scalars: every connection is one {@link Value}; a unit's input is built with
 * `add`/`mul`, its output with `sigmoid`. Weights start uniform in [−range/2, range/2] from `uniform`.
 */
export class ScalarNet implements SweepNet {
  readonly inputToHidden: Value[][]; // [hidden][inputs]
  readonly hiddenBias: Value[]; // [hidden]
  readonly hiddenToOutput: Value[][]; // [outputs][hidden]
  readonly inputToOutput: Value[][]; // [outputs][inputs], empty without skip connections
  readonly outputBias: Value[]; // [outputs]
  readonly parameters: Value[];

  constructor(
    readonly shape: NetShape,
    uniform: () => number,
    range = 1,
  ) {
    const w = () => new Value((uniform() - 0.5) * range);
    const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, w));
    this.inputToHidden = matrix(shape.hidden, shape.inputs);
    this.hiddenBias = Array.from({ length: shape.hidden }, w);
    this.hiddenToOutput = matrix(shape.outputs, shape.hidden);
    this.inputToOutput = shape.skip ? matrix(shape.outputs, shape.inputs) : [];
    this.outputBias = Array.from({ length: shape.outputs }, w);
    this.parameters = [...this.inputToHidden.flat(), ...this.hiddenBias, ...this.hiddenToOutput.flat(), ...this.inputToOutput.flat(), ...this.outputBias];
  }

  get parameterCount(): number {
    return this.parameters.length;
  }

  /** One case: y_j = σ(Σ_i x_i w_ji + b_j) for the hidden units, then for the outputs (eqs. 1–2). */
  forward(x: readonly number[]): { hidden: Value[]; output: Value[] } {
    const hidden = this.inputToHidden.map((row, j) => row.reduce((total, wji, i) => total.add(wji.mul(x[i])), this.hiddenBias[j]).sigmoid());
    const output = this.hiddenToOutput.map((row, k) => {
      let total = row.reduce((acc, wkj, j) => acc.add(wkj.mul(hidden[j])), this.outputBias[k]);
      if (this.shape.skip) total = this.inputToOutput[k].reduce((acc, wki, i) => acc.add(wki.mul(x[i])), total);
      return total.sigmoid();
    });
    return { hidden, output };
  }

  sweep(problem: Problem): SweepOutcome {
    for (const p of this.parameters) p.zeroGrad();
    let error = new Value(0);
    const outputs: number[][] = [];
    const hidden: number[][] = [];
    problem.inputs.forEach((x, c) => {
      const y = this.forward(x);
      y.output.forEach((yk, k) => (error = error.add(yk.sub(problem.targets[c][k]).pow(2).mul(0.5)))); // ½(y − d)²
      outputs.push(y.output.map((v) => v.data));
      hidden.push(y.hidden.map((v) => v.data));
    });
    error.backward();
    return { error: error.data, outputs, hidden };
  }

  gradient(): Float64Array {
    return Float64Array.from(this.parameters, (p) => p.grad);
  }

  addToWeights(delta: Float64Array): void {
    this.parameters.forEach((p, i) => (p.data += delta[i]));
  }

  weights(): Float64Array {
    return Float64Array.from(this.parameters, (p) => p.data);
  }

  setWeights(w: ArrayLike<number>): void {
    this.parameters.forEach((p, i) => (p.data = w[i]));
  }
}

/**
 * The same net, one layer at a time: all cases at once as a [cases, inputs] matrix. Weights are drawn
 * in the same order as {@link ScalarNet}'s, so the same `uniform` stream gives the same network.
 */
export class MatrixNet implements SweepNet {
  readonly inputToHidden: Tensor; // [inputs, hidden]
  readonly hiddenBias: Tensor; // [hidden]
  readonly hiddenToOutput: Tensor; // [hidden, outputs]
  readonly inputToOutput: Tensor | null; // [inputs, outputs]
  readonly outputBias: Tensor; // [outputs]
  readonly parameters: Tensor[];

  constructor(
    readonly shape: NetShape,
    uniform: () => number,
    range = 1,
  ) {
    const { inputs, hidden, outputs } = shape;
    // Draw row by row as ScalarNet does ([to][from]), then store transposed ([from, to]) for x·W.
    const transposedDraw = (to: number, from: number) => {
      const t = tensor(new Float64Array(from * to), [from, to]);
      for (let j = 0; j < to; j++) for (let i = 0; i < from; i++) t.data[i * to + j] = (uniform() - 0.5) * range;
      return t;
    };
    const vector = (n: number) => tensor(Float64Array.from({ length: n }, () => (uniform() - 0.5) * range), [n]);
    this.inputToHidden = transposedDraw(hidden, inputs);
    this.hiddenBias = vector(hidden);
    this.hiddenToOutput = transposedDraw(outputs, hidden);
    this.inputToOutput = shape.skip ? transposedDraw(outputs, inputs) : null;
    this.outputBias = vector(outputs);
    this.parameters = [this.inputToHidden, this.hiddenBias, this.hiddenToOutput, ...(this.inputToOutput ? [this.inputToOutput] : []), this.outputBias];
  }

  get parameterCount(): number {
    return this.parameters.reduce((n, p) => n + p.size, 0);
  }

  /** All cases: h = σ(x·W₁ + b₁), y = σ(h·W₂ [+ x·S] + b₂). x: [cases, inputs]. */
  forward(x: Tensor): { hidden: Tensor; output: Tensor } {
    const hidden = sigmoid(add(matmul(x, this.inputToHidden), this.hiddenBias)); // [cases, hidden]
    let total = add(matmul(hidden, this.hiddenToOutput), this.outputBias); // [cases, outputs]
    if (this.inputToOutput) total = add(total, matmul(x, this.inputToOutput));
    return { hidden, output: sigmoid(total) }; // [cases, outputs]
  }

  sweep(problem: Problem): SweepOutcome {
    for (const p of this.parameters) p.zeroGrad();
    const x = tensor(problem.inputs); // [cases, inputs]
    const d = tensor(problem.targets); // [cases, outputs]
    const y = this.forward(x);
    const diff = sub(y.output, d);
    const error = mul(sum(mul(diff, diff)), 0.5); // ½ Σ (y − d)²
    error.backward();
    return { error: error.item(), outputs: rows(y.output), hidden: rows(y.hidden) };
  }

  gradient(): Float64Array {
    return Float64Array.from(this.scalarOrder, ([t, i]) => this.parameters[t].grad[i]);
  }

  addToWeights(delta: Float64Array): void {
    this.scalarOrder.forEach(([t, i], k) => (this.parameters[t].data[i] += delta[k]));
  }

  weights(): Float64Array {
    return Float64Array.from(this.scalarOrder, ([t, i]) => this.parameters[t].data[i]);
  }

  setWeights(w: ArrayLike<number>): void {
    this.scalarOrder.forEach(([t, i], k) => (this.parameters[t].data[i] = w[k]));
  }

  /**
   * (parameter, element) pairs in {@link ScalarNet}'s parameter order: matrices [to][from], i.e.
   * column by column of our [from, to] storage.
   */
  private get scalarOrder(): Array<[number, number]> {
    if (this.order === null) {
      this.order = [];
      this.parameters.forEach((p, t) => {
        if (p.rank === 1) for (let i = 0; i < p.size; i++) this.order!.push([t, i]);
        else {
          const [from, to] = p.shape;
          for (let j = 0; j < to; j++) for (let i = 0; i < from; i++) this.order!.push([t, i * to + j]);
        }
      });
    }
    return this.order;
  }

  private order: Array<[number, number]> | null = null;
}

function rows(t: Tensor): number[][] {
  const [n, m] = t.shape;
  return Array.from({ length: n }, (_, r) => Array.from(t.data.subarray(r * m, (r + 1) * m)));
}

/** When a problem counts as learned. */
export interface Criterion {
  /** Every output within this distance of its 0/1 target: 0.5 = "on the right side of ½". */
  tolerance: number;
}

/** The course of one training run. */
export interface RunOutcome {
  /** Sweeps (weight changes) made before every output was on the right side of ½; null if never. */
  sweepsToSide: number | null;
  /** Sweeps made before every output was within `tightTolerance` of its target; null if never. */
  sweepsToTight: number | null;
  /** The last sweep's outcome (at the stop). */
  last: SweepOutcome;
  /** Sweeps made in all. */
  sweeps: number;
}

export interface TrainOptions {
  /** ε of eq. 9. */
  learningRate: number;
  /** α of eq. 9. */
  momentum: number;
  /** Give up after this many sweeps (a run still unsolved is counted as stuck). */
  maxSweeps: number;
  /** Stop once every output is within this of its target (default 0.5: on the right side). */
  tightTolerance?: number;
  /** Called after every sweep with the number of weight changes made before it and its outcome. */
  onSweep?: (sweeps: number, outcome: SweepOutcome) => void;
}

function within(outputs: number[][], targets: number[][], tolerance: number): boolean {
  return outputs.every((row, c) => row.every((y, k) => Math.abs(y - targets[c][k]) < tolerance));
}

/** Where a {@link MomentumTrainer} is, as JSON (a checkpoint's `state`). */
export interface TrainerState {
  weights: number[];
  delta: number[];
  sweeps: number;
  sweepsToSide: number | null;
  done: boolean;
  last: SweepOutcome | null;
  learned: boolean;
}

/**
 * Training by eq. 9, one sweep per {@link step}, until every output is within `tightTolerance` of its
 * target or `maxSweeps` weight changes have been made; records when the outputs first all sat on the
 * right side of ½. Its {@link get}/{@link set} carry everything (weights, Δw(t − 1), counters) as
 * JSON, so a training loop can checkpoint between sweeps and resume exactly.
 */
export class MomentumTrainer {
  private delta: Float64Array; // Δw(t − 1)
  /** Weight changes made. */
  sweeps = 0;
  sweepsToSide: number | null = null;
  /** Whether training has stopped (learned, or at maxSweeps). */
  done = false;
  private learned = false;
  private last: SweepOutcome | null = null;

  constructor(
    readonly net: SweepNet,
    readonly problem: Problem,
    readonly options: TrainOptions,
  ) {
    this.delta = new Float64Array(net.parameterCount);
  }

  /** One sweep: the outcome of the current weights (and ∂E/∂w); then stop, or change the weights by eq. 9. */
  step(): SweepOutcome {
    if (this.done) throw new Error('MomentumTrainer.step: training has stopped');
    const { problem, options } = this;
    const outcome = this.net.sweep(problem); // outputs of the weights after `sweeps` changes, and ∂E/∂w
    this.last = outcome;
    options.onSweep?.(this.sweeps, outcome);
    if (this.sweepsToSide === null && within(outcome.outputs, problem.targets, 0.5)) this.sweepsToSide = this.sweeps;
    this.learned = within(outcome.outputs, problem.targets, options.tightTolerance ?? 0.5);
    if (this.learned || this.sweeps === options.maxSweeps) {
      this.done = true;
      return outcome;
    }
    const g = this.net.gradient();
    for (let i = 0; i < this.delta.length; i++) this.delta[i] = -options.learningRate * g[i] + options.momentum * this.delta[i]; // eq. 9
    this.net.addToWeights(this.delta);
    this.sweeps++;
    return outcome;
  }

  /** The sweep indices 0, 1, … until training stops: a batch source for a training loop (replayable after {@link set}). */
  *sweepIndices(): Generator<number> {
    for (let s = 0; !this.done || s <= this.sweeps; s++) yield s;
  }

  /** The course of the run so far (call once {@link done}). */
  outcome(): RunOutcome {
    if (!this.last) throw new Error('MomentumTrainer.outcome: no sweep made yet');
    return { sweepsToSide: this.sweepsToSide, sweepsToTight: this.learned ? this.sweeps : null, last: this.last, sweeps: this.sweeps };
  }

  get(): TrainerState {
    return { weights: Array.from(this.net.weights()), delta: Array.from(this.delta), sweeps: this.sweeps, sweepsToSide: this.sweepsToSide, done: this.done, last: this.last, learned: this.learned };
  }

  set(state: TrainerState): void {
    this.net.setWeights(state.weights);
    this.delta = Float64Array.from(state.delta);
    Object.assign(this, { sweeps: state.sweeps, sweepsToSide: state.sweepsToSide, done: state.done, last: state.last, learned: state.learned });
  }
}

/** Train by eq. 9 until learned or `maxSweeps` weight changes have been made ({@link MomentumTrainer} to the end). */
export function trainUntilLearned(net: SweepNet, problem: Problem, options: TrainOptions): RunOutcome {
  const trainer = new MomentumTrainer(net, problem, options);
  while (!trainer.done) trainer.step();
  return trainer.outcome();
}

/**
 * The hidden codes of a learned encoder: how many distinct codes the cases get when each hidden unit
 * is read as 0 or 1 (split at ½), and the smallest distance between two cases' codes (max over units).
 */
export function hiddenCodes(hidden: number[][]): { binaryDistinct: number; minSeparation: number } {
  const binary = new Set(hidden.map((h) => h.map((v) => (v > 0.5 ? '1' : '0')).join('')));
  let minSeparation = Infinity;
  for (let a = 0; a < hidden.length; a++) {
    for (let b = a + 1; b < hidden.length; b++) {
      minSeparation = Math.min(minSeparation, Math.max(...hidden[a].map((v, u) => Math.abs(v - hidden[b][u]))));
    }
  }
  return { binaryDistinct: binary.size, minSeparation };
}
