import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, seed, type BackendName } from '@paperzoo/tensor';
import { AdamW } from '@paperzoo/core-autograd';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { Gpt, BigramLanguageModel, nanoGptLearningRate, randomWindows } from '../src/index.js';

const backends = (['cpu', 'wasm', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);
const tiny = { vocabSize: 11, blockSize: 8, layers: 2, heads: 2, size: 8, seed: 5 };

describe('GPT parameter counts', () => {
  it('nanoGPT\'s CPU config (4 × 4 × 128, vocab 65, context 64, no biases): 804,096, "0.80M" without the position table', () => {
    const m = new Gpt({ vocabSize: 65, blockSize: 64, layers: 4, heads: 4, size: 128, allocate: false });
    expect(m.parameterCount()).toBe(804_096);
    expect(m.parameterCount() - 64 * 128).toBe(795_904);
  });
  it('GPT-2 small (12 × 12 × 768, vocab 50,257, context 1,024, with biases): 124,439,808, Hugging Face gpt2\'s count', () => {
    expect(new Gpt({ vocabSize: 50257, blockSize: 1024, layers: 12, heads: 12, size: 768, bias: true, allocate: false }).parameterCount()).toBe(124_439_808);
  });
});

describe.each(backends)('GPT on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });

  it('is causal, exactly: changing tokens after position t leaves the logits at positions ≤ t bit-identical', async () => {
    const model = new Gpt({ ...tiny, dropout: 0 });
    const a = [1, 4, 2, 8, 5, 7, 3, 9];
    const b = [1, 4, 2, 8, 0, 10, 6, 6]; // differs from position 4 on
    await assertNoLeaks(() => {
      const [la, lb] = [a, b].map((ids) => tf.tidy(() => model.forward(tf.tensor2d(ids, [1, 8], 'int32'), { training: false }).arraySync()[0]));
      for (let t = 0; t < 4; t++) expect(lb[t]).toEqual(la[t]);
      expect(lb[4]).not.toEqual(la[4]);
    });
    model.dispose();
  });

  it('one AdamW step leaks nothing, and the same seed gives the same numbers', async () => {
    const run = () => {
      seed(3);
      const model = new Gpt({ ...tiny, dropout: 0.1 });
      const opt = new AdamW({ learningRate: 1e-2, decays: (v) => v.shape.length >= 2 });
      const data = Int32Array.from({ length: 200 }, (_, i) => (i * 7) % 11);
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { x, y } = randomWindows(data, 4, 8);
        const { value, grads } = tf.variableGrads(() => model.loss(x, y, { training: true }), Object.values(model.variables));
        opt.applyGradients(grads);
        losses.push(value.dataSync()[0]);
        tf.dispose([x, y, value, grads]);
      }
      opt.dispose();
      model.dispose();
      return losses;
    };
    const first = run(); // creates the optimizer's slots
    await assertNoLeaks(() => {
      expect(run()).toEqual(first);
    });
  });

  it('learns a periodic sequence (loss falls from ln V towards 0)', () => {
    seed(1);
    const model = new Gpt({ ...tiny, seed: 1 });
    const opt = new AdamW({ learningRate: 1e-2 });
    const data = Int32Array.from({ length: 400 }, (_, i) => [3, 1, 4, 1, 5, 9, 2, 6][i % 8]);
    let last = Infinity;
    for (let i = 0; i < 60; i++) {
      const { x, y } = randomWindows(data, 8, 8);
      const { value, grads } = tf.variableGrads(() => model.loss(x, y, { training: true }), Object.values(model.variables));
      opt.applyGradients(grads);
      last = value.dataSync()[0];
      tf.dispose([x, y, value, grads]);
    }
    expect(last).toBeLessThan(0.5); // ln 11 = 2.4 at the start
    seed(2);
    expect(model.generate([3, 1, 4], 6, { temperature: 0.1 })).toEqual([1, 5, 9, 2, 6, 3]);
    opt.dispose();
    model.dispose();
  });
});

describe('GPT initialisation and recipe', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'cpu' });
  });

  it('weights N(0, 0.02²); the residual projections N(0, (0.02/√(2L))²); LayerNorm gains 1 (GPT-2 §2.3)', () => {
    const model = new Gpt({ vocabSize: 65, blockSize: 64, layers: 4, heads: 4, size: 128 });
    const std = (name: string) => tf.tidy(() => Math.sqrt(tf.moments(model.variables[Object.keys(model.variables).find((k) => k.endsWith(name))!]).variance.dataSync()[0]));
    expect(std('block1/self_attention/query/kernel')).toBeCloseTo(0.02, 3);
    expect(std('block2/self_attention/output/kernel')).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std('block3/feed_forward/outer/kernel')).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(Array.from(model.variables[Object.keys(model.variables).find((k) => k.endsWith('final_norm/gamma'))!].dataSync()).every((g) => g === 1)).toBe(true);
    model.dispose();
  });

  it('nanoGPT\'s get_lr: (it + 1)/(W + 1) warm-up, cosine to the floor at D, the floor after', () => {
    const lr = nanoGptLearningRate({ learningRate: 1e-3, warmupIters: 100, decayIters: 2000, minLearningRate: 1e-4 });
    expect(lr(0)).toBeCloseTo(1e-3 / 101, 15);
    expect(lr(99)).toBeCloseTo(1e-3 * 100 / 101, 15);
    expect(lr(100)).toBeCloseTo(1e-3, 15);
    expect(lr(1050)).toBeCloseTo(1e-4 + 0.5 * 0.9e-3, 15);
    expect(lr(2000)).toBeCloseTo(1e-4, 15);
    expect(lr(5000)).toBe(1e-4);
  });

  it('the bigram model has V² parameters and reads one token of context', () => {
    const m = new BigramLanguageModel(65, { seed: 0 });
    expect(m.parameterCount()).toBe(65 * 65);
    const logits = m.forward(tf.tensor2d([[3, 7]], [1, 2], 'int32'));
    expect(logits.shape).toEqual([1, 2, 65]);
    tf.dispose(logits);
    m.dispose();
  });
});
