/**
 * The models on which the optimizer papers of paperzoo compare their optimizers, as {@link Module}s
 * (deterministic per-seed initialisation, named variables for `fit` and checkpoints):
 *
 * - {@link MultinomialLogisticRegression}: multinomial logistic regression (Kingma & Ba 2015 §6.1, Fig. 1 left);
 * - {@link SparseLogisticRegression} on {@link bagOfWords} features (§6.1, Fig. 1 right);
 * - {@link DropoutMlp}: two ReLU hidden layers with dropout (§6.2, Fig. 2a);
 * - {@link BatchNormMlp}: two batch-normalised hidden layers (Loshchilov & Hutter 2019, the grid of Fig. 2);
 * - {@link LinearRegression}: d2l's airfoil testbed (`linreg`, w ~ N(0, 0.01²), b = 0).
 */
import { Module, dropout, heNormal, tf, type ModuleOptions, type Parameter } from '@paperzoo/tensor';

/** p(y|x) = softmax(xW + b); W, b start at 0. */
export class MultinomialLogisticRegression extends Module {
  readonly W: Parameter;
  readonly b: Parameter;
  constructor(inputs: number, classes: number, options: ModuleOptions = {}) {
    super('multinomial_logistic_regression');
    this.W = this.store.add('W', [inputs, classes], { kind: 'zeros' });
    this.b = this.store.add('b', [classes], { kind: 'zeros' });
    this.build(options);
  }
  /** Logits [B, classes] of x [B, inputs]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.W.value as tf.Tensor2D), this.b.value);
  }
}

/** Binary bag-of-words rows: for each text, the sorted ids of the vocabulary words it contains. */
export interface BagOfWords {
  /** The vocabulary, most frequent word first. */
  vocabulary: string[];
  /** rows[i] = ids of the distinct vocabulary words of text i. */
  rows: Int32Array[];
}

/**
 * Bag-of-words features (Maas et al. 2011, as in Kingma & Ba §6.1): the `size` most frequent words of
 * the texts (ties alphabetical), each text the set of them it contains. Texts are split on spaces.
 */
export function bagOfWords(texts: readonly string[], size: number): BagOfWords {
  const tokens = texts.map((s) => s.split(' ').filter((w) => w.length > 0));
  const counts = new Map<string, number>();
  for (const ws of tokens) for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocabulary = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
  const id = new Map(vocabulary.map((w, i) => [w, i]));
  const rows = tokens.map((ws) => Int32Array.from(new Set(ws.map((w) => id.get(w)).filter((i): i is number => i !== undefined))).sort());
  return { vocabulary, rows };
}

/** A minibatch of bag-of-words rows, sparse: the word ids of all rows, each with the row it belongs to. */
export interface SparseRows {
  /** Vocabulary ids of the words present, row after row: [nnz]. */
  ids: tf.Tensor1D;
  /** The batch row of each id: [nnz]. */
  rows: tf.Tensor1D;
  /** Rows in the batch. */
  batchSize: number;
}

/** The rows of `bow` at `indices` as one sparse batch. */
export function sparseRows(bow: BagOfWords, indices: ArrayLike<number>): SparseRows {
  const picked = Array.from(indices, (i) => bow.rows[i]);
  const ids = new Int32Array(picked.reduce((a, r) => a + r.length, 0));
  const rows = new Int32Array(ids.length);
  let at = 0;
  picked.forEach((r, b) => {
    ids.set(r, at);
    rows.fill(b, at, at + r.length);
    at += r.length;
  });
  return { ids: tf.tensor1d(ids, 'int32'), rows: tf.tensor1d(rows, 'int32'), batchSize: picked.length };
}

/**
 * p(y = 1|x) = σ(x·w + b) on binary bag-of-words x; w, b start at 0. x·w is computed sparsely (the sum
 * of w over the words present: gather + segment sum), so a step costs the words in the batch, not the
 * vocabulary; the gradient (and so every optimizer's update) is dense [V], as for a dense x.
 */
export class SparseLogisticRegression extends Module {
  readonly w: Parameter;
  readonly b: Parameter;
  constructor(vocabulary: number, options: ModuleOptions = {}) {
    super('sparse_logistic_regression');
    this.w = this.store.add('w', [vocabulary], { kind: 'zeros' });
    this.b = this.store.add('b', [1], { kind: 'zeros' });
    this.build(options);
  }
  /** The logits x·w + b: [B]. */
  apply(x: SparseRows): tf.Tensor1D {
    return tf.add(tf.unsortedSegmentSum(tf.gather(this.w.value, x.ids), x.rows, x.batchSize), this.b.value);
  }
}

/** inputs → hidden → hidden → classes, ReLU, dropout on the inputs and on each hidden layer; He-normal weights, zero biases. */
export class DropoutMlp extends Module {
  private readonly layers: { W: Parameter; b: Parameter }[];
  constructor(
    inputs: number,
    hidden: number,
    classes: number,
    readonly dropoutRates: { input: number; hidden: number },
    options: ModuleOptions = {},
  ) {
    super('dropout_mlp');
    const dims = [inputs, hidden, hidden, classes];
    this.layers = [1, 2, 3].map((l) => ({ W: this.store.add(`fc${l}/kernel`, [dims[l - 1], dims[l]], heNormal(dims[l - 1])), b: this.store.add(`fc${l}/bias`, [dims[l]], { kind: 'zeros' }) }));
    this.build(options);
  }
  /** Logits [B, classes]; with `training`, dropout masks from the global generator. */
  apply(x: tf.Tensor, options: { training?: boolean } = {}): tf.Tensor2D {
    const drop = (t: tf.Tensor, rate: number) => (options.training ? dropout(t, rate) : t);
    let h = drop(x, this.dropoutRates.input);
    this.layers.forEach(({ W, b }, l) => {
      h = tf.add(tf.matMul(h as tf.Tensor2D, W.value as tf.Tensor2D), b.value);
      if (l < 2) h = drop(tf.relu(h), this.dropoutRates.hidden);
    });
    return h as tf.Tensor2D;
  }
}

/**
 * inputs → hidden → hidden → classes, each hidden layer x·W → batch norm (γ, β) → ReLU. Batch norm makes
 * W₁ and W₂ scale-invariant, as the convolutions of a ResNet are. He-normal W₁, W₂; W₃ ~ N(0, 1/hidden).
 */
export class BatchNormMlp extends Module {
  private readonly hiddenLayers: { W: Parameter; gamma: Parameter; beta: Parameter }[];
  private readonly out: { W: Parameter; b: Parameter };
  constructor(inputs: number, hidden: number, classes: number, options: ModuleOptions = {}) {
    super('batch_norm_mlp');
    this.hiddenLayers = [1, 2].map((l) => ({
      W: this.store.add(`fc${l}/kernel`, [l === 1 ? inputs : hidden, hidden], heNormal(l === 1 ? inputs : hidden)),
      gamma: this.store.add(`bn${l}/gamma`, [hidden], { kind: 'ones' }),
      beta: this.store.add(`bn${l}/beta`, [hidden], { kind: 'zeros' }),
    }));
    this.out = { W: this.store.add('fc3/kernel', [hidden, classes], { kind: 'normal', std: Math.sqrt(1 / hidden) }), b: this.store.add('fc3/bias', [classes], { kind: 'zeros' }) };
    this.build(options);
  }
  /** Logits [B, classes]. `population`: normalise with the statistics of these inputs instead of x's own. */
  apply(x: tf.Tensor, population?: tf.Tensor): tf.Tensor2D {
    let h = x;
    let p = population;
    for (const { W, gamma, beta } of this.hiddenLayers) {
      const a = tf.matMul(h, W.value); // [B, hidden]
      const pa = p ? tf.matMul(p, W.value) : undefined;
      const norm = (t: tf.Tensor, stats: { mean: tf.Tensor; variance: tf.Tensor }) => tf.relu(tf.add(tf.mul(tf.div(tf.sub(t, stats.mean), tf.sqrt(tf.add(stats.variance, 1e-5))), gamma.value), beta.value));
      const stats = tf.moments(pa ?? a, 0);
      h = norm(a, stats);
      p = pa ? norm(pa, stats) : undefined;
    }
    return tf.add(tf.matMul(h as tf.Tensor2D, this.out.W.value as tf.Tensor2D), this.out.b.value);
  }
}

/** ŷ = xw + b with w ~ N(0, std²) [inputs, 1], b = 0 (d2l's `linreg`). */
export class LinearRegression extends Module {
  readonly w: Parameter;
  readonly b: Parameter;
  constructor(inputs: number, std: number, options: ModuleOptions = {}) {
    super('linear_regression');
    this.w = this.store.add('w', [inputs, 1], { kind: 'normal', std });
    this.b = this.store.add('b', [1], { kind: 'zeros' });
    this.build(options);
  }
  /** Predictions [B, 1] of x [B, inputs]. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.w.value as tf.Tensor2D), this.b.value);
  }
}
