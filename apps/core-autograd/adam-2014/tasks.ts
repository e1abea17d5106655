/**
 * The three training problems of Kingma & Ba §6.1–6.2, as {@link Task}s for ./compare.ts.
 *
 * - §6.1 L2-regularised multinomial logistic regression on the 784 pixels of MNIST (Fig. 1, left);
 * - §6.1 the sparse-feature problem: logistic regression on bag-of-words features (Fig. 1, right: IMDB
 *   reviews, 10,000 most frequent words); here SST-2's training phrases, as the brief asks;
 * - §6.2 a multilayer net, two fully connected hidden layers of ReLUs, trained with dropout (Fig. 2a).
 */
import { tf, dropout, randomNormal, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { crossEntropyWithLogits } from '@paperzoo/repro';
import { l2Penalty } from '@paperzoo/core-autograd';
import { takeBatch, type ImageDataset } from '@paperzoo/datasets';
import type { Model, Task } from './compare.js';

/** A trainable variable made from `init` (the initial tensor is freed, the variable keeps its values). */
function variable(init: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(init(), true));
}

/** A minibatch of labelled rows. */
export interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** Minibatches of `batchSize` over the first `n` rows, in a fresh order each epoch (global generator). */
function* shuffledBatches<B>(n: number, batchSize: number, make: (indices: Int32Array) => B): Generator<B> {
  const order = shuffledIndicesFromGlobalRng(n);
  for (let s = 0; s + batchSize <= n; s += batchSize) yield make(order.subarray(s, s + batchSize)); // full batches only
}

function imageBatch(ds: ImageDataset, indices: Int32Array): Batch {
  const b = takeBatch(ds, indices); // pixels in [0, 1]
  return { x: tf.tensor2d(b.x, [indices.length, 784]), y: tf.tensor1d(b.y, 'int32') }; // [B, 784], [B]
}

/** How much of a training set a task uses, and how: the fields every task's options share. */
export interface TrainingBudget {
  /** Training examples used, the first N of the set (MNIST: 60,000 digits; SST-2: 67,349 phrases). */
  trainExamples: number;
  epochs: number;
  batchSize: number;
}

/**
 * A task over the first `o.trainExamples` of a set of `count` examples: full minibatches made by
 * `make` from their indices, reshuffled every epoch.
 */
function shuffledTask<B>(name: string, count: number, o: TrainingBudget, make: (indices: Int32Array) => B, build: () => Model<B>): Task<B> {
  const n = Math.min(o.trainExamples, count);
  return {
    name,
    epochs: o.epochs,
    stepsPerEpoch: Math.floor(n / o.batchSize),
    batches: () => shuffledBatches(n, o.batchSize, make),
    build,
  };
}

export interface LogRegOptions extends TrainingBudget {
  /** λ of the penalty (λ/2)‖W‖² added to the cost (the paper does not give it). */
  l2: number;
}

/** §6.1: p(y|x) = softmax(xW + b), cost = mean −log p(y|x) + (λ/2)‖W‖²; W, b start at 0. */
export function logisticRegressionTask(train: ImageDataset, o: LogRegOptions): Task<Batch> {
  return shuffledTask('logreg', train.count, o, (idx) => imageBatch(train, idx), () => {
    const W = variable(() => tf.zeros([784, 10])); // [784, 10]
    const b = variable(() => tf.zeros([10])); // [10]
    return {
      variables: { W, b },
      loss: ({ x, y }) => tf.tidy(() => tf.add<tf.Scalar>(crossEntropyWithLogits(tf.add(tf.matMul(x, W), b), y), l2Penalty([W], o.l2))), // logits [B, 10]
      dispose: () => tf.dispose([W, b]),
    };
  });
}

export interface MlpOptions extends TrainingBudget {
  /** Units in each of the two hidden layers (the paper: 1000). */
  hidden: number;
  /** Dropout rate on the 784 inputs. */
  inputDropout: number;
  /** Dropout rate on each hidden layer. */
  hiddenDropout: number;
}

/** §6.2: 784 → hidden → hidden → 10, ReLU, dropout on the inputs and hidden layers, cross-entropy. */
export function mlpTask(train: ImageDataset, o: MlpOptions): Task<Batch> {
  return shuffledTask('mlp', train.count, o, (idx) => imageBatch(train, idx), () => {
    // He-normal weights (the paper does not say; ReLU layers), zero biases.
    const dense = (fanIn: number, fanOut: number) => variable(() => tf.mul(randomNormal([fanIn, fanOut]), Math.sqrt(2 / fanIn)));
    const W1 = dense(784, o.hidden);
    const b1 = variable(() => tf.zeros([o.hidden]));
    const W2 = dense(o.hidden, o.hidden);
    const b2 = variable(() => tf.zeros([o.hidden]));
    const W3 = dense(o.hidden, 10);
    const b3 = variable(() => tf.zeros([10]));
    return {
      variables: { W1, b1, W2, b2, W3, b3 },
      loss: ({ x, y }) =>
        tf.tidy(() => {
          const h0 = dropout(x, o.inputDropout); // [B, 784]
          const h1 = dropout(tf.relu(tf.add(tf.matMul(h0, W1), b1)), o.hiddenDropout); // [B, hidden]
          const h2 = dropout(tf.relu(tf.add(tf.matMul(h1, W2), b2)), o.hiddenDropout); // [B, hidden]
          return crossEntropyWithLogits(tf.add(tf.matMul(h2, W3), b3), y) as tf.Scalar; // logits [B, 10]
        }),
      dispose: () => tf.dispose([W1, b1, W2, b2, W3, b3]),
    };
  });
}

/** Binary bag-of-words rows: for each phrase, the sorted ids of the vocabulary words it contains. */
export interface BagOfWords {
  /** The vocabulary, most frequent word first. */
  vocabulary: string[];
  /** rows[i] = ids of the distinct vocabulary words of phrase i. */
  rows: Int32Array[];
  labels: Uint8Array;
}

/**
 * Bag-of-words features as in §6.1 (after Maas et al. 2011 / Wang & Manning 2012): the `size` most
 * frequent words of the training text (ties broken alphabetically), each phrase a binary vector of
 * which of them it contains. SST-2's text is already lower-cased and tokenised: split on spaces.
 */
export function bagOfWords(sentences: readonly string[], labels: Uint8Array, size: number): BagOfWords {
  const tokens = sentences.map((s) => s.split(' ').filter((w) => w.length > 0));
  const counts = new Map<string, number>();
  for (const ws of tokens) for (const w of ws) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocabulary = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
  const id = new Map(vocabulary.map((w, i) => [w, i]));
  const rows = tokens.map((ws) => Int32Array.from(new Set(ws.map((w) => id.get(w)).filter((i): i is number => i !== undefined))).sort());
  return { vocabulary, rows, labels };
}

export type BowOptions = TrainingBudget;

/** A minibatch of bag-of-words rows, sparse: the word ids of all rows, each with the row it belongs to. */
export interface BowBatch {
  /** Vocabulary ids of the words present, row after row: [nnz]. */
  ids: tf.Tensor1D;
  /** The batch row of each id: [nnz]. */
  rows: tf.Tensor1D;
  /** Labels 0/1: [B]. */
  y: tf.Tensor1D;
}

/** The bag-of-words rows at `indices` as one sparse {@link BowBatch}. */
function bowBatch(bow: BagOfWords, indices: Int32Array): BowBatch {
  const nnz = indices.reduce((a, row) => a + bow.rows[row].length, 0);
  const ids = new Int32Array(nnz);
  const rows = new Int32Array(nnz);
  const y = new Int32Array(indices.length);
  let at = 0;
  indices.forEach((row, r) => {
    ids.set(bow.rows[row], at);
    rows.fill(r, at, at + bow.rows[row].length);
    at += bow.rows[row].length;
    y[r] = bow.labels[row];
  });
  return { ids: tf.tensor1d(ids, 'int32'), rows: tf.tensor1d(rows, 'int32'), y: tf.tensor1d(y, 'int32') }; // [nnz], [nnz], [B]
}

/**
 * §6.1, sparse features: p(y = 1|x) = σ(x·w + b) on binary bag-of-words x; w, b start at 0. x·w is
 * computed sparsely (the sum of w over the words present: gather + segment sum), so a step costs the
 * words in the batch, not the vocabulary; the gradient and the optimizers' updates are dense [V], as for
 * a dense x.
 */
export function bowTask(bow: BagOfWords, o: BowOptions): Task<BowBatch> {
  const v = bow.vocabulary.length;
  return shuffledTask('bow', bow.rows.length, o, (idx) => bowBatch(bow, idx), () => {
    const w = variable(() => tf.zeros([v])); // [V]
    const b = variable(() => tf.zeros([1])); // [1]
    return {
      variables: { w, b },
      loss: ({ ids, rows, y }) =>
        tf.tidy(() => {
          const a = tf.add(tf.unsortedSegmentSum(tf.gather(w, ids), rows, y.shape[0]), b); // x·w + b: [B]
          // Mean logistic loss −[y log σ(a) + (1 − y) log(1 − σ(a))].
          return tf.losses.sigmoidCrossEntropy(tf.cast(y, 'float32'), a);
        }),
      dispose: () => tf.dispose([w, b]),
    };
  });
}
