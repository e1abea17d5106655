/**
 * The models of bench/native.ts, written with plain tfjs ops the way a paperzoo package would, and
 * mirrored layer for layer by bench/torch_models.py (PyTorch), so both sides time the same work:
 *
 * - ResNet-20 for CIFAR-10 (He et al. 2016, §4.2): 3×3 conv 16 → 3 stages × 3 basic blocks (16, 32,
 *   64 filters; two 3×3 conv + batch norm each; option A shortcuts: stride-2 subsampling and zero-padded
 *   channels) → global average pool → dense 10. Batch norm in training mode (batch statistics).
 * - A 2-layer LSTM language model (Zaremba et al. 2014, "small"): vocabulary 10 000, embedding 200,
 *   two LSTM layers of 200 units unrolled 20 steps, softmax over the vocabulary; input projections of
 *   all steps in one matmul per layer, as PyTorch's CPU LSTM does, and each step's cell update in
 *   paperzoo's fused `lstmCell` (one kernel on native), as PyTorch's nn.LSTM fuses it.
 */
import { tf, batchNormTraining, lstmCell, randomNormal, softmaxCrossEntropy } from '@paperzoo/tensor';
import { digitsLikeBatch, lenet5Params, lenet5Logits } from '../packages/tensor/test/models.js';

export type Params = Record<string, tf.Variable>;

const heNormal = (shape: number[], fanIn: number): tf.Variable => tf.tidy(() => tf.variable(randomNormal(shape, 0, Math.sqrt(2 / fanIn))));
const constant = (shape: number[], v: number): tf.Variable => tf.tidy(() => tf.variable(tf.fill(shape, v)));

// ---------------------------------------------------------------------------------------------------
// ResNet-20

interface Block {
  cin: number;
  cout: number;
  stride: number;
  name: string;
}

function resnetBlocks(n = 3): Block[] {
  const blocks: Block[] = [];
  let cin = 16;
  [16, 32, 64].forEach((cout, stage) => {
    for (let i = 0; i < n; i++) {
      blocks.push({ cin, cout, stride: stage > 0 && i === 0 ? 2 : 1, name: `s${stage}b${i}` });
      cin = cout;
    }
  });
  return blocks;
}

export function resnet20Params(): Params {
  const p: Params = {};
  const convBn = (name: string, cin: number, cout: number): void => {
    p[`${name}.w`] = heNormal([3, 3, cin, cout], 9 * cin);
    p[`${name}.gamma`] = constant([cout], 1);
    p[`${name}.beta`] = constant([cout], 0);
  };
  convBn('stem', 3, 16);
  for (const b of resnetBlocks()) {
    convBn(`${b.name}.1`, b.cin, b.cout);
    convBn(`${b.name}.2`, b.cout, b.cout);
  }
  p['fc.w'] = heNormal([64, 10], 64);
  p['fc.b'] = constant([10], 0);
  return p;
}

/** conv 3×3 (same) → batch norm with the batch's statistics (ε = 1e-3). */
function convBn(p: Params, name: string, x: tf.Tensor4D, stride: number): tf.Tensor4D {
  const y = tf.conv2d(x, p[`${name}.w`] as tf.Tensor4D, stride, 'same');
  // batch statistics over [B, H, W] per channel ([16|32|64]), as cnn-zoo's BatchNorm layer does
  return batchNormTraining(y, p[`${name}.gamma`], p[`${name}.beta`], 1e-3).y as tf.Tensor4D;
}

export function resnet20Logits(p: Params, x: tf.Tensor4D): tf.Tensor2D {
  let h = tf.relu(convBn(p, 'stem', x, 1)); // [B, 32, 32, 16]
  for (const b of resnetBlocks()) {
    const out = convBn(p, `${b.name}.2`, tf.relu(convBn(p, `${b.name}.1`, h, b.stride)), 1);
    let shortcut: tf.Tensor4D = h;
    if (b.stride !== 1 || b.cin !== b.cout) {
      // x[:, ::2, ::2, :] as a reshape and a slice (tfjs has no gradient for stridedSlice)
      const [n, height, width] = h.shape;
      const s = b.stride;
      const grid = tf.reshape(h, [n, height / s, s, width / s, s, b.cin]);
      shortcut = tf.reshape(tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, height / s, 1, width / s, 1, b.cin]), [n, height / s, width / s, b.cin]);
      const extra = b.cout - b.cin;
      shortcut = tf.pad(shortcut, [[0, 0], [0, 0], [0, 0], [Math.floor(extra / 2), extra - Math.floor(extra / 2)]]);
    }
    h = tf.relu(tf.add<tf.Tensor4D>(out, shortcut));
  }
  const pooled = tf.mean<tf.Tensor2D>(h, [1, 2]); // [B, 64]
  return tf.add(tf.matMul(pooled, p['fc.w'] as tf.Tensor2D), p['fc.b']);
}

export function cifarLikeBatch(batch: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: randomNormal([batch, 32, 32, 3]) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10) as tf.Tensor2D,
  }));
}

// ---------------------------------------------------------------------------------------------------
// LSTM language model

export interface LmShape {
  vocab: number;
  units: number;
  layers: number;
  steps: number;
  batch: number;
}

export const ZAREMBA_SMALL: LmShape = { vocab: 10_000, units: 200, layers: 2, steps: 20, batch: 20 };

export function lstmLmParams(s: LmShape = ZAREMBA_SMALL): Params {
  const u = (shape: number[]): tf.Variable => tf.tidy(() => tf.variable(tf.randomUniform(shape, -0.1, 0.1, 'float32', 7)));
  const p: Params = { emb: u([s.vocab, s.units]), 'out.w': u([s.units, s.vocab]), 'out.b': constant([s.vocab], 0) };
  for (let l = 0; l < s.layers; l++) {
    p[`l${l}.wx`] = u([s.units, 4 * s.units]);
    p[`l${l}.wh`] = u([s.units, 4 * s.units]);
    p[`l${l}.b`] = constant([4 * s.units], 0);
  }
  return p;
}

/** Logits [steps·batch, vocab] for tokens [steps, batch] from a zero state; gates in order i, f, g, o. */
export function lstmLmLogits(p: Params, tokens: tf.Tensor2D, s: LmShape = ZAREMBA_SMALL): tf.Tensor2D {
  let inputs = tf.gather(p.emb, tf.reshape(tokens, [-1])) as tf.Tensor2D; // [T·B, units]
  for (let l = 0; l < s.layers; l++) {
    const projected = tf.add(tf.matMul(inputs, p[`l${l}.wx`] as tf.Tensor2D), p[`l${l}.b`]); // [T·B, 4u]
    const perStep = tf.split<tf.Tensor2D>(projected, s.steps, 0); // T × [B, 4u]
    let h = tf.zeros<tf.Rank.R2>([s.batch, s.units]);
    let c = tf.zeros<tf.Rank.R2>([s.batch, s.units]);
    const hs: tf.Tensor2D[] = [];
    for (let t = 0; t < s.steps; t++) {
      const gates = tf.add<tf.Tensor2D>(perStep[t], tf.matMul(h, p[`l${l}.wh`])); // [B, 4u]
      [h, c] = lstmCell(gates, c); // c ← σ(f)·c + σ(i)·tanh(g), h ← σ(o)·tanh(c)
      hs.push(h);
    }
    inputs = tf.concat(hs, 0); // [T·B, units]
  }
  return tf.add(tf.matMul(inputs, p['out.w'] as tf.Tensor2D), p['out.b']);
}

export function lmBatch(s: LmShape = ZAREMBA_SMALL): { tokens: tf.Tensor2D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const all = tf.randomUniform<tf.Rank.R2>([s.steps + 1, s.batch], 0, s.vocab, 'int32', 3);
    const tokens = tf.slice(all, [0, 0], [s.steps, s.batch]);
    const next = tf.reshape<tf.Rank.R1>(tf.slice(all, [1, 0], [s.steps, s.batch]), [-1]);
    return { tokens, labels: tf.oneHot(next, s.vocab) as tf.Tensor2D };
  });
}

/** The training-step workloads of bench/native.ts (and bench/profile-native.ts). */
export type TrainingWorkload = 'lenet5' | 'resnet20' | 'lstm';

/** One workload set up: parameters (from the global generator), a fixed batch and an optimizer. */
export interface TrainingStep {
  /** One optimizer step on paperzoo's softmax cross-entropy; the loss is read back, as in training. */
  step(): void;
  dispose(): void;
}

/**
 * LeNet-5 (batch 64, SGD), ResNet-20 (batch 128, SGD with momentum) or the LSTM LM (SGD), ready to
 * step: what bench/native.ts times and bench/profile-native.ts breaks down by kernel.
 */
export function trainingStep(workload: TrainingWorkload): TrainingStep {
  let params: Params;
  let logits: () => tf.Tensor2D;
  let data: [tf.Tensor, tf.Tensor2D];
  let optimizer: tf.Optimizer;
  if (workload === 'lenet5') {
    params = lenet5Params();
    const { x, y } = digitsLikeBatch(64);
    data = [x, y];
    logits = () => lenet5Logits(params, x);
    optimizer = tf.train.sgd(0.05);
  } else if (workload === 'resnet20') {
    params = resnet20Params();
    const { x, y } = cifarLikeBatch(128);
    data = [x, y];
    logits = () => resnet20Logits(params, x);
    optimizer = tf.train.momentum(0.1, 0.9);
  } else {
    params = lstmLmParams();
    const { tokens, labels } = lmBatch();
    data = [tokens, labels];
    logits = () => lstmLmLogits(params, tokens);
    optimizer = tf.train.sgd(1);
  }
  const labels = data[1];
  const variables = Object.values(params);
  return {
    step() {
      const loss = optimizer.minimize(() => softmaxCrossEntropy(labels, logits()), true, variables);
      loss!.dataSync();
      loss!.dispose();
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...data, ...variables]);
    },
  };
}
