/**
 * The readable autodiff engine: a scalar {@link Value} graph and a small float64 n-d {@link Tensor}
 * engine with the ops of the classic papers (see each file's doc comment for the paper and equations).
 */
export { Value } from './value.js';
export { topologicalOrder, type GraphNode } from './topological-order.js';
export { Tensor, tensor, scalar, zeros, fill, sizeOf, stridesOf, asTensor, type TensorLike } from './tensor.js';
export { broadcastShapes, broadcastIndex } from './broadcast.js';
export { add, sub, mul, div, pow } from './binary.js';
export { neg, exp, log, tanh, sigmoid, relu } from './unary.js';
export { sum, mean, max } from './reduce.js';
export { matmul } from './matmul.js';
export { reshape, transpose } from './shape.js';
export { conv2d, type Conv2dOptions } from './conv2d.js';
export { maxPool, avgPool, type PoolOptions } from './pool.js';
export { windowGeometry, type Padding, type Pair, type WindowGeometry } from './padding.js';
export { crossEntropy } from './softmax-cross-entropy.js';
