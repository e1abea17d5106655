/**
 * Modern CNNs on Fashion-MNIST — Dive into Deep Learning, chapter 8 (Zhang, Lipton, Li, Smola, CUP 2023,
 * §8.1–8.7; https://d2l.ai/chapter_convolutional-modern/): the test accuracies the book's notebooks print
 * after 10 epochs. All networks train side by side in one `fit` (`trainSideBySide`, each loss scaled by its
 * own learning rate); a network whose batch is k times the smallest steps every k-th step.
 */
import { tf, shuffledIndicesFromGlobalRng } from '@paperzoo/tensor';
import { defineReproduction, evaluateClassifier, z, type Claim, type RunContext } from '@paperzoo/repro';
import { D2L_NETWORKS, d2lNetwork, perKey, trainSideBySide, type D2lNetworkName, type Network } from '@paperzoo/cnn-zoo';
import { Momentum, SGD } from '@paperzoo/core-autograd';
import { loadFashionMnist, takeBatch } from '@paperzoo/datasets';

const NETWORKS = D2L_NETWORKS;
type NetworkName = D2lNetworkName;

/** How one network is trained. */
const settings = z.object({
  learningRate: z.number().positive().max(10),
  batchSize: z.number().int().min(2).max(60000),
  /** Images are resized (bilinear) from 28×28 to this size. */
  resize: z.number().int().min(16).max(224),
  /** Multiplies every layer width of the d2l network (1 = the book's). */
  widthScale: z.number().positive().max(1),
});
type NetworkSettings = z.output<typeof settings>;

/** `--set nin.resize=96` overrides one network's setting. */
const config = z.object({
  /** Networks trained in this run (any of alexnet, vgg11, nin, googlenet, resnet18, densenet). */
  networks: z.array(z.enum(NETWORKS)).min(1),
  /** Passes over the training images (d2l: 10). */
  epochs: z.number().positive().max(1000),
  /** Training images used, the first N of 60,000. */
  trainExamples: z.number().int().min(100).max(60000),
  /** Test images evaluated, the first N of 10,000. */
  testExamples: z.number().int().min(100).max(10000),
  /** Momentum μ of SGD (d2l: 0, plain SGD). */
  momentum: z.number().min(0).max(0.99),
  /** Weight initialisation of every network (d2l: 'glorot', Xavier-uniform). */
  init: z.enum(['glorot', 'he']),
  alexnet: settings,
  vgg11: settings,
  nin: settings,
  googlenet: settings,
  resnet18: settings,
  densenet: settings,
});

/** [n, 28, 28, 1] in [0, 1] → [n, size, size, 1] (bilinear, as torchvision's Resize). */
function resized(x: Float32Array, n: number, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const t = tf.tensor4d(x, [n, 28, 28, 1]);
    return size === 28 ? t : tf.image.resizeBilinear(t, [size, size], false, true);
  });
}

async function run(cfg: z.output<typeof config>, ctx: RunContext<z.output<typeof config>>) {
  const names = cfg.networks;
  const [train, test] = await Promise.all([loadFashionMnist({ split: 'train' }), loadFashionMnist({ split: 'test' })]);
  const n = Math.min(cfg.trainExamples, train.count);
  const smallest = Math.min(...names.map((k) => cfg[k].batchSize));
  for (const k of names) {
    if (cfg[k].batchSize % smallest !== 0) throw new RangeError(`${k}.batchSize (${cfg[k].batchSize}) must be a multiple of the smallest batch (${smallest})`);
  }
  const stepsPerEpoch = Math.floor(n / smallest); // full batches only (d2l keeps the last partial batch; a ≤ 0.2% difference)
  const epochs = Math.ceil(cfg.epochs);
  const stepsInRun = Math.round(cfg.epochs * stepsPerEpoch);

  const nets = Object.fromEntries(names.map((k, i) => [k, d2lNetwork(k, cfg[k], ctx.seed * 100 + i, cfg.init)])) as Record<NetworkName, Network>;
  const parameters = (k: NetworkName) => (names.includes(k) ? nets[k].parameterCount() : undefined);
  const testRaw = takeBatch(test, Array.from({ length: cfg.testExamples }, (_, i) => i)); // [n, 28, 28, 1] in [0, 1]
  // Test batches are resized when evaluated (10,000 images at 224×224 would take 2 GB per network).
  function* testBatches(k: NetworkName) {
    for (let s = 0; s < cfg.testExamples; s += 250) {
      const e = Math.min(cfg.testExamples, s + 250);
      yield { x: resized(testRaw.x.subarray(s * 784, e * 784), e - s, cfg[k].resize), y: tf.tensor1d(testRaw.y.subarray(s, e), 'int32') };
    }
  }
  const result = await trainSideBySide({
    ctx,
    models: nets,
    // One optimizer with rate 1; each network's loss is scaled by its own learning rate η_k. For plain SGD
    // that is exactly θ ← θ − η_k g; with momentum, v ← μv + η_k g, θ ← θ − v is heavy-ball momentum with
    // rate η_k (its velocity is η_k times the usual one).
    optimizer: cfg.momentum > 0 ? new Momentum({ learningRate: 1, momentum: cfg.momentum }) : new SGD({ learningRate: 1 }),
    lossScale: Object.fromEntries(names.map((k) => [k, cfg[k].learningRate])),
    epochs,
    stepsPerEpoch,
    label: names.join(' + '),
    // Per epoch and network: one shuffle of the training images (global generator: --resume replays it).
    *batches(epoch) {
      const steps = Math.min(stepsPerEpoch, stepsInRun - epoch * stepsPerEpoch);
      const orders = names.map(() => shuffledIndicesFromGlobalRng(n));
      for (let t = 0; t < steps; t++) {
        const batch: Partial<Record<NetworkName, { x: tf.Tensor4D; y: tf.Tensor1D }>> = {};
        names.forEach((k, i) => {
          const every = cfg[k].batchSize / smallest;
          if (t % every !== 0) return; // this network steps every `every`-th step
          const start = (t / every) * cfg[k].batchSize;
          if (start + cfg[k].batchSize > n) return;
          const b = takeBatch(train, orders[i].subarray(start, start + cfg[k].batchSize));
          batch[k] = { x: resized(b.x, cfg[k].batchSize, cfg[k].resize), y: tf.tensor1d(b.y, 'int32') };
        });
        yield batch;
      }
    },
    evaluate: async () => {
      const out: Record<string, number> = {};
      for (const k of names) out[`test_accuracy/${k}`] = (await evaluateClassifier((x) => nets[k].apply(x as tf.Tensor4D), testBatches(k))).accuracy;
      return out;
    },
  });
  return {
    steps: result.steps,
    ...perKey('test_accuracy', NETWORKS, (k) => result.metrics[`test_accuracy/${k}`]),
    ...perKey('params', NETWORKS, parameters),
  };
}

/** The book's printed accuracies after 10 epochs, its learning rates, batch sizes and input sizes. */
const D2L: Record<NetworkName, { title: string; section: string; accuracy: number; settings: NetworkSettings }> = {
  alexnet: { title: 'AlexNet', section: '§8.1', accuracy: 0.882, settings: { learningRate: 0.01, batchSize: 128, resize: 224, widthScale: 1 } },
  vgg11: { title: 'VGG-11 (narrowed 4×)', section: '§8.2', accuracy: 0.918, settings: { learningRate: 0.05, batchSize: 128, resize: 224, widthScale: 1 } },
  nin: { title: 'NiN', section: '§8.3', accuracy: 0.869, settings: { learningRate: 0.1, batchSize: 128, resize: 224, widthScale: 1 } },
  googlenet: { title: 'GoogLeNet', section: '§8.4', accuracy: 0.895, settings: { learningRate: 0.1, batchSize: 128, resize: 96, widthScale: 1 } },
  resnet18: { title: 'ResNet-18', section: '§8.6', accuracy: 0.909, settings: { learningRate: 0.05, batchSize: 256, resize: 96, widthScale: 1 } },
  densenet: { title: 'DenseNet', section: '§8.7', accuracy: 0.901, settings: { learningRate: 0.1, batchSize: 256, resize: 96, widthScale: 1 } },
};

/**
 * The smoke tier: each network narrowed and on small inputs, 1 epoch over 8,000 images (batch 32, 250 steps).
 * Thresholds: the worst of 3 measured seeds minus about 10 pp (README "How the smoke thresholds were set").
 */
const SMOKE: Record<NetworkName, { settings: NetworkSettings; threshold: number; what: string }> = {
  alexnet: { settings: { learningRate: 0.02, batchSize: 32, resize: 67, widthScale: 1 / 8 }, threshold: 0.4, what: '1/8 width, 67×67 inputs' },
  vgg11: { settings: { learningRate: 0.02, batchSize: 32, resize: 32, widthScale: 1 / 4 }, threshold: 0.3, what: '1/4 of the narrowed widths, 32×32 inputs' },
  nin: { settings: { learningRate: 0.01, batchSize: 32, resize: 67, widthScale: 1 / 8 }, threshold: 0.25, what: '1/8 width, 67×67 inputs' },
  googlenet: { settings: { learningRate: 0.01, batchSize: 32, resize: 32, widthScale: 1 / 8 }, threshold: 0.4, what: '1/8 width, 32×32 inputs' },
  resnet18: { settings: { learningRate: 0.02, batchSize: 32, resize: 32, widthScale: 1 / 8 }, threshold: 0.55, what: '1/8 width, 32×32 inputs' },
  densenet: { settings: { learningRate: 0.05, batchSize: 32, resize: 32, widthScale: 1 / 8 }, threshold: 0.6, what: '1/8 width, 32×32 inputs' },
};
/** The smoke tier adds momentum and He initialisation (d2l: plain SGD, Xavier) so the narrow nets get going within 250 steps. */
const SMOKE_MOMENTUM = 0.9;
const SMOKE_EPOCHS = 1;
const SMOKE_TRAIN = 8000;

const claims = NETWORKS.flatMap((k): Claim<`test_accuracy_${NetworkName}`>[] => {
  const { title, section, accuracy: published, settings: b } = D2L[k];
  const common = { label: `${title} test accuracy`, metric: `test_accuracy_${k}`, published, format: 'percent' } as const;
  return [
    { ...common, id: `${k}-accuracy`, kind: 'value', what: `Fashion-MNIST test accuracy of ${title} after 10 epochs (lr ${b.learningRate}, batch ${b.batchSize}, ${b.resize}×${b.resize})`, source: `d2l ${section} (executed notebook)`, tolerance: 0.02, tiers: ['full'] },
    { ...common, id: `${k}-learns-smoke`, kind: 'threshold', what: `${title} (${SMOKE[k].what}) after one epoch over ${SMOKE_TRAIN.toLocaleString('en-US')} images`, label: `${title} test accuracy (smoke)`, source: `d2l ${section} (scaled down)`, threshold: SMOKE[k].threshold, direction: 'above', tiers: ['smoke'] },
  ];
});

export default defineReproduction({
  id: 'modern-cnns-fashion-mnist',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Dive into Deep Learning, chapter 8: Modern Convolutional Neural Networks', authors: ['A. Zhang', 'Z. C. Lipton', 'M. Li', 'A. J. Smola'], year: 2023, venue: 'Cambridge University Press (d2l.ai)', url: 'https://d2l.ai/chapter_convolutional-modern/' },
  config,
  claims,
  tiers: {
    smoke: {
      config: {
        networks: [...NETWORKS],
        epochs: SMOKE_EPOCHS,
        trainExamples: SMOKE_TRAIN,
        testExamples: 1000,
        momentum: SMOKE_MOMENTUM,
        init: 'he',
        ...(Object.fromEntries(NETWORKS.map((k) => [k, SMOKE[k].settings])) as Record<NetworkName, NetworkSettings>),
      },
      budget: 'six narrowed networks, one epoch over 8,000 images each, about 75 s of CPU on 2 cores (wasm)',
      description: 'each network narrowed and on small inputs; 1 epoch over 8,000 of the 60,000 images; momentum 0.9 and He init',
    },
    full: {
      config: {
        networks: [...NETWORKS],
        epochs: 10,
        trainExamples: 60000,
        testExamples: 10000,
        momentum: 0,
        init: 'glorot',
        ...(Object.fromEntries(NETWORKS.map((k) => [k, D2L[k].settings])) as Record<NetworkName, NetworkSettings>),
      },
      budget: '10 epochs of each network at the book’s sizes: GPU-sized (the book ran it on GPUs); not run on 2 CPU cores',
    },
  },
  plots: { test_accuracy: { format: 'percent', title: 'Fashion-MNIST test accuracy' } },
  run,
});
