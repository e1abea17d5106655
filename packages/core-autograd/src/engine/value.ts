/**
 * A scalar reverse-mode autodiff engine: the idea of backpropagation in ~150 readable lines.
 *
 * Paper: D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating
 * errors", Nature 323, 533–536 (1986), https://doi.org/10.1038/323533a0 — the chain rule applied
 * backwards through the network, eqs. (4)–(7):
 *
 *   ∂E/∂x_j = Σ_k (∂E/∂y_k)(∂y_k/∂x_j)     (every node sums what flows back from the nodes it feeds)
 *
 * Each {@link Value} remembers the values it was computed from (`inputs`) and a local backward rule
 * that, given `∂E/∂out` in `out.grad`, adds `∂E/∂out · ∂out/∂input` into each input's `grad`.
 * {@link Value.backward} orders the graph topologically (every node after its inputs), sets the seed
 * `∂E/∂E = 1` and runs the rules from the output back to the leaves. This is what `tf.grad` does, one
 * tensor at a time instead of one number at a time (after A. Karpathy's micrograd).
 *
 * ```ts
 * const w = new Value(0.5), x = new Value(2);
 * const loss = w.mul(x).tanh().sub(1).pow(2);   // (tanh(w·x) − 1)²
 * loss.backward();
 * w.grad;                                        // ∂loss/∂w
 * ```
 */
import { topologicalOrder } from './topological-order.js';

export class Value {
  /** ∂(output of the last {@link backward})/∂(this); accumulates over calls until {@link zeroGrad}. */
  grad = 0;
  private backwardRule: () => void = () => {};

  constructor(
    /** The number this node holds. */
    public data: number,
    /** The nodes this one was computed from (empty for a leaf). */
    readonly inputs: readonly Value[] = [],
    /** The operation that made this node ('' for a leaf), for printing graphs. */
    readonly op: string = '',
  ) {}

  /** A node made by an operation: its value, inputs and local backward rule. */
  private static fromOp(data: number, inputs: Value[], op: string, rule: (out: Value) => void): Value {
    const out = new Value(data, inputs, op);
    out.backwardRule = () => rule(out);
    return out;
  }

  private static of(x: Value | number): Value {
    return x instanceof Value ? x : new Value(x);
  }

  /** a + b;  ∂/∂a = 1, ∂/∂b = 1 */
  add(other: Value | number): Value {
    const b = Value.of(other);
    return Value.fromOp(this.data + b.data, [this, b], '+', (out) => {
      this.grad += out.grad;
      b.grad += out.grad;
    });
  }

  /** a · b;  ∂/∂a = b, ∂/∂b = a */
  mul(other: Value | number): Value {
    const b = Value.of(other);
    return Value.fromOp(this.data * b.data, [this, b], '*', (out) => {
      this.grad += b.data * out.grad;
      b.grad += this.data * out.grad;
    });
  }

  /** a^p;  ∂/∂a = p·a^(p−1), ∂/∂p = a^p·ln a (taken as 0 where a ≤ 0, as tfjs does) */
  pow(exponent: Value | number): Value {
    const p = Value.of(exponent);
    return Value.fromOp(this.data ** p.data, [this, p], '**', (out) => {
      this.grad += p.data * this.data ** (p.data - 1) * out.grad;
      p.grad += (this.data > 0 ? out.data * Math.log(this.data) : 0) * out.grad;
    });
  }

  /** −a;  ∂/∂a = −1 */
  neg(): Value {
    return Value.fromOp(-this.data, [this], 'neg', (out) => {
      this.grad -= out.grad;
    });
  }

  /** a − b = a + (−b) */
  sub(other: Value | number): Value {
    return this.add(Value.of(other).neg());
  }

  /** a / b;  ∂/∂a = 1/b, ∂/∂b = −a/b² */
  div(other: Value | number): Value {
    const b = Value.of(other);
    return Value.fromOp(this.data / b.data, [this, b], '/', (out) => {
      this.grad += out.grad / b.data;
      b.grad -= (this.data / (b.data * b.data)) * out.grad;
    });
  }

  /** e^a;  ∂/∂a = e^a (the output itself) */
  exp(): Value {
    return Value.fromOp(Math.exp(this.data), [this], 'exp', (out) => {
      this.grad += out.data * out.grad;
    });
  }

  /** ln a;  ∂/∂a = 1/a */
  log(): Value {
    return Value.fromOp(Math.log(this.data), [this], 'log', (out) => {
      this.grad += out.grad / this.data;
    });
  }

  /** tanh a;  ∂/∂a = 1 − tanh² a */
  tanh(): Value {
    return Value.fromOp(Math.tanh(this.data), [this], 'tanh', (out) => {
      this.grad += (1 - out.data * out.data) * out.grad;
    });
  }

  /** σ(a) = 1/(1 + e^−a);  ∂/∂a = σ(a)(1 − σ(a)) — the unit of the 1986 paper, eq. (1)–(2) */
  sigmoid(): Value {
    return Value.fromOp(1 / (1 + Math.exp(-this.data)), [this], 'sigmoid', (out) => {
      this.grad += out.data * (1 - out.data) * out.grad;
    });
  }

  /** max(0, a);  ∂/∂a = 1 where a > 0, else 0 */
  relu(): Value {
    return Value.fromOp(Math.max(0, this.data), [this], 'relu', (out) => {
      this.grad += (this.data > 0 ? 1 : 0) * out.grad;
    });
  }

  /** Every node this one depends on, each after all of its inputs (this node last); see ./topological-order.ts. */
  topologicalOrder(): Value[] {
    return topologicalOrder<Value>(this);
  }

  /**
   * Backpropagate from this node: seed ∂this/∂this = 1 (added to `grad`), then run each node's rule in reverse
   * topological order so a node's `grad` is complete before it is passed on. Gradients accumulate
   * (`+=`) into every node of the graph, so call {@link zeroGrad} on reused leaves between passes.
   */
  backward(): void {
    const order = this.topologicalOrder();
    this.grad += 1;
    for (let i = order.length - 1; i >= 0; i--) order[i].backwardRule();
  }

  /** Reset `grad` to 0. */
  zeroGrad(): void {
    this.grad = 0;
  }

  toString(): string {
    return `Value(data=${this.data}, grad=${this.grad})`;
  }
}
