/**
 * Label smoothing — Szegedy et al. 2016, "Rethinking the Inception Architecture", §7; used by the
 * Transformer (Vaswani et al. 2017, §5.4: ε_ls = 0.1, "This hurts perplexity, as the model learns to be
 * more unsure, but improves accuracy and BLEU score"). The target distribution of a token y over V classes:
 *
 *   q(k) = (1 − ε)·[k = y] + ε / V
 *
 * PyTorch's `CrossEntropyLoss(label_smoothing=ε)` convention (the ε mass spread over all V classes, the
 * true one included). ε = 0 is the plain one-hot target.
 */
import { tf } from '@paperzoo/tensor';

/** Targets [N] int32 → smoothed label distributions [N, V]. */
export function smoothedLabels(targets: tf.Tensor1D, vocabSize: number, epsilon: number): tf.Tensor2D {
  if (!(epsilon >= 0 && epsilon < 1)) throw new RangeError(`label smoothing ε must be in [0, 1), got ${epsilon}`);
  return tf.tidy(() => {
    const onehot = tf.cast(tf.oneHot(targets, vocabSize) as tf.Tensor2D, 'float32'); // [N, V] (stock wasm's OneHot writes int32 bits into a float32 output)
    return epsilon === 0 ? onehot : tf.add<tf.Tensor2D>(tf.mul(onehot, 1 - epsilon), epsilon / vocabSize);
  });
}
