/**
 * NICE's MNIST model — Dinh et al. 2014, §5.1 — and its affine-coupling twin (RealNVP's coupling law,
 * Dinh et al. 2016, §3.3) on the same vector partition, for a comparison at equal parameters:
 *
 *   h = exp(S) ⊙ (c_4 ∘ c_3 ∘ c_2 ∘ c_1)(x),   log p(x) = log p_H(h) + Σ_i S_i (+ Σ_l log |det J_{c_l}|)
 *
 * with c_l a coupling layer on the odd/even partition, the roles exchanged each layer, each coupling
 * function an MLP (NICE: 5 hidden ReLU layers of 1000 units), S the diagonal scaling (additive law
 * only: the affine couplings scale by themselves; it is kept for both so the models differ only in
 * the coupling law), and a logistic prior. x [batch, D] → log p(x) [batch] in nats.
 */
import { Module, tf, type ModuleOptions } from '@paperzoo/tensor';
import { AdditiveCoupling } from './additive-coupling.js';
import { AffineCoupling } from './affine-coupling.js';
import { MlpConditioner } from './conditioner.js';
import { DiagonalScaling } from './diagonal-scaling.js';
import { flowForward, flowInverse, type FlowLayer, type FlowMode } from './flow.js';
import { parityPartition } from './partition.js';
import { LOGISTIC_PRIOR, type Prior } from './priors.js';

export type CouplingLaw = 'additive' | 'affine';

export interface CouplingFlowOptions extends ModuleOptions {
  /** D, even (784 for MNIST). */
  dims: number;
  /** Coupling layers (NICE: 4). */
  couplings: number;
  /** Width of each hidden layer of a coupling function (NICE: 1000). */
  hidden: number;
  /** Hidden layers per coupling function (NICE: 5). */
  hiddenLayers: number;
  /** 'additive' (NICE eq. 5) or 'affine' (RealNVP eq. 6). */
  law: CouplingLaw;
  /** Half-width of the uniform weight initialisation (the authors' yaml: 0.01). */
  initRange?: number;
  prior?: Prior;
  name?: string;
}

export class CouplingFlow extends Module {
  readonly layers: FlowLayer[] = [];
  readonly prior: Prior;

  constructor(readonly options: CouplingFlowOptions) {
    super(options.name ?? `${options.law}-flow`);
    const { dims, couplings, hidden, hiddenLayers, law } = options;
    const half = dims / 2;
    for (let l = 0; l < couplings; l++) {
      const partition = parityPartition((l % 2) as 0 | 1);
      const sizes = [half, ...Array<number>(hiddenLayers).fill(hidden), law === 'additive' ? half : 2 * half];
      const net = new MlpConditioner(this.store, `coupling${l + 1}`, sizes, options.initRange ?? 0.01);
      this.layers.push(law === 'additive' ? new AdditiveCoupling(partition, net) : new AffineCoupling(this.store, `coupling${l + 1}`, partition, net, half));
    }
    this.layers.push(new DiagonalScaling(this.store, 'scaling', [dims]));
    this.prior = options.prior ?? LOGISTIC_PRIOR;
    this.build(options);
  }

  /** h = f(x) [batch, D] and log |det ∂f/∂x| [batch]. */
  forward(x: tf.Tensor, mode: FlowMode = {}): { y: tf.Tensor; logDet: tf.Tensor1D } {
    return flowForward(this.layers, x, mode);
  }

  /** x = f⁻¹(h). */
  inverse(h: tf.Tensor): tf.Tensor {
    return flowInverse(this.layers, h);
  }

  /** log p_X(x) = log p_H(f(x)) + log |det ∂f/∂x|, nats per example, [batch]. */
  logProb(x: tf.Tensor, mode: FlowMode = {}): tf.Tensor1D {
    return tf.tidy(() => {
      const { y, logDet } = this.forward(x, mode);
      return tf.add(this.prior.logProb(y), logDet);
    });
  }

  /** n samples x = f⁻¹(T·h), h ~ p_H (global generator): [n, D]. */
  sample(n: number, temperature = 1): tf.Tensor2D {
    return tf.tidy(() => this.inverse(this.prior.sample([n, this.options.dims], temperature)) as tf.Tensor2D);
  }
}

/**
 * The hidden width that gives an affine-coupling flow the parameter count closest to (and not above)
 * an additive one of width `additiveHidden` — the "equal parameters" of the comparison.
 */
export function matchedAffineHidden(o: Omit<CouplingFlowOptions, 'law' | 'hidden'> & { additiveHidden: number }): { hidden: number; additive: number; affine: number } {
  const count = (law: CouplingLaw, hidden: number) => new CouplingFlow({ ...o, law, hidden, allocate: false }).parameterCount();
  const additive = count('additive', o.additiveHidden);
  let hidden = o.additiveHidden;
  while (hidden > 1 && count('affine', hidden) > additive) hidden--;
  return { hidden, additive, affine: count('affine', hidden) };
}
