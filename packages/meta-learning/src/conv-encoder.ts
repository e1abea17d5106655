/**
 * The 4-block convolutional network of the few-shot papers (Vinyals et al. 2016, "Matching Networks",
 * §4.1.1): each block is a 3×3 convolution with 64 filters, batch normalisation, ReLU and 2×2
 * downsampling; on 28×28 Omniglot images four blocks leave 64 features.
 *
 * Two variants, as the two papers' code builds them:
 * - Prototypical Networks (Snell et al. 2017, §3.1; jakesnell/prototypical-networks few_shot.py):
 *   conv 3×3 padding 1 → BatchNorm2d (γ, β, running statistics) → ReLU → max-pool 2:
 *   28 → 14 → 7 → 3 → 1, flattened to a 64-d embedding; PyTorch's default initialisation.
 * - MAML (Finn et al. 2017, App. A.1; cbfinn/maml utils.py `conv_block`, maml.py `forward_conv`):
 *   conv 3×3 stride 2 'SAME' (the code's default `max_pool=False`) → batch norm with β only (tf.contrib's
 *   default `scale=False`), always on the batch's statistics (its default `is_training`, at test too) →
 *   ReLU: 28 → 14 → 7 → 4 → 2, the spatial mean (64 features), then a dense layer to the N classes.
 *   Convolutions Xavier-uniform, the dense layer N(0, 1) (the code's `tf.random_normal`), biases zero.
 *
 * A `Module`: `withParameters` runs it at MAML's adapted weights. Images are NHWC [B, 28, 28, 1].
 */
import { Module, batchNormTraining, glorotUniform, tf, type Initializer, type ModuleOptions, type Parameter } from '@paperzoo/tensor';

export interface ConvEncoderOptions extends ModuleOptions {
  /** 'protonets' (max-pool, BN with γ and running statistics, embedding out) or 'maml' (strided, β only, batch statistics, dense head). */
  variant: 'protonets' | 'maml';
  /** Classes of the dense head ('maml' only; N of N-way). */
  classes?: number;
  /** Filters per block (64). */
  channels?: number;
  /** Blocks (4). */
  blocks?: number;
  /** Input channels (1). */
  inChannels?: number;
  /** Model name (seeds the initialisation). */
  name?: string;
}

interface Block {
  kernel: Parameter; // [3, 3, in, out]
  bias: Parameter; // [out]
  gamma: Parameter | null; // [out]
  beta: Parameter; // [out]
  movingMean: Parameter | null; // [out]
  movingVariance: Parameter | null; // [out]
}

/** PyTorch's default for Conv2d weights and biases: U(±1/√fan_in) (kaiming_uniform with a = √5). */
function torchUniform(fanIn: number): Initializer {
  return { kind: 'uniform', limit: 1 / Math.sqrt(fanIn) };
}

export class ConvEncoder extends Module {
  readonly variant: 'protonets' | 'maml';
  readonly channels: number;
  private readonly blockParams: Block[] = [];
  private readonly head: { kernel: Parameter; bias: Parameter } | null = null;
  /** BN ε: PyTorch's 1e-5 (ProtoNets), tf.contrib's 1e-3 (MAML). */
  readonly epsilon: number;
  /** PyTorch's running-average momentum (ProtoNets). */
  readonly momentum = 0.1;

  constructor(options: ConvEncoderOptions) {
    super(options.name ?? `conv4-${options.variant}`);
    this.variant = options.variant;
    this.channels = options.channels ?? 64;
    this.epsilon = options.variant === 'protonets' ? 1e-5 : 1e-3;
    const blocks = options.blocks ?? 4;
    let inCh = options.inChannels ?? 1;
    for (let b = 1; b <= blocks; b++) {
      const fanIn = 9 * inCh;
      const maml = options.variant === 'maml';
      this.blockParams.push({
        kernel: this.store.add(`block${b}/conv/kernel`, [3, 3, inCh, this.channels], maml ? glorotUniform(fanIn, 9 * this.channels) : torchUniform(fanIn)),
        bias: this.store.add(`block${b}/conv/bias`, [this.channels], maml ? { kind: 'zeros' } : torchUniform(fanIn)),
        gamma: maml ? null : this.store.add(`block${b}/bn/gamma`, [this.channels], { kind: 'ones' }),
        beta: this.store.add(`block${b}/bn/beta`, [this.channels], { kind: 'zeros' }),
        movingMean: maml ? null : this.store.add(`block${b}/bn/moving_mean`, [this.channels], { kind: 'zeros' }, { trainable: false }),
        movingVariance: maml ? null : this.store.add(`block${b}/bn/moving_variance`, [this.channels], { kind: 'ones' }, { trainable: false }),
      });
      inCh = this.channels;
    }
    if (options.variant === 'maml') {
      const classes = options.classes;
      if (!classes || classes < 2) throw new RangeError(`ConvEncoder: the 'maml' variant needs classes ≥ 2 for its head, got ${classes}`);
      this.head = { kernel: this.store.add('head/kernel', [this.channels, classes], { kind: 'normal', std: 1 }), bias: this.store.add('head/bias', [classes], { kind: 'zeros' }) };
    }
    this.build(options);
  }

  /** Output width: the embedding size (ProtoNets on 28×28: 64) or the number of classes (MAML). */
  get outputSize(): number {
    return this.head ? this.head.kernel.shape[1] : this.channels;
  }

  /**
   * x [B, H, W, C] → [B, 64] embeddings (protonets, flattened; 28×28 leaves 1×1) or [B, classes] logits
   * (maml). `training`: ProtoNets' BN uses and updates batch statistics (else its running averages);
   * MAML's BN always uses the batch's statistics, as the authors' code.
   */
  apply(x: tf.Tensor4D, options: { training?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (const b of this.blockParams) {
        const stride = this.variant === 'maml' ? 2 : 1;
        const pad = this.variant === 'maml' ? 'same' : ([[0, 0], [1, 1], [1, 1], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
        h = tf.add(tf.conv2d(h, b.kernel.value as tf.Tensor4D, stride, pad), b.bias.value); // [B, H', W', 64]
        h = this.normalise(h, b, options.training ?? false);
        h = tf.relu(h);
        if (this.variant === 'protonets') h = tf.maxPool(h, 2, 2, 'valid'); // ⌊H/2⌋
      }
      if (this.head) {
        const features = tf.mean<tf.Tensor2D>(h, [1, 2]); // [B, 64]: the code's reduce_mean over the 2×2 map
        return tf.add(tf.matMul(features, this.head.kernel.value as tf.Tensor2D), this.head.bias.value);
      }
      return tf.reshape(h, [h.shape[0], -1]);
    });
  }

  private normalise(h: tf.Tensor4D, b: Block, training: boolean): tf.Tensor4D {
    if (this.variant === 'maml') return batchNormTraining(h, undefined, b.beta.value, this.epsilon).y as tf.Tensor4D;
    const mean = b.movingMean!.variableOf();
    const variance = b.movingVariance!.variableOf();
    if (!training) return tf.add(tf.mul(tf.sub(h, mean), tf.mul(b.gamma!.value, tf.rsqrt(tf.add(variance, this.epsilon)))), b.beta.value);
    const r = batchNormTraining(h, b.gamma!.value, b.beta.value, this.epsilon);
    const count = h.shape[0] * h.shape[1] * h.shape[2];
    // PyTorch's running averages: the unbiased batch variance, momentum 0.1
    mean.assign(tf.add(tf.mul(mean, 1 - this.momentum), tf.mul(r.mean, this.momentum)));
    variance.assign(tf.add(tf.mul(variance, 1 - this.momentum), tf.mul(r.variance, (this.momentum * count) / Math.max(count - 1, 1))));
    return r.y as tf.Tensor4D;
  }
}
