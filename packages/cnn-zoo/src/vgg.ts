/**
 * VGG — K. Simonyan, A. Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
 * ICLR 2015. https://arxiv.org/abs/1409.1556
 *
 * §2.1–2.2, Table 1: stacks of 3×3 convolutions (stride 1, padding 1, so the size is kept) with ReLU,
 * five 2×2 max-pools of stride 2 (224 → 7), then FC-4096, FC-4096, FC-1000 with dropout 0.5 on the first
 * two (§3.1). A stack of two 3×3 layers sees 5×5, three see 7×7, with fewer parameters (3·(3²C²) = 27C²
 * instead of 49C², §2.3).
 *
 *   A (VGG-11): 64 | 128 | 256 256 | 512 512 | 512 512        — 133M parameters (Table 2)
 *   B (VGG-13): 64 64 | 128 128 | 256 256 | 512 512 | 512 512  — 133M
 *   C (VGG-16, 1×1): as B with a third layer 1×1 in blocks 3–5 — 134M
 *   D (VGG-16): 64 64 | 128 128 | 256 256 256 | 512 512 512 | 512 512 512 — 138M
 *   E (VGG-19): 64 64 | 128 128 | 256 ×4 | 512 ×4 | 512 ×4     — 144M
 *
 * ("|" is a 2×2 max-pool.) Shapes for D on 224×224×3: [B,224,224,64] → pool [B,112,112,128] → pool
 * [B,56,56,256] → pool [B,28,28,512] → pool [B,14,14,512] → pool [B,7,7,512] → 25088 → 4096 → 4096 → 1000.
 *
 * Initialisation: the paper trains A from N(0, 10⁻²) and initialises deeper nets from it (§3.1, noting
 * afterwards that Glorot init works without pre-training); we use He or Glorot (d2l's choice).
 * `batchNorm: true` inserts BN after each convolution (a later variant, not in the paper).
 */
import { tf } from '@paperzoo/tensor';
import { BatchNorm } from './batchnorm.js';
import { Conv2d, Dense, Network, dropoutIf, flatten, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions } from './layers.js';

/** One block of Table 1: `convs` 3×3 layers of `channels` maps (the last 1×1 in configuration C), then a 2×2 max-pool. */
export interface VggBlock {
  channels: number;
  convs: number;
  /** The block's last convolution is 1×1 (configuration C). */
  lastIs1x1?: boolean;
}

export interface VggConfig {
  /** Input [height, width, channels] (paper: [224, 224, 3]). */
  inputShape: [number, number, number];
  numClasses: number;
  blocks: VggBlock[];
  /** Units of the two hidden fully connected layers (paper: 4096). */
  hiddenUnits: number;
  /** Dropout on the outputs of the two hidden FC layers (paper: 0.5). */
  dropout: number;
  batchNorm: boolean;
  init: InitScheme;
}

const b = (channels: number, convs: number, lastIs1x1 = false): VggBlock => ({ channels, convs, ...(lastIs1x1 ? { lastIs1x1 } : {}) });

/** The configurations of Table 1 (A-LRN is A with LRN after the first layer; not included). */
export const VGG_CONFIGURATIONS: Record<'A' | 'B' | 'C' | 'D' | 'E', VggBlock[]> = {
  A: [b(64, 1), b(128, 1), b(256, 2), b(512, 2), b(512, 2)],
  B: [b(64, 2), b(128, 2), b(256, 2), b(512, 2), b(512, 2)],
  C: [b(64, 2), b(128, 2), b(256, 3, true), b(512, 3, true), b(512, 3, true)],
  D: [b(64, 2), b(128, 2), b(256, 3), b(512, 3), b(512, 3)],
  E: [b(64, 2), b(128, 2), b(256, 4), b(512, 4), b(512, 4)],
};

/** Configuration D (VGG-16) at ImageNet size, as in the paper. */
export const VGG16_PAPER: VggConfig = {
  inputShape: [224, 224, 3],
  numClasses: 1000,
  blocks: VGG_CONFIGURATIONS.D,
  hiddenUnits: 4096,
  dropout: 0.5,
  batchNorm: false,
  init: 'he',
};

/** Configuration A (VGG-11) at ImageNet size. */
export const VGG11_PAPER: VggConfig = { ...VGG16_PAPER, blocks: VGG_CONFIGURATIONS.A };

/**
 * Dive into Deep Learning §8.2 on Fashion-MNIST: VGG-11 with every block narrowed 4× (16, 32, 64, 128, 128
 * channels), 224×224×1 inputs, 10 classes, FC 4096.
 */
export const VGG11_D2L_NARROW: VggConfig = {
  inputShape: [224, 224, 1],
  numClasses: 10,
  blocks: [b(16, 1), b(32, 1), b(64, 2), b(128, 2), b(128, 2)],
  hiddenUnits: 4096,
  dropout: 0.5,
  batchNorm: false,
  init: 'glorot',
};

export class Vgg extends Network {
  readonly config: VggConfig;
  private readonly stages: { conv: Conv2d; bn: BatchNorm | null }[][];
  private readonly fcs: Dense[];
  /** Spatial size after the last pooling (7 at 224×224). */
  readonly featureSize: number;

  constructor(config: Partial<VggConfig> = {}, options: NetworkOptions = {}) {
    super('vgg');
    const c = { ...VGG16_PAPER, ...config };
    this.config = c;
    let [size, , channels] = c.inputShape;
    this.stages = c.blocks.map((block, i) => {
      const layers: { conv: Conv2d; bn: BatchNorm | null }[] = [];
      for (let j = 0; j < block.convs; j++) {
        const k = block.lastIs1x1 && j === block.convs - 1 ? 1 : 3;
        const name = `block${i + 1}/conv${j + 1}`;
        const conv = new Conv2d(this.store, name, { inChannels: channels, outChannels: block.channels, kernelSize: k, padding: (k - 1) / 2, bias: !c.batchNorm, init: c.init });
        layers.push({ conv, bn: c.batchNorm ? new BatchNorm(this.store, `${name}/bn`, block.channels) : null });
        channels = block.channels;
      }
      size = Math.floor(size / 2);
      return layers;
    });
    if (size < 1) throw new RangeError(`VGG: input ${c.inputShape[0]}×${c.inputShape[1]} is too small for ${c.blocks.length} poolings`);
    this.featureSize = size;
    this.fcs = [
      new Dense(this.store, 'fc1', size * size * channels, c.hiddenUnits, { init: c.init }),
      new Dense(this.store, 'fc2', c.hiddenUnits, c.hiddenUnits, { init: c.init }),
      new Dense(this.store, 'fc3', c.hiddenUnits, c.numClasses, { init: c.init }),
    ];
    this.build(options);
  }

  /** Weight layers (convolutions + fully connected): 11 for A, 16 for D. */
  get depth(): number {
    return this.stages.reduce((n, s) => n + s.length, 0) + this.fcs.length;
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let h = x; // [B, 224, 224, 3]
      for (const stage of this.stages) {
        for (const { conv, bn } of stage) {
          let z: tf.Tensor = conv.apply(h); // [B, s, s, channels]
          if (bn) z = bn.apply(z, options);
          h = tf.relu(z) as tf.Tensor4D;
        }
        h = maxPool2d(h, 2, 2); // [B, s/2, s/2, channels]
      }
      let f = flatten(h); // [B, 7·7·512]
      f = dropoutIf(tf.relu(this.fcs[0].apply(f)), this.config.dropout, options) as tf.Tensor2D; // [B, 4096]
      f = dropoutIf(tf.relu(this.fcs[1].apply(f)), this.config.dropout, options) as tf.Tensor2D; // [B, 4096]
      return this.fcs[2].apply(f); // [B, classes]
    });
  }
}
