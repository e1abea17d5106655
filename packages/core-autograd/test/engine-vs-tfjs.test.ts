/**
 * Every op of the n-d engine against @paperzoo/tensor's tf.grad on random inputs: forward values and
 * gradients of L = Σ op(inputs) ⊙ R, on the cpu and wasm backends. Where stock tfjs 4.22 is wrong
 * and @paperzoo/tensor fixes it (OpCase.upstreamBug: wasm conv2d and max-pool gradients, padded
 * avg-pool gradients) the comparison must pass like any other. Where tf.grad is wrong or missing even
 * with paperzoo's kernels (OpCase.tfjsGradientWrong: dilated conv2d, the labels gradient of softmax
 * cross-entropy, its logits gradient for unnormalised labels) those inputs' gradients are compared
 * with an independent float64 reference instead. No case is skipped.
 * Tolerance (tfjs computes in float32): |ours − tfjs| ≤ 1e-5 + 1e-4·|ours|; vs the float64
 * references: 1e-10 + 1e-9·|reference|.
 */
import { initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { OP_CASES, type OpCase } from './engine-cases.js';
import { expectClose, randomTensor, rng, toTf } from './helpers.js';

const FLOAT32_TOLERANCE = { atol: 1e-5, rtol: 1e-4 };
const FLOAT64_TOLERANCE = { atol: 1e-10, rtol: 1e-9 };

function compare(c: OpCase, caseIndex: number, backend: string): void {
  const r = rng(`tfjs-${caseIndex}`);
  const inputs = c.inputs.map((spec) => randomTensor(r, spec));
  const out = c.ours(inputs);
  const weights = randomTensor(r, { shape: out.shape.slice() });
  out.backward(weights.data);

  const tfInputs = inputs.map(toTf);
  const tfWeights = toTf(weights);
  const skipped = new Set(c.tfjsGradientWrong?.inputs ?? []);
  if (c.tfjsGradientWrong) {
    const reference = c.tfjsGradientWrong.reference(inputs, weights.data);
    c.tfjsGradientWrong.inputs.forEach((i, k) => expectClose(inputs[i].grad, reference[k], FLOAT64_TOLERANCE, `${c.name}: ∂L/∂input${i} vs float64 reference`));
  }
  const compared = inputs.map((_, i) => i).filter((i) => !skipped.has(i));
  const kept: tf.Tensor[] = [...tfInputs, tfWeights];
  try {
    const tfOut = tf.tidy(() => c.tfjs(tfInputs));
    kept.push(tfOut);
    expectClose(tfOut.dataSync(), out.data, FLOAT32_TOLERANCE, `${c.name} (${backend}): forward`);
    if (compared.length === 0) return;
    // differentiate with respect to the compared inputs only; the others are held constant
    const tfGrads = tf.tidy(() =>
      tf.grads((...xs: tf.Tensor[]) => {
        const all = tfInputs.map((x, i) => (skipped.has(i) ? x : xs[compared.indexOf(i)]));
        return tf.sum(tf.mul(c.tfjs(all), tfWeights));
      })(compared.map((i) => tfInputs[i])),
    );
    kept.push(...tfGrads);
    compared.forEach((i, k) => expectClose(tfGrads[k].dataSync(), inputs[i].grad, FLOAT32_TOLERANCE, `${c.name} (${backend}): ∂L/∂input${i} vs tf.grad`));
  } finally {
    tf.dispose(kept);
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`n-d engine vs tf.grad on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend({ backend });
    });
    afterAll(() => {
      tf.disposeVariables();
    });
    OP_CASES.forEach((c, caseIndex) => {
      const notes = [
        ...(c.upstreamBug?.backends.includes(backend) ? [`stock tfjs bug fixed by @paperzoo/tensor: ${c.upstreamBug.what}`] : []),
        ...(c.tfjsGradientWrong ? [`input ${c.tfjsGradientWrong.inputs.join(', ')} vs a float64 reference: ${c.tfjsGradientWrong.reason}`] : []),
      ];
      it(c.name + (notes.length > 0 ? ` (${notes.join('; ')})` : ''), () => compare(c, caseIndex, backend));
    });
  });
}
