/**
 * Sample quality judged by an MNIST classifier trained in this repo — the checkable stand-in for the
 * Inception Score / FID of the GAN literature, whose pretrained Inception network cannot be loaded here.
 *
 * The classifier is LeNet-5 of @paperzoo/cnn-zoo (LeCun et al. 1998, with the fully connected C3),
 * trained deterministically from a seed with Adam on the first `trainExamples` training digits
 * ({@link MNIST_CLASSIFIER}: all 60,000 digits, 3 passes, batch 128, Adam 2·10⁻³: 98.4% on the 10,000 test
 * digits, measured; the apps report its accuracy as a metric). Its weights are cached under the run's cache
 * directory, keyed by a hash of its config, so apps do not retrain it every run (a clean clone trains it
 * once, ~8 s on 2 quiet CPU cores;
 * the result is the same either way: the training uses its own generator, never the global one).
 *
 * What is measured on images x ∈ [0, 1]^{28×28}:
 * - "LeNet-FID": the Fréchet distance (Heusel et al. 2017 eq. 6, src/frechet.ts) between Gaussians
 *   fitted to the 84-d F6 (penultimate) activations of real and generated digits. It is NOT comparable
 *   to the Inception FID of papers: another network, feature space and scale — only to itself.
 * - class coverage (classes that are the arg-max of at least `minPerClass` samples) and the entropy of
 *   the marginal distribution of predicted classes (log 10 ≈ 2.303 nats when every class is generated
 *   equally often; the "diversity" half of the Inception Score, Salimans et al. 2016 §4);
 * - the confident-sample fraction (max class probability ≥ 0.9: the "quality" half);
 * - memorisation: the L2 distance of each sample to its nearest training digit, to compare with the
 *   same distance for held-out real digits (a generator that copies training digits sits below).
 *
 * Shapes: images [n, 784] row-major in [0, 1]; features [n, 84]; probabilities [n, 10].
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tf, makeRng } from '@paperzoo/tensor';
import { LeNet5, lecunTanh } from '@paperzoo/cnn-zoo';
import { Adam } from '@paperzoo/core-autograd';
import type { ImageDataset } from '@paperzoo/datasets';
import { featureFrechetDistance } from './frechet.js';

/** How the evaluation classifier is trained (its hash keys the cache). */
export interface MnistClassifierConfig {
  seed: number;
  /** The first N training digits. */
  trainExamples: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

/** The classifier every app of the package uses. */
// v1 was 20,000 digits, one pass, batch 64: 95.7% on the test digits (94.1% on the first 2,000) — too weak a judge.
export const MNIST_CLASSIFIER: MnistClassifierConfig = { seed: 1, trainExamples: 60_000, epochs: 3, batchSize: 128, learningRate: 2e-3 };

/** Width of the F6 features. */
export const CLASSIFIER_FEATURES = 84;

/** LeNet-5's input from images in [0, 1] ([n, 784] or [n, 28, 28, 1]): the 32×32 field, background −0.1, ink 1.175. */
export function classifierInput(images01: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => tf.pad(tf.sub(tf.mul(tf.reshape(images01, [-1, 28, 28, 1]), 1.275), 0.1), [[0, 0], [2, 2], [2, 2], [0, 0]], -0.1) as tf.Tensor4D);
}

/**
 * F6's 84 activations of LeNet-5 (fully connected C3), recomputed from its parameters as its `apply` does
 * up to the output layer (the test checks that F6 · W_out + b_out equals `apply`'s logits). [B, 32, 32, 1] → [B, 84].
 */
export function lenet5Features(net: LeNet5, input: tf.Tensor4D): tf.Tensor2D {
  if (net.layerParameterCounts().C3 !== 2416) throw new Error('lenet5Features: the classifier must use the fully connected C3 (fullC3: true)');
  const p = Object.fromEntries(net.parameters.map((q) => [q.name, q]));
  const v = (name: string) => p[name].value;
  return tf.tidy(() => {
    const sub = (x: tf.Tensor4D, layer: string) => lecunTanh(tf.add(tf.mul(tf.mul(tf.avgPool(x, 2, 2, 'valid'), 4), v(`${layer}/coef`)), v(`${layer}/bias`))) as tf.Tensor4D;
    const c1 = lecunTanh(tf.add(tf.conv2d(input, v('c1/kernel') as tf.Tensor4D, 1, 'valid'), v('c1/bias'))) as tf.Tensor4D; // [B, 28, 28, 6]
    const c3 = lecunTanh(tf.add(tf.conv2d(sub(c1, 's2'), v('c3/kernel') as tf.Tensor4D, 1, 'valid'), v('c3/bias'))) as tf.Tensor4D; // [B, 10, 10, 16]
    const c5 = lecunTanh(tf.add(tf.matMul(tf.reshape(sub(c3, 's4'), [-1, 400]), v('c5/kernel')), v('c5/bias'))); // [B, 120]
    return lecunTanh(tf.add(tf.matMul(c5, v('f6/kernel')), v('f6/bias'))) as tf.Tensor2D; // [B, 84]
  });
}

/** Train the classifier (deterministic: its own generator for the shuffles; no global RNG drawn). */
export function trainMnistClassifier(train: ImageDataset, cfg: MnistClassifierConfig = MNIST_CLASSIFIER): LeNet5 {
  const net = new LeNet5({ fullC3: true, seed: cfg.seed });
  const optimizer = new Adam({ learningRate: cfg.learningRate });
  const rng = makeRng(`mnist-classifier:${cfg.seed}`);
  const n = Math.min(cfg.trainExamples, train.count);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const vars = Object.values(net.variables);
  try {
    for (let e = 0; e < cfg.epochs; e++) {
      for (let i = n - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
      for (let s = 0; s + cfg.batchSize <= n; s += cfg.batchSize) {
        const idx = order.subarray(s, s + cfg.batchSize);
        tf.tidy(() => {
          const x = imagesOf(train, idx);
          const y = tf.oneHot(tf.tensor1d(Array.from(idx, (k) => train.labels[k]), 'int32'), 10);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, net.apply(classifierInput(x))), false, vars);
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
  return net;
}

/** Digits `idx` of a dataset as [k, 784] in [0, 1]. */
export function imagesOf(data: ImageDataset, idx: ArrayLike<number>): tf.Tensor2D {
  const d = data.height * data.width * data.channels;
  const out = new Float32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) for (let j = 0; j < d; j++) out[i * d + j] = data.pixels[idx[i] * d + j] / 255;
  return tf.tensor2d(out, [idx.length, d]);
}

/** The cache file of a classifier config under `cacheDir`. */
export function classifierCachePath(cacheDir: string, cfg: MnistClassifierConfig = MNIST_CLASSIFIER): string {
  const hash = crypto.createHash('sha256').update(JSON.stringify({ model: 'lenet5-fullc3-adam-v1', ...cfg })).digest('hex').slice(0, 16);
  return path.join(cacheDir, 'gan-family', `mnist-classifier-${hash}.json`);
}

/**
 * The classifier of `cfg`: read from the cache when there, else trained and written there (atomically).
 * Returns the network (the caller disposes it) and whether it was trained now.
 */
export function loadOrTrainMnistClassifier(cacheDir: string, train: ImageDataset, cfg: MnistClassifierConfig = MNIST_CLASSIFIER): { net: LeNet5; trained: boolean } {
  const file = classifierCachePath(cacheDir, cfg);
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    const net = new LeNet5({ fullC3: true, seed: cfg.seed });
    for (const p of net.parameters) {
      const buf = Buffer.from(saved[p.name], 'base64');
      p.variableOf().assign(tf.tensor(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice(), [...p.shape]));
    }
    return { net, trained: false };
  }
  const net = trainMnistClassifier(train, cfg);
  const out: Record<string, string> = {};
  for (const p of net.parameters) out[p.name] = Buffer.from((p.value.dataSync() as Float32Array).buffer.slice(0)).toString('base64');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(out));
  fs.renameSync(tmp, file);
  return { net, trained: true };
}

/** F6 features [n, 84] and class probabilities [n, 10] of images [n, 784] in [0, 1], in batches. */
export function classify(net: LeNet5, images01: tf.Tensor2D, batchSize = 500): { features: Float32Array; probabilities: Float32Array } {
  const n = images01.shape[0];
  const features = new Float32Array(n * CLASSIFIER_FEATURES);
  const probabilities = new Float32Array(n * 10);
  const p = Object.fromEntries(net.parameters.map((q) => [q.name, q.value]));
  for (let s = 0; s < n; s += batchSize) {
    const k = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const f = lenet5Features(net, classifierInput(tf.slice(images01, [s, 0], [k, -1])));
      features.set(f.dataSync(), s * CLASSIFIER_FEATURES);
      probabilities.set(tf.softmax(tf.add(tf.matMul(f, p['output/kernel']), p['output/bias'])).dataSync(), s * 10);
    });
  }
  return { features, probabilities };
}

/** Accuracy of the classifier on digits of `data` (arg-max vs label). */
export function classifierAccuracy(net: LeNet5, data: ImageDataset, count: number): number {
  const idx = Int32Array.from({ length: Math.min(count, data.count) }, (_, i) => i);
  const x = imagesOf(data, idx);
  try {
    const { probabilities } = classify(net, x);
    return argmaxRows(probabilities, 10).reduce((c, k, i) => c + (k === data.labels[i] ? 1 : 0), 0) / idx.length;
  } finally {
    x.dispose();
  }
}

function argmaxRows(p: ArrayLike<number>, k: number): Int32Array {
  const n = p.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) { let best = 0; for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j; out[i] = best; }
  return out;
}

/** What the class predictions of a set of samples say. */
export interface ClassDistribution {
  /** Classes that are the arg-max of at least `minPerClass` samples (10 = every digit generated). */
  coverage: number;
  /** Entropy (nats) of the marginal distribution of arg-max classes; log 10 ≈ 2.3026 when uniform. */
  marginalEntropy: number;
  /** Fraction of samples whose largest class probability is ≥ `confidence`. */
  confidentFraction: number;
  /** Samples per predicted class. */
  counts: number[];
}

/** Coverage, marginal class entropy and the confident fraction of probabilities [n, classes]. */
export function classDistribution(probabilities: ArrayLike<number>, classes = 10, o: { confidence?: number; minPerClass?: number } = {}): ClassDistribution {
  const n = probabilities.length / classes;
  const confidence = o.confidence ?? 0.9;
  const counts = new Array<number>(classes).fill(0);
  let confident = 0;
  const top = argmaxRows(probabilities, classes);
  for (let i = 0; i < n; i++) {
    counts[top[i]]++;
    if (probabilities[i * classes + top[i]] >= confidence) confident++;
  }
  const marginalEntropy = counts.reduce((h, c) => (c > 0 ? h - (c / n) * Math.log(c / n) : h), 0);
  return { coverage: counts.filter((c) => c >= (o.minPerClass ?? 1)).length, marginalEntropy, confidentFraction: confident / n, counts };
}

/** Euclidean distance of each query [m, d] to its nearest reference row [r, d] (‖q‖² + ‖r‖² − 2q·r, blocked): [m]. */
export function nearestNeighbourDistances(queries: tf.Tensor2D, reference: tf.Tensor2D, block = 2000): Float64Array {
  const m = queries.shape[0];
  const best = new Float64Array(m).fill(Infinity);
  const qq = tf.tidy(() => tf.sum(tf.square(queries), 1, true)); // [m, 1]
  try {
    for (let s = 0; s < reference.shape[0]; s += block) {
      const k = Math.min(block, reference.shape[0] - s);
      const nearest = tf.tidy(() => {
        const r = tf.slice(reference, [s, 0], [k, -1]);
        return tf.min(tf.add(tf.sub(qq, tf.mul(2, tf.matMul(queries, r, false, true))), tf.reshape(tf.sum(tf.square(r), 1), [1, k])), 1);
      });
      const d2 = nearest.dataSync();
      nearest.dispose();
      for (let i = 0; i < m; i++) best[i] = Math.min(best[i], d2[i]);
    }
  } finally {
    qq.dispose();
  }
  return best.map((v) => Math.sqrt(Math.max(v, 0)));
}

/** Everything the apps report about a set of samples, measured against real digits. */
export interface SampleQuality {
  /** LeNet-FID to the real reference digits (NOT comparable to Inception FID). */
  lenetFid: number;
  coverage: number;
  marginalEntropy: number;
  confidentFraction: number;
}

/** LeNet-FID and class statistics of samples [n, 784] in [0, 1] against real digits [r, 784] in [0, 1]. */
export function sampleQuality(net: LeNet5, samples01: tf.Tensor2D, real01: tf.Tensor2D): SampleQuality {
  const fake = classify(net, samples01);
  const real = classify(net, real01);
  const c = classDistribution(fake.probabilities);
  return {
    lenetFid: featureFrechetDistance(real.features, real01.shape[0], fake.features, samples01.shape[0], CLASSIFIER_FEATURES),
    coverage: c.coverage, marginalEntropy: c.marginalEntropy, confidentFraction: c.confidentFraction,
  };
}
