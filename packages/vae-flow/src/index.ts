/**
 * @paperzoo/vae-flow — generative models with a likelihood: autoencoders (Hinton & Salakhutdinov 2006,
 * Vincent et al. 2008), PCA, VAE (Kingma & Welling 2013), IWAE (Burda et al. 2015), NICE (Dinh et al.
 * 2014) and RealNVP (Dinh et al. 2016). One concept per file; see README.md for the map to the papers.
 */
export * from './image-grid.js';
export * from './pca.js';
export * from './rbm.js';
export * from './minimize.js';
export * from './deep-autoencoder.js';
export * from './autoencoder-training.js';
export * from './denoising.js';
