/**
 * AlexNet — A. Krizhevsky, I. Sutskever, G. E. Hinton, "ImageNet Classification with Deep Convolutional
 * Neural Networks", NeurIPS 2012.
 * https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html
 *
 * §3.5, Fig. 2: five convolutional and three fully connected layers, ReLU after each (§3.1), "60 million
 * parameters" (§1):
 *
 *   input 227×227×3 (the paper writes 224; 227 makes the arithmetic of Fig. 2 work)
 *   conv1  96 @ 11×11, stride 4            → 55×55×96,  LRN (§3.3), max-pool 3×3 stride 2 (§3.4) → 27×27
 *   conv2 256 @ 5×5, pad 2, 2 groups       → 27×27×256, LRN, max-pool 3/2 → 13×13
 *   conv3 384 @ 3×3, pad 1 (all of conv2)  → 13×13×384
 *   conv4 384 @ 3×3, pad 1, 2 groups       → 13×13×384
 *   conv5 256 @ 3×3, pad 1, 2 groups       → 13×13×256, max-pool 3/2 → 6×6×256
 *   fc6 4096 + dropout 0.5 (§4.2) → fc7 4096 + dropout 0.5 → fc8 1000
 *
 * "2 groups" is the paper's split over two GPUs: "the kernels of the second, fourth, and fifth
 * convolutional layers are connected only to those kernel maps in the previous layer which reside on
 * the same GPU" (§3.5). With `groups: 2` the count is 60,965,224 (≈ 60M, as the paper says); the
 * single-tower version most code uses today (`groups: 1`, torchvision, d2l) has 62,378,344.
 *
 * Local response normalisation (§3.3, eq. in {@link localResponseNorm}) is optional (`lrn`); d2l and
 * torchvision leave it out. Initialisation: the paper draws N(0, 0.01²) with some biases at 1; we use He
 * (or Glorot, d2l's choice) so that the net trains with plain SGD at the lr d2l uses.
 */
import { tf } from '@paperzoo/tensor';
import { Conv2d, Dense, Network, convOutputSize, dropoutIf, flatten, localResponseNorm, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions } from './layers.js';

export interface AlexNetConfig {
  /** Input [height, width, channels] (paper: [227, 227, 3]; d2l Fashion-MNIST: [224, 224, 1]). */
  inputShape: [number, number, number];
  numClasses: number;
  /** Channels of conv1…conv5 (paper: 96, 256, 384, 384, 256). */
  channels: [number, number, number, number, number];
  /** Units of fc6 and fc7 (paper: 4096). */
  hiddenUnits: number;
  /** Zero padding of conv1 (paper: 0 on 227×227; d2l: 1 on 224×224). */
  conv1Padding: number;
  /** 2: the paper's two-GPU connectivity in conv2, conv4, conv5; 1: single tower. */
  groups: 1 | 2;
  /** Local response normalisation after conv1 and conv2 (§3.3). */
  lrn: boolean;
  /** Dropout rate on the outputs of fc6 and fc7 (paper §4.2: 0.5). */
  dropout: number;
  init: InitScheme;
}

/** The paper's network (§3.5): 227×227×3, ImageNet's 1000 classes, two groups, LRN. */
export const ALEXNET_PAPER: AlexNetConfig = {
  inputShape: [227, 227, 3],
  numClasses: 1000,
  channels: [96, 256, 384, 384, 256],
  hiddenUnits: 4096,
  conv1Padding: 0,
  groups: 2,
  lrn: true,
  dropout: 0.5,
  init: 'he',
};

/** Dive into Deep Learning §8.1 on Fashion-MNIST: 224×224×1 inputs, single tower, no LRN, 10 classes. */
export const ALEXNET_D2L: AlexNetConfig = {
  inputShape: [224, 224, 1],
  numClasses: 10,
  channels: [96, 256, 384, 384, 256],
  hiddenUnits: 4096,
  conv1Padding: 1,
  groups: 1,
  lrn: false,
  dropout: 0.5,
  init: 'glorot',
};

export class AlexNet extends Network {
  readonly config: AlexNetConfig;
  private readonly convs: Conv2d[];
  private readonly fcs: Dense[];
  /** Spatial size after the last pooling (6 in the paper). */
  readonly featureSize: number;

  constructor(config: Partial<AlexNetConfig> = {}, options: NetworkOptions = {}) {
    super('alexnet');
    const c = { ...ALEXNET_PAPER, ...config };
    this.config = c;
    const [h, , inChannels] = c.inputShape;
    const ch = c.channels;
    const s = this.store;
    this.convs = [
      new Conv2d(s, 'conv1', { inChannels, outChannels: ch[0], kernelSize: 11, stride: 4, padding: c.conv1Padding, init: c.init }),
      new Conv2d(s, 'conv2', { inChannels: ch[0], outChannels: ch[1], kernelSize: 5, padding: 2, groups: c.groups, init: c.init }),
      new Conv2d(s, 'conv3', { inChannels: ch[1], outChannels: ch[2], kernelSize: 3, padding: 1, init: c.init }),
      new Conv2d(s, 'conv4', { inChannels: ch[2], outChannels: ch[3], kernelSize: 3, padding: 1, groups: c.groups, init: c.init }),
      new Conv2d(s, 'conv5', { inChannels: ch[3], outChannels: ch[4], kernelSize: 3, padding: 1, groups: c.groups, init: c.init }),
    ];
    // Shape arithmetic of Fig. 2: conv1 → pool → conv2 → pool → conv3..5 → pool.
    let n = convOutputSize(h, 11, 4, c.conv1Padding); // 55
    n = convOutputSize(n, 3, 2, 0); // 27
    n = convOutputSize(convOutputSize(n, 5, 1, 2), 3, 2, 0); // 13
    n = convOutputSize(n, 3, 2, 0); // 6
    if (n < 1) throw new RangeError(`AlexNet: input ${h}×${h} is too small (the feature map vanishes before fc6)`);
    this.featureSize = n;
    const flat = n * n * ch[4];
    this.fcs = [
      new Dense(s, 'fc6', flat, c.hiddenUnits, { init: c.init }),
      new Dense(s, 'fc7', c.hiddenUnits, c.hiddenUnits, { init: c.init }),
      new Dense(s, 'fc8', c.hiddenUnits, c.numClasses, { init: c.init }),
    ];
    this.build(options);
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.config;
      const [conv1, conv2, conv3, conv4, conv5] = this.convs;
      let h = tf.relu(conv1.apply(x)); // [B, 55, 55, 96]
      if (c.lrn) h = localResponseNorm(h);
      h = maxPool2d(h, 3, 2); // [B, 27, 27, 96]
      h = tf.relu(conv2.apply(h)); // [B, 27, 27, 256]
      if (c.lrn) h = localResponseNorm(h);
      h = maxPool2d(h, 3, 2); // [B, 13, 13, 256]
      h = tf.relu(conv3.apply(h)); // [B, 13, 13, 384]
      h = tf.relu(conv4.apply(h)); // [B, 13, 13, 384]
      h = maxPool2d(tf.relu(conv5.apply(h)), 3, 2); // [B, 6, 6, 256]
      let f = flatten(h); // [B, 9216]
      f = dropoutIf(tf.relu(this.fcs[0].apply(f)), c.dropout, options) as tf.Tensor2D; // [B, 4096]
      f = dropoutIf(tf.relu(this.fcs[1].apply(f)), c.dropout, options) as tf.Tensor2D; // [B, 4096]
      return this.fcs[2].apply(f); // [B, classes]
    });
  }
}
