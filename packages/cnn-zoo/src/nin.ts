/**
 * Network in Network — M. Lin, Q. Chen, S. Yan, "Network In Network", ICLR 2014.
 * https://arxiv.org/abs/1312.4400
 *
 * §3.1, eq. 2 — the mlpconv layer: a small multilayer perceptron slid over the input, i.e. a k×k
 * convolution followed by 1×1 convolutions ("cascaded cross channel parametric pooling"), ReLU after each:
 *
 *   f¹_{i,j,k₁} = max(w¹_{k₁}ᵀ x_{i,j} + b_{k₁}, 0),  …,  fⁿ_{i,j,kₙ} = max(wⁿ_{kₙ}ᵀ f^{n−1}_{i,j} + b_{kₙ}, 0)
 *
 * §3.2 — global average pooling replaces the fully connected classifier: the last mlpconv layer has one
 * feature map per class and each map is averaged to one score, so the net has no FC parameters.
 *
 * §4.2 (CIFAR-10): three mlpconv layers with spatial pooling between them and dropout on the outputs of
 * all but the last. The paper gives no channel counts; {@link NIN_CIFAR10} is the authors' released
 * cuda-convnet/Caffe model (192-160-96 @5×5, max-pool 3/2; 192-192-192 @5×5, avg-pool 3/2;
 * 192-192-10 @3×3; global average pool), ≈0.97M parameters. Shapes on 32×32×3:
 * [B,32,32,96] → pool [B,16,16,96] → [B,16,16,192] → pool [B,8,8,192] → [B,8,8,10] → GAP → [B,10].
 * The pools are Caffe's (ceil mode), i.e. 'same' here: 32 → 16 → 8.
 */
import { tf } from '@paperzoo/tensor';
import { Conv2d, Network, avgPool2d, dropoutIf, globalAvgPool, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions } from './layers.js';

/** One mlpconv layer: a k×k convolution and two 1×1 convolutions, then optional pooling and dropout. */
export interface MlpConvBlock {
  /** Channels of the k×k layer and of the two 1×1 layers. */
  channels: [number, number, number];
  kernelSize: number;
  stride: number;
  padding: number;
  pool: { kind: 'max' | 'avg'; size: number; stride: number; padding: 'same' | 'valid' } | null;
  /** Dropout on the block's output (after the pool), training only. */
  dropout: number;
}

export interface NinConfig {
  inputShape: [number, number, number];
  /** The last block's last channel count is the number of classes (read from it). */
  blocks: MlpConvBlock[];
  init: InitScheme;
}

/** The authors' CIFAR-10 model (§4.2; 10.41% test error without augmentation, Table 1). */
export const NIN_CIFAR10: NinConfig = {
  inputShape: [32, 32, 3],
  blocks: [
    { channels: [192, 160, 96], kernelSize: 5, stride: 1, padding: 2, pool: { kind: 'max', size: 3, stride: 2, padding: 'same' }, dropout: 0.5 },
    { channels: [192, 192, 192], kernelSize: 5, stride: 1, padding: 2, pool: { kind: 'avg', size: 3, stride: 2, padding: 'same' }, dropout: 0.5 },
    { channels: [192, 192, 10], kernelSize: 3, stride: 1, padding: 1, pool: null, dropout: 0 },
  ],
  init: 'he',
};

/** Dive into Deep Learning §8.3 on Fashion-MNIST (224×224×1): AlexNet-like geometry, 4 mlpconv layers. */
export const NIN_D2L: NinConfig = {
  inputShape: [224, 224, 1],
  blocks: [
    { channels: [96, 96, 96], kernelSize: 11, stride: 4, padding: 0, pool: { kind: 'max', size: 3, stride: 2, padding: 'valid' }, dropout: 0 },
    { channels: [256, 256, 256], kernelSize: 5, stride: 1, padding: 2, pool: { kind: 'max', size: 3, stride: 2, padding: 'valid' }, dropout: 0 },
    { channels: [384, 384, 384], kernelSize: 3, stride: 1, padding: 1, pool: { kind: 'max', size: 3, stride: 2, padding: 'valid' }, dropout: 0.5 },
    { channels: [10, 10, 10], kernelSize: 3, stride: 1, padding: 1, pool: null, dropout: 0 },
  ],
  init: 'glorot',
};

export class NiN extends Network {
  readonly config: NinConfig;
  private readonly layers: Conv2d[][];

  constructor(config: Partial<NinConfig> = {}, options: NetworkOptions = {}) {
    super('nin');
    const c = { ...NIN_CIFAR10, ...config };
    this.config = c;
    let channels = c.inputShape[2];
    this.layers = c.blocks.map((block, i) => {
      const [c1, c2, c3] = block.channels;
      const convs = [
        new Conv2d(this.store, `mlpconv${i + 1}/conv`, { inChannels: channels, outChannels: c1, kernelSize: block.kernelSize, stride: block.stride, padding: block.padding, init: c.init }),
        new Conv2d(this.store, `mlpconv${i + 1}/cccp1`, { inChannels: c1, outChannels: c2, kernelSize: 1, init: c.init }),
        new Conv2d(this.store, `mlpconv${i + 1}/cccp2`, { inChannels: c2, outChannels: c3, kernelSize: 1, init: c.init }),
      ];
      channels = c3;
      return convs;
    });
    this.build(options);
  }

  get numClasses(): number {
    return this.config.blocks[this.config.blocks.length - 1].channels[2];
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x; // [B, H, W, C]
      this.config.blocks.forEach((block, i) => {
        for (const conv of this.layers[i]) h = tf.relu(conv.apply(h)); // [B, H', W', channels] (eq. 2)
        if (block.pool) h = block.pool.kind === 'max' ? maxPool2d(h, block.pool.size, block.pool.stride, block.pool.padding) : avgPool2d(h, block.pool.size, block.pool.stride, block.pool.padding);
        h = dropoutIf(h, block.dropout, options) as tf.Tensor4D;
      });
      return globalAvgPool(h); // [B, classes] (§3.2)
    });
  }
}
