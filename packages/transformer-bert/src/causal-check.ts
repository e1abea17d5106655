/**
 * The decoder's causal mask as a property one can check — Vaswani et al. 2017, "Attention Is All You Need",
 * §3.2.3 (https://arxiv.org/abs/1706.03762): "We need to prevent leftward information flow in the decoder to
 * preserve the auto-regressive property … by masking out … all values in the input of the softmax which
 * correspond to illegal connections." So the teacher-forced logits at output step k (predicting y_{k+1}
 * from y_0 … y_k) must not change when the target tokens after position t change, for every k ≤ t:
 *
 *   logits(y)[k] = logits(y')[k]   for k ≤ t,   when y_j = y'_j for j ≤ t
 *
 * — exactly, bit for bit: a masked score gets −1e9 added (./masks.ts), so its softmax weight is exactly 0 in
 * float32 whatever the score, and every other operation of the decoder acts on each position on its own.
 */
import { tf } from '@paperzoo/tensor';
import type { Transformer } from './transformer.js';

/** How many of the logits at output steps ≤ `position` changed, of how many compared. */
export interface FutureTokenCheck {
  compared: number;
  changed: number;
}

/**
 * Teacher-forced logits [T−1, B, V] of `target` and of a copy whose tokens after row `position` are each
 * replaced by another id ((id + 1) mod V), compared bit for bit at output steps 0 … `position` (this file's
 * header). source [S, B] and target [T, B] are time-major int32, as seq-models' batches; no dropout.
 */
export function futureTokenCheck(model: Transformer, source: tf.Tensor2D, target: tf.Tensor2D, position: number): FutureTokenCheck {
  const [steps, batch] = target.shape;
  if (!(Number.isInteger(position) && position >= 0 && position < steps - 1)) throw new RangeError(`futureTokenCheck: position must be an integer in [0, ${steps - 2}], got ${position}`);
  const vocab = model.config.targetVocabSize;
  const [original, changed] = tf.tidy(() => {
    const head = tf.slice(target, [0, 0], [position + 1, batch]); // [t+1, B]
    const tail = tf.mod(tf.add(tf.slice(target, [position + 1, 0], [-1, batch]), 1), vocab); // [T−t−1, B], every id changed
    const altered = tf.concat([head, tf.cast(tail, 'int32')], 0);
    const logits = (y: tf.Tensor2D) => tf.slice(model.forward(source, y, { training: false, teacherForcing: 1 }), [0, 0, 0], [position + 1, -1, -1]); // [t+1, B, V]
    return [logits(target), logits(altered as tf.Tensor2D)];
  });
  const bits = (x: tf.Tensor) => {
    const f = x.dataSync() as Float32Array;
    return new Uint32Array(f.buffer, f.byteOffset, f.length);
  };
  const [a, b] = [bits(original), bits(changed)];
  tf.dispose([original, changed]);
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  return { compared: a.length, changed: differing };
}
