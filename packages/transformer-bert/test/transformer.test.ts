import { beforeAll, describe, expect, it } from 'vitest';
import { tf, initBackend, assertNoLeaks, softmaxCrossEntropyPerExample, type BackendName } from '@paperzoo/tensor';
import { padTimeMajor } from '@paperzoo/seq-models';
import { AVAILABLE } from '../../tensor/test/backends.js';
import { Transformer } from '../src/index.js';

const backends = (['cpu', 'wasm', 'native'] as BackendName[]).filter((b) => AVAILABLE[b]);
const PAD = 1;
const tiny = { sourceVocabSize: 13, targetVocabSize: 11, size: 8, heads: 2, innerSize: 16, encoderLayers: 2, decoderLayers: 2, sourcePad: PAD, maxLength: 20, seed: 4 };

describe('Transformer parameter count', () => {
  it('the PyTorch tutorial\'s model (bentrevett notebook 6 at 5cd630c; vocabularies 7,853 de / 5,893 en): the 9,038,341 it prints', () => {
    expect(new Transformer({ ...tiny, sourceVocabSize: 7853, targetVocabSize: 5893, size: 256, heads: 8, innerSize: 512, encoderLayers: 3, decoderLayers: 3, maxLength: 100, allocate: false }).parameterCount()).toBe(9_038_341);
  });
});

describe.each(backends)('Transformer on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend });
  });
  const source = () => padTimeMajor([Int32Array.of(2, 5, 6, 7, 3), Int32Array.of(2, 8, 3)], PAD); // [5, 2]
  const target = () => padTimeMajor([Int32Array.of(2, 4, 5, 9, 3), Int32Array.of(2, 6, 3)], PAD); // [5, 2]

  it.each(['post', 'pre'] as const)('%s-norm: the parallel teacher-forced pass equals decoding one step at a time', async (norm) => {
    for (const positions of ['learned', 'sinusoidal'] as const) {
      const model = new Transformer({ ...tiny, norm, positions, tieWeights: positions === 'sinusoidal' });
      const [s, t] = [source(), target()];
      await assertNoLeaks(() => {
        const parallel = tf.tidy(() => model.forward(s, t, { training: false, teacherForcing: 1 }).arraySync()); // [4, 2, V]
        const columns = tf.unstack(t) as tf.Tensor1D[];
        let state = model.encode(s, false);
        for (let step = 0; step < 4; step++) {
          const out = model.decodeStep(columns[step], state, false);
          tf.dispose(state as unknown as tf.TensorContainer);
          state = out.state;
          const stepped = out.logits.arraySync();
          out.logits.dispose();
          stepped.forEach((row, b) => row.forEach((x, v) => expect(x).toBeCloseTo(parallel[step][b][v], 4)));
        }
        tf.dispose([state as unknown as tf.TensorContainer, columns]);
      });
      tf.dispose([s, t]);
      model.dispose();
    }
  });

  it('padding is invisible: a sentence padded to a longer batch translates as it does alone', () => {
    const model = new Transformer(tiny);
    const [padded, alone] = tf.tidy(() => {
      const t = padTimeMajor([Int32Array.of(2, 6, 9, 3)], PAD); // [4, 1]
      const long = padTimeMajor([Int32Array.of(2, 8, 3), Int32Array.of(2, 5, 6, 7, 4, 3)], PAD); // [6, 2]: "2 8 3" + 3 × PAD
      const both = model.forward(long, tf.concat([t, t], 1), { training: false, teacherForcing: 1 }); // [3, 2, V]
      const single = model.forward(padTimeMajor([Int32Array.of(2, 8, 3)], PAD), t, { training: false, teacherForcing: 1 }); // [3, 1, V]
      return [tf.slice(both, [0, 0, 0], [-1, 1, -1]).arraySync(), single.arraySync()];
    });
    padded.flat(2).forEach((x, i) => expect(x).toBeCloseTo(alone.flat(2)[i], 5));
    model.dispose();
  });

  it('the loss is the mean token cross-entropy over non-padding targets; label smoothing adds the ε/V terms', () => {
    const model = new Transformer(tiny);
    const [s, t] = [source(), target()];
    const [plain, smooth, reference, smoothReference] = tf.tidy(() => {
      const logits = tf.reshape(model.forward(s, t, { training: false, teacherForcing: 1 }), [-1, 11]); // [(T−1)·B, V]
      const truth = tf.reshape<tf.Rank.R1>(tf.slice(t, [1, 0], [-1, -1]), [-1]);
      const mask = tf.cast(tf.notEqual(truth, PAD), 'float32');
      const onehot = tf.oneHot(truth, 11);
      const ce = (labels: tf.Tensor) => tf.div(tf.sum(tf.mul(softmaxCrossEntropyPerExample(labels, logits), mask)), tf.sum(mask)).dataSync()[0];
      return [
        model.loss(s, t, PAD, { training: false, teacherForcing: 1 }).dataSync()[0],
        model.loss(s, t, PAD, { training: false, teacherForcing: 1, labelSmoothing: 0.1 }).dataSync()[0],
        ce(onehot),
        ce(tf.add(tf.mul(onehot, 0.9), 0.1 / 11)),
      ];
    });
    expect(plain).toBeCloseTo(reference, 5);
    expect(smooth).toBeCloseTo(smoothReference, 5);
    tf.dispose([s, t]);
    model.dispose();
  });
});
