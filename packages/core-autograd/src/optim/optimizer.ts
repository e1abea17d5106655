/**
 * The optimizer interface of paperzoo: a `tf.train`-compatible optimizer (it extends `tf.Optimizer`,
 * so `minimize`, `computeGradients`, `applyGradients(NamedTensorMap)` and tfjs-layers' `model.compile`
 * work as with `tf.train.adam`), plus what reproductions need on top: a learning-rate schedule, L1/L2
 * penalties, clipping, and exact checkpoints of every slot.
 *
 * One step, for each variable θ with gradient g (t = 1, 2, … counts the updates):
 *
 *   g ← g + λ₁ sign(θ) + λ₂ θ                     (./penalties.ts, when l1 / l2 are set)
 *   g ← clip(g)                                    (./clipping.ts: by value, then by global norm)
 *   θ ← rule(θ, g, slots, η_t, t)                  (the subclass: SGD, Adam, …; η_t = learningRate(t − 1))
 *
 * t is the optimizer's step count, shared by all variables (as in tfjs and Keras; PyTorch counts per
 * parameter, which differs only for a variable that first receives a gradient after step 1).
 *
 * ```ts
 * const opt = new Adam({ learningRate: 1e-3 });
 * const { value, grads } = tf.variableGrads(lossFn);   // grads keyed by variable name
 * opt.applyGradients(grads);
 * tf.dispose([value, grads]);
 * const saved = await opt.getWeights();                // [{name:'iter'}, {name:'<var>/m'}, …] (copies)
 * ```
 */
import { tf } from '@paperzoo/tensor';
import { clipByValue, globalNormScale } from './clipping.js';
import { learningRateAt, type LearningRate } from './learning-rate.js';
import { addPenaltyGradient } from './penalties.js';

/** A tensor with a name, as in tfjs's `getWeights()` (tfjs-core does not export its type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Gradients to apply: keyed by variable name (what `tf.variableGrads` returns), a `NamedTensor` list, or keyed by the variables themselves. */
export type GradientInput = tf.NamedTensorMap | NamedTensor[] | Map<tf.Variable, tf.Tensor>;

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** η: a number, or a schedule `step → η` (step = updates already applied, 0 first). */
  learningRate: LearningRate;
  /** λ₁ of an L1 penalty λ₁‖θ‖₁ added to the loss (default 0). */
  l1?: number;
  /** λ₂ of an L2 penalty (λ₂/2)‖θ‖² added to the loss (default 0); with adaptive methods prefer AdamW's decoupled decay. */
  l2?: number;
  /** Clip each gradient element to [−clipValue, clipValue] (applied first). */
  clipValue?: number;
  /** Rescale all gradients together so their global L2 norm is at most clipNorm (Pascanu et al. 2013). */
  clipNorm?: number;
}

/** What a subclass's update rule sees for one variable. */
export interface VariableUpdate {
  /** The variable's name (what `tf.variableGrads` keys its gradient by). */
  name: string;
  /** θ_{t−1}, the variable's current value. */
  value: tf.Tensor;
  /** g_t after penalties and clipping. */
  gradient: tf.Tensor;
  /** This variable's slot variables (moments, accumulators), by slot name; assign the new values to them. */
  slots: Record<string, tf.Variable>;
  /** η_t. */
  learningRate: number;
  /** t = 1 for the first update. */
  step: number;
}

/** One variable and its gradient, resolved from a {@link GradientInput}. */
export interface ResolvedGradient {
  name: string;
  variable: tf.Variable;
  gradient: tf.Tensor;
}

/** Name of the iteration counter in {@link Optimizer.getWeights}, as in tfjs. */
export const ITERATIONS_WEIGHT = 'iter';

/**
 * Base class of every paperzoo optimizer. Subclasses declare their `slotNames` and implement
 * {@link Optimizer.update}; the base resolves gradients, applies penalties and clipping, creates the
 * slots on first use, runs everything inside `tf.tidy` (a step leaves no tensors behind) and saves /
 * restores the state.
 */
export abstract class Optimizer extends tf.Optimizer {
  /** A paperzoo class name for tfjs serialization; subclasses override it. */
  static className = 'paperzoo.Optimizer';

  /**
   * tf.Optimizer answers `instanceof` by duck typing (any object with applyGradients); restore the
   * ordinary prototype check for paperzoo classes so `x instanceof Adam` means what it says.
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, instance);
  }

  /** η or a schedule; may be changed between steps. */
  learningRate: LearningRate;
  readonly l1: number;
  readonly l2: number;
  readonly clipValue: number | undefined;
  readonly clipNorm: number | undefined;

  /** Names of the per-variable state tensors, e.g. ['m', 'v'] for Adam. */
  protected abstract readonly slotNames: readonly string[];

  /** Slot variables per variable name, in the order the variables were first seen. */
  protected readonly slots = new Map<string, Record<string, tf.Variable>>();

  constructor(options: OptimizerOptions) {
    super();
    this.learningRate = options.learningRate;
    this.l1 = options.l1 ?? 0;
    this.l2 = options.l2 ?? 0;
    this.clipValue = options.clipValue;
    this.clipNorm = options.clipNorm;
    if (typeof this.learningRate === 'number') learningRateAt(this.learningRate, 0);
    for (const [key, v] of [['l1', this.l1], ['l2', this.l2]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`${key} must be a finite number ≥ 0, got ${v}`);
    }
    for (const [key, v] of [['clipValue', this.clipValue], ['clipNorm', this.clipNorm]] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${key} must be a finite number > 0, got ${v}`);
    }
  }

  /**
   * The update rule for one variable: return θ_t (the base assigns it) and assign the new slot values.
   * Runs inside `tf.tidy`.
   */
  protected abstract update(u: VariableUpdate): tf.Tensor;

  /** The value a slot starts from; zeros unless a subclass says otherwise. */
  protected initialSlotValue(_slot: string, variable: tf.Variable): tf.Tensor {
    return tf.zerosLike(variable);
  }

  /** Called once per step before the per-variable updates, with t (1 for the first update). */
  protected beginStep(_step: number): void {}

  /** Called after {@link setWeights} restored the iteration count, to rebuild JS-side state derived from it. */
  protected restoredIterations(): void {}

  /** η for the next update. */
  currentLearningRate(): number {
    return learningRateAt(this.learningRate, this.iterations);
  }

  /** Turn any {@link GradientInput} into (name, variable, gradient) triples, skipping null gradients. */
  protected resolve(gradients: GradientInput): ResolvedGradient[] {
    const out: ResolvedGradient[] = [];
    const byName = (name: string, gradient: tf.Tensor | null | undefined) => {
      if (gradient == null) return;
      const variable = tf.engine().registeredVariables[name];
      if (variable == null) throw new Error(`applyGradients: no variable named '${name}' is registered`);
      out.push({ name, variable, gradient });
    };
    if (gradients instanceof Map) {
      for (const [variable, gradient] of gradients) if (gradient != null) out.push({ name: variable.name, variable, gradient });
    } else if (Array.isArray(gradients)) {
      for (const { name, tensor } of gradients) byName(name, tensor);
    } else {
      for (const name of Object.keys(gradients)) byName(name, gradients[name]);
    }
    for (const { name, variable, gradient } of out) {
      if (!tf.util.arraysEqual(variable.shape, gradient.shape)) {
        throw new RangeError(`applyGradients: gradient of '${name}' has shape [${gradient.shape.join(', ')}], the variable [${variable.shape.join(', ')}]`);
      }
    }
    return out;
  }

  /**
   * Penalties, then clipping by value, then the factor of clipping by global norm, min(1, c/‖g‖), not
   * yet applied (null without clipNorm): the clipped gradients are `grads[i] · scale`. Call inside tf.tidy.
   */
  protected preprocess(entries: readonly ResolvedGradient[]): { grads: tf.Tensor[]; scale: tf.Scalar | null } {
    let grads = entries.map((e) => (this.l1 !== 0 || this.l2 !== 0 ? addPenaltyGradient(e.gradient, e.variable, this.l1, this.l2) : e.gradient));
    if (this.clipValue !== undefined) grads = clipByValue(grads, this.clipValue);
    return { grads, scale: this.clipNorm === undefined ? null : globalNormScale(grads, this.clipNorm).scale };
  }

  /**
   * The update of one variable as one fused kernel: θ_t (the slots assigned), from the gradient
   * *before* global-norm clipping and `gradScale()`, the clipping factor as a number (1 without
   * clipping); or null (the default) where the subclass or the backend has none, and then
   * {@link update} runs on the clipped gradient. Runs inside `tf.tidy`.
   */
  protected fusedUpdate(_u: VariableUpdate, _gradScale: () => number): tf.Tensor | null {
    return null;
  }

  /** This variable's slots, created (from {@link initialSlotValue}) on first use. */
  protected slotsOf(name: string, variable: tf.Variable): Record<string, tf.Variable> {
    let slots = this.slots.get(name);
    if (slots === undefined) {
      slots = {};
      for (const slot of this.slotNames) slots[slot] = tf.tidy(() => tf.variable(this.initialSlotValue(slot, variable), false));
      this.slots.set(name, slots);
    }
    return slots;
  }

  /** Apply one update to every variable that has a gradient. Leaves no tensors behind (after the slots exist). */
  override applyGradients(gradients: GradientInput): void {
    const entries = this.resolve(gradients);
    const learningRate = this.currentLearningRate();
    const step = this.iterations + 1;
    this.beginStep(step);
    tf.tidy(() => {
      const { grads, scale } = this.preprocess(entries);
      let scaleValue: number | undefined; // read once, by the first fused update that needs it
      const gradScale = () => (scaleValue ??= scale === null ? 1 : scale.dataSync()[0]);
      entries.forEach(({ name, variable }, i) => {
        const slots = this.slotsOf(name, variable);
        const u = { name, value: variable, gradient: grads[i], slots, learningRate, step };
        const next = this.fusedUpdate(u, gradScale) ?? this.update(scale === null ? u : { ...u, gradient: tf.mul(grads[i], scale) });
        variable.assign(next);
      });
    });
    this.incrementIterations();
  }

  /** Slot names in checkpoint order: `<variable name>/<slot>`. */
  private slotEntries(): Array<{ name: string; variable: tf.Variable }> {
    const out: Array<{ name: string; variable: tf.Variable }> = [];
    for (const [varName, slots] of this.slots) for (const slot of this.slotNames) out.push({ name: `${varName}/${slot}`, variable: slots[slot] });
    return out;
  }

  /**
   * The whole state as tfjs lays it out: `{name: 'iter'}` (int32) first, then every slot as
   * `<variable name>/<slot>`. The tensors are copies owned by the caller (dispose them); restoring
   * them with {@link setWeights} continues bit for bit.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    return this.getWeightsSync();
  }

  /** Synchronous {@link getWeights}. */
  getWeightsSync(): NamedTensor[] {
    return [
      { name: ITERATIONS_WEIGHT, tensor: tf.scalar(this.iterations, 'int32') },
      ...this.slotEntries().map(({ name, variable }) => ({ name, tensor: tf.clone(variable) })),
    ];
  }

  /** Restore a state saved by {@link getWeights}. The values are copied; the caller keeps (and disposes) its tensors. */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.setWeightsSync(weights);
  }

  /** Synchronous {@link setWeights}. */
  setWeightsSync(weights: NamedTensor[]): void {
    for (const { name, tensor } of weights) {
      if (name === ITERATIONS_WEIGHT) {
        this.iterations_ = tensor.dataSync()[0];
        continue;
      }
      const cut = name.lastIndexOf('/');
      const varName = name.slice(0, cut);
      const slot = name.slice(cut + 1);
      if (cut < 0 || !this.slotNames.includes(slot)) {
        throw new Error(`${this.getClassName()}.setWeights: '${name}' is not a slot of this optimizer (slots: ${this.slotNames.join(', ')})`);
      }
      let slots = this.slots.get(varName);
      if (slots === undefined) {
        slots = {};
        this.slots.set(varName, slots);
      }
      const existing = slots[slot];
      if (existing !== undefined && tf.util.arraysEqual(existing.shape, tensor.shape)) tf.tidy(() => existing.assign(tf.cast(tensor, 'float32')));
      else {
        existing?.dispose();
        slots[slot] = tf.tidy(() => tf.variable(tf.cast(tensor, 'float32'), false));
      }
    }
    for (const [varName, slots] of this.slots) {
      const missing = this.slotNames.filter((s) => slots[s] === undefined);
      if (missing.length > 0) throw new Error(`${this.getClassName()}.setWeights: variable '${varName}' lacks slot(s) ${missing.join(', ')}`);
    }
    this.restoredIterations();
  }

  /** Dispose every slot variable. The optimizer can be used again (slots are recreated from scratch). */
  override dispose(): void {
    for (const slots of this.slots.values()) for (const v of Object.values(slots)) v.dispose();
    this.slots.clear();
  }

  /** The options, for tfjs serialization (a schedule function is not serializable and is left out). */
  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { l1: this.l1, l2: this.l2 };
    if (typeof this.learningRate === 'number') config.learningRate = this.learningRate;
    if (this.clipValue !== undefined) config.clipValue = this.clipValue;
    if (this.clipNorm !== undefined) config.clipNorm = this.clipNorm;
    return config;
  }
}
