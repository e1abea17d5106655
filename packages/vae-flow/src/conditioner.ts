/**
 * The coupling functions m(·) of the coupling layers: any network, since the coupling's inverse and
 * Jacobian never invert or differentiate it (NICE §3.2: "m … can be arbitrarily complex").
 *
 * - {@link MlpConditioner}: NICE's MNIST coupling function (§5.1, authors' exp/nice_mnist.yaml): 5
 *   hidden ReLU layers of 1000 units and a linear output, every weight drawn from U(±0.01) (the yaml's
 *   `irange: 0.01`), biases 0. x [batch, in] → [batch, out].
 * - {@link ConvConditioner}: a small convolutional network for RealNVP's masked image couplings
 *   (§4.1 uses deep residual networks; here 3×3 conv – ReLU – 3×3 conv, 'same' padding).
 *   x [batch, H, W, C] → [batch, H, W, out].
 */
import { tf, type ParameterStore, type Parameter } from '@paperzoo/tensor';

export interface Conditioner {
  apply(x: tf.Tensor): tf.Tensor;
}

export class MlpConditioner implements Conditioner {
  private readonly layers: { kernel: Parameter; bias: Parameter }[] = [];

  /** `sizes`: widths, input first and output last, e.g. [392, 1000, 1000, 1000, 1000, 1000, 392]. */
  constructor(store: ParameterStore, prefix: string, sizes: readonly number[], initRange = 0.01) {
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.layers.push({
        kernel: store.add(`${prefix}/layer${l + 1}/kernel`, [sizes[l], sizes[l + 1]], { kind: 'uniform', limit: initRange }), // [in, out]
        bias: store.add(`${prefix}/layer${l + 1}/bias`, [sizes[l + 1]], { kind: 'zeros' }), // [out]
      });
    }
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x as tf.Tensor2D;
      this.layers.forEach(({ kernel, bias }, l) => {
        h = tf.add(tf.matMul(h, kernel.value as tf.Tensor2D), bias.value); // [batch, out_l]
        if (l + 1 < this.layers.length) h = tf.relu(h);
      });
      return h;
    });
  }
}

export class ConvConditioner implements Conditioner {
  private readonly conv1: { kernel: Parameter; bias: Parameter };
  private readonly conv2: { kernel: Parameter; bias: Parameter };

  constructor(store: ParameterStore, prefix: string, o: { channels: number; hidden: number; out: number; initStd?: number }) {
    const std = o.initStd ?? 0.05;
    this.conv1 = { kernel: store.add(`${prefix}/conv1/kernel`, [3, 3, o.channels, o.hidden], { kind: 'normal', std }), bias: store.add(`${prefix}/conv1/bias`, [o.hidden], { kind: 'zeros' }) };
    this.conv2 = { kernel: store.add(`${prefix}/conv2/kernel`, [3, 3, o.hidden, o.out], { kind: 'normal', std }), bias: store.add(`${prefix}/conv2/bias`, [o.out], { kind: 'zeros' }) };
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const h = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, this.conv1.kernel.value as tf.Tensor4D, 1, 'same'), this.conv1.bias.value)) as tf.Tensor4D; // [batch, H, W, hidden]
      return tf.add(tf.conv2d(h, this.conv2.kernel.value as tf.Tensor4D, 1, 'same'), this.conv2.bias.value); // [batch, H, W, out]
    });
  }
}
