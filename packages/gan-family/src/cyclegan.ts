/**
 * CycleGAN — J.-Y. Zhu, T. Park, P. Isola, A. A. Efros, "Unpaired Image-to-Image Translation using
 * Cycle-Consistent Adversarial Networks", ICCV 2017, https://arxiv.org/abs/1703.10593.
 *
 * Two generators G: X → Y and F: Y → X and two discriminators D_Y, D_X, trained on unpaired images of
 * the two domains with the full objective (eq. 3)
 *
 *   L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X) + λ L_cyc(G, F),   λ = 10 (§4),
 *
 * where L_cyc (eq. 2) is E_x ‖F(G(x)) − x‖₁ + E_y ‖G(F(y)) − y‖₁ and L_GAN is replaced by the
 * least-squares loss (§4, Mao et al.'s LSGAN, src/losses.ts): G minimises E[(D_Y(G(x)) − 1)²], D_Y
 * minimises ½(E[(D_Y(y) − 1)²] + E[D_Y(G(x))²]) ("we divide the objective by 2 while optimizing D").
 * The identity loss of §5.2 ("photo generation from paintings"), E_y ‖G(y) − y‖₁ + E_x ‖F(x) − x‖₁,
 * is added with weight 0.5λ as the authors' code does by default (junyanz/pytorch-CycleGAN-and-pix2pix,
 * `--lambda_identity 0.5`, multiplied by λ there); weight 0 turns it off. ‖·‖₁ is the mean absolute
 * difference per pixel, as that code's nn.L1Loss.
 *
 * Networks (Appendix 7.2), scaled down for 28×28 single-channel digits:
 * - generator (Johnson et al.'s ResNet): c7s1-k, d2k, d4k, R4k × n, u2k, uk, c7s1-C — 7×7 convs with
 *   reflection padding, 3×3 stride-2 convs down (28 → 14 → 7), n residual blocks of two reflection-padded
 *   3×3 convs at 7×7, 3×3 fractionally strided convs up (7 → 14 → 28), instance norm (no affine, as the
 *   authors' code) and ReLU after every conv but the last, tanh out. The paper: k = 64, n = 6 (128×128)
 *   or 9 (256×256); for 28×28 we keep the two downsamplings and make k and n options.
 * - discriminator (PatchGAN, 70×70 in the paper: C64-C128-C256-C512): 4×4 convs, LeakyReLU 0.2, instance
 *   norm from the second layer on, no norm on the first. On 28×28 the paper's four layers see a 34×34
 *   field (the whole image), so we keep the first two — the authors' `NLayerDiscriminator` with
 *   n_layers = 1: Ck stride 2 → C2k stride 1 → a 4×4 conv to 1 channel, each padded 1. Output: 12×12
 *   patch scores, each seeing a 16×16 field.
 * - weights from N(0, 0.02), biases zero (the authors' code, `init_type normal`); Adam 2·10⁻⁴, β₁ = 0.5
 *   (§4); a history of 50 generated images for the discriminator updates (§4, Shrivastava et al.;
 *   {@link ImagePool}).
 *
 * Shapes: images NHWC [B, H, W, C] in [−1, 1] (H, W divisible by 4); discriminator output [B, H', W', 1].
 */
import { tf, Module, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { discriminatorLoss, generatorLoss } from './losses.js';
import type { Minimizer } from './dcgan.js';

/** §4: Adam with learning rate 2·10⁻⁴, β₁ = 0.5 (β₂ = 0.999, the authors' code). */
export const CYCLEGAN_ADAM = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999 } as const;
/** §4: λ = 10 in eq. 3. */
export const CYCLEGAN_LAMBDA = 10;
/** The identity loss's weight as a fraction of λ (the authors' code: `--lambda_identity 0.5`). */
export const CYCLEGAN_IDENTITY = 0.5;
/** §4: the discriminators are updated with a history of this many generated images. */
export const CYCLEGAN_POOL_SIZE = 50;

const W_INIT = { kind: 'normal', std: 0.02 } as const;
type Pad4 = [[number, number], [number, number], [number, number], [number, number]];
const pad = (p: number): Pad4 => [[0, 0], [p, p], [p, p], [0, 0]];

/**
 * Instance normalisation (Ulyanov et al. 2016, as in CycleGAN's Appendix 7.2): each example's each
 * channel to zero mean and unit variance over its H×W positions, composed from `tf.moments`; no affine
 * parameters (the authors' `InstanceNorm2d(affine=False)`). [B, H, W, C] → [B, H, W, C].
 */
export function instanceNorm(x: tf.Tensor4D, epsilon = 1e-5): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true); // [B, 1, 1, C]
    return tf.mul<tf.Tensor4D>(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  });
}

/** Source index of each of the n + 2p padded positions under reflection: p, …, 1, 0, 1, …, n − 1, n − 2, …, n − 1 − p. */
function reflectedIndices(n: number, p: number): Int32Array {
  return Int32Array.from({ length: n + 2 * p }, (_, i) => { const j = i - p; return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j; });
}

/**
 * Reflection padding of H and W by p (as PyTorch's ReflectionPad2d and `tf.mirrorPad(x, …, 'reflect')`), as two
 * gathers of reflected indices. Not `tf.mirrorPad` itself: its forward pass is right, but tfjs 4.22's gradient
 * for it (gradients/MirrorPad_grad.js) only slices the centre out of dy and drops what flowed into the
 * reflected borders — measured wrong against finite differences on cpu and native (@paperzoo/tensor now registers a
 * correct one, packages/tensor test/mirror-pad.test.ts; the gathers stay: faster, and the smoke preset was chosen
 * with them). A gather's gradient (an
 * unsorted segment sum) adds every copy's contribution back (test/cyclegan.test.ts checks it against the
 * float64 adjoint); two gathers ran ~3× faster forward and backward than the same padding composed of slices,
 * reverses and concatenations. [B, H, W, C] → [B, H + 2p, W + 2p, C], p < H, W.
 */
export function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (p === 0) return x.clone();
  if (p >= h || p >= w) throw new RangeError(`reflectPad: padding ${p} needs H and W above it (got ${h}×${w})`);
  return tf.tidy(() => tf.gather(tf.gather(x, reflectedIndices(h, p), 1), reflectedIndices(w, p), 2));
}

/** Mean absolute difference per element (the ‖·‖₁ of eqs. 2 and §5.2, as nn.L1Loss), a scalar. */
const meanAbs = (x: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.abs(tf.sub(x, y)));

/** Eq. 2: L_cyc = E_x ‖F(G(x)) − x‖₁ + E_y ‖G(F(y)) − y‖₁, from x, F(G(x)), y, G(F(y)). */
export function cycleConsistencyLoss(x: tf.Tensor, xReconstructed: tf.Tensor, y: tf.Tensor, yReconstructed: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add<tf.Scalar>(meanAbs(xReconstructed, x), meanAbs(yReconstructed, y)));
}

/** §5.2: L_identity = E_y ‖G(y) − y‖₁ + E_x ‖F(x) − x‖₁, from y, G(y), x, F(x). Zero when G and F are identity maps. */
export function identityMappingLoss(y: tf.Tensor, gOfY: tf.Tensor, x: tf.Tensor, fOfX: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add<tf.Scalar>(meanAbs(gOfY, y), meanAbs(fOfX, x)));
}

/** §4: a generator's least-squares adversarial loss E[(D(G(x)) − 1)²] (= 2 × Mao et al.'s ½E[…] of src/losses.ts). */
export function cycleganAdversarialLoss(dOfFake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mul<tf.Scalar>(2, generatorLoss('lsgan', dOfFake)));
}

/** §4: a discriminator's loss ½(E[(D(y) − 1)²] + E[D(G(x))²]) (src/losses.ts's LSGAN loss, 0-1 coding). */
export function cycleganDiscriminatorLoss(dOfReal: tf.Tensor, dOfFake: tf.Tensor): tf.Scalar {
  return discriminatorLoss('lsgan', dOfReal, dOfFake);
}

/** The weights of eq. 3 and §5.2. */
export interface CycleganWeights {
  /** λ of eq. 3 (§4: 10). */
  lambda: number;
  /** The identity loss's weight as a fraction of λ (the authors' code: 0.5; 0 = off). */
  identity: number;
}

/** What the generators' objective is computed from (discriminator outputs on fakes, images, reconstructions). */
export interface CycleganGeneratorTerms {
  /** D_Y(G(x)) and D_X(F(y)). */
  dYOfGx: tf.Tensor; dXOfFy: tf.Tensor;
  x: tf.Tensor; fOfGx: tf.Tensor; y: tf.Tensor; gOfFy: tf.Tensor;
  /** G(y) and F(x); needed only when the identity weight is not 0. */
  gOfY?: tf.Tensor; fOfX?: tf.Tensor;
}

/**
 * The generators' side of eq. 3 (plus §5.2's identity term): L_GAN(G) + L_GAN(F) + λ L_cyc + identity·λ L_identity.
 * Returns the total and its parts (scalars; the caller disposes them).
 */
export function cycleganGeneratorObjective(t: CycleganGeneratorTerms, w: CycleganWeights = { lambda: CYCLEGAN_LAMBDA, identity: CYCLEGAN_IDENTITY }): { total: tf.Scalar; adversarial: tf.Scalar; cycle: tf.Scalar; identity: tf.Scalar } {
  const adversarial = tf.tidy(() => tf.add<tf.Scalar>(cycleganAdversarialLoss(t.dYOfGx), cycleganAdversarialLoss(t.dXOfFy)));
  const cycle = cycleConsistencyLoss(t.x, t.fOfGx, t.y, t.gOfFy);
  let identity: tf.Scalar;
  if (w.identity !== 0) {
    if (!t.gOfY || !t.fOfX) throw new Error('cycleganGeneratorObjective: the identity loss needs G(y) and F(x)');
    identity = identityMappingLoss(t.y, t.gOfY, t.x, t.fOfX);
  } else identity = tf.scalar(0);
  const total = tf.tidy(() => tf.add<tf.Scalar>(adversarial, tf.mul(w.lambda, tf.add(cycle, tf.mul(w.identity, identity)))));
  return { total, adversarial, cycle, identity };
}

/** A conv layer's kernel and bias. */
interface Conv { kernel: Parameter; bias: Parameter }

export interface CycleganGeneratorOptions extends ModuleOptions {
  /** k of c7s1-k (the paper: 64). */
  width?: number;
  /** Residual blocks n (the paper: 6 at 128×128, 9 at 256×256). */
  blocks?: number;
  /** Image channels C (1 for digits). */
  channels?: number;
}

/** Appendix 7.2's ResNet generator: [B, H, W, C] in [−1, 1] → [B, H, W, C] in [−1, 1]. */
export class ResnetGenerator extends Module {
  readonly width: number;
  readonly blocks: number;
  readonly channels: number;
  private readonly c: Record<string, Conv> = {};

  constructor(options: CycleganGeneratorOptions = {}) {
    super('cyclegan-generator');
    const k = (this.width = options.width ?? 64);
    this.blocks = options.blocks ?? 6;
    const ch = (this.channels = options.channels ?? 3);
    const conv = (name: string, size: number, cin: number, cout: number, transposed = false) => {
      this.c[name] = {
        kernel: this.store.add(`${name}/kernel`, transposed ? [size, size, cout, cin] : [size, size, cin, cout], W_INIT), // tfjs transposed-conv filter: [k, k, out, in]
        bias: this.store.add(`${name}/bias`, [cout], { kind: 'zeros' }),
      };
    };
    conv('c7s1', 7, ch, k);
    conv('d1', 3, k, 2 * k);
    conv('d2', 3, 2 * k, 4 * k);
    for (let r = 0; r < this.blocks; r++) { conv(`r${r}/a`, 3, 4 * k, 4 * k); conv(`r${r}/b`, 3, 4 * k, 4 * k); }
    conv('u1', 3, 4 * k, 2 * k, true);
    conv('u2', 3, 2 * k, k, true);
    conv('out', 7, k, ch);
    this.build(options);
  }

  private conv(name: string, x: tf.Tensor4D, stride: number, padding: number | 'valid'): tf.Tensor4D {
    const { kernel, bias } = this.c[name];
    return tf.add<tf.Tensor4D>(tf.conv2d(x, kernel.value as tf.Tensor4D, stride, padding === 'valid' ? 'valid' : pad(padding)), bias.value);
  }

  private up(name: string, x: tf.Tensor4D): tf.Tensor4D {
    const { kernel, bias } = this.c[name];
    const [b, h, w] = x.shape;
    return tf.add<tf.Tensor4D>(tf.conv2dTranspose(x, kernel.value as tf.Tensor4D, [b, 2 * h, 2 * w, kernel.shape[2]], 2, 'same'), bias.value);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const act = (t: tf.Tensor4D) => tf.relu<tf.Tensor4D>(instanceNorm(t));
      let h = act(this.conv('c7s1', reflectPad(x, 3), 1, 'valid')); // c7s1-k: [B, H, W, k]
      h = act(this.conv('d1', h, 2, 1)); // d2k: [B, H/2, W/2, 2k]
      h = act(this.conv('d2', h, 2, 1)); // d4k: [B, H/4, W/4, 4k]
      for (let r = 0; r < this.blocks; r++) { // R4k: x + IN(conv(ReLU(IN(conv(x))))), reflection-padded 3×3 convs
        const inner = act(this.conv(`r${r}/a`, reflectPad(h, 1), 1, 'valid'));
        h = tf.add<tf.Tensor4D>(h, instanceNorm(this.conv(`r${r}/b`, reflectPad(inner, 1), 1, 'valid'))); // [B, H/4, W/4, 4k]
      }
      h = act(this.up('u1', h)); // u2k: [B, H/2, W/2, 2k]
      h = act(this.up('u2', h)); // uk: [B, H, W, k]
      return tf.tanh<tf.Tensor4D>(this.conv('out', reflectPad(h, 3), 1, 'valid')); // c7s1-C: [B, H, W, C]
    });
  }
}

export interface PatchDiscriminatorOptions extends ModuleOptions {
  /** Channels of the first layer (the paper: 64). */
  width?: number;
  channels?: number;
}

/**
 * A two-layer PatchGAN (Appendix 7.2's C64-C128-… cut to C(k)-C(2k) for 28×28; see the file comment):
 * [B, H, W, C] → patch scores [B, H/2 − 2, W/2 − 2, 1] (12×12 for 28×28; each a 16×16 field).
 */
export class PatchDiscriminator extends Module {
  readonly width: number;
  private readonly c: Record<string, Conv> = {};

  constructor(options: PatchDiscriminatorOptions = {}) {
    super('cyclegan-patch-discriminator');
    const k = (this.width = options.width ?? 64);
    const ch = options.channels ?? 3;
    const conv = (name: string, cin: number, cout: number) => {
      this.c[name] = { kernel: this.store.add(`${name}/kernel`, [4, 4, cin, cout], W_INIT), bias: this.store.add(`${name}/bias`, [cout], { kind: 'zeros' }) };
    };
    conv('c1', ch, k);
    conv('c2', k, 2 * k);
    conv('out', 2 * k, 1);
    this.build(options);
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const conv = (name: string, h: tf.Tensor4D, stride: number) => tf.add<tf.Tensor4D>(tf.conv2d(h, this.c[name].kernel.value as tf.Tensor4D, stride, pad(1)), this.c[name].bias.value);
      const h1 = tf.leakyRelu<tf.Tensor4D>(conv('c1', x, 2), 0.2); // Ck, no norm: [B, H/2, W/2, k]
      const h2 = tf.leakyRelu<tf.Tensor4D>(instanceNorm(conv('c2', h1, 1)), 0.2); // C2k: [B, H/2 − 1, W/2 − 1, 2k]
      return conv('out', h2, 1); // [B, H/2 − 2, W/2 − 2, 1]
    });
  }
}

/**
 * §4's image buffer (Shrivastava et al. 2017): the discriminators see a history of generated images, not
 * only the latest. As the authors' `ImagePool`: until `size` images are stored each new one is stored and
 * returned; after that, with probability ½ a new image replaces a random stored one, which is returned
 * instead of it. `random` draws uniforms in [0, 1) (pass the run's seeded generator). Images are kept as
 * Float32Arrays so that the pool can be checkpointed (`state` / `restore`).
 */
export class ImagePool {
  private images: Float32Array[] = [];

  constructor(readonly size: number, private readonly random: () => number) {}

  /** Images [B, H, W, C] → the batch the discriminator sees, [B, H, W, C] (a new tensor). */
  query(batch: tf.Tensor4D): tf.Tensor4D {
    const [b, ...rest] = batch.shape;
    const d = rest[0] * rest[1] * rest[2];
    const data = batch.dataSync() as Float32Array;
    if (this.size === 0) return tf.tensor4d(data.slice(), batch.shape);
    const out = new Float32Array(b * d);
    for (let i = 0; i < b; i++) {
      const img = data.slice(i * d, (i + 1) * d);
      if (this.images.length < this.size) { this.images.push(img); out.set(img, i * d); continue; }
      if (this.random() > 0.5) {
        const j = Math.min(this.size - 1, Math.floor(this.random() * this.size));
        out.set(this.images[j], i * d);
        this.images[j] = img;
      } else out.set(img, i * d);
    }
    return tf.tensor4d(out, batch.shape);
  }

  /** The stored images, for a checkpoint. */
  state(): number[][] {
    return this.images.map((x) => Array.from(x));
  }

  restore(images: number[][]): void {
    this.images = images.map((x) => Float32Array.from(x));
  }
}

/** The four networks of one CycleGAN: G: X → Y, F: Y → X, D_X, D_Y. */
export interface CycleganNetworks {
  g: ResnetGenerator; f: ResnetGenerator; dX: PatchDiscriminator; dY: PatchDiscriminator;
}

/**
 * One training iteration as the authors' code (`CycleGANModel.optimize_parameters`): G and F take one
 * step together on eq. 3 + identity (discriminators fixed), then D_X and D_Y one step together, each on
 * real images of its domain and a {@link ImagePool} history of the fakes just generated (before the
 * generators' update). x [B, H, W, C] from X, y [B, H, W, C] from Y (unpaired), in [−1, 1]. Returns the
 * losses as numbers.
 */
export function cycleganStep(nets: CycleganNetworks, optG: Minimizer, optD: Minimizer, x: tf.Tensor4D, y: tf.Tensor4D, pools: { x: ImagePool; y: ImagePool }, w: CycleganWeights = { lambda: CYCLEGAN_LAMBDA, identity: CYCLEGAN_IDENTITY }): Record<'g_loss' | 'adversarial' | 'cycle' | 'identity' | 'd_loss', number> {
  const { g, f, dX, dY } = nets;
  const fakes: { x?: tf.Tensor4D; y?: tf.Tensor4D } = {};
  const parts: tf.Scalar[] = [];
  const gVars = [...Object.values(g.variables), ...Object.values(f.variables)];
  const dVars = [...Object.values(dX.variables), ...Object.values(dY.variables)];
  let poolX: tf.Tensor4D | null = null;
  let poolY: tf.Tensor4D | null = null;
  try {
    const gLoss = optG.minimize(() => {
      const gx = g.apply(x); // G(x) ∈ Y: [B, H, W, C]
      const fy = f.apply(y); // F(y) ∈ X
      const o = cycleganGeneratorObjective({ dYOfGx: dY.apply(gx), dXOfFy: dX.apply(fy), x, fOfGx: f.apply(gx), y, gOfFy: g.apply(fy), gOfY: w.identity ? g.apply(y) : undefined, fOfX: w.identity ? f.apply(x) : undefined }, w);
      fakes.y = tf.keep(gx); fakes.x = tf.keep(fy);
      parts.push(tf.keep(o.adversarial), tf.keep(o.cycle), tf.keep(o.identity));
      return o.total;
    }, true, gVars)!;
    poolY = pools.y.query(fakes.y!);
    poolX = pools.x.query(fakes.x!);
    const dLoss = optD.minimize(() => tf.add<tf.Scalar>(cycleganDiscriminatorLoss(dY.apply(y), dY.apply(poolY!)), cycleganDiscriminatorLoss(dX.apply(x), dX.apply(poolX!))), true, dVars)!;
    const [gl, dl, adv, cyc, idt] = [gLoss, dLoss, ...parts].map((s) => s.dataSync()[0]);
    tf.dispose([gLoss, dLoss]);
    return { g_loss: gl, adversarial: adv, cycle: cyc, identity: idt, d_loss: dl };
  } finally {
    tf.dispose([...parts, ...[fakes.x, fakes.y, poolX, poolY].filter((t): t is tf.Tensor4D => t != null)]);
  }
}
