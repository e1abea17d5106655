/**
 * Prototypical Networks — J. Snell, K. Swersky, R. Zemel, "Prototypical Networks for Few-shot
 * Learning", NeurIPS 2017, §2.2 and Algorithm 1. https://arxiv.org/abs/1703.05175
 *
 *   c_k = (1/|S_k|) Σ_{(x_i, y_i) ∈ S_k} f_φ(x_i)                        (eq. 1: the class prototype)
 *   p_φ(y = k | x) = exp(−d(f_φ(x), c_k)) / Σ_k' exp(−d(f_φ(x), c_k'))     (eq. 2)
 *   J(φ) = −log p_φ(y = k | x), averaged over the query points              (Algorithm 1)
 *
 * with d the squared Euclidean distance (§2.3: a Bregman divergence, so the prototype — the mean — is the
 * optimal cluster representative). Support and query images go through the encoder in one batch, as
 * the authors' code does (so training-mode batch norm sees both).
 */
import { logSoftmax, tf } from '@paperzoo/tensor';

/** Class prototypes (eq. 1): support embeddings [ways·shots, D], class-major → [ways, D]. */
export function prototypes(support: tf.Tensor2D, ways: number, shots: number): tf.Tensor2D {
  if (support.shape[0] !== ways * shots) throw new RangeError(`prototypes: ${support.shape[0]} support embeddings for ${ways} ways × ${shots} shots`);
  return tf.tidy(() => tf.mean(tf.reshape(support, [ways, shots, support.shape[1]]), 1));
}

/** d(a_i, b_j) = ‖a_i − b_j‖²: [M, D] × [N, D] → [M, N], by broadcasting the difference (exact, as the authors' `euclidean_dist`). */
export function squaredEuclidean(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[1] !== b.shape[1]) throw new RangeError(`squaredEuclidean: widths differ, [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  return tf.tidy(() => tf.sum(tf.square(tf.sub(tf.expandDims(a, 1), tf.expandDims(b, 0))), 2));
}

/** One episode's loss and accuracy. */
export interface ProtoResult {
  /** Mean −log p(y = k | x) over the query points (a scalar tensor: differentiate it). */
  loss: tf.Scalar;
  /** Fraction of query points whose nearest prototype is their class. */
  accuracy: tf.Scalar;
}

/**
 * Algorithm 1's loss for an episode: `embed` maps images to embeddings (the encoder); support
 * [ways·shots, …] and query [ways·queries, …] class-major, query labels 0..ways−1.
 */
export function prototypicalLoss(embed: (x: tf.Tensor4D) => tf.Tensor2D, support: tf.Tensor4D, query: tf.Tensor4D, queryLabels: tf.Tensor1D, ways: number, shots: number): ProtoResult {
  return tf.tidy(() => {
    const z = embed(tf.concat([support, query], 0)); // [ways·(shots + queries), D]
    const nSupport = ways * shots;
    const zs = tf.slice(z, [0, 0], [nSupport, -1]);
    const zq = tf.slice(z, [nSupport, 0], [-1, -1]);
    const logits = tf.neg(squaredEuclidean(zq, prototypes(zs, ways, shots))); // [ways·queries, ways]
    const logp = logSoftmax(logits);
    const labels = tf.oneHot(tf.cast(queryLabels, 'int32'), ways);
    const loss: tf.Scalar = tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(labels, logp), 1)));
    const accuracy = tf.mean<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(queryLabels, 'int32')), 'float32'));
    return { loss, accuracy };
  });
}
