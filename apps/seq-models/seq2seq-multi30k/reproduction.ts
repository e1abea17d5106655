/**
 * The three encoder–decoders of 2014 on Multi30k de → en, as bentrevett/pytorch-seq2seq notebooks 1–3 (2024)
 * train and score them: Sutskever, Vinyals & Le (NeurIPS 2014) — 2-layer LSTM; Cho et al. (EMNLP 2014) — GRU
 * with the context fed to every step; Bahdanau, Cho & Bengio (ICLR 2015) — bidirectional GRU and additive
 * attention. Test perplexity 43.8 → 37.5 → 25.6 and BLEU 13.8 → 20.6 → 28.3 in the notebooks' outputs.
 *
 * Full tier: the notebooks' budget (10 epochs, Adam 1e-3, clip 1, teacher forcing 0.5, best-validation
 * weights tested) — GPU-sized, not run here. Smoke tier: a synthetic copy task with long inputs — attention
 * keeps its accuracy on long inputs where the fixed-vector decoder does not (Bahdanau Fig. 2), and reading
 * the source backwards speeds up the LSTM's learning (Sutskever §3.3) — plus exact properties of the search
 * and of BLEU. README: what differs from the notebooks, measured times, how the thresholds were set.
 */
import { defineReproduction, sweep, z, type JsonValue } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import { loadMulti30k } from '@paperzoo/datasets';
import {
  AttentionSeq2Seq, ContextGruSeq2Seq, LstmSeq2Seq, NMT_BLEU, SYNTHETIC_IDS, compareSearches, corpusBleu, evaluateSeq2Seq, freeRunningAccuracy,
  greedyTranslate, loadMulti30kTranslation, multi30kBleu, syntheticPairs, tokenizeMulti30k, trainSeq2Seq, type EncoderDecoder, type SentencePairs,
} from '@paperzoo/seq-models';

const config = z.object({
  /** 'multi30k': the notebooks' three models on Multi30k; 'synthetic': the smoke tier's copy task (four models). */
  task: z.enum(['multi30k', 'synthetic']),
  /** Embedding size (notebooks: 256). */ embeddingSize: z.number().int().min(1).max(1024),
  /** Hidden size of every RNN and of the attention (notebooks: 512). */ hiddenSize: z.number().int().min(1).max(2048),
  /** LSTM layers of Sutskever's model (notebook 1: 2). */ layers: z.number().int().min(1).max(4),
  /** Dropout on embeddings and between LSTM layers (notebooks: 0.5). */ dropout: z.number().min(0).max(0.9),
  /** Sentence pairs per Adam step (notebooks: 128). */ batchSize: z.number().int().min(1).max(1024),
  /** Passes over the training pairs (notebooks: 10). */ epochs: z.number().int().min(1).max(100),
  /** Adam's learning rate (notebooks: PyTorch's default 1e-3). */ learningRate: z.number().positive().max(1),
  /** Clip the gradient to this global norm (notebooks: 1). */ clip: z.number().positive().max(100),
  /** Probability of feeding the true previous token in training (notebooks: 0.5). */ teacherForcing: z.number().min(0).max(1),
  /** Most tokens of a greedy translation (notebooks: 25). */ maxOutputLength: z.number().int().min(1).max(200),
  /** Beam width compared with greedy search, and on how many test sentences. */
  beamWidth: z.number().int().min(1).max(50), beamSentences: z.number().int().min(0).max(10_000),
  /** 0: each notebook's init; > 0: U(±initScale) for every parameter (Sutskever §3.4's 0.08). */ initScale: z.number().min(0).max(1),
  /** Synthetic task: content tokens, and content lengths uniform in [minLength, maxLength]. */
  vocabSize: z.number().int().min(2).max(1000), minLength: z.number().int().min(1).max(200), maxLength: z.number().int().min(1).max(200),
  /** Synthetic task: lengths ≤ shortLength and ≥ longLength are the short and long test buckets. */
  shortLength: z.number().int().min(1).max(200), longLength: z.number().int().min(1).max(200),
  /** Synthetic task: test pairs. */ testPairs: z.number().int().min(1).max(100_000),
  /** Synthetic task: Adam steps of the GRU and attention models (Bahdanau Fig. 2), and of the two LSTMs (§3.3). */
  attentionSteps: z.number().int().min(1).max(100_000), reversalSteps: z.number().int().min(1).max(100_000),
});
type Config = z.output<typeof config>;
type Kind = 'lstm' | 'lstm-reversed' | 'gru' | 'attention';

/** Smoke thresholds, set from measured seeds (README). */
const SMOKE_ATTENTION_MARGIN = 0.2;
const SMOKE_REVERSAL_MARGIN = 0.1;

function buildModel(kind: Kind, cfg: Config, vocab: { source: number; target: number }, seed: number): EncoderDecoder<unknown> {
  const init = cfg.initScale > 0 ? { kind: 'uniform', limit: cfg.initScale } as const : undefined;
  const sizes = { sourceVocabSize: vocab.source, targetVocabSize: vocab.target, embeddingSize: cfg.embeddingSize, hiddenSize: cfg.hiddenSize, dropout: cfg.dropout, seed, ...(init && { init, biasInit: init }) };
  if (kind === 'attention') return new AttentionSeq2Seq(sizes);
  if (kind === 'gru') return new ContextGruSeq2Seq(sizes);
  return new LstmSeq2Seq({ ...sizes, layers: cfg.layers, reverseSource: kind === 'lstm-reversed' });
}

/** Accuracy over the sentences whose content length (without <sos>/<eos>) passes `keep`. */
function bucketAccuracy(pairs: SentencePairs, acc: { correct: Int32Array; total: Int32Array }, keep: (length: number) => boolean): number {
  let [c, n] = [0, 0];
  pairs.source.forEach((s, i) => keep(s.length - 2) && ((c += acc.correct[i]), (n += acc.total[i])));
  return c / n;
}

export default defineReproduction({
  id: 'seq2seq-multi30k',
  package: '@paperzoo/seq-models',
  paper: { title: 'Neural Machine Translation by Jointly Learning to Align and Translate (with Sutskever et al. 2014 and Cho et al. 2014, as bentrevett/pytorch-seq2seq 1–3)', authors: ['Dzmitry Bahdanau', 'Kyunghyun Cho', 'Yoshua Bengio'], year: 2015, venue: 'ICLR', url: 'https://arxiv.org/abs/1409.0473' },
  config,
  async run(cfg, ctx) {
    const multi30k = cfg.task === 'multi30k' ? await loadMulti30kTranslation() : null;
    const ids = multi30k?.ids ?? SYNTHETIC_IDS;
    const synthetic = (count: number, seed: number) => syntheticPairs({ count, minLength: cfg.minLength, maxLength: cfg.maxLength, vocabSize: cfg.vocabSize, task: 'copy', seed });
    const train = multi30k?.train ?? synthetic(Math.max(cfg.attentionSteps, cfg.reversalSteps) * cfg.batchSize, ctx.seed);
    const test = multi30k?.test ?? synthetic(cfg.testPairs, ctx.seed + 1);
    const vocab = multi30k ? { source: multi30k.sourceVocab.size, target: multi30k.targetVocab.size } : { source: cfg.vocabSize + 4, target: cfg.vocabSize + 4 };
    const search = { bos: ids.sos, eos: ids.eos, maxLength: cfg.maxOutputLength, beamWidth: cfg.beamWidth };
    const kinds: Kind[] = multi30k ? ['lstm', 'gru', 'attention'] : ['gru', 'attention', 'lstm', 'lstm-reversed'];
    const members = await sweep({
      ctx, members: kinds, key: (k) => k, logCurves: () => true,
      run: async (kind, memberCtx): Promise<JsonValue> => {
        const model = buildModel(kind, cfg, vocab, ctx.seed);
        try {
          const steps = multi30k ? undefined : kind.startsWith('lstm') ? cfg.reversalSteps : cfg.attentionSteps;
          const fitted = await trainSeq2Seq({
            ctx: memberCtx, model, train, valid: multi30k?.valid ?? null, epochs: cfg.epochs, batchSize: cfg.batchSize, pad: ids.pad, stepsPerEpoch: steps,
            optimizer: new Adam({ learningRate: cfg.learningRate, clipNorm: cfg.clip }), teacherForcing: cfg.teacherForcing, label: kind, lossCurve: `loss/${kind}`,
          });
          // (no timings among the metrics: they would differ between a run and its resumed copy; result.json has the wall time)
          const out: Record<string, number | null> = { parameters: model.parameterCount(), best_epoch: fitted.best?.epoch ?? null };
          if (multi30k) {
            out.test_perplexity = evaluateSeq2Seq(model, test, cfg.batchSize, ids.pad).perplexity;
            out.bleu = multi30kBleu((await greedyTranslate(model, test.source, search)).map((t) => t.tokens), multi30k.testReferences, multi30k.targetVocab);
          } else {
            const acc = freeRunningAccuracy(model, test, cfg.batchSize, ids.pad); // test batches padded as in training
            Object.assign(out, { accuracy: acc.accuracy, short_accuracy: bucketAccuracy(test, acc, (n) => n <= cfg.shortLength), long_accuracy: bucketAccuracy(test, acc, (n) => n >= cfg.longLength) });
          }
          if (kind === 'attention' && cfg.beamSentences > 0) {
            const c = await compareSearches(model, test.source.slice(0, cfg.beamSentences), search);
            Object.assign(out, { beam_sentences: c.sentences, beam_one_differs: c.beamOneDiffers, beam_below_greedy: c.beamBelowGreedy, greedy_log_prob: c.greedyLogProb, beam_log_prob: c.beamLogProb });
          }
          ctx.info(`${kind}: ${JSON.stringify(out)}`);
          return out;
        } finally {
          model.dispose();
        }
      },
    });
    const m = Object.fromEntries(members.map((e) => [e.key, e.result as Record<string, number | null>]));
    const pick = (kind: Kind, key: string) => m[kind]?.[key] ?? null;
    const references = (await loadMulti30k({ split: 'test' })).target.map((s) => tokenizeMulti30k(s, 'en'));
    return {
      lstm_test_perplexity: pick('lstm', 'test_perplexity'), gru_test_perplexity: pick('gru', 'test_perplexity'), attention_test_perplexity: pick('attention', 'test_perplexity'),
      lstm_bleu: pick('lstm', 'bleu'), gru_bleu: pick('gru', 'bleu'), attention_bleu: pick('attention', 'bleu'),
      lstm_parameters: pick('lstm', 'parameters'), gru_parameters: pick('gru', 'parameters'), attention_parameters: pick('attention', 'parameters'),
      attention_short_accuracy: pick('attention', 'short_accuracy'), attention_long_accuracy: pick('attention', 'long_accuracy'),
      gru_short_accuracy: pick('gru', 'short_accuracy'), gru_long_accuracy: pick('gru', 'long_accuracy'),
      lstm_accuracy: pick('lstm', 'accuracy'), lstm_reversed_accuracy: pick('lstm-reversed', 'accuracy'),
      beam_sentences: pick('attention', 'beam_sentences'), beam_one_differs: pick('attention', 'beam_one_differs'), beam_below_greedy: pick('attention', 'beam_below_greedy'),
      greedy_log_prob: pick('attention', 'greedy_log_prob'), beam_log_prob: pick('attention', 'beam_log_prob'),
      bleu_identical: 100 * corpusBleu(references, references.map((r) => [r]), NMT_BLEU).bleu,
    };
  },
  claims: [
    ...(['perplexity', 'bleu'] as const).flatMap((what) => {
      const metric = (kind: 'lstm' | 'gru' | 'attention') => (what === 'bleu' ? `${kind}_bleu` as const : `${kind}_test_perplexity` as const);
      const published = what === 'bleu' ? { lstm: 13.8, gru: 20.6, attention: 28.3 } : { lstm: 43.8, gru: 37.5, attention: 25.6 };
      const betterIs: 'higher' | 'lower' = what === 'bleu' ? 'higher' : 'lower';
      const tiers = ['full'] as const;
      const label = what === 'bleu' ? 'test BLEU' : 'test perplexity';
      return [
        { id: `${what}-gru-beats-lstm`, kind: 'ranking' as const, what: `Cho et al.'s GRU with the context at every step has a better ${label} than Sutskever et al.'s LSTM`, source: 'notebooks 1–2', better: metric('gru'), worse: metric('lstm'), betterIs, published: { better: published.gru, worse: published.lstm }, tiers },
        { id: `${what}-attention-beats-gru`, kind: 'ranking' as const, what: `Bahdanau et al.'s attention has a better ${label} than the fixed-context GRU`, source: 'notebooks 2–3; Bahdanau Table 1', better: metric('attention'), worse: metric('gru'), betterIs, published: { better: published.attention, worse: published.gru }, tiers },
        ...(['lstm', 'gru', 'attention'] as const).map((kind) => ({
          id: `${what}-${kind}`, kind: 'value' as const, what: `${label} of the ${kind} model`, label: `${kind} ${label}`, source: `notebook ${{ lstm: 1, gru: 2, attention: 3 }[kind]} output`,
          metric: metric(kind), published: published[kind], tolerance: what === 'bleu' ? 2 : Math.round(published[kind] * 0.1 * 10) / 10,
          note: 'tolerance ≈ 10% (perplexity) / 2 BLEU: seed spread and framework differences; the tokenizer\'s one-type difference moves little (README)', tiers,
        })),
      ];
    }),
    { id: 'smoke-attention-long-inputs', kind: 'ranking', what: 'on long inputs, the attention decoder copies far more tokens right than the fixed-context GRU', source: 'Bahdanau Fig. 2 (scaled down)',
      better: 'attention_long_accuracy', worse: 'gru_long_accuracy', betterIs: 'higher', margin: SMOKE_ATTENTION_MARGIN, tiers: ['smoke'], format: 'percent' },
    { id: 'smoke-reversal-speeds-learning', kind: 'ranking', what: 'after the same steps, the LSTM that reads the source backwards copies more tokens right', source: 'Sutskever §3.3 (scaled down)',
      better: 'lstm_reversed_accuracy', worse: 'lstm_accuracy', betterIs: 'higher', margin: SMOKE_REVERSAL_MARGIN, tiers: ['smoke'], format: 'percent' },
    { id: 'beam-one-is-greedy', kind: 'exact', what: 'beam search of width 1 returns greedy search\'s tokens and log-probability on the trained attention model (sentences where not)', source: 'Sutskever §3.2', metric: 'beam_one_differs', expected: 0, tiers: ['smoke'] },
    { id: 'beam-beats-greedy', kind: 'ranking', what: 'beam search (width 5) finds outputs of higher mean log-probability than greedy search on the trained attention model (not on every sentence: README)',
      source: 'Sutskever §3.2', better: 'beam_log_prob', worse: 'greedy_log_prob', betterIs: 'higher', tiers: ['smoke'] },
    { id: 'bleu-identical', kind: 'exact', what: 'BLEU of the Multi30k test references against themselves', source: 'Papineni et al. 2002 §2', metric: 'bleu_identical', expected: 100, tiers: ['smoke', 'full'] },
  ],
  tiers: {
    full: {
      config: {
        task: 'multi30k', embeddingSize: 256, hiddenSize: 512, layers: 2, dropout: 0.5, initScale: 0, batchSize: 128, epochs: 10, learningRate: 1e-3, clip: 1, teacherForcing: 0.5, maxOutputLength: 25,
        beamWidth: 5, beamSentences: 100, vocabSize: 10, minLength: 2, maxLength: 10, shortLength: 4, longLength: 9, testPairs: 1, attentionSteps: 1, reversalSteps: 1,
      },
      budget: 'GPU-sized: the notebooks\' 10 epochs of 227 batches for each of the three models (16 s an epoch on the notebooks\' GPU); measured here 22–66 CPU-min per epoch per model, about 20 CPU-hours in all (README); not run here',
      backend: 'native',
    },
    smoke: {
      config: { task: 'synthetic', initScale: 0.08, embeddingSize: 32, hiddenSize: 64, layers: 1, dropout: 0, batchSize: 64, epochs: 1, learningRate: 0.01, teacherForcing: 1, maxOutputLength: 12, beamSentences: 30, testPairs: 512, attentionSteps: 120, reversalSteps: 250 },
      budget: 'copy task, lengths 2–10, 10 tokens: GRU and attention 120 Adam steps, two 1-layer LSTMs 250 steps (batch 64, 32/64 units); under a minute on 2 CPU cores (native)',
    },
  },
});
