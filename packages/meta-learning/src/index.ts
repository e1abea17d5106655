/**
 * @paperzoo/meta-learning — MAML (Finn et al. 2017), Reptile (Nichol et al. 2018) and Prototypical
 * Networks (Snell et al. 2017), with their task samplers and the 4-block conv encoder.
 */
export { SINUSOID_TASKS, sinusoid, sinusoidPoints, sampleSinusoidBatch, disposeSinusoidBatch, type SinusoidBatch } from './sinusoid.js';
export { Mlp, taskSummedMse, taskMeanMse, type MlpOptions, type Params } from './mlp.js';
export { adaptParams, mamlObjective, mamlStep, type MamlTask, type InnerLoopOptions, type MamlOptions, type MamlStepResult, type MinimizingOptimizer } from './maml.js';
export { trainSinusoid, evaluateSinusoid, type SinusoidTrainingOptions, type SinusoidEvaluation } from './sinusoid-training.js';
export { ConvEncoder, type ConvEncoderOptions } from './conv-encoder.js';
export { prototypes, squaredEuclidean, prototypicalLoss, type ProtoResult } from './protonets.js';
export { sampleEpisode, episodeImages, disposeEpisode, pixelNearestNeighbour, type EpisodeSpec, type Episode } from './episodes.js';
export { trainPrototypical, evaluatePrototypical, type PrototypicalTrainingOptions, type EpisodeAccuracy } from './protonets-training.js';
export { trainFewShot, evaluateFewShot, episodeLoss, episodeTask, adaptsParameter, type FewShotAlgorithm, type FewShotTrainingOptions, type FewShotEvaluation } from './few-shot-maml.js';
