/**
 * The adversarial objectives against their definitions in float64: minimax and non-saturating
 * (Goodfellow et al. eq. 1, §3), LSGAN eq. 2 with both codings, WGAN's critic and generator losses;
 * the non-saturating generator's gradient is larger than the minimax one where D rejects the fakes
 * (Goodfellow et al. §3's reason for it); the interpolates of WGAN-GP lie on the segments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assertNoLeaksSync, initBackend, makeRng, tf } from '@paperzoo/tensor';
import { GAN_LOSS_KINDS, LSGAN_PEARSON, discriminatorLoss, generatorLoss, interpolate, wassersteinEstimate } from '../src/index.js';
import { AVAILABLE } from '../../tensor/test/backends.js';

beforeAll(async () => {
  await initBackend({ backend: AVAILABLE.native ? 'native' : 'cpu' });
});

const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

describe('GAN losses', () => {
  const rng = makeRng(3);
  const real = Array.from({ length: 7 }, () => 6 * rng() - 3);
  const fake = Array.from({ length: 7 }, () => 6 * rng() - 3);
  const reference = {
    minimax: { d: -mean(real.map((l) => Math.log(sigmoid(l)))) - mean(fake.map((l) => Math.log(1 - sigmoid(l)))), g: mean(fake.map((l) => Math.log(1 - sigmoid(l)))) },
    'non-saturating': { d: -mean(real.map((l) => Math.log(sigmoid(l)))) - mean(fake.map((l) => Math.log(1 - sigmoid(l)))), g: -mean(fake.map((l) => Math.log(sigmoid(l)))) },
    lsgan: { d: 0.5 * mean(real.map((v) => (v - 1) ** 2)) + 0.5 * mean(fake.map((v) => v ** 2)), g: 0.5 * mean(fake.map((v) => (v - 1) ** 2)) },
    wgan: { d: mean(fake) - mean(real), g: -mean(fake) },
  };
  for (const kind of GAN_LOSS_KINDS) {
    it(`${kind}: D and G losses equal their float64 definitions`, () => {
      const [d, g] = assertNoLeaksSync(() =>
        tf.tidy(() => [discriminatorLoss(kind, tf.tensor1d(real), tf.tensor1d(fake)).arraySync(), generatorLoss(kind, tf.tensor2d(fake, [7, 1])).arraySync()]),
      );
      expect(d).toBeCloseTo(reference[kind].d, 5);
      expect(g).toBeCloseTo(reference[kind].g, 5);
    });
  }

  it('LSGAN with the Pearson coding a = −1, b = 1, c = 0 (Mao et al. eq. 8)', () => {
    const d = tf.tidy(() => discriminatorLoss('lsgan', tf.tensor1d(real), tf.tensor1d(fake), LSGAN_PEARSON).arraySync());
    const g = tf.tidy(() => generatorLoss('lsgan', tf.tensor1d(fake), LSGAN_PEARSON).arraySync());
    expect(d).toBeCloseTo(0.5 * mean(real.map((v) => (v - 1) ** 2)) + 0.5 * mean(fake.map((v) => (v + 1) ** 2)), 5);
    expect(g).toBeCloseTo(0.5 * mean(fake.map((v) => v ** 2)), 5);
  });

  it('the non-saturating loss gives G a stronger gradient where D confidently rejects the fakes (§3)', () => {
    const logits = tf.tensor1d([-6, -4]);
    const [ns, mm] = (['non-saturating', 'minimax'] as const).map((k) => tf.tidy(() => tf.abs(tf.grad((l: tf.Tensor) => generatorLoss(k, l))(logits)).dataSync()));
    // d/dl of −log σ(l) is σ(l) − 1 ≈ −1; of log(1 − σ(l)) it is −σ(l) ≈ −0.0025 at l = −6 (÷ 2: the mean)
    for (let i = 0; i < 2; i++) expect(ns[i]).toBeGreaterThan(10 * mm[i]);
    expect(ns[0]).toBeCloseTo((1 - sigmoid(-6)) / 2, 5);
    expect(mm[0]).toBeCloseTo(sigmoid(-6) / 2, 5);
    logits.dispose();
  });

  it('the Wasserstein estimate is E[f(x)] − E[f(G(z))]', () => {
    expect(tf.tidy(() => wassersteinEstimate(tf.tensor1d(real), tf.tensor1d(fake)))).toBeCloseTo(mean(real) - mean(fake), 5);
  });
});

describe('WGAN-GP interpolates', () => {
  it('x̂ = εx + (1 − ε)x̃ per example, ε broadcast over the example', () => {
    const out = tf.tidy(() => interpolate(tf.ones([3, 2, 2]), tf.fill([3, 2, 2], -1), tf.tensor1d([0, 0.25, 1])).arraySync()) as number[][][];
    expect(out[0].flat()).toEqual([-1, -1, -1, -1]);
    expect(out[1].flat()).toEqual([-0.5, -0.5, -0.5, -0.5]);
    expect(out[2].flat()).toEqual([1, 1, 1, 1]);
  });
});
