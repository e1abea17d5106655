/**
 * Lookahead: k fast steps forward, one step back towards the slow weights.
 *
 * M. R. Zhang, J. Lucas, G. Hinton, J. Ba, "Lookahead Optimizer: k steps forward, 1 step back",
 * NeurIPS 2019, https://arxiv.org/abs/1907.08610, Algorithm 1. Any inner optimizer A updates the fast
 * weights θ every step; every k-th step the slow weights φ move towards them and the fast weights
 * restart from there:
 *
 *   θ_t = A(θ_{t−1}, g_t)                         (every step)
 *   if t mod k = 0:  φ ← φ + α (θ_t − φ),  θ_t ← φ  (φ starts at θ_0)
 *
 * The learning rate, penalties and clipping are the inner optimizer's. Lookahead owns the inner
 * optimizer: `dispose()` disposes both. Checkpoints hold Lookahead's 'iter' and '<var>/slow' slots and
 * the inner optimizer's weights with their names prefixed by `inner::`.
 */
import { tf } from '@paperzoo/tensor';
import { Optimizer, type GradientInput, type NamedTensor, type VariableUpdate } from './optimizer.js';

export interface LookaheadOptions {
  /** k, fast steps per slow step (default 5). */
  k?: number;
  /** α, the slow step size (default 0.5). */
  alpha?: number;
}

/** Prefix of the inner optimizer's weights in {@link Lookahead.getWeights}. */
export const LOOKAHEAD_INNER_PREFIX = 'inner::';

/** Lookahead (Zhang et al. 2019): every k inner steps, φ ← φ + α(θ − φ), θ ← φ. Equations and conventions: the top of this file. */
export class Lookahead extends Optimizer {
  static override className = 'paperzoo.Lookahead';
  protected readonly slotNames = ['slow'] as const;
  readonly k: number;
  readonly alpha: number;

  constructor(
    /** The optimizer that takes the fast steps. */
    readonly inner: Optimizer,
    options: LookaheadOptions = {},
  ) {
    super({ learningRate: inner.learningRate });
    this.k = options.k ?? 5;
    this.alpha = options.alpha ?? 0.5;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError(`k must be a positive integer, got ${this.k}`);
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${this.alpha}`);
  }

  /** The inner optimizer's learning rate for its next step. */
  override currentLearningRate(): number {
    return this.inner.currentLearningRate();
  }

  protected override initialSlotValue(_slot: string, variable: tf.Variable): tf.Tensor {
    return tf.clone(variable); // φ_0 = θ_0
  }

  protected update(_u: VariableUpdate): tf.Tensor {
    throw new Error('Lookahead.update is never called: applyGradients delegates to the inner optimizer');
  }

  override applyGradients(gradients: GradientInput): void {
    const entries = this.resolve(gradients);
    for (const { name, variable } of entries) this.slotsOf(name, variable); // remember φ_0 before the first fast step
    this.inner.applyGradients(new Map(entries.map(({ variable, gradient }) => [variable, gradient])));
    this.incrementIterations();
    if (this.iterations % this.k !== 0) return;
    tf.tidy(() => {
      for (const [name, { slow }] of this.slots) {
        const fast = tf.engine().registeredVariables[name];
        if (fast == null) continue; // the variable was disposed
        const next = tf.add(slow, tf.mul(tf.sub(fast, slow), this.alpha)); // φ + α(θ − φ)
        slow.assign(next);
        fast.assign(next);
      }
    });
  }

  override getWeightsSync(): NamedTensor[] {
    const inner = this.inner.getWeightsSync().map(({ name, tensor }) => ({ name: LOOKAHEAD_INNER_PREFIX + name, tensor }));
    return [...super.getWeightsSync(), ...inner];
  }

  override setWeightsSync(weights: NamedTensor[]): void {
    const inner = weights.filter((w) => w.name.startsWith(LOOKAHEAD_INNER_PREFIX));
    this.inner.setWeightsSync(inner.map(({ name, tensor }) => ({ name: name.slice(LOOKAHEAD_INNER_PREFIX.length), tensor })));
    super.setWeightsSync(weights.filter((w) => !w.name.startsWith(LOOKAHEAD_INNER_PREFIX)));
  }

  override dispose(): void {
    super.dispose();
    this.inner.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { k: this.k, alpha: this.alpha, inner: { className: this.inner.getClassName(), config: this.inner.getConfig() } };
  }
}
