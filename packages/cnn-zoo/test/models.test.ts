/**
 * Every model of the chapter at a tiny size: output shapes, a training step without tensor leaks, on
 * wasm (the default backend) — plus the pieces with their own arithmetic (grouped convolution, LRN,
 * option-A shortcuts, dense connectivity), seeded determinism, and wasm against cpu for a full
 * training step of a residual net with batch normalisation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, seed } from '@paperzoo/tensor';
import {
  AlexNet, Vgg, NiN, GoogLeNet, ResNet, DenseNet, Conv2d, ParameterStore, localResponseNorm, zeroPadShortcut, resnetCifarConfig, densenetCifarConfig,
  GOOGLENET_D2L, DENSENET_D2L, RESNET18_D2L, type Network,
} from '../src/index.js';
import { Momentum } from '@paperzoo/core-autograd';

interface Case {
  name: string;
  make: () => Network;
  input: [number, number, number, number];
  classes: number;
}

const CASES: Case[] = [
  { name: 'AlexNet (two groups, LRN, 67×67)', make: () => new AlexNet({ inputShape: [67, 67, 1], numClasses: 10, channels: [8, 8, 8, 8, 8], hiddenUnits: 16, groups: 2, lrn: true, conv1Padding: 1 }, { seed: 1 }), input: [2, 67, 67, 1], classes: 10 },
  { name: 'VGG (A-shaped, narrow, 32×32)', make: () => new Vgg({ inputShape: [32, 32, 1], numClasses: 10, blocks: [{ channels: 4, convs: 1 }, { channels: 4, convs: 1 }, { channels: 8, convs: 2 }, { channels: 8, convs: 2 }, { channels: 8, convs: 2 }], hiddenUnits: 16 }, { seed: 1 }), input: [2, 32, 32, 1], classes: 10 },
  { name: 'VGG with batch norm, configuration C (1×1 layers)', make: () => new Vgg({ inputShape: [16, 16, 3], numClasses: 5, blocks: [{ channels: 4, convs: 2 }, { channels: 8, convs: 3, lastIs1x1: true }], hiddenUnits: 8, batchNorm: true }, { seed: 1 }), input: [3, 16, 16, 3], classes: 5 },
  { name: 'NiN (CIFAR geometry, narrow)', make: () => new NiN({ inputShape: [32, 32, 3], blocks: [
    { channels: [8, 8, 8], kernelSize: 5, stride: 1, padding: 2, pool: { kind: 'max', size: 3, stride: 2, padding: 'same' }, dropout: 0.5 },
    { channels: [8, 8, 8], kernelSize: 5, stride: 1, padding: 2, pool: { kind: 'avg', size: 3, stride: 2, padding: 'same' }, dropout: 0.5 },
    { channels: [8, 8, 10], kernelSize: 3, stride: 1, padding: 1, pool: null, dropout: 0 },
  ] }, { seed: 1 }), input: [2, 32, 32, 3], classes: 10 },
  { name: 'GoogLeNet (1/16 width, 32×32)', make: () => new GoogLeNet({ ...GOOGLENET_D2L, inputShape: [32, 32, 1], widthScale: 1 / 16, dropout: 0.4, lrn: true }, { seed: 1 }), input: [2, 32, 32, 1], classes: 10 },
  { name: 'ResNet-8 CIFAR, option A', make: () => new ResNet(resnetCifarConfig(1, { widths: [4, 8, 8], inputShape: [8, 8, 3] }), { seed: 1 }), input: [4, 8, 8, 3], classes: 10 },
  { name: 'plain-8 CIFAR (no shortcuts)', make: () => new ResNet(resnetCifarConfig(1, { widths: [4, 8, 8], inputShape: [8, 8, 3], plain: true }), { seed: 1 }), input: [4, 8, 8, 3], classes: 10 },
  { name: 'ResNet bottleneck, option B, ImageNet stem', make: () => new ResNet({ inputShape: [16, 16, 3], numClasses: 7, stem: 'imagenet', stemChannels: 4, block: 'bottleneck', stages: [1, 1], widths: [2, 4], shortcut: 'B', convBias: false, bnMomentum: 0.1, init: 'he' }, { seed: 1 }), input: [2, 16, 16, 3], classes: 7 },
  { name: 'ResNet-18 (d2l layout, 1/16 width)', make: () => new ResNet({ ...RESNET18_D2L, inputShape: [32, 32, 1], stemChannels: 4, widths: [4, 8, 8, 8] }, { seed: 1 }), input: [2, 32, 32, 1], classes: 10 },
  { name: 'DenseNet L=10, k=4 (CIFAR), dropout', make: () => new DenseNet(densenetCifarConfig(10, 4, { inputShape: [8, 8, 3], dropout: 0.2 }), { seed: 1 }), input: [2, 8, 8, 3], classes: 10 },
  { name: 'DenseNet-BC L=16, k=4', make: () => new DenseNet(densenetCifarConfig(16, 4, { bc: true, inputShape: [8, 8, 3] }), { seed: 1 }), input: [2, 8, 8, 3], classes: 10 },
  { name: 'DenseNet (d2l layout, narrow)', make: () => new DenseNet({ ...DENSENET_D2L, inputShape: [32, 32, 1], initChannels: 8, growthRate: 4, blocks: [2, 2] }, { seed: 1 }), input: [2, 32, 32, 1], classes: 10 },
];

describe('models on wasm', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it.each(CASES)('$name: logits of shape [batch, classes]; two SGD steps leak nothing and change the weights', async ({ make, input, classes }) => {
    seed(3);
    const net = make();
    const x = tf.randomNormal<tf.Rank.R4>(input, 0, 1, 'float32', 5);
    const labels = tf.oneHot(tf.tensor1d(Array.from({ length: input[0] }, (_, i) => i % classes), 'int32'), classes);
    const inference = net.apply(x);
    expect(inference.shape).toEqual([input[0], classes]);
    expect(Array.from(inference.dataSync()).every(Number.isFinite)).toBe(true);
    const first = Object.values(net.variables)[0];
    const before = first.dataSync().slice();
    const opt = tf.train.sgd(0.05);
    const losses: number[] = [];
    await assertNoLeaks(() => {
      for (let i = 0; i < 2; i++) {
        const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, net.apply(x, { training: true })), true, Object.values(net.variables));
        losses.push(cost!.dataSync()[0]);
        cost!.dispose();
      }
    });
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Array.from(first.dataSync())).not.toEqual(Array.from(before));
    // BN running statistics are exposed as non-trainable state (for fit’s extraVariables).
    for (const v of Object.values(net.stateVariables)) expect(v.trainable).toBe(false);
    tf.dispose([x, labels, inference]);
    opt.dispose();
    net.dispose();
  });
});

describe('building blocks', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm' });
  });

  it('a grouped convolution equals two convolutions on the channel halves (AlexNet §3.5)', () => {
    const store = new ParameterStore('group_test');
    const conv = new Conv2d(store, 'c', { inChannels: 4, outChannels: 6, kernelSize: 3, padding: 1, groups: 2, bias: false });
    store.allocate('g');
    expect(conv.kernel.shape).toEqual([3, 3, 2, 6]);
    const x = tf.randomNormal<tf.Rank.R4>([2, 5, 5, 4], 0, 1, 'float32', 1);
    const y = conv.apply(x);
    const w = conv.kernel.value;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [1, 1], [1, 1], [0, 0]];
    const left = tf.conv2d(tf.slice(x, [0, 0, 0, 0], [2, 5, 5, 2]), tf.slice(w, [0, 0, 0, 0], [3, 3, 2, 3]) as tf.Tensor4D, 1, pad);
    const right = tf.conv2d(tf.slice(x, [0, 0, 0, 2], [2, 5, 5, 2]), tf.slice(w, [0, 0, 0, 3], [3, 3, 2, 3]) as tf.Tensor4D, 1, pad);
    const expected = tf.concat([left, right], 3);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, y, left, right, expected]);
    store.dispose();
  });

  it('local response normalisation matches §3.3’s formula computed by hand', () => {
    const values = Array.from({ length: 7 }, (_, i) => (i - 3) * 10);
    const a = tf.tensor4d(values, [1, 1, 1, 7]);
    const b = localResponseNorm(a, { k: 2, n: 5, alpha: 1e-3, beta: 0.75 }).dataSync();
    values.forEach((v, i) => {
      let s = 0;
      for (let j = Math.max(0, i - 2); j <= Math.min(6, i + 2); j++) s += values[j] ** 2;
      expect(b[i]).toBeCloseTo(v / (2 + 1e-3 * s) ** 0.75, 4);
    });
    a.dispose();
  });

  it('option A shortcut: stride-2 subsampling and zero channels, half before and half after (He et al. §3.3)', () => {
    const x = tf.tensor4d(Array.from({ length: 16 * 2 }, (_, i) => i + 1), [1, 4, 4, 2]);
    const y = zeroPadShortcut(x, 2, 6);
    expect(y.shape).toEqual([1, 2, 2, 6]);
    const v = y.arraySync();
    expect(v[0][0][0]).toEqual([0, 0, 1, 2, 0, 0]); // pixel (0,0)
    expect(v[0][0][1]).toEqual([0, 0, 5, 6, 0, 0]); // pixel (0,2)
    expect(v[0][1][0]).toEqual([0, 0, 17, 18, 0, 0]); // pixel (2,0)
    tf.dispose([x, y]);
  });

  it('a dense block grows by k maps per layer; DenseNet L=40 reaches 448 maps (eq. 2)', () => {
    const net = new DenseNet(densenetCifarConfig(40, 12), { allocate: false });
    const shapes = net.parameterShapes();
    expect(shapes['block1/layer12/conv3x3/kernel']).toEqual([3, 3, 16 + 11 * 12, 12]);
    expect(shapes['transition2/kernel']).toEqual([1, 1, 304, 304]);
    expect(shapes['fc/kernel']).toEqual([448, 10]);
    const bc = new DenseNet(densenetCifarConfig(100, 12, { bc: true }), { allocate: false }).parameterShapes();
    expect(bc['block1/layer1/conv1x1/kernel']).toEqual([1, 1, 24, 48]); // 2k input maps, 4k bottleneck
    expect(bc['transition1/kernel']).toEqual([1, 1, 24 + 16 * 12, 108]); // θ = 0.5: ⌊216/2⌋
  });

  it('the same seed gives the same weights; another seed different ones', () => {
    const make = (s: number) => new ResNet(resnetCifarConfig(1, { widths: [4, 8, 8], inputShape: [8, 8, 3] }), { seed: s });
    const [a, b, c] = [make(1), make(1), make(2)];
    const key = 'stage2/block1/conv1/kernel';
    expect(Array.from(b.variables[key].dataSync())).toEqual(Array.from(a.variables[key].dataSync()));
    expect(Array.from(c.variables[key].dataSync())).not.toEqual(Array.from(a.variables[key].dataSync()));
    // He init: std √(2/fan_in), fan_in = 3·3·4.
    const w = Array.from(a.variables[key].dataSync());
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.6 * Math.sqrt(2 / 36));
    expect(std).toBeLessThan(1.4 * Math.sqrt(2 / 36));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('dropout acts only in training mode; inference is deterministic', () => {
    seed(1);
    const net = new AlexNet({ inputShape: [67, 67, 1], numClasses: 4, channels: [4, 4, 4, 4, 4], hiddenUnits: 64, groups: 1, lrn: false, conv1Padding: 1, dropout: 0.5 }, { seed: 1 });
    const x = tf.randomNormal<tf.Rank.R4>([2, 67, 67, 1], 0, 1, 'float32', 2);
    const [y1, y2, t1, t2] = [net.apply(x), net.apply(x), net.apply(x, { training: true }), net.apply(x, { training: true })];
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y1.dataSync()));
    expect(Array.from(t1.dataSync())).not.toEqual(Array.from(y1.dataSync()));
    expect(Array.from(t2.dataSync())).not.toEqual(Array.from(t1.dataSync())); // a fresh mask each pass
    tf.dispose([x, y1, y2, t1, t2]);
    net.dispose();
  });
});

describe('a training step of a residual net with batch norm: wasm against cpu', () => {
  it('gives the same losses, weights and running statistics over 3 momentum steps', async () => {
    const results: { losses: number[]; weight: Float32Array; runningVar: Float32Array }[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend({ backend });
      const net = new ResNet(resnetCifarConfig(1, { widths: [4, 8, 8], inputShape: [8, 8, 3] }), { seed: 4 });
      const x = tf.randomNormal<tf.Rank.R4>([8, 8, 8, 3], 0, 1, 'float32', 9);
      const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
      const opt = new Momentum({ learningRate: 0.1, momentum: 0.9 });
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const cost = opt.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, net.apply(x, { training: true })), true);
        losses.push(cost!.dataSync()[0]);
        cost!.dispose();
      }
      results.push({ losses, weight: net.variables['stage1/block1/conv1/kernel'].dataSync() as Float32Array, runningVar: net.stateVariables['stage3/block1/conv2/bn/moving_variance'].dataSync() as Float32Array });
      tf.dispose([x, labels]);
      opt.dispose();
      net.dispose();
    }
    const [cpu, wasm] = results;
    cpu.losses.forEach((l, i) => expect(Math.abs(wasm.losses[i] - l)).toBeLessThan(1e-4));
    expect(cpu.losses[2]).toBeLessThan(cpu.losses[0]);
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(maxDiff(wasm.weight, cpu.weight)).toBeLessThan(1e-4);
    expect(maxDiff(wasm.runningVar, cpu.runningVar)).toBeLessThan(1e-4);
  });
});
