/**
 * @paperzoo/gan-family — generative adversarial networks with metrics that can be checked: the 2014 GAN
 * (Goodfellow et al.) and its Parzen-window likelihood, DCGAN (Radford et al. 2015), WGAN (Arjovsky et
 * al. 2017), WGAN-GP (Gulrajani et al. 2017), LSGAN (Mao et al. 2017), PacGAN (Lin et al. 2018). One
 * concept per file; see README.md for the map to the papers.
 */
export * from './losses.js';
export * from './gradient-penalty.js';
export * from './mixtures.js';
export * from './mode-metrics.js';
export * from './pacgan.js';
export * from './mixture-gan.js';
export * from './mixture-training.js';
export * from './frechet.js';
export * from './classifier-metrics.js';
export * from './dcgan.js';
export * from './wgan.js';
export * from './mlp-gan.js';
export * from './gan-training.js';
export * from './parzen.js';
export * from './conditional.js';
export * from './cyclegan.js';
