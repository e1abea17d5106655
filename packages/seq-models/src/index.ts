/**
 * @paperzoo/seq-models — recurrent networks as code, each file opening with its paper.
 */
export * from './layers.js';
export * from './rnn.js';
export * from './language-model.js';
export * from './lm-training.js';
