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
 * - A GRU attention encoder–decoder (Bahdanau et al. 2014, "Neural Machine Translation by Jointly
 *   Learning to Align and Translate", https://arxiv.org/abs/1409.0473) in the shape of bentrevett/
 *   pytorch-seq2seq's notebook 3: see {@link seq2seqLogits}. Every GRU step is paperzoo's fused
 *   `gruCell` (PyTorch's reset-after variant, which nn.GRU computes).
 */
import { tf, batchNormTraining, gelu, gruCell, layerNorm, lstmCell, randomNormal, softmaxCrossEntropy } from '@paperzoo/tensor';
import { digitsLikeBatch, lenet5Params, lenet5Logits } from '../packages/tensor/test/models.js';
import { AdamW } from '@paperzoo/core-autograd';
import { Gpt } from '@paperzoo/transformer-bert';
import { metaTrainingStep, type MetaWorkload } from './meta-models.js';
import { GENERATIVE_WORKLOADS, generativeTrainingStep, type GenerativeWorkload } from './generative-models.js';

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

// ---------------------------------------------------------------------------------------------------
// GRU attention encoder–decoder (Bahdanau et al. 2014)

export interface Seq2SeqShape {
  srcVocab: number;
  trgVocab: number;
  /** embedding size of both languages */
  emb: number;
  /** units of each direction of the bidirectional encoder GRU */
  encUnits: number;
  decUnits: number;
  batch: number;
  srcLen: number;
  trgLen: number;
}

/** bentrevett/pytorch-seq2seq notebook 3 (Multi30k de→en, min_freq 2): 20 518 405 parameters. */
export const BENTREVETT_3: Seq2SeqShape = { srcVocab: 7853, trgVocab: 5893, emb: 256, encUnits: 512, decUnits: 512, batch: 128, srcLen: 24, trgLen: 24 };

/** Weights N(0, 0.01), biases 0 (the notebook's init_weights); GRU weights stored [in, 3u], gates r, z, n. */
export function seq2seqParams(s: Seq2SeqShape = BENTREVETT_3): Params {
  const w = (shape: number[]): tf.Variable => tf.tidy(() => tf.variable(randomNormal(shape, 0, 0.01)));
  const { emb, encUnits: E, decUnits: D } = s;
  const p: Params = {};
  const gru = (name: string, inputs: number, units: number): void => {
    p[`${name}.wih`] = w([inputs, 3 * units]);
    p[`${name}.whh`] = w([units, 3 * units]);
    p[`${name}.bih`] = constant([3 * units], 0);
    p[`${name}.bhh`] = constant([3 * units], 0);
  };
  p['enc.emb'] = w([s.srcVocab, emb]);
  gru('enc.fwd', emb, E);
  gru('enc.bwd', emb, E);
  p['enc.fc.w'] = w([2 * E, D]);
  p['enc.fc.b'] = constant([D], 0);
  p['attn.w'] = w([D + 2 * E, D]); // rows: [s_{i−1}; h_j], the notebook's cat((hidden, encoder_outputs))
  p['attn.b'] = constant([D], 0);
  p['attn.v'] = w([D, 1]);
  p['dec.emb'] = w([s.trgVocab, emb]);
  gru('dec', emb + 2 * E, D);
  p['out.w'] = w([D + 2 * E + emb, s.trgVocab]); // rows: [s_i; c_i; E y_{i−1}]
  p['out.b'] = constant([s.trgVocab], 0);
  return p;
}

/** h_t of one encoder direction over the source steps in `order`, from a zero state: [B, E] each, by position. */
function encodeDirection(p: Params, name: string, embedded: tf.Tensor2D, order: number[], s: Seq2SeqShape): tf.Tensor2D[] {
  const xGates = tf.split<tf.Tensor2D>(tf.add(tf.matMul(embedded, p[`${name}.wih`] as tf.Tensor2D), p[`${name}.bih`]), s.srcLen, 0); // S × [B, 3E], one matmul
  let h = tf.zeros<tf.Rank.R2>([s.batch, s.encUnits]);
  const hs: tf.Tensor2D[] = [];
  for (const t of order) {
    h = gruCell(xGates[t], tf.add<tf.Tensor2D>(tf.matMul(h, p[`${name}.whh`] as tf.Tensor2D), p[`${name}.bhh`]), h);
    hs[t] = h;
  }
  return hs;
}

/**
 * One teacher-forced pass of the encoder–decoder; logits [(trgLen − 1)·B, trgVocab] for trg[1:].
 *
 * - Encoder: embedding → bidirectional GRU over src [S, B] → annotations h_j = [→h_j; ←h_j]
 *   [B, S, 2E]; the decoder's first state s_0 = tanh(W_s [→h_S; ←h_1] + b) [B, D].
 * - Attention (§3.1, Appendix A.1.2): e_ij = v·tanh(W_a s_{i−1} + U_a h_j + b), α_i = softmax_j(e_i),
 *   c_i = Σ_j α_ij h_j [B, 2E]. U_a h_j + b does not depend on i and is computed once (A.1.2).
 * - Decoder: s_i = GRU([E y_{i−1}; c_i], s_{i−1}) [B, D]; logits = W_o [s_i; c_i; E y_{i−1}] + b_o.
 */
export function seq2seqLogits(p: Params, src: tf.Tensor2D, trg: tf.Tensor2D, s: Seq2SeqShape = BENTREVETT_3): tf.Tensor2D {
  const { batch: B, srcLen: S, trgLen: T, encUnits: E, decUnits: D } = s;
  const embedded = tf.gather(p['enc.emb'], tf.reshape(src, [-1])) as tf.Tensor2D; // [S·B, emb]
  const positions = Array.from({ length: S }, (_, t) => t);
  const forward = encodeDirection(p, 'enc.fwd', embedded, positions, s);
  const backward = encodeDirection(p, 'enc.bwd', embedded, [...positions].reverse(), s);
  const annotations = tf.concat([tf.stack(forward, 1), tf.stack(backward, 1)], 2) as tf.Tensor3D; // [B, S, 2E]
  let h = tf.tanh(tf.add(tf.matMul(tf.concat([forward[S - 1], backward[0]], 1), p['enc.fc.w'] as tf.Tensor2D), p['enc.fc.b'])) as tf.Tensor2D; // s_0 [B, D]
  const [attnState, attnAnnotation] = tf.split<tf.Tensor2D>(p['attn.w'], [D, 2 * E], 0); // W_a [D, D], U_a [2E, D]
  const keys = tf.reshape(tf.add(tf.matMul(tf.reshape(annotations, [B * S, 2 * E]), attnAnnotation), p['attn.b']), [B, S, D]); // U_a h_j + b
  const inputs = tf.split<tf.Tensor2D>(tf.gather(p['dec.emb'], tf.reshape(tf.slice(trg, [0, 0], [T - 1, B]), [-1])), T - 1, 0); // (T−1) × [B, emb]
  const logits: tf.Tensor2D[] = [];
  for (const y of inputs) {
    const energy = tf.tanh(tf.add(keys, tf.reshape(tf.matMul(h, attnState), [B, 1, D]))); // [B, S, D]
    const alpha = tf.softmax(tf.reshape(tf.matMul(tf.reshape(energy, [B * S, D]), p['attn.v'] as tf.Tensor2D), [B, S])); // [B, S]
    const context = tf.reshape(tf.matMul(tf.reshape(alpha, [B, 1, S]), annotations), [B, 2 * E]); // c_i
    const xGates = tf.add<tf.Tensor2D>(tf.matMul(tf.concat([y, context], 1), p['dec.wih']), p['dec.bih']); // [B, 3D]
    h = gruCell(xGates, tf.add<tf.Tensor2D>(tf.matMul(h, p['dec.whh'] as tf.Tensor2D), p['dec.bhh']), h);
    logits.push(tf.add(tf.matMul(tf.concat([h, context, y], 1), p['out.w'] as tf.Tensor2D), p['out.b']));
  }
  return tf.concat(logits, 0);
}

/** Random source [S, B] and target [T, B] token ids, and one-hot labels of trg[1:] [(T − 1)·B, trgVocab]. */
export function seq2seqBatch(s: Seq2SeqShape = BENTREVETT_3): { src: tf.Tensor2D; trg: tf.Tensor2D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const src = tf.randomUniform<tf.Rank.R2>([s.srcLen, s.batch], 0, s.srcVocab, 'int32', 4);
    const trg = tf.randomUniform<tf.Rank.R2>([s.trgLen, s.batch], 0, s.trgVocab, 'int32', 5);
    const next = tf.reshape<tf.Rank.R1>(tf.slice(trg, [1, 0], [s.trgLen - 1, s.batch]), [-1]);
    return { src, trg, labels: tf.oneHot(next, s.trgVocab) as tf.Tensor2D };
  });
}

// ---------------------------------------------------------------------------------------------------
// A GPT block stack (nanoGPT's CPU configuration), built by hand from tf ops

/** nanoGPT's shakespeare_char config for CPU: 4 layers, 4 heads, 128 wide, block 64, batch 12, vocab 65, no biases, dropout 0. */
export interface GptShape {
  vocab: number;
  block: number;
  layers: number;
  heads: number;
  width: number;
  batch: number;
}

export const NANOGPT_CPU: GptShape = { vocab: 65, block: 64, layers: 4, heads: 4, width: 128, batch: 12 };

/** Weights N(0, 0.02) (nanoGPT's _init_weights), layer-norm scales 1; the token embedding is tied to the output. */
export function gptParams(s: GptShape = NANOGPT_CPU): Params {
  const w = (shape: number[], std = 0.02): tf.Variable => tf.tidy(() => tf.variable(randomNormal(shape, 0, std)));
  const D = s.width;
  const projStd = 0.02 / Math.sqrt(2 * s.layers); // nanoGPT's scaled init of c_proj
  const p: Params = { wte: w([s.vocab, D]), wpe: w([s.block, D]), 'lnf.g': constant([D], 1) };
  for (let l = 0; l < s.layers; l++) {
    p[`h${l}.ln1.g`] = constant([D], 1);
    p[`h${l}.attn.w`] = w([D, 3 * D]);
    p[`h${l}.attn.proj`] = w([D, D], projStd);
    p[`h${l}.ln2.g`] = constant([D], 1);
    p[`h${l}.mlp.fc`] = w([D, 4 * D]);
    p[`h${l}.mlp.proj`] = w([4 * D, D], projStd);
  }
  return p;
}

/** The ops a GPT block needs that paperzoo may fuse: layer norm over the last axis (no bias) and exact GELU. */
export interface GptOps {
  layerNorm(x: tf.Tensor, gamma: tf.Tensor): tf.Tensor;
  gelu(x: tf.Tensor): tf.Tensor;
}

/** Layer norm and GELU from plain tfjs ops (tf.moments; 0.5·x·(1 + erf(x/√2))): what a model on stock tfjs writes. */
export const COMPOSED_GPT_OPS: GptOps = {
  layerNorm: (x, gamma) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma);
  },
  gelu: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
};

/** paperzoo's fused layerNorm and gelu (one kernel each way on native). */
export const FUSED_GPT_OPS: GptOps = { layerNorm: (x, gamma) => layerNorm(x, gamma), gelu: (x) => gelu(x) };

/**
 * Logits [B·T, vocab] of a pre-norm GPT (Radford et al. 2019, as nanoGPT's model.py) for tokens [B, T]:
 * x = wte[tokens] + wpe; per layer x += proj(causal attention(ln1(x))), x += mlp(ln2(x)) with
 * mlp = proj(gelu(fc(·))); logits = ln_f(x)·wteᵀ.
 */
export function gptLogits(p: Params, tokens: tf.Tensor2D, ops: GptOps, s: GptShape = NANOGPT_CPU): tf.Tensor2D {
  const [B, T] = tokens.shape;
  const { width: D, heads: H } = s;
  const hd = D / H;
  const causal = tf.linalg.bandPart(tf.ones([T, T], 'bool'), -1, 0); // [T, T], true on and below the diagonal
  const minusInf = tf.fill([B, H, T, T], -Infinity);
  let x = tf.add(tf.reshape(tf.gather(p.wte, tf.reshape(tokens, [-1])), [B, T, D]), tf.slice(p.wpe, [0, 0], [T, D])); // [B, T, D]
  const heads = (t: tf.Tensor): tf.Tensor => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]); // [B, H, T, hd]
  for (let l = 0; l < s.layers; l++) {
    const a = tf.reshape(ops.layerNorm(x, p[`h${l}.ln1.g`]), [B * T, D]);
    const [q, k, v] = tf.split(tf.matMul(a, p[`h${l}.attn.w`] as tf.Tensor2D), 3, 1).map(heads); // [B, H, T, hd] each
    const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)); // [B, H, T, T]
    const att = tf.softmax(tf.where(tf.broadcastTo(causal, [B, H, T, T]), scores, minusInf));
    const y = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, D]); // [B·T, D]
    x = tf.add(x, tf.reshape(tf.matMul(y, p[`h${l}.attn.proj`] as tf.Tensor2D), [B, T, D]));
    const m = tf.reshape(ops.layerNorm(x, p[`h${l}.ln2.g`]), [B * T, D]);
    const hidden = ops.gelu(tf.matMul(m, p[`h${l}.mlp.fc`])); // [B·T, 4D]
    x = tf.add(x, tf.reshape(tf.matMul(hidden, p[`h${l}.mlp.proj`] as tf.Tensor2D), [B, T, D]));
  }
  return tf.matMul<tf.Tensor2D>(tf.reshape(ops.layerNorm(x, p['lnf.g']), [B * T, D]), p.wte, false, true); // tied: [B·T, vocab]
}

/** Random tokens [B, T] and one-hot next-token labels [B·T, vocab]. */
export function gptBatch(s: GptShape = NANOGPT_CPU): { tokens: tf.Tensor2D; labels: tf.Tensor2D } {
  return tf.tidy(() => {
    const all = tf.randomUniform<tf.Rank.R2>([s.batch, s.block + 1], 0, s.vocab, 'int32', 6);
    const tokens = tf.slice(all, [0, 0], [s.batch, s.block]);
    const next = tf.reshape<tf.Rank.R1>(tf.slice(all, [0, 1], [s.batch, s.block]), [-1]);
    return { tokens, labels: tf.oneHot(next, s.vocab) as tf.Tensor2D };
  });
}

/** The training-step workloads of bench/native.ts (and bench/profile-native.ts). */
export type TrainingWorkload = 'lenet5' | 'resnet20' | 'lstm' | 'gru-seq2seq' | 'gpt-blocks' | 'gpt' | MetaWorkload | GenerativeWorkload;

/** One workload set up: parameters (from the global generator), a fixed batch and an optimizer. */
export interface TrainingStep {
  /** One optimizer step on paperzoo's softmax cross-entropy; the loss is read back, as in training. */
  step(): void;
  dispose(): void;
}

/**
 * LeNet-5 (batch 64, SGD), ResNet-20 (batch 128, SGD with momentum), the LSTM LM (SGD) or the GRU
 * seq2seq model (batch 128, Adam), ready to step: what bench/native.ts times and
 * bench/profile-native.ts breaks down by kernel.
 */
export function trainingStep(workload: TrainingWorkload): TrainingStep {
  if (workload === 'gpt') return gptTrainingStep();
  if (workload === 'maml-sinusoid' || workload === 'protonets' || workload === 'maml-omniglot') return metaTrainingStep(workload); // bench/meta-models.ts
  if ((GENERATIVE_WORKLOADS as readonly string[]).includes(workload)) return generativeTrainingStep(workload as GenerativeWorkload); // bench/generative-models.ts
  let params: Params;
  let logits: () => tf.Tensor2D;
  let data: tf.Tensor[]; // the batch, labels last
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
  } else if (workload === 'gpt-blocks') {
    params = gptParams();
    const { tokens, labels } = gptBatch();
    data = [tokens, labels];
    const ops = process.env.PZ_GPT_OPS === 'composed' ? COMPOSED_GPT_OPS : FUSED_GPT_OPS; // composed: what stock tfjs ops cost
    logits = () => gptLogits(params, tokens, ops);
    optimizer = tf.train.adam(1e-3, 0.9, 0.99, 1e-8);
  } else if (workload === 'gru-seq2seq') {
    params = seq2seqParams();
    const { src, trg, labels } = seq2seqBatch();
    data = [src, trg, labels];
    logits = () => seq2seqLogits(params, src, trg);
    optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  } else {
    params = lstmLmParams();
    const { tokens, labels } = lmBatch();
    data = [tokens, labels];
    logits = () => lstmLmLogits(params, tokens);
    optimizer = tf.train.sgd(1);
  }
  const labels = data[data.length - 1] as tf.Tensor2D;
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

/**
 * nanoGPT's CPU step as a user trains it: @paperzoo/transformer-bert's `Gpt` (4 layers, 4 heads, 128 wide,
 * context 64, vocab 65, no biases, tied embeddings, dropout 0) on a batch of 12, AdamW (β₂ 0.99, weight
 * decay 0.1 on matrices) with the gradient clipped to norm 1 — bench/torch_models.py's `gpt` in PyTorch.
 */
function gptTrainingStep(s: GptShape = NANOGPT_CPU): TrainingStep {
  const model = new Gpt({ vocabSize: s.vocab, blockSize: s.block, layers: s.layers, heads: s.heads, size: s.width, seed: 1 });
  const optimizer = new AdamW({ learningRate: 1e-3, beta2: 0.99, weightDecay: 0.1, clipNorm: 1, decays: (v) => v.shape.length >= 2 });
  const [x, y] = tf.tidy(() => {
    const all = tf.randomUniformInt([s.batch, s.block + 1], 0, s.vocab, 7);
    return [tf.slice(all, [0, 0], [s.batch, s.block]) as tf.Tensor2D, tf.slice(all, [0, 1], [s.batch, s.block]) as tf.Tensor2D];
  });
  const variables = Object.values(model.variables);
  return {
    step() {
      const { value, grads } = tf.variableGrads(() => model.loss(x, y, { training: true }), variables);
      optimizer.applyGradients(grads);
      value.dataSync();
      tf.dispose([value, grads]);
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    },
  };
}
