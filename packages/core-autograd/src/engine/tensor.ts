/**
 * The n-d engine: {@link Value}'s idea, one array at a time. Same paper, same rule —
 *
 * D. E. Rumelhart, G. E. Hinton, R. J. Williams, "Learning representations by back-propagating
 * errors", Nature 323 (1986), https://doi.org/10.1038/323533a0, eqs. (4)–(7), chiefly (7):
 *
 *   ∂E/∂x = Σ_{ops y that use x} (∂y/∂x)ᵀ ∂E/∂y     (a vector–Jacobian product per op, summed)
 *
 * A {@link Tensor} is a row-major Float64Array with a shape. An op (./binary.ts, ./unary.ts,
 * ./reduce.ts, ./matmul.ts, ./conv2d.ts, ./pool.ts, ./softmax-cross-entropy.ts, ./shape.ts) computes
 * its output and records its inputs plus a backward rule that adds `(∂out/∂input)ᵀ · out.grad` into
 * each `input.grad`. {@link Tensor.backward} sorts the graph topologically and runs the rules from the
 * output back — the whole of what `tf.grad` does, without kernels, tapes or backends.
 *
 * Everything is float64, so finite differences check it to ~1e-8, and it can serve as an independent
 * reference for the float32 tfjs backends.
 */
import { topologicalOrder } from './topological-order.js';

export class Tensor {
  /** ∂(output of the last {@link backward})/∂(this), same shape; accumulates until {@link zeroGrad}. */
  readonly grad: Float64Array;
  /** Number of elements. */
  readonly size: number;
  private backwardRule: (() => void) | null = null;

  constructor(
    /** Values, row-major (last axis fastest). */
    readonly data: Float64Array,
    /** Sizes of the axes; [] for a scalar. */
    readonly shape: readonly number[],
    /** The tensors this one was computed from (empty for a leaf). */
    readonly inputs: readonly Tensor[] = [],
    /** Name of the op that made it ('' for a leaf). */
    readonly op: string = '',
  ) {
    this.size = sizeOf(shape);
    if (data.length !== this.size) {
      throw new RangeError(`Tensor: ${data.length} values do not fill shape [${shape.join(', ')}] (${this.size} elements)`);
    }
    this.grad = new Float64Array(this.size);
  }

  /**
   * Make the output of an op: `rule(out)` must add ∂E/∂input into each input's `grad`, reading
   * ∂E/∂out from `out.grad`. Ops in this folder are built with it; so can yours.
   */
  static fromOp(data: Float64Array, shape: readonly number[], inputs: readonly Tensor[], op: string, rule: (out: Tensor) => void): Tensor {
    const out = new Tensor(data, shape, inputs, op);
    out.backwardRule = () => rule(out);
    return out;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item(): tensor has shape [${this.shape.join(', ')}], not one element`);
    return this.data[0];
  }

  /** Every tensor this one depends on, each after all of its inputs (this one last); see ./topological-order.ts. */
  topologicalOrder(): Tensor[] {
    return topologicalOrder<Tensor>(this);
  }

  /**
   * Backpropagate from this tensor. A scalar (one element) is seeded with ∂E/∂E = 1; any other shape
   * needs `seed`, the vector ∂E/∂this of a vector–Jacobian product. Gradients accumulate (`+=`) into
   * every tensor of the graph, so call {@link zeroGrad} on reused leaves (parameters) between steps.
   */
  backward(seed?: ArrayLike<number>): void {
    if (seed === undefined && this.size !== 1) {
      throw new RangeError(`backward() from shape [${this.shape.join(', ')}] needs a seed gradient; a loss is one element`);
    }
    if (seed !== undefined && seed.length !== this.size) {
      throw new RangeError(`backward(seed): seed has ${seed.length} values, tensor has ${this.size}`);
    }
    const order = this.topologicalOrder();
    if (seed === undefined) this.grad[0] += 1;
    else for (let i = 0; i < this.size; i++) this.grad[i] += seed[i];
    for (let i = order.length - 1; i >= 0; i--) order[i].backwardRule?.();
  }

  /** Reset `grad` to zeros. */
  zeroGrad(): void {
    this.grad.fill(0);
  }

  /** A new leaf with a copy of the values (cut from the graph). */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape.slice());
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], op='${this.op}')`;
  }
}

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** Row-major strides of a shape: strides[i] = Π_{j>i} shape[j]. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

type Nested = number | Nested[];

function shapeOfNested(x: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * A leaf tensor from numbers: `tensor([[1, 2], [3, 4]])`, or flat values plus a shape
 * (`tensor([1, 2, 3, 4], [2, 2])`). Values are copied into a Float64Array.
 */
export function tensor(values: Nested | ArrayLike<number>, shape?: readonly number[]): Tensor {
  if (typeof values === 'number') return new Tensor(Float64Array.of(values), shape ?? []);
  if (shape !== undefined) return new Tensor(Float64Array.from(values as ArrayLike<number>), shape);
  if (!Array.isArray(values)) return new Tensor(Float64Array.from(values), [values.length]);
  const inferred = shapeOfNested(values);
  const flat = (values as unknown[]).flat(Infinity) as number[];
  return new Tensor(Float64Array.from(flat), inferred);
}

/** A scalar leaf. */
export function scalar(value: number): Tensor {
  return new Tensor(Float64Array.of(value), []);
}

/** A leaf of zeros. */
export function zeros(shape: readonly number[]): Tensor {
  return new Tensor(new Float64Array(sizeOf(shape)), shape.slice());
}

/** A leaf filled with one value. */
export function fill(shape: readonly number[], value: number): Tensor {
  return new Tensor(new Float64Array(sizeOf(shape)).fill(value), shape.slice());
}

/** A number or a tensor, where an op takes either (numbers become constant scalars). */
export type TensorLike = Tensor | number;

/** Turn a number into a constant scalar tensor. */
export function asTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? scalar(x) : x;
}
