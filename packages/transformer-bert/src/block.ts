/**
 * One Transformer layer: sub-layers (self-attention, cross-attention in a decoder, the feed-forward
 * network), each wrapped in a residual connection (He et al. 2016) and layer normalisation, in one of two orders:
 *
 *   post-norm (Vaswani et al. 2017, §3.1: "LayerNorm(x + Sublayer(x))"; BERT):
 *     x ← LN(x + Dropout(Sublayer(x)))
 *   pre-norm (GPT-2, Radford et al. 2019 §2.3; nanoGPT's `Block`):
 *     x ← x + Dropout(Sublayer(LN(x)))
 *
 * Dropout as in §5.4 ("residual dropout": on each sub-layer's output before it is added and normalised).
 * For the ablation ladder of gpt-shakespeare-char the residual connection and the normalisation can be
 * switched off (`residual: false`, `norm: 'none'`): x ← Dropout(Sublayer(x)).
 *
 * Shapes: x [B, T, d]; memory (the encoder's output, decoder layers only) [B, S, d].
 */
import { tf, dropout, type ParameterStore } from '@paperzoo/tensor';
import type { LinearOptions } from '@paperzoo/seq-models';
import { MultiHeadAttention } from './attention.js';
import { FeedForward, type FeedForwardActivation } from './feed-forward.js';
import { LayerNorm } from './layer-norm.js';

/** Where the LayerNorms go (see the file header). */
export type NormOrder = 'post' | 'pre' | 'none';

/** Options of {@link TransformerLayer}. */
export interface TransformerLayerOptions {
  size: number;
  heads: number;
  /** d_ff; 0 = no feed-forward sub-layer (the ablation ladder). */
  innerSize: number;
  activation: FeedForwardActivation;
  norm: NormOrder;
  /** Residual connections around the sub-layers (default true). */
  residual?: boolean;
  /** A decoder layer of the encoder–decoder Transformer: attention over the encoder's output after self-attention (§3.1). */
  crossAttention?: boolean;
  /** Biases in the LayerNorms (default true; nanoGPT: false). */
  normBias?: boolean;
  /** LayerNorm ε (default 1e-5). */
  normEpsilon?: number;
  /** Init and bias of W^Q, W^K, W^V and W_1. */
  projection?: LinearOptions;
  /** Init and bias of W^O and W_2 (the projections back into the residual stream). */
  outputProjection?: LinearOptions;
  /** Init and bias of the FFN's W_1 and W_2 when they differ from the above (a fan-dependent init). */
  feedForwardInit?: { inner?: LinearOptions; outer?: LinearOptions };
}

/** What one call of a layer gets besides x. */
export interface LayerCall {
  /** Additive mask of the self-attention scores (causal and/or padding), broadcastable to [B, h, T, T]. */
  selfMask?: tf.Tensor | null;
  /** The encoder's output [B, S, d] (decoder layers). */
  memory?: tf.Tensor3D;
  /** Additive mask of the cross-attention scores (the source's padding), broadcastable to [B, h, T, S]. */
  memoryMask?: tf.Tensor | null;
  /** Residual dropout rate (§5.4); 0 at evaluation. */
  dropout?: number;
  /** Dropout on the attention weights. */
  attentionDropout?: number;
  /** Dropout inside the feed-forward network, after the activation (the PyTorch tutorial). */
  innerDropout?: number;
}

/** One encoder layer (self-attention + FFN), decoder layer (+ cross-attention) or GPT block. */
export class TransformerLayer {
  readonly selfAttention: MultiHeadAttention;
  readonly crossAttention: MultiHeadAttention | null;
  readonly feedForward: FeedForward | null;
  readonly norms: LayerNorm[];
  readonly residual: boolean;

  constructor(store: ParameterStore, readonly name: string, readonly options: TransformerLayerOptions) {
    const { size, heads } = options;
    this.residual = options.residual ?? true;
    const attention = (part: string) => new MultiHeadAttention(store, `${name}/${part}`, { size, heads, projection: options.projection, output: options.outputProjection });
    const norm = (part: string) => new LayerNorm(store, `${name}/${part}`, size, { bias: options.normBias, epsilon: options.normEpsilon });
    this.selfAttention = attention('self_attention');
    this.crossAttention = options.crossAttention ? attention('cross_attention') : null;
    this.feedForward = options.innerSize > 0 ? new FeedForward(store, `${name}/feed_forward`, { size, innerSize: options.innerSize, activation: options.activation, inner: options.feedForwardInit?.inner ?? options.projection, outer: options.feedForwardInit?.outer ?? options.outputProjection }) : null;
    const subLayers = 1 + (this.crossAttention ? 1 : 0) + (this.feedForward ? 1 : 0);
    this.norms = options.norm === 'none' ? [] : Array.from({ length: subLayers }, (_, i) => norm(`norm${i + 1}`));
  }

  /** x [B, T, d] → [B, T, d]. */
  apply(x: tf.Tensor3D, call: LayerCall = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const rate = call.dropout ?? 0;
      let index = 0;
      const sublayer = (input: tf.Tensor3D, f: (h: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D => {
        const norm = this.norms[index++] as LayerNorm | undefined;
        if (this.options.norm === 'pre') return tf.add<tf.Tensor3D>(input, dropout(f(norm!.apply(input)), rate)); // x + Dropout(Sublayer(LN(x)))
        const out = dropout(f(input), rate);
        const summed = this.residual ? tf.add<tf.Tensor3D>(input, out) : out;
        return this.options.norm === 'post' ? norm!.apply(summed) : summed; // LN(x + Dropout(Sublayer(x)))
      };
      const attentionOptions = { dropout: call.attentionDropout };
      let h = sublayer(x, (v) => this.selfAttention.apply(v, v, { ...attentionOptions, mask: call.selfMask }));
      if (this.crossAttention) {
        if (!call.memory) throw new Error(`${this.name}: a decoder layer needs the encoder's output (memory)`);
        const memory = call.memory;
        h = sublayer(h, (v) => this.crossAttention!.apply(v, memory, { ...attentionOptions, mask: call.memoryMask }));
      }
      if (this.feedForward) h = sublayer(h, (v) => this.feedForward!.apply(v, call.innerDropout ?? 0));
      return h;
    });
  }
}
