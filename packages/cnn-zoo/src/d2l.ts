/**
 * The six networks of Dive into Deep Learning, chapter 8 (A. Zhang, Z. C. Lipton, M. Li, A. J. Smola,
 * Cambridge University Press 2023, §8.1–8.7), for Fashion-MNIST: the book's presets narrowed by a width
 * scale, on `size`×`size`×1 inputs, 10 classes.
 */
import { AlexNet, ALEXNET_D2L } from './alexnet.js';
import { DenseNet, DENSENET_D2L } from './densenet.js';
import { GoogLeNet, GOOGLENET_D2L } from './googlenet.js';
import type { InitScheme, Network } from './layers.js';
import { NiN, NIN_D2L } from './nin.js';
import { ResNet, RESNET18_D2L } from './resnet.js';
import { Vgg, VGG11_D2L_NARROW } from './vgg.js';

export const D2L_NETWORKS = ['alexnet', 'vgg11', 'nin', 'googlenet', 'resnet18', 'densenet'] as const;
export type D2lNetworkName = (typeof D2L_NETWORKS)[number];

const scaled = (n: number, w: number) => Math.max(1, Math.round(n * w));

/** The d2l network `name`, every layer width × `widthScale`, for `resize`×`resize`×1 inputs and 10 classes. */
export function d2lNetwork(name: D2lNetworkName, s: { resize: number; widthScale: number }, seed: number, init: InitScheme = 'glorot'): Network {
  const w = s.widthScale;
  const input: [number, number, number] = [s.resize, s.resize, 1];
  switch (name) {
    case 'alexnet':
      return new AlexNet({ ...ALEXNET_D2L, init, inputShape: input, channels: ALEXNET_D2L.channels.map((c) => scaled(c, w)) as [number, number, number, number, number], hiddenUnits: scaled(4096, w) }, { seed });
    case 'vgg11':
      return new Vgg({ ...VGG11_D2L_NARROW, init, inputShape: input, blocks: VGG11_D2L_NARROW.blocks.map((b) => ({ ...b, channels: scaled(b.channels, w) })), hiddenUnits: scaled(4096, w) }, { seed });
    case 'nin':
      return new NiN({ ...NIN_D2L, init, inputShape: input, blocks: NIN_D2L.blocks.map((b, i, all) => ({ ...b, channels: (i === all.length - 1 ? b.channels : b.channels.map((c) => scaled(c, w))) as [number, number, number] })) }, { seed });
    case 'googlenet':
      return new GoogLeNet({ ...GOOGLENET_D2L, init, inputShape: input, widthScale: w }, { seed });
    case 'resnet18':
      return new ResNet({ ...RESNET18_D2L, init, inputShape: input, stemChannels: scaled(64, w), widths: RESNET18_D2L.widths.map((c) => scaled(c, w)) }, { seed });
    case 'densenet':
      return new DenseNet({ ...DENSENET_D2L, init, inputShape: input, initChannels: scaled(64, w), growthRate: scaled(32, w) }, { seed });
  }
}

