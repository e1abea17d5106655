/**
 * GoogLeNet (Inception v1) — C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan,
 * V. Vanhoucke, A. Rabinovich, "Going Deeper with Convolutions", CVPR 2015. https://arxiv.org/abs/1409.4842
 *
 * §4, Fig. 2(b) — the Inception module with dimension reductions: four parallel paths concatenated along
 * the channels,
 *
 *   y = concat( conv1×1(x),  conv3×3(conv1×1(x)),  conv5×5(conv1×1(x)),  conv1×1(maxpool3×3/1(x)) )
 *
 * every convolution followed by ReLU; the 1×1 "reduce" layers cut the channels before the expensive 3×3
 * and 5×5 convolutions.
 *
 * §5, Table 1 — the network on 224×224×3 (shapes [B, H, W, C]):
 *
 *   conv 7×7/2 64                 → [B,112,112,64],  max-pool 3×3/2 → 56, (LRN)
 *   conv 1×1 64, conv 3×3 192     → [B,56,56,192],   (LRN), max-pool 3×3/2 → 28
 *   inception 3a, 3b              → [B,28,28,256], [B,28,28,480],  max-pool 3×3/2 → 14
 *   inception 4a … 4e             → [B,14,14,512] … [B,14,14,832], max-pool 3×3/2 → 7
 *   inception 5a, 5b              → [B,7,7,832], [B,7,7,1024]
 *   global average pool           → [B,1024], dropout 40%, linear → [B,1000]
 *
 * Each module is written (#1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj) as in Table 1. Max-pools
 * use padding 1 (Caffe's ceil mode gives the same sizes here). Not included: the two auxiliary
 * classifiers used only during training (§5), and LRN is optional (`lrn`, default off, as in d2l).
 * `widthScale` multiplies every channel count (a narrow GoogLeNet for small budgets).
 */
import { tf } from '@paperzoo/tensor';
import { Conv2d, Dense, Network, dropoutIf, globalAvgPool, localResponseNorm, maxPool2d, type ForwardOptions, type InitScheme, type NetworkOptions, type ParameterStore } from './layers.js';

/** (#1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj) of Table 1. */
export type InceptionSpec = [number, number, number, number, number, number];

/** Table 1's modules by name. */
export const GOOGLENET_INCEPTIONS: Record<string, InceptionSpec> = {
  '3a': [64, 96, 128, 16, 32, 32],
  '3b': [128, 128, 192, 32, 96, 64],
  '4a': [192, 96, 208, 16, 48, 64],
  '4b': [160, 112, 224, 24, 64, 64],
  '4c': [128, 128, 256, 24, 64, 64],
  '4d': [112, 144, 288, 32, 64, 64],
  '4e': [256, 160, 320, 32, 128, 128],
  '5a': [256, 160, 320, 32, 128, 128],
  '5b': [384, 192, 384, 48, 128, 128],
};

/** The Inception module of Fig. 2(b). [B, H, W, in] → [B, H, W, #1×1 + #3×3 + #5×5 + pool proj]. */
export class Inception {
  readonly outChannels: number;
  private readonly b1: Conv2d;
  private readonly b2: [Conv2d, Conv2d];
  private readonly b3: [Conv2d, Conv2d];
  private readonly b4: Conv2d;

  constructor(store: ParameterStore, readonly name: string, inChannels: number, spec: InceptionSpec, init: InitScheme = 'he') {
    const [c1, c2r, c2, c3r, c3, c4] = spec;
    this.b1 = new Conv2d(store, `${name}/1x1`, { inChannels, outChannels: c1, kernelSize: 1, init });
    this.b2 = [
      new Conv2d(store, `${name}/3x3_reduce`, { inChannels, outChannels: c2r, kernelSize: 1, init }),
      new Conv2d(store, `${name}/3x3`, { inChannels: c2r, outChannels: c2, kernelSize: 3, padding: 1, init }),
    ];
    this.b3 = [
      new Conv2d(store, `${name}/5x5_reduce`, { inChannels, outChannels: c3r, kernelSize: 1, init }),
      new Conv2d(store, `${name}/5x5`, { inChannels: c3r, outChannels: c3, kernelSize: 5, padding: 2, init }),
    ];
    this.b4 = new Conv2d(store, `${name}/pool_proj`, { inChannels, outChannels: c4, kernelSize: 1, init });
    this.outChannels = c1 + c2 + c3 + c4;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p1 = tf.relu(this.b1.apply(x)); // [B, H, W, #1×1]
      const p2 = tf.relu(this.b2[1].apply(tf.relu(this.b2[0].apply(x)))); // [B, H, W, #3×3]
      const p3 = tf.relu(this.b3[1].apply(tf.relu(this.b3[0].apply(x)))); // [B, H, W, #5×5]
      const p4 = tf.relu(this.b4.apply(maxPool2d(x, 3, 1, 1))); // [B, H, W, pool proj]
      return tf.concat([p1, p2, p3, p4], 3);
    });
  }
}

export interface GoogLeNetConfig {
  inputShape: [number, number, number];
  numClasses: number;
  /** Multiplies every channel count (1 = the paper). */
  widthScale: number;
  /** Local response normalisation after the first pool and after conv 3×3 (Table 1; d2l leaves it out). */
  lrn: boolean;
  /** Dropout before the linear layer (paper: 0.4; d2l: 0). */
  dropout: number;
  init: InitScheme;
}

export const GOOGLENET_PAPER: GoogLeNetConfig = { inputShape: [224, 224, 3], numClasses: 1000, widthScale: 1, lrn: true, dropout: 0.4, init: 'he' };

/** Dive into Deep Learning §8.4 on Fashion-MNIST: 96×96×1 inputs, no LRN, no dropout, 10 classes. */
export const GOOGLENET_D2L: GoogLeNetConfig = { inputShape: [96, 96, 1], numClasses: 10, widthScale: 1, lrn: false, dropout: 0, init: 'glorot' };

export class GoogLeNet extends Network {
  readonly config: GoogLeNetConfig;
  private readonly conv1: Conv2d;
  private readonly conv2reduce: Conv2d;
  private readonly conv2: Conv2d;
  private readonly stages: Inception[][];
  private readonly fc: Dense;

  constructor(config: Partial<GoogLeNetConfig> = {}, options: NetworkOptions = {}) {
    super('googlenet');
    const c = { ...GOOGLENET_PAPER, ...config };
    this.config = c;
    const w = (n: number) => Math.max(1, Math.round(n * c.widthScale));
    const s = this.store;
    this.conv1 = new Conv2d(s, 'conv1', { inChannels: c.inputShape[2], outChannels: w(64), kernelSize: 7, stride: 2, padding: 3, init: c.init });
    this.conv2reduce = new Conv2d(s, 'conv2_reduce', { inChannels: w(64), outChannels: w(64), kernelSize: 1, init: c.init });
    this.conv2 = new Conv2d(s, 'conv2', { inChannels: w(64), outChannels: w(192), kernelSize: 3, padding: 1, init: c.init });
    let channels = w(192);
    this.stages = [['3a', '3b'], ['4a', '4b', '4c', '4d', '4e'], ['5a', '5b']].map((names) =>
      names.map((name) => {
        const m = new Inception(s, `inception${name}`, channels, GOOGLENET_INCEPTIONS[name].map(w) as InceptionSpec, c.init);
        channels = m.outChannels;
        return m;
      }),
    );
    this.fc = new Dense(s, 'fc', channels, c.numClasses, { init: c.init });
    this.build(options);
  }

  apply(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.config;
      let h = maxPool2d(tf.relu(this.conv1.apply(x)), 3, 2, 1); // [B, 56, 56, 64]
      if (c.lrn) h = localResponseNorm(h);
      h = tf.relu(this.conv2.apply(tf.relu(this.conv2reduce.apply(h)))); // [B, 56, 56, 192]
      if (c.lrn) h = localResponseNorm(h);
      h = maxPool2d(h, 3, 2, 1); // [B, 28, 28, 192]
      this.stages.forEach((stage, i) => {
        for (const m of stage) h = m.apply(h); // 3: [B,28,28,480]; 4: [B,14,14,832]; 5: [B,7,7,1024]
        if (i < this.stages.length - 1) h = maxPool2d(h, 3, 2, 1); // 28 → 14, 14 → 7
      });
      const f = dropoutIf(globalAvgPool(h), c.dropout, options) as tf.Tensor2D; // [B, 1024]
      return this.fc.apply(f); // [B, classes]
    });
  }
}
