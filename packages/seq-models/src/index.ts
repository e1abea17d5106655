/**
 * @paperzoo/seq-models — recurrent networks as code, each file opening with its paper.
 */
export {};
