/**
 * DCGAN — A. Radford, L. Metz, S. Chintala, "Unsupervised Representation Learning with Deep
 * Convolutional Generative Adversarial Networks", ICLR 2016, https://arxiv.org/abs/1511.06434, §3
 * ("Architecture guidelines for stable Deep Convolutional GANs") and §4 (training details), sized for
 * 28×28 MNIST as the authors' MNIST model (Newmu/dcgan_code, mnist/train_cond_dcgan.py) is: a dense
 * projection to 7×7 maps, then two stride-2 transposed convolutions 7 → 14 → 28.
 *
 * The §3 guidelines, as applied here:
 * - no pooling: strided convolutions in D (5×5, stride 2: 28 → 14 → 7), transposed ("fractionally
 *   strided") convolutions in G (5×5, stride 2: 7 → 14 → 28);
 * - batch norm in both, except G's output layer and D's input layer;
 * - no hidden fully connected layers: G's first layer is the projection of z (a matrix multiply,
 *   reshaped to 7×7 maps), D's last is the flattened 7×7 maps to one logit;
 * - ReLU in G with tanh on the output (images in [−1, 1]); LeakyReLU with slope 0.2 in D;
 * - §4: weights from N(0, 0.02) (BN's γ from N(1, 0.02), as the authors' code and PyTorch's example),
 *   Adam with learning rate 2·10⁻⁴ and β₁ = 0.5 ({@link DCGAN_ADAM}), batch 128 in the paper.
 *
 * Widths: `width` w (the paper's MNIST code: 64) gives G: z → 2w·7·7 → w@14×14 → 1@28×28 and
 * D: 1@28×28 → w@14×14 → 2w@7×7 → 1. Convolutions pad 2 on each side (PyTorch's padding=2); the
 * transposed ones use tfjs 'same' (output = 2 × input). Biases only where no batch norm follows.
 *
 * Shapes: z [B, latent]; images NHWC [B, 28, 28, 1] in [−1, 1]; D's output logits [B, 1].
 * With `batchNorm: false`, D is WGAN-GP's critic (Gulrajani et al. §4: no batch norm in the critic).
 */
import { tf, Module, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { batchNormalize } from '@paperzoo/cnn-zoo';

/** Radford et al. §4's Adam. */
export const DCGAN_ADAM = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 } as const;

const W_INIT = { kind: 'normal', std: 0.02 } as const;
const GAMMA_INIT = { kind: 'normal', mean: 1, std: 0.02 } as const;
const PAD2: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [2, 2], [2, 2], [0, 0]];

interface Bn { gamma: Parameter; beta: Parameter; mean: Parameter; variance: Parameter }

function addBn(module: { add: (n: string, s: number[], i: import('@paperzoo/tensor').Initializer, o?: { trainable?: boolean }) => Parameter }, name: string, c: number): Bn {
  return {
    gamma: module.add(`${name}/gamma`, [c], GAMMA_INIT),
    beta: module.add(`${name}/beta`, [c], { kind: 'zeros' }),
    mean: module.add(`${name}/movingMean`, [c], { kind: 'zeros' }, { trainable: false }),
    variance: module.add(`${name}/movingVariance`, [c], { kind: 'ones' }, { trainable: false }),
  };
}

function applyBn(x: tf.Tensor, bn: Bn, training: boolean): tf.Tensor {
  return batchNormalize(x, { gamma: bn.gamma.value, beta: bn.beta.value, movingMean: bn.mean.variableOf(), movingVariance: bn.variance.variableOf() }, { training });
}

export interface DcganOptions extends ModuleOptions {
  /** Base width w (channels of the 14×14 maps; the 7×7 maps have 2w). The authors' MNIST code: 64. */
  width?: number;
}

export interface DcganGeneratorOptions extends DcganOptions {
  /** Dimension of z (the paper: 100, uniform; we draw N(0, 1)). */
  latent?: number;
}

/** G: z [B, latent] → images [B, 28, 28, 1] in [−1, 1]. */
export class DcganGenerator extends Module {
  readonly latent: number;
  readonly width: number;
  private readonly fc: Parameter;
  private readonly bn0: Bn;
  private readonly up1: Parameter;
  private readonly bn1: Bn;
  private readonly up2: Parameter;
  private readonly up2Bias: Parameter;

  constructor(options: DcganGeneratorOptions = {}) {
    super('dcgan-generator');
    this.latent = options.latent ?? 100;
    const w = (this.width = options.width ?? 64);
    const add = this.store.add.bind(this.store);
    this.fc = add('project/kernel', [this.latent, 2 * w * 49], W_INIT); // z → 2w maps of 7×7 (no bias: BN follows)
    this.bn0 = addBn({ add }, 'project/bn', 2 * w);
    this.up1 = add('up1/kernel', [5, 5, w, 2 * w], W_INIT); // tfjs transposed-conv filter: [k, k, out, in]
    this.bn1 = addBn({ add }, 'up1/bn', w);
    this.up2 = add('up2/kernel', [5, 5, 1, w], W_INIT);
    this.up2Bias = add('up2/bias', [1], { kind: 'zeros' });
    this.build(options);
  }

  apply(z: tf.Tensor2D, { training = false } = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const b = z.shape[0];
      const w = this.width;
      const h0 = tf.relu(applyBn(tf.reshape(tf.matMul(z, this.fc.value), [b, 7, 7, 2 * w]), this.bn0, training)) as tf.Tensor4D; // [B, 7, 7, 2w]
      const h1 = tf.relu(applyBn(tf.conv2dTranspose(h0, this.up1.value as tf.Tensor4D, [b, 14, 14, w], 2, 'same'), this.bn1, training)) as tf.Tensor4D; // [B, 14, 14, w]
      return tf.tanh(tf.add(tf.conv2dTranspose(h1, this.up2.value as tf.Tensor4D, [b, 28, 28, 1], 2, 'same'), this.up2Bias.value)) as tf.Tensor4D; // [B, 28, 28, 1]
    });
  }
}

export interface DcganDiscriminatorOptions extends DcganOptions {
  /** Batch norm on the second conv (default true; false for WGAN-GP's critic). */
  batchNorm?: boolean;
}

/** D: images [B, 28, 28, 1] → logits (or critic scores) [B, 1]. */
export class DcganDiscriminator extends Module {
  readonly width: number;
  readonly batchNorm: boolean;
  private readonly p: Record<string, Parameter> = {};
  private readonly bn: Bn | null;

  constructor(options: DcganDiscriminatorOptions = {}) {
    super('dcgan-discriminator');
    const w = (this.width = options.width ?? 64);
    this.batchNorm = options.batchNorm ?? true;
    const add = this.store.add.bind(this.store);
    this.p.conv1 = add('conv1/kernel', [5, 5, 1, w], W_INIT);
    this.p.conv1Bias = add('conv1/bias', [w], { kind: 'zeros' }); // no BN on D's input layer
    this.p.conv2 = add('conv2/kernel', [5, 5, w, 2 * w], W_INIT);
    if (this.batchNorm) this.bn = addBn({ add }, 'conv2/bn', 2 * w);
    else { this.bn = null; this.p.conv2Bias = add('conv2/bias', [2 * w], { kind: 'zeros' }); }
    this.p.out = add('out/kernel', [2 * w * 49, 1], W_INIT);
    this.p.outBias = add('out/bias', [1], { kind: 'zeros' });
    this.build(options);
  }

  /** The layer inputs of the forward pass too (for per-layer gradient norms): [x, h1, h2]. */
  forward(x: tf.Tensor4D, { training = false } = {}): { out: tf.Tensor2D; layerInputs: tf.Tensor[] } {
    const h1 = tf.leakyRelu(tf.add(tf.conv2d(x, this.p.conv1.value as tf.Tensor4D, 2, PAD2), this.p.conv1Bias.value), 0.2); // [B, 14, 14, w]
    const c2 = tf.conv2d(h1 as tf.Tensor4D, this.p.conv2.value as tf.Tensor4D, 2, PAD2); // [B, 7, 7, 2w]
    const h2 = tf.leakyRelu(this.bn ? applyBn(c2, this.bn, training) : tf.add(c2, this.p.conv2Bias.value), 0.2);
    const out = tf.add<tf.Tensor2D>(tf.matMul(tf.reshape(h2, [x.shape[0], -1]), this.p.out.value), this.p.outBias.value); // [B, 1]
    return { out, layerInputs: [x, h1, h2] };
  }

  apply(x: tf.Tensor4D, options: { training?: boolean } = {}): tf.Tensor2D {
    return tf.tidy(() => this.forward(x, options).out);
  }
}

/** Images in [−1, 1] (G's tanh range) from pixels in [0, 1], and back. */
export const toTanhRange = (x01: tf.Tensor): tf.Tensor => tf.tidy(() => tf.sub(tf.mul(x01, 2), 1));
export const toUnitRange = (x: tf.Tensor): tf.Tensor => tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1));

/**
 * Spherical linear interpolation between two latent vectors (White 2016, "Sampling Generative
 * Networks", arXiv:1609.04468 §2; DCGAN §6.1 walks the latent space linearly — slerp keeps the
 * interpolants at the norm a Gaussian z has). a, b [latent] → steps rows [steps, latent].
 */
export function slerpRows(a: Float32Array, b: Float32Array, steps: number): Float32Array {
  const d = a.length;
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  const omega = Math.acos(Math.min(1, Math.max(-1, a.reduce((s, v, i) => s + v * b[i], 0) / (na * nb))));
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = steps === 1 ? 0 : s / (steps - 1);
    const [ca, cb] = omega < 1e-6 ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    for (let j = 0; j < d; j++) out[s * d + j] = ca * a[j] + cb * b[j];
  }
  return out;
}

/** What `minimize` needs of an optimizer (tf.train and @paperzoo/core-autograd optimizers qualify). */
export interface Minimizer {
  minimize(f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]): tf.Scalar | null;
}

/**
 * One DCGAN step (Goodfellow et al. 2014 Alg. 1 with k = 1, the non-saturating G loss of its §3, as
 * Radford et al. train): a D step on a real batch and G(z₁), then a G step on G(z₂). Real images in
 * [−1, 1] [B, 28, 28, 1]; z₁, z₂ [B, latent] drawn by the caller's seeded generator. Batch norm in
 * training mode, real and fake batches normalised separately (as the authors' code). Returns the two
 * losses (scalars the caller disposes) and D's mean output probability on each batch.
 */
export function dcganStep(g: DcganGenerator, d: DcganDiscriminator, optG: Minimizer, optD: Minimizer, real: tf.Tensor4D, z1: tf.Tensor2D, z2: tf.Tensor2D): { d_loss: tf.Scalar; g_loss: tf.Scalar } {
  const dVars = Object.values(d.variables);
  const gVars = Object.values(g.variables);
  const dLoss = optD.minimize(() => {
    const fake = g.apply(z1, { training: true });
    const lr = d.apply(real, { training: true });
    const lf = d.apply(fake, { training: true });
    // −E[log D(x)] − E[log(1 − D(G(z)))]
    return tf.add<tf.Scalar>(tf.mean(tf.softplus(tf.neg(lr))), tf.mean(tf.softplus(lf)));
  }, true, dVars)!;
  const gLoss = optG.minimize(() => tf.mean<tf.Scalar>(tf.softplus(tf.neg(d.apply(g.apply(z2, { training: true }), { training: true })))), true, gVars)!; // −E[log D(G(z))]
  return { d_loss: dLoss, g_loss: gLoss };
}
