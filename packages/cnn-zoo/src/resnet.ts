/**
 * ResNet — K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
 * https://arxiv.org/abs/1512.03385
 *
 * §3.2, eq. 1 — a building block learns a residual F and adds its input back through a shortcut:
 *
 *   y = F(x, {W_i}) + x                       (identity shortcut, same dimensions)
 *   y = F(x, {W_i}) + W_s x                   (eq. 2: projection when the dimensions change)
 *
 * Basic block (Fig. 2, ResNet-18/34 and the CIFAR nets): F = BN(conv3×3(ReLU(BN(conv3×3(x))))), then
 * y = ReLU(F + shortcut(x)). Bottleneck block (Fig. 5 right, ResNet-50/101/152): 1×1 (reduce) → 3×3 →
 * 1×1 (restore to 4× the width), BN after each convolution (§3.4), ReLU after the addition.
 * Down-sampling is a stride-2 convolution at the first block of a stage; the paper puts it on the first
 * 1×1 of a bottleneck (torchvision later moved it to the 3×3; the parameter count is the same).
 *
 * Shortcuts when the dimensions increase (§3.3):
 *   'A' — identity, "with extra zero entries padded for increasing dimensions" and stride 2: the input is
 *         subsampled (every second pixel) and zero channels are added (half before, half after). No
 *         parameters. The CIFAR-10 nets of §4.2 use A.
 *   'B' — a 1×1 projection (stride 2) + BN only where dimensions change; identity elsewhere (ImageNet nets).
 *   'none' — no shortcut at all: the *plain* network of the same depth (Fig. 3 middle, Fig. 6 left).
 *
 * The CIFAR-10 family (§4.2): a 3×3 conv of 16 filters, then 3 stages of n basic blocks with 16, 32, 64
 * filters on 32×32, 16×16, 8×8 maps (stride 2 at the first block of stages 2, 3), global average pool,
 * 10-way FC: 6n + 2 weighted layers — ResNet-20/32/44/56/110 (n = 3, 5, 7, 9, 18) with 0.27M, 0.46M,
 * 0.66M, 0.85M, 1.7M parameters (Table 6).
 *
 * The ImageNet family (Table 1): conv 7×7/2 64 → max-pool 3×3/2 → stages conv2_x…conv5_x on 56, 28, 14,
 * 7 → global average pool → 1000-way FC. Shapes for ResNet-50: [B,224,224,3] → [B,56,56,64] →
 * [B,56,56,256] → [B,28,28,512] → [B,14,14,1024] → [B,7,7,2048] → [B,2048] → [B,1000].
 *
 * Initialisation as the paper (§3.4, "as in [13]"): He normal; BN γ = 1, β = 0. Convolutions have no
 * bias (BN's β takes its place); d2l's ResNet keeps them (`convBias: true`).
 */
import { tf } from '@paperzoo/tensor';
import { BatchNorm } from './batchnorm.js';
import { Conv2d, Dense, Network, globalAvgPool, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions, type ParameterStore } from './layers.js';

export type ShortcutOption = 'A' | 'B' | 'none';

export interface ResNetConfig {
  inputShape: [number, number, number];
  numClasses: number;
  /** 'cifar': 3×3 conv + BN + ReLU; 'imagenet': 7×7/2 conv + BN + ReLU + 3×3/2 max-pool. */
  stem: 'cifar' | 'imagenet';
  /** Filters of the stem convolution (CIFAR: 16; ImageNet: 64). */
  stemChannels: number;
  block: 'basic' | 'bottleneck';
  /** Blocks per stage, e.g. [3, 3, 3] for ResNet-20, [3, 4, 6, 3] for ResNet-34/50. */
  stages: number[];
  /** Width of each stage: a basic block's output channels; a bottleneck's inner channels (output 4×). */
  widths: number[];
  shortcut: ShortcutOption;
  /** Bias in every convolution (d2l: true; the paper: false, BN's β replaces it). */
  convBias: boolean;
  /** BN momentum (PyTorch convention) and ε. */
  bnMomentum: number;
  init: InitScheme;
}

/** The bottleneck's expansion: its last 1×1 restores 4× the inner width (Fig. 5). */
export const BOTTLENECK_EXPANSION = 4;

/** The CIFAR-10 network of §4.2 with 6n + 2 layers (n = 3 → ResNet-20). `plain: true` drops the shortcuts. */
export function resnetCifarConfig(n: number, options: { plain?: boolean; widths?: [number, number, number]; inputShape?: [number, number, number]; numClasses?: number } = {}): ResNetConfig {
  const widths = options.widths ?? [16, 32, 64];
  return {
    inputShape: options.inputShape ?? [32, 32, 3],
    numClasses: options.numClasses ?? 10,
    stem: 'cifar',
    stemChannels: widths[0],
    block: 'basic',
    stages: [n, n, n],
    widths: [...widths],
    shortcut: options.plain ? 'none' : 'A',
    convBias: false,
    bnMomentum: 0.1,
    init: 'he',
  };
}

/** The ImageNet networks of Table 1 (shortcut option B). */
export function resnetImageNetConfig(depth: 18 | 34 | 50 | 101 | 152, options: { plain?: boolean; inputShape?: [number, number, number]; numClasses?: number } = {}): ResNetConfig {
  const stages = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3] }[depth];
  return {
    inputShape: options.inputShape ?? [224, 224, 3],
    numClasses: options.numClasses ?? 1000,
    stem: 'imagenet',
    stemChannels: 64,
    block: depth >= 50 ? 'bottleneck' : 'basic',
    stages,
    widths: [64, 128, 256, 512],
    shortcut: options.plain ? 'none' : 'B',
    convBias: false,
    bnMomentum: 0.1,
    init: 'he',
  };
}

/**
 * Dive into Deep Learning §8.6 on Fashion-MNIST: ResNet-18 with 96×96×1 inputs, 1×1-conv projections where
 * the shape changes (option B), convolutions with bias, 10 classes.
 */
export const RESNET18_D2L: ResNetConfig = { ...resnetImageNetConfig(18, { inputShape: [96, 96, 1], numClasses: 10 }), convBias: true };

interface ConvBn {
  conv: Conv2d;
  bn: BatchNorm;
}

function convBn(store: ParameterStore, name: string, inChannels: number, outChannels: number, kernelSize: number, stride: number, c: ResNetConfig): ConvBn {
  return {
    conv: new Conv2d(store, `${name}`, { inChannels, outChannels, kernelSize, stride, padding: (kernelSize - 1) / 2, bias: c.convBias, init: c.init }),
    bn: new BatchNorm(store, `${name}/bn`, outChannels, { momentum: c.bnMomentum }),
  };
}

function applyConvBn(layer: ConvBn, x: tf.Tensor4D, options: ForwardOptions): tf.Tensor4D {
  return layer.bn.apply(layer.conv.apply(x), options) as tf.Tensor4D;
}

/**
 * Option A's shortcut (§3.3): x subsampled by the stride (x[:, ::s, ::s, :]) and zero-padded from
 * `inChannels` to `outChannels` (half of the new channels before, half after). [B,H,W,in] → [B,⌈H/s⌉,⌈W/s⌉,out].
 */
export function zeroPadShortcut(x: tf.Tensor4D, stride: number, outChannels: number): tf.Tensor4D {
  return tf.tidy(() => {
    const sub = stride === 1 ? x : tf.maxPool(x, 1, stride, 'valid'); // a 1×1 window: picks every s-th pixel
    const extra = outChannels - x.shape[3];
    if (extra < 0) throw new RangeError(`zeroPadShortcut: cannot shrink ${x.shape[3]} channels to ${outChannels}`);
    if (extra === 0) return sub;
    const before = Math.floor(extra / 2);
    return tf.pad(sub, [[0, 0], [0, 0], [0, 0], [before, extra - before]]);
  });
}

/** One residual (or plain) block: a basic or bottleneck residual function F plus the shortcut. */
export class ResidualBlock {
  readonly outChannels: number;
  private readonly layers: ConvBn[];
  private readonly projection: ConvBn | null = null;

  constructor(store: ParameterStore, readonly name: string, readonly inChannels: number, width: number, readonly stride: number, private readonly c: ResNetConfig) {
    if (c.block === 'basic') {
      this.outChannels = width;
      this.layers = [convBn(store, `${name}/conv1`, inChannels, width, 3, stride, c), convBn(store, `${name}/conv2`, width, width, 3, 1, c)];
    } else {
      this.outChannels = width * BOTTLENECK_EXPANSION;
      this.layers = [
        convBn(store, `${name}/conv1`, inChannels, width, 1, stride, c), // 1×1 reduce (stride here, as the paper)
        convBn(store, `${name}/conv2`, width, width, 3, 1, c), // 3×3
        convBn(store, `${name}/conv3`, width, this.outChannels, 1, 1, c), // 1×1 restore
      ];
    }
    const changes = stride !== 1 || inChannels !== this.outChannels;
    if (c.shortcut === 'B' && changes) this.projection = convBn(store, `${name}/projection`, inChannels, this.outChannels, 1, stride, c);
  }

  apply(x: tf.Tensor4D, options: ForwardOptions): tf.Tensor4D {
    return tf.tidy<tf.Tensor4D>(() => {
      let h: tf.Tensor4D = x;
      this.layers.forEach((layer, i) => {
        h = applyConvBn(layer, h, options); // [B, H/s, W/s, width | out]
        if (i < this.layers.length - 1) h = tf.relu(h);
      });
      if (this.c.shortcut === 'none') return tf.relu(h); // plain net: no shortcut
      const shortcut = this.projection ? applyConvBn(this.projection, x, options) : zeroPadShortcut(x, this.stride, this.outChannels); // [B, H/s, W/s, out]
      return tf.relu(tf.add<tf.Tensor4D>(h, shortcut)); // y = ReLU(F(x) + shortcut(x)), eq. 1/2
    });
  }
}

export class ResNet extends Network {
  readonly config: ResNetConfig;
  private readonly stem: ConvBn;
  private readonly blocks: ResidualBlock[];
  private readonly fc: Dense;

  constructor(config: Partial<ResNetConfig> = {}, options: NetworkOptions = {}) {
    super('resnet');
    const c = { ...resnetCifarConfig(3), ...config };
    if (c.widths.length !== c.stages.length) throw new RangeError(`ResNet: ${c.stages.length} stages but ${c.widths.length} widths`);
    this.config = c;
    this.stem = convBn(this.store, 'stem', c.inputShape[2], c.stemChannels, c.stem === 'cifar' ? 3 : 7, c.stem === 'cifar' ? 1 : 2, c);
    let channels = c.stemChannels;
    this.blocks = [];
    c.stages.forEach((count, s) => {
      for (let i = 0; i < count; i++) {
        const block = new ResidualBlock(this.store, `stage${s + 1}/block${i + 1}`, channels, c.widths[s], s > 0 && i === 0 ? 2 : 1, c);
        channels = block.outChannels;
        this.blocks.push(block);
      }
    });
    this.fc = new Dense(this.store, 'fc', channels, c.numClasses, { init: c.init });
    this.build(options);
  }

  /** Weighted layers as the paper counts them (convolutions on the main path + FC): 20 for ResNet-20. */
  get depth(): number {
    const perBlock = this.config.block === 'basic' ? 2 : 3;
    return 1 + this.blocks.length * perBlock + 1;
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = tf.relu(applyConvBn(this.stem, x, options)); // CIFAR: [B,32,32,16]; ImageNet: [B,112,112,64]
      if (this.config.stem === 'imagenet') h = maxPool2d(h, 3, 2, 1); // [B, 56, 56, 64]
      for (const block of this.blocks) h = block.apply(h, options); // CIFAR: → [B,8,8,64]; ImageNet: → [B,7,7,512|2048]
      return this.fc.apply(globalAvgPool(h)); // [B, classes]
    });
  }
}
