/**
 * @paperzoo/cnn-zoo — the CNN chapter as models, one paper per file.
 */
export * from './lenet5.js';
export * from './layers.js';
export * from './batchnorm.js';
export * from './mlp.js';
export * from './alexnet.js';
export * from './vgg.js';
export * from './nin.js';
export * from './googlenet.js';
export * from './resnet.js';
export * from './densenet.js';
export * from './augment.js';
export * from './image-batches.js';
export * from './metrics.js';
export * from './side-by-side.js';
export * from './d2l.js';
