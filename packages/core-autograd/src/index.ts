/**
 * @paperzoo/core-autograd — the backpropagation paper as code, and the optimizer library of paperzoo.
 *
 * - A readable autodiff engine: {@link Value} (scalars, micrograd-style) and {@link Tensor} (float64
 *   n-d arrays with broadcasting, matmul, conv2d, pooling, reductions, elementwise maths and softmax
 *   cross-entropy), after Rumelhart, Hinton & Williams, "Learning representations by back-propagating
 *   errors", Nature 1986, https://doi.org/10.1038/323533a0.
 * - Optimizers for @paperzoo/tensor variables with the `tf.train` calling convention
 *   (`opt.applyGradients(tf.variableGrads(f).grads)`, `getWeights()` / `setWeights()`, `dispose()`):
 *   SGD, Momentum, Nesterov, Adagrad, RMSProp, Adadelta, Adam, AMSGrad, AdamW, Nadam, RAdam, Adamax,
 *   Lookahead; L1/L2 penalties; clipping by value and by global norm; a learning rate or a schedule.
 */
export * from './engine/index.js';
export * from './optim/index.js';
export * from './benchmarks.js';
export * from './sweep-nets.js';
