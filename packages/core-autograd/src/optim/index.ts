/** The optimizer library: one interface ({@link Optimizer}), the update rules of the classic papers, penalties and clipping. */
export { Optimizer, ITERATIONS_WEIGHT, type OptimizerOptions, type NamedTensor, type GradientInput, type VariableUpdate, type ResolvedGradient } from './optimizer.js';
export { learningRateAt, type LearningRate } from './learning-rate.js';
export { clipByValue, clipByGlobalNorm, globalNorm } from './clipping.js';
export { l1Penalty, l2Penalty, addPenaltyGradient, zeroGradientRatios } from './penalties.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Momentum, type MomentumOptions } from './momentum.js';
export { Nesterov, type NesterovOptions } from './nesterov.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { RMSProp, type RMSPropOptions } from './rmsprop.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Adam, updateMoments, type AdamOptions } from './adam.js';
export { AMSGrad, type AMSGradOptions } from './amsgrad.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { Nadam, type NadamOptions } from './nadam.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { Lookahead, LOOKAHEAD_INNER_PREFIX, type LookaheadOptions } from './lookahead.js';
