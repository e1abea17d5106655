/**
 * A float64 reference of MAML's conv encoder (the 'maml' variant of ConvEncoder: conv 3×3 stride 2
 * 'same' + bias → batch norm on the batch's statistics with β only → ReLU, per block; spatial mean →
 * dense → softmax cross-entropy): loss and gradient by hand-written backpropagation over the naive
 * loops of packages/tensor/test/reference.ts, and MAML's meta-objective through it.
 */
import * as ref from '../../tensor/test/reference.js';

const CONV: ref.ConvSpec = { stride: [2, 2], dilation: [1, 1], pad: 'same' };

/** Parameters in ConvEncoder's creation order: per block kernel, bias, beta; then head kernel, bias. */
export type ConvParams = ref.Tensor64[];

export function convParamNames(blocks: number): string[] {
  const names: string[] = [];
  for (let b = 1; b <= blocks; b++) names.push(`block${b}/conv/kernel`, `block${b}/conv/bias`, `block${b}/bn/beta`);
  return [...names, 'head/kernel', 'head/bias'];
}

function addBias(x: ref.Tensor64, bias: ref.Tensor64): ref.Tensor64 {
  const c = bias.data.length;
  return ref.map64(x, (v, i) => v + bias.data[i % c]);
}

/** Loss and gradients (in parameter order) of the network on images x [B, H, W, 1] with one-hot labels. */
export function convLossGrad(p: ConvParams, x: ref.Tensor64, labels: ref.Tensor64, epsilon: number): { loss: number; grads: ref.Tensor64[] } {
  const blocks = (p.length - 2) / 3;
  const saved: { input: ref.Tensor64; xhat: ref.Tensor64; inv: Float64Array; pre: ref.Tensor64 }[] = [];
  let h = x;
  for (let b = 0; b < blocks; b++) {
    const [w, bias, beta] = p.slice(3 * b, 3 * b + 3);
    const a = addBias(ref.conv2d(h, w, CONV), bias); // [B, H', W', C]
    const c = bias.data.length;
    const m = a.data.length / c;
    const mean = new Float64Array(c);
    const variance = new Float64Array(c);
    a.data.forEach((v, i) => (mean[i % c] += v / m));
    a.data.forEach((v, i) => (variance[i % c] += (v - mean[i % c]) ** 2 / m));
    const inv = variance.map((v) => 1 / Math.sqrt(v + epsilon));
    const xhat = ref.map64(a, (v, i) => (v - mean[i % c]) * inv[i % c]);
    const pre = ref.map64(xhat, (v, i) => v + beta.data[i % c]);
    saved.push({ input: h, xhat, inv, pre });
    h = ref.map64(pre, (v) => Math.max(v, 0));
  }
  const [batch, hh, ww, c] = h.shape;
  const features = ref.zeros64([batch, c]);
  h.data.forEach((v, i) => (features.data[Math.floor(i / (hh * ww * c)) * c + (i % c)] += v / (hh * ww)));
  const [hw, hb] = p.slice(3 * blocks);
  const logits = addBias(ref.matMul(features, hw), hb);
  const { loss, dLogits } = ref.softmaxCrossEntropy(labels, logits);
  const grads: ref.Tensor64[] = p.map((t) => ref.zeros64(t.shape));
  grads[3 * blocks] = ref.matMul(features, dLogits, true, false);
  grads[3 * blocks + 1] = { data: Float64Array.from({ length: hb.data.length }, (_, j) => dLogits.data.reduce((s, v, i) => (i % hb.data.length === j ? s + v : s), 0)), shape: hb.shape };
  const dFeatures = ref.matMul(dLogits, hw, false, true);
  let dh = ref.map64(h, (_, i) => dFeatures.data[Math.floor(i / (hh * ww * c)) * c + (i % c)] / (hh * ww));
  for (let b = blocks - 1; b >= 0; b--) {
    const { input, xhat, inv, pre } = saved[b];
    const w = p[3 * b];
    const ch = inv.length;
    const m = pre.data.length / ch;
    const dpre = ref.map64(dh, (g, i) => (pre.data[i] > 0 ? g : 0));
    const dbeta = new Float64Array(ch);
    const dxhatXhat = new Float64Array(ch);
    dpre.data.forEach((g, i) => {
      dbeta[i % ch] += g;
      dxhatXhat[i % ch] += g * xhat.data[i];
    });
    // γ = 1: da = inv·(dy − mean(dy) − x̂·mean(dy·x̂))
    const da = ref.map64(dpre, (g, i) => inv[i % ch] * (g - dbeta[i % ch] / m - (xhat.data[i] * dxhatXhat[i % ch]) / m));
    grads[3 * b + 2] = { data: dbeta, shape: [ch] };
    const dbias = new Float64Array(ch);
    da.data.forEach((g, i) => (dbias[i % ch] += g));
    grads[3 * b + 1] = { data: dbias, shape: [ch] };
    const { dx, dw } = ref.conv2dBackprop(input, w, da, CONV);
    grads[3 * b] = dw;
    dh = dx;
  }
  return { loss, grads };
}

export interface ConvTask64 {
  support: [ref.Tensor64, ref.Tensor64];
  query: [ref.Tensor64, ref.Tensor64];
}

/** MAML's meta-objective: mean query loss after `steps` steps of size α on the support loss, adapting the parameters `adapted` marks. */
export function convMetaObjective(p: ConvParams, tasks: ConvTask64[], steps: number, alpha: number, adapted: boolean[], epsilon: number): number {
  let total = 0;
  for (const t of tasks) {
    let q = p;
    for (let s = 0; s < steps; s++) {
      const { grads } = convLossGrad(q, ...t.support, epsilon);
      q = q.map((w, k) => (adapted[k] ? ref.map64(w, (v, i) => v - alpha * grads[k].data[i]) : w));
    }
    total += convLossGrad(q, ...t.query, epsilon).loss;
  }
  return total / tasks.length;
}

/** Central differences of the meta-objective, flattened in parameter order. */
export function convMetaGradientFD(p: ConvParams, tasks: ConvTask64[], steps: number, alpha: number, adapted: boolean[], epsilon: number, h = 1e-5): Float64Array {
  const out: number[] = [];
  for (const w of p)
    for (let i = 0; i < w.data.length; i++) {
      const orig = w.data[i];
      w.data[i] = orig + h;
      const up = convMetaObjective(p, tasks, steps, alpha, adapted, epsilon);
      w.data[i] = orig - h;
      const down = convMetaObjective(p, tasks, steps, alpha, adapted, epsilon);
      w.data[i] = orig;
      out.push((up - down) / (2 * h));
    }
  return Float64Array.from(out);
}
