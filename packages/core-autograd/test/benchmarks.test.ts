import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaks, initBackend, tf } from '@paperzoo/tensor';
import { SparseLogisticRegression, bagOfWords, sparseRows } from '../src/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
});

describe('bag of words (Kingma & Ba 2015 §6.1)', () => {
  const texts = ['a good film', 'a bad film', 'good good fun', 'meh'];
  const labels = [1, 0, 1, 0];

  it('keeps the most frequent words (ties alphabetical) and marks each word once per text', () => {
    const bow = bagOfWords(texts, 3);
    expect(bow.vocabulary).toEqual(['good', 'a', 'film']); // good ×3, then a ×2, film ×2 (alphabetical)
    expect(bow.rows.map((r) => Array.from(r))).toEqual([[0, 1, 2], [1, 2], [0], []]);
  });

  it('the sparse logistic loss and its gradient equal the dense logistic regression', async () => {
    const bow = bagOfWords(texts, 5);
    const model = new SparseLogisticRegression(5);
    const w = Float32Array.from([0.3, -0.2, 0.1, 0.5, -0.4]);
    model.w.variableOf().assign(tf.tensor1d(w));
    model.b.variableOf().assign(tf.tensor1d([0.05]));
    const x = sparseRows(bow, [0, 1, 2, 3]);
    const y = tf.tensor1d(labels, 'float32');
    await assertNoLeaks(() => {
      const { value, grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x)), [model.w.variableOf(), model.b.variableOf()]);
      // Dense reference: x [4, V] binary, a = x·w + b, loss = mean softplus(a) − y·a, ∂/∂w = xᵀ(σ(a) − y)/B.
      const ids = x.ids.dataSync();
      const rows = x.rows.dataSync();
      const a = new Float64Array(4).fill(0.05);
      ids.forEach((id, k) => (a[rows[k]] += w[id]));
      const sig = Array.from(a, (v) => 1 / (1 + Math.exp(-v)));
      const loss = Array.from(a, (v, r) => Math.log1p(Math.exp(v)) - labels[r] * v).reduce((s, v) => s + v, 0) / 4;
      const gw = new Float64Array(5);
      ids.forEach((id, k) => (gw[id] += (sig[rows[k]] - labels[rows[k]]) / 4));
      expect(value.dataSync()[0]).toBeCloseTo(loss, 5);
      Array.from(grads[model.w.variableOf().name].dataSync()).forEach((g, i) => expect(g).toBeCloseTo(gw[i], 5));
      tf.dispose([value, grads]);
    });
    tf.dispose([x.ids, x.rows, y]);
    model.dispose();
  });
});
