/**
 * @paperzoo/transformer-bert — attention as code: the Transformer, GPT and BERT, each file opening with its paper.
 */
export {};
