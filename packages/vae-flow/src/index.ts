/**
 * @paperzoo/vae-flow — generative models with a likelihood: autoencoders (Hinton & Salakhutdinov 2006,
 * Vincent et al. 2008), PCA, VAE (Kingma & Welling 2013), IWAE (Burda et al. 2015), NICE (Dinh et al.
 * 2014) and RealNVP (Dinh et al. 2016). One concept per file; see README.md for the map to the papers.
 */
export * from './image-grid.js';
export * from './flow.js';
export * from './partition.js';
export * from './conditioner.js';
export * from './additive-coupling.js';
export * from './affine-coupling.js';
export * from './diagonal-scaling.js';
export * from './squeeze.js';
export * from './batch-norm-flow.js';
export * from './priors.js';
export * from './dequantisation.js';
export * from './jacobian.js';
export * from './coupling-flow.js';
export * from './flow-training.js';
export * from './binarize.js';
export * from './vae.js';
export * from './iwae.js';
export * from './nll.js';
export * from './active-units.js';
export * from './training.js';
export * from './vae-images.js';
export * from './evaluation.js';
export * from './pca.js';
export * from './rbm.js';
export * from './minimize.js';
export * from './deep-autoencoder.js';
export * from './autoencoder-training.js';
export * from './denoising.js';
