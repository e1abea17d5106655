/**
 * @paperzoo/adversarial — adversarial examples as code: attacks on any model given as a function from
 * a batch to logits, adversarial training, and the papers' own models.
 *
 * - FGSM, untargeted and targeted — Goodfellow, Shlens & Szegedy, ICLR 2015 ({@link fgsm})
 * - BIM / iterative FGSM — Kurakin, Goodfellow & Bengio, 2017 ({@link bim})
 * - PGD with random start, L∞ and L2, restarts — Madry et al., ICLR 2018 ({@link pgd})
 * - Carlini–Wagner L2 — Carlini & Wagner, IEEE S&P 2017 ({@link carliniWagnerL2})
 * - adversarial training: the FGSM objective αJ(x) + (1−α)J(x̃) and Madry's min-max ({@link adversarialTrainingStep})
 * - models: softmax/logistic regression, maxout network, Madry's MNIST CNN, a shallow RBF network
 * - training on @paperzoo/repro's `fit`: shuffled batches from the global generator and phases of natural / adversarial training in one checkpointed loop ({@link fitPhases})
 * - evaluation: labelled MNIST batches ({@link labelledBatch}) and clean / adversarial / transfer error over a test set ({@link evaluateAttacks})
 */
export * from './classifier.js';
export * from './fgsm.js';
export * from './pgd.js';
export * from './cw.js';
export * from './adversarial-training.js';
export * from './batches.js';
export * from './evaluate.js';
export * from './grid.js';
export * from './training.js';
export * from './models/linear.js';
export * from './models/maxout.js';
export * from './models/madry-cnn.js';
export * from './models/rbf.js';
