/**
 * The position-wise feed-forward network (Vaswani et al. 2017, §3.3, eq. 2), applied to every position
 * separately and identically:
 *
 *   FFN(x) = act(x W_1 + b_1) W_2 + b_2        x [B, T, d] → [B, T, d_ff] → [B, T, d]
 *
 * act = ReLU in the paper (max(0, ·)); GELU in GPT-2 and BERT (Hendrycks & Gimpel 2016). d_ff = 2048 for
 * d = 512 in the paper, 4·d in GPT and BERT. Dropout inside (after the activation) as the PyTorch tutorial's
 * `PositionwiseFeedforwardLayer` when `innerDropout` is set.
 */
import { tf, dropout, gelu, type ParameterStore } from '@paperzoo/tensor';
import { Linear, type LinearOptions } from '@paperzoo/seq-models';
import { applyLinear } from './attention.js';

/** The non-linearity between the two layers. */
export type FeedForwardActivation = 'relu' | 'gelu';

/** Options of {@link FeedForward}. */
export interface FeedForwardOptions {
  size: number;
  innerSize: number;
  activation: FeedForwardActivation;
  /** Init and bias of W_1 (default torch.nn.Linear's). */
  inner?: LinearOptions;
  /** Init and bias of W_2. */
  outer?: LinearOptions;
}

/** FFN(x) = act(x W_1 + b_1) W_2 + b_2 over the last axis (eq. 2). */
export class FeedForward {
  readonly inner: Linear;
  readonly outer: Linear;

  constructor(store: ParameterStore, readonly name: string, readonly options: FeedForwardOptions) {
    this.inner = new Linear(store, `${name}/inner`, options.size, options.innerSize, options.inner); // W_1 [d, d_ff]
    this.outer = new Linear(store, `${name}/outer`, options.innerSize, options.size, options.outer); // W_2 [d_ff, d]
  }

  /** x [..., d] → [..., d]; `innerDropout` on the activations [..., d_ff]. */
  apply<T extends tf.Tensor>(x: T, innerDropout = 0): T {
    return tf.tidy(() => {
      const pre = applyLinear(this.inner, x); // [..., d_ff]
      const hidden = this.options.activation === 'relu' ? tf.relu(pre) : gelu(pre);
      return applyLinear(this.outer, dropout(hidden, innerDropout)) as T; // [..., d]
    });
  }
}
