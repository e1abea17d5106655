/**
 * Every op of the n-d engine against @paperzoo/tensor's tf.grad on random inputs: forward values and
 * gradients of L = Σ op(inputs) ⊙ R, on the cpu and wasm backends. Where stock tfjs 4.22 is known to
 * be wrong (OpCase.upstreamBug: wasm conv2d and max-pool gradients, padded avg-pool gradients) a
 * mismatch is reported as a skip naming the bug, until @paperzoo/tensor's fix makes it pass.
 * Tolerance (tfjs computes in float32): |ours − tfjs| ≤ 1e-5 + 1e-4·|ours|.
 */
import { initBackend, tf } from '@paperzoo/tensor';
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import { OP_CASES, type OpCase } from './engine-cases.js';
import { expectClose, randomTensor, rng, toTf } from './helpers.js';

const FLOAT32_TOLERANCE = { atol: 1e-5, rtol: 1e-4 };

function compare(c: OpCase, caseIndex: number, backend: string): void {
  const r = rng(`tfjs-${caseIndex}`);
  const inputs = c.inputs.map((spec) => randomTensor(r, spec));
  const out = c.ours(inputs);
  const weights = randomTensor(r, { shape: out.shape.slice() });
  out.backward(weights.data);

  const tfInputs = inputs.map(toTf);
  const tfWeights = toTf(weights);
  const skipped = new Set(c.skipTfjsGradient?.inputs ?? []);
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

/** Run a comparison that stock tfjs is known to fail: a failure becomes a visible skip with the reason. */
function compareKnownUpstreamBug(c: OpCase, caseIndex: number, backend: string, context: TestContext): void {
  try {
    compare(c, caseIndex, backend);
  } catch (e) {
    const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
    context.skip(`known tfjs bug on ${backend}, not yet fixed by @paperzoo/tensor: ${c.upstreamBug?.what} (${first})`);
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
      if (c.upstreamBug?.backends.includes(backend)) {
        it(`${c.name} (skipped where stock tfjs is still wrong: ${c.upstreamBug.what})`, (context) => compareKnownUpstreamBug(c, caseIndex, backend, context));
        return;
      }
      it(c.name + (c.skipTfjsGradient ? ` (input ${c.skipTfjsGradient.inputs.join(', ')} not compared: ${c.skipTfjsGradient.reason})` : ''), () => compare(c, caseIndex, backend));
    });
  });
}
