/**
 * @paperzoo/meta-learning — MAML (Finn et al. 2017), Reptile (Nichol et al. 2018) and Prototypical
 * Networks (Snell et al. 2017), with their task samplers and the 4-block conv encoder.
 */
export { sampleEpisode, episodeImages, disposeEpisode, pixelNearestNeighbour, type EpisodeSpec, type Episode } from './episodes.js';
