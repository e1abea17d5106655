/**
 * Layer normalisation — J. L. Ba, J. R. Kiros, G. E. Hinton, "Layer Normalization", 2016,
 * https://arxiv.org/abs/1607.06450, eq. (4), over the last axis (the model width C), as PyTorch's
 * `nn.LayerNorm(C)`:
 *
 *   μ = (1/C) Σ_c x_c,   σ² = (1/C) Σ_c (x_c − μ)²,   y_c = γ_c (x_c − μ) / √(σ² + ε) + β_c
 *
 * x [..., C] → y [..., C]; γ starts at 1, β at 0. nanoGPT drops β (`bias=False`), so β is optional.
 * The Transformer puts one after every sub-layer ("post-norm", Vaswani et al. §3.1: LayerNorm(x + Sublayer(x)));
 * GPT-2 one before every sub-layer and one at the end ("pre-norm", Radford et al. 2019 §2.3).
 */
import { layerNorm as layerNormOp, type tf, type Parameter, type ParameterStore } from '@paperzoo/tensor';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Learn the shift β (default true; nanoGPT's `bias=False` drops it). */
  bias?: boolean;
  /** ε inside the square root (default 1e-5, PyTorch's; BERT: 1e-12). */
  epsilon?: number;
}

/** LayerNorm over the last axis, with a learned gain γ [C] and (optionally) shift β [C]. */
export class LayerNorm {
  readonly gamma: Parameter;
  readonly beta: Parameter | null;
  readonly epsilon: number;

  constructor(store: ParameterStore, readonly name: string, readonly size: number, options: LayerNormOptions = {}) {
    this.gamma = store.add(`${name}/gamma`, [size], { kind: 'ones' }); // [C]
    this.beta = options.bias === false ? null : store.add(`${name}/beta`, [size], { kind: 'zeros' }); // [C]
    this.epsilon = options.epsilon ?? 1e-5;
  }

  /** x [..., C] → [..., C]. */
  apply<T extends tf.Tensor>(x: T): T {
    return layerNormOp(x, this.gamma.value, this.beta?.value, this.epsilon);
  }
}
