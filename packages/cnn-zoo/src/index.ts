/**
 * @paperzoo/cnn-zoo — the CNN chapter as models, one paper per file.
 */
export * from './lenet5.js';
