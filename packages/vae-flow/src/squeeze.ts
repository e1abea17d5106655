/**
 * RealNVP's squeezing operation — Dinh et al. 2016, §3.6: each 2×2×c block becomes a 1×1×4c one,
 * trading spatial size for channels before the channel-wise masks. A permutation: log |det J| = 0.
 *
 * x [batch, H, W, C] → y [batch, H/2, W/2, 4C], channel index (2·di + dj)·C + c for the pixel at
 * (2i + di, 2j + dj) (the order of tf.spaceToDepth / TensorFlow's space_to_depth).
 */
import { tf } from '@paperzoo/tensor';
import type { FlowLayer } from './flow.js';

export class Squeeze implements FlowLayer {
  forward(x: tf.Tensor): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const [b, h, w, c] = x.shape as [number, number, number, number];
      if (x.rank !== 4 || h % 2 !== 0 || w % 2 !== 0) throw new RangeError(`Squeeze: needs [batch, H, W, C] with even H and W, got [${x.shape.join(', ')}]`);
      const blocks = tf.transpose(tf.reshape(x, [b, h / 2, 2, w / 2, 2, c]), [0, 1, 3, 2, 4, 5]); // [b, H/2, W/2, 2, 2, C]
      return { y: tf.reshape(blocks, [b, h / 2, w / 2, 4 * c]), logDet: tf.zeros([b]) };
    });
  }

  inverse(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const [b, h2, w2, c4] = y.shape as [number, number, number, number];
      const blocks = tf.transpose(tf.reshape(y, [b, h2, w2, 2, 2, c4 / 4]), [0, 1, 3, 2, 4, 5]); // [b, H/2, 2, W/2, 2, C]
      return tf.reshape(blocks, [b, 2 * h2, 2 * w2, c4 / 4]);
    });
  }
}
