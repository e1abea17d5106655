/**
 * Attention — A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser,
 * I. Polosukhin, "Attention Is All You Need", NeurIPS 2017, https://arxiv.org/abs/1706.03762.
 *
 * Scaled dot-product attention (§3.2.1, eq. 1), for queries Q [.., T_q, d_k], keys K [.., T_k, d_k],
 * values V [.., T_k, d_v]:
 *
 *   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V                                   [.., T_q, d_v]
 *
 * with M the additive mask of ./masks.ts (0 where allowed, −1e9 where not).
 *
 * Multi-head attention (§3.2.2): h heads attend in parallel in subspaces of size d_k = d_v = d_model/h,
 *
 *   MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O,   head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
 *
 * computed for all heads at once: one [d_model, d_model] projection each for Q, K and V, reshaped to
 * [B, h, T, d_k] (the heads are column blocks of W^Q, W^K, W^V, exactly the per-head matrices of the paper).
 * Dropout on the attention weights as in the reference implementations (tensor2tensor, nanoGPT's
 * `attn_dropout`, the PyTorch tutorial); §5.4's residual dropout is the caller's (./block.ts).
 */
import { tf, dropout } from '@paperzoo/tensor';
import { Linear, type LinearOptions } from '@paperzoo/seq-models';
import type { ParameterStore } from '@paperzoo/tensor';

/** Scaled dot-product attention (eq. 1): q [.., T_q, d_k], k [.., T_k, d_k], v [.., T_k, d_v], mask broadcastable to [.., T_q, T_k] → output [.., T_q, d_v] and the weights [.., T_q, T_k]. */
export function scaledDotProductAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: { mask?: tf.Tensor | null; dropout?: number } = {}): { output: tf.Tensor; weights: tf.Tensor } {
  return tf.tidy(() => {
    const dk = q.shape[q.rank - 1];
    let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dk)); // [.., T_q, T_k]
    if (options.mask) scores = tf.add(scores, options.mask);
    const weights = tf.softmax(scores); // [.., T_q, T_k], rows sum to 1
    const output = tf.matMul(options.dropout ? dropout(weights, options.dropout) : weights, v); // [.., T_q, d_v]
    return { output, weights };
  });
}

/** x [..., in] → [..., out] through a {@link Linear} (which maps [N, in] → [N, out]). */
export function applyLinear(layer: Linear, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const shape = x.shape.slice(0, -1);
    const y = layer.apply(tf.reshape<tf.Rank.R2>(x, [-1, layer.inUnits])); // [N, out]
    return tf.reshape(y, [...shape, layer.outUnits]);
  });
}

/** Options of {@link MultiHeadAttention}. */
export interface MultiHeadAttentionOptions {
  /** d_model. */
  size: number;
  /** h; must divide size. */
  heads: number;
  /** Init and bias of W^Q, W^K, W^V (default torch.nn.Linear's). */
  projection?: LinearOptions;
  /** Init and bias of W^O (GPT-2 scales it down: see ./gpt.ts). */
  output?: LinearOptions;
}

/** Multi-head attention (§3.2.2): query [B, T_q, d], key/value [B, T_k, d], mask broadcastable to [B, h, T_q, T_k] → [B, T_q, d]. */
export class MultiHeadAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  readonly heads: number;
  readonly headSize: number;

  constructor(store: ParameterStore, readonly name: string, options: MultiHeadAttentionOptions) {
    const { size, heads } = options;
    if (!Number.isInteger(heads) || heads < 1 || size % heads !== 0) throw new RangeError(`${name}: heads (${heads}) must be a positive integer dividing the width (${size})`);
    this.heads = heads;
    this.headSize = size / heads;
    this.query = new Linear(store, `${name}/query`, size, size, options.projection); // W^Q [d, h·d_k]
    this.key = new Linear(store, `${name}/key`, size, size, options.projection); // W^K
    this.value = new Linear(store, `${name}/value`, size, size, options.projection); // W^V
    this.output = new Linear(store, `${name}/output`, size, size, options.output ?? options.projection); // W^O [h·d_v, d]
  }

  /** [B, T, d] → [B, h, T, d_k]. */
  private splitHeads(x: tf.Tensor): tf.Tensor4D {
    const [batch, length] = x.shape;
    return tf.transpose(tf.reshape(x, [batch, length, this.heads, this.headSize]), [0, 2, 1, 3]);
  }

  /**
   * query [B, T_q, d], key and value [B, T_k, d] (the same tensor for self-attention) → [B, T_q, d].
   * `weights` receives the attention weights [B, h, T_q, T_k] when given (a copy the caller owns).
   */
  apply(query: tf.Tensor3D, keyValue: tf.Tensor3D, options: { mask?: tf.Tensor | null; dropout?: number; weights?: (w: tf.Tensor4D) => void } = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, length, size] = query.shape;
      const q = this.splitHeads(applyLinear(this.query, query)); // [B, h, T_q, d_k]
      const k = this.splitHeads(applyLinear(this.key, keyValue)); // [B, h, T_k, d_k]
      const v = this.splitHeads(applyLinear(this.value, keyValue)); // [B, h, T_k, d_k]
      const { output, weights } = scaledDotProductAttention(q, k, v, options); // [B, h, T_q, d_k]
      if (options.weights) options.weights(tf.keep(tf.clone(weights)) as tf.Tensor4D);
      const merged = tf.reshape(tf.transpose(output, [0, 2, 1, 3]), [batch, length, size]); // Concat(head_1..h) [B, T_q, d]
      return applyLinear(this.output, merged) as tf.Tensor3D; // · W^O
    });
  }
}
