/**
 * Training and testing Prototypical Networks as the paper does (Snell et al. 2017, §3.1; the authors'
 * scripts/train/few_shot/run_train.py): episodes of 60 classes with 5 query points each, the training
 * shot equal to the test shot, Adam at 1e-3 "cut in half every 2000 episodes", 100 episodes an epoch;
 * tested on 1,000 episodes of the test classes with the 95% interval 1.96·σ/√1000 (eval.py), batch norm
 * on its running statistics (the model in eval mode).
 */
import { makeRng, tf } from '@paperzoo/tensor';
import { fit, type FitContext } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import type { OmniglotFewShot } from '@paperzoo/datasets';
import type { ConvEncoder } from './conv-encoder.js';
import { disposeEpisode, sampleEpisode, type Episode, type EpisodeSpec } from './episodes.js';
import { prototypicalLoss } from './protonets.js';
import { meanAndCi95 } from './stats.js';

/** Accuracy over test episodes: the mean and its 95% confidence half-width. */
export interface EpisodeAccuracy {
  accuracy: number;
  ci95: number;
  episodes: number;
}

/**
 * Mean query accuracy over `episodes` episodes drawn from their own generator (`seed`: the same episodes
 * for every model tested with it; the global generator is untouched), batch norm in inference mode.
 */
export function evaluatePrototypical(encoder: ConvEncoder, data: OmniglotFewShot, spec: EpisodeSpec & { episodes: number; seed: number | string }): EpisodeAccuracy {
  const rng = makeRng(`protonets-test:${spec.seed}:${spec.ways}:${spec.shots}:${spec.queries}`);
  const accs: number[] = [];
  for (let e = 0; e < spec.episodes; e++) {
    const ep = sampleEpisode(data, spec, rng);
    try {
      const acc = tf.tidy(() => prototypicalLoss((x) => encoder.apply(x, { training: false }), ep.support, ep.query, ep.queryLabels, spec.ways, spec.shots).accuracy);
      accs.push(acc.dataSync()[0]);
      acc.dispose();
    } finally {
      disposeEpisode(ep);
    }
  }
  const { mean, ci95 } = meanAndCi95(accs);
  return { accuracy: mean, ci95, episodes: accs.length };
}

export interface PrototypicalTrainingOptions {
  ctx: FitContext;
  encoder: ConvEncoder;
  train: OmniglotFewShot;
  /** Training episodes: 60-way, shots = the test shot, 5 queries (§3.1). */
  episode: EpisodeSpec;
  epochs: number;
  /** Episodes per epoch (100). */
  episodesPerEpoch: number;
  /** Adam's initial step size (1e-3). */
  learningRate: number;
  /** Halve the step size every this many episodes (2,000). */
  halveEvery: number;
  /** Validation after each epoch: accuracy on episodes of these classes (fixed per epoch; omit to skip). */
  validation?: { data: OmniglotFewShot; spec: EpisodeSpec; episodes: number };
  label?: string;
}

/** Episodic training through `fit` (checkpointed, resumable; BN running statistics checkpointed too). */
export async function trainPrototypical(o: PrototypicalTrainingOptions): Promise<{ loss: number; accuracy: number }> {
  const optimizer = new Adam({ learningRate: o.learningRate });
  const { ways, shots } = o.episode;
  const result = await fit<Episode>({
    ctx: o.ctx,
    variables: o.encoder.variables,
    extraVariables: o.encoder.stateVariables,
    optimizers: { adam: optimizer },
    learningRates: { adam: (step) => o.learningRate * 0.5 ** Math.floor(step / o.halveEvery) },
    epochs: o.epochs,
    stepsPerEpoch: o.episodesPerEpoch,
    batches: function* () {
      for (let i = 0; i < o.episodesPerEpoch; i++) yield sampleEpisode(o.train, o.episode);
    },
    step: (ep) => {
      let accuracy: tf.Scalar | null = null;
      const loss = optimizer.minimize(
        () => {
          const r = prototypicalLoss((x) => o.encoder.apply(x, { training: true }), ep.support, ep.query, ep.queryLabels, ways, shots);
          accuracy = tf.keep(r.accuracy);
          return r.loss;
        },
        true,
        Object.values(o.encoder.variables),
      )!;
      return { loss, accuracy: accuracy! };
    },
    evaluate: o.validation
      ? ({ epoch }) => {
          const v = o.validation!;
          const r = evaluatePrototypical(o.encoder, v.data, { ...v.spec, episodes: v.episodes, seed: `validation-${epoch}` });
          return { 'accuracy/val': r.accuracy };
        }
      : undefined,
    owns: [optimizer],
    label: o.label,
  });
  return { loss: result.trainMetrics.loss, accuracy: result.trainMetrics.accuracy };
}
