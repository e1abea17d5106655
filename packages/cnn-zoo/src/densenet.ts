/**
 * DenseNet — G. Huang, Z. Liu, L. van der Maaten, K. Q. Weinberger, "Densely Connected Convolutional
 * Networks", CVPR 2017. https://arxiv.org/abs/1608.06993
 *
 * §3, eq. 2 — dense connectivity: layer ℓ of a dense block sees the feature maps of every layer before it,
 *
 *   x_ℓ = H_ℓ([x_0, x_1, …, x_{ℓ−1}])           ([…] = concatenation along channels)
 *
 * with H_ℓ = BN → ReLU → conv 3×3 producing k maps (the growth rate), so layer ℓ has k₀ + k·(ℓ − 1) inputs.
 * Bottleneck (DenseNet-B): H_ℓ = BN → ReLU → conv 1×1 (4k maps) → BN → ReLU → conv 3×3 (k maps).
 * Transition layers between blocks: BN → ReLU → conv 1×1 → 2×2 average pool; with compression θ < 1
 * (DenseNet-C) the transition outputs ⌊θm⌋ of its m input maps. DenseNet-BC uses both, θ = 0.5.
 *
 * CIFAR (§3 "Implementation Details"): a 3×3 conv with 16 maps (2k for BC), three dense blocks on 32×32,
 * 16×16, 8×8 maps with equal numbers of layers, BN → ReLU → global average pool → softmax classifier.
 * Depth L counts the weighted layers: (L − 4)/3 layers per block (plain), (L − 4)/6 bottleneck layers
 * (BC). Table 2: DenseNet (L = 40, k = 12) has 1.0M parameters; DenseNet-BC (L = 100, k = 12) 0.8M.
 * Without data augmentation a dropout of 0.2 follows each convolution except the first (§4.2).
 * Shapes for L = 40, k = 12: [B,32,32,3] → [B,32,32,16] → block 1 → [B,32,32,160] → transition →
 * [B,16,16,160] → block 2 → [B,16,16,304] → [B,8,8,304] → block 3 → [B,8,8,448] → [B,448] → [B,10].
 *
 * ImageNet (Table 1): conv 7×7/2 with 2k maps, max-pool 3×3/2, four BC blocks (DenseNet-121: 6, 12, 24, 16
 * layers, k = 32). Convolutions have no bias in the paper's code; d2l's DenseNet keeps them (`convBias`).
 */
import { tf } from '@paperzoo/tensor';
import { BatchNorm } from './batchnorm.js';
import { Conv2d, Dense, Network, avgPool2d, dropoutIf, globalAvgPool, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions, type ParameterStore } from './layers.js';

export interface DenseNetConfig {
  inputShape: [number, number, number];
  numClasses: number;
  /** 'cifar': conv 3×3; 'imagenet': conv 7×7/2 + BN + ReLU + max-pool 3×3/2 (d2l uses this too). */
  stem: 'cifar' | 'imagenet';
  /** Maps of the first convolution (CIFAR: 16, or 2k for BC). */
  initChannels: number;
  /** k: maps each layer adds. */
  growthRate: number;
  /** Layers per dense block. */
  blocks: number[];
  /** H_ℓ with a 1×1 bottleneck of 4k maps (DenseNet-B). */
  bottleneck: boolean;
  /** θ: fraction of the maps a transition keeps (1 = none; 0.5 for DenseNet-C/BC). */
  compression: number;
  /** Dropout after each convolution but the first (training only; §4.2: 0.2 without augmentation). */
  dropout: number;
  convBias: boolean;
  init: InitScheme;
}

/** The CIFAR DenseNet of depth L and growth rate k (Table 2); `bc` for DenseNet-BC. */
export function densenetCifarConfig(depth: number, growthRate: number, options: { bc?: boolean; dropout?: number; inputShape?: [number, number, number]; numClasses?: number } = {}): DenseNetConfig {
  const bc = options.bc ?? false;
  const perBlock = bc ? (depth - 4) / 6 : (depth - 4) / 3;
  if (!Number.isInteger(perBlock) || perBlock < 1) throw new RangeError(`DenseNet${bc ? '-BC' : ''}: depth ${depth} does not give a whole number of layers per block ((L − 4)/${bc ? 6 : 3})`);
  return {
    inputShape: options.inputShape ?? [32, 32, 3],
    numClasses: options.numClasses ?? 10,
    stem: 'cifar',
    initChannels: bc ? 2 * growthRate : 16,
    growthRate,
    blocks: [perBlock, perBlock, perBlock],
    bottleneck: bc,
    compression: bc ? 0.5 : 1,
    dropout: options.dropout ?? 0,
    convBias: false,
    init: 'he',
  };
}

/** DenseNet-121 of Table 1 (ImageNet). */
export const DENSENET121: DenseNetConfig = {
  inputShape: [224, 224, 3],
  numClasses: 1000,
  stem: 'imagenet',
  initChannels: 64,
  growthRate: 32,
  blocks: [6, 12, 24, 16],
  bottleneck: true,
  compression: 0.5,
  dropout: 0,
  convBias: false,
  init: 'he',
};

/**
 * Dive into Deep Learning §8.7 on Fashion-MNIST: 96×96×1, ImageNet stem with 64 maps, four blocks of four
 * BN-ReLU-conv3×3 layers with growth rate 32, transitions halving the maps, 10 classes.
 */
export const DENSENET_D2L: DenseNetConfig = {
  inputShape: [96, 96, 1],
  numClasses: 10,
  stem: 'imagenet',
  initChannels: 64,
  growthRate: 32,
  blocks: [4, 4, 4, 4],
  bottleneck: false,
  compression: 0.5,
  dropout: 0,
  convBias: true,
  init: 'glorot',
};

/** BN → ReLU → conv (the pre-activation composite function of §3). */
class BnReluConv {
  readonly bn: BatchNorm;
  readonly conv: Conv2d;

  constructor(store: ParameterStore, name: string, inChannels: number, outChannels: number, kernelSize: number, c: DenseNetConfig) {
    this.bn = new BatchNorm(store, `${name}/bn`, inChannels);
    this.conv = new Conv2d(store, name, { inChannels, outChannels, kernelSize, padding: (kernelSize - 1) / 2, bias: c.convBias, init: c.init });
  }

  apply(x: tf.Tensor4D, options: ForwardOptions, dropout: number): tf.Tensor4D {
    return tf.tidy(() => dropoutIf(this.conv.apply(tf.relu(this.bn.apply(x, options)) as tf.Tensor4D), dropout, options) as tf.Tensor4D);
  }
}

/** A dense block (eq. 2): [B, H, W, k₀] → [B, H, W, k₀ + layers·k]. */
export class DenseBlock {
  readonly outChannels: number;
  private readonly layers: BnReluConv[][];

  constructor(store: ParameterStore, readonly name: string, inChannels: number, layers: number, private readonly c: DenseNetConfig) {
    const k = c.growthRate;
    this.layers = [];
    let channels = inChannels;
    for (let l = 0; l < layers; l++) {
      const prefix = `${name}/layer${l + 1}`;
      this.layers.push(
        c.bottleneck
          ? [new BnReluConv(store, `${prefix}/conv1x1`, channels, 4 * k, 1, c), new BnReluConv(store, `${prefix}/conv3x3`, 4 * k, k, 3, c)]
          : [new BnReluConv(store, `${prefix}/conv3x3`, channels, k, 3, c)],
      );
      channels += k;
    }
    this.outChannels = channels;
  }

  apply(x: tf.Tensor4D, options: ForwardOptions): tf.Tensor4D {
    return tf.tidy(() => {
      let features = x; // [x_0, x_1, …, x_{ℓ−1}]: [B, H, W, k₀ + (ℓ−1)k]
      for (const h of this.layers) {
        let y = features;
        for (const layer of h) y = layer.apply(y, options, this.c.dropout); // H_ℓ(…): [B, H, W, k]
        features = tf.concat([features, y], 3);
      }
      return features;
    });
  }
}

export class DenseNet extends Network {
  readonly config: DenseNetConfig;
  private readonly stem: Conv2d;
  private readonly stemBn: BatchNorm | null;
  private readonly dense: DenseBlock[];
  private readonly transitions: BnReluConv[];
  private readonly finalBn: BatchNorm;
  private readonly fc: Dense;

  constructor(config: Partial<DenseNetConfig> = {}, options: NetworkOptions = {}) {
    super('densenet');
    const c = { ...densenetCifarConfig(40, 12), ...config };
    this.config = c;
    const s = this.store;
    const imagenet = c.stem === 'imagenet';
    this.stem = new Conv2d(s, 'stem', { inChannels: c.inputShape[2], outChannels: c.initChannels, kernelSize: imagenet ? 7 : 3, stride: imagenet ? 2 : 1, padding: imagenet ? 3 : 1, bias: c.convBias, init: c.init });
    this.stemBn = imagenet ? new BatchNorm(s, 'stem/bn', c.initChannels) : null;
    let channels = c.initChannels;
    this.dense = [];
    this.transitions = [];
    c.blocks.forEach((layers, i) => {
      const block = new DenseBlock(s, `block${i + 1}`, channels, layers, c);
      this.dense.push(block);
      channels = block.outChannels;
      if (i < c.blocks.length - 1) {
        const out = Math.floor(c.compression * channels); // ⌊θm⌋
        this.transitions.push(new BnReluConv(s, `transition${i + 1}`, channels, out, 1, c));
        channels = out;
      }
    });
    this.finalBn = new BatchNorm(s, 'final/bn', channels);
    this.fc = new Dense(s, 'fc', channels, c.numClasses, { init: c.init });
    this.build(options);
  }

  /** Weighted layers as the paper counts them (convolutions, transitions and the classifier): 40 for L = 40. */
  get depth(): number {
    const perLayer = this.config.bottleneck ? 2 : 1;
    return 1 + this.config.blocks.reduce((n, l) => n + l * perLayer, 0) + this.transitions.length + 1;
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = this.stem.apply(x); // CIFAR: [B,32,32,k₀]; ImageNet: [B,112,112,k₀]
      if (this.stemBn) h = maxPool2d(tf.relu(this.stemBn.apply(h, options)) as tf.Tensor4D, 3, 2, 1); // [B,56,56,k₀]
      this.dense.forEach((block, i) => {
        h = block.apply(h, options); // [B, s, s, m]
        if (i < this.transitions.length) h = avgPool2d(this.transitions[i].apply(h, options, this.config.dropout), 2, 2); // [B, s/2, s/2, ⌊θm⌋]
      });
      const pooled = globalAvgPool(tf.relu(this.finalBn.apply(h, options)) as tf.Tensor4D); // [B, m]
      return this.fc.apply(pooled); // [B, classes]
    });
  }
}
