/**
 * Empirical Evaluation of Gated Recurrent Neural Networks on Sequence Modeling — Chung, Gulcehre, Cho &
 * Bengio 2014, arXiv:1412.3555.
 *
 * The claim (§5, Table 2, Fig. 2–3): at an equal number of parameters, the gated units — LSTM and GRU —
 * reach a lower loss than the traditional tanh unit. The paper shows it on polyphonic music and on
 * Ubisoft speech signals; here it is checked on character-level language modelling of tiny-shakespeare
 * (karpathy/char-rnn's data; nanoGPT's 90/10 split), in bits per character on the validation set,
 * over several seeds. The GRU is the paper's (Cho et al.'s eq. 5–8: the reset gate before the recurrent
 * matrix). Every model is one layer, sized so its parameter count is at most the LSTM's.
 */
import { defineReproduction, sweep, sampleMean, type JsonValue, z } from '@paperzoo/repro';
import { Adam } from '@paperzoo/core-autograd';
import { loadTinyShakespeare } from '@paperzoo/datasets';
import { RecurrentLanguageModel, evaluateLanguageModel, hiddenSizeForParameterCount, languageModelSplits, trainLanguageModel, type CellType } from '@paperzoo/seq-models';

const config = z.object({
  /** Seeds per cell (each trains every cell once). */ seeds: z.number().int().min(1).max(10),
  /** LSTM units; the tanh RNN and the GRU get as many parameters as the LSTM model. */ lstmHiddenSize: z.number().int().min(4).max(1024),
  /** Character embedding size (same for every cell). */ embeddingSize: z.number().int().min(1).max(512),
  /** Parallel columns of the text. */ batchSize: z.number().int().min(1).max(512),
  /** Characters a window is unrolled (truncated BPTT). */ bptt: z.number().int().min(1).max(500),
  /** Epochs (passes over the training text). */ epochs: z.number().int().min(1).max(100),
  /** Windows per epoch; 0 = the whole training text. */ windowsPerEpoch: z.number().int().min(0).max(100_000),
  /** Adam's learning rate (char-rnn: 2e-3). */ learningRate: z.number().positive().max(1),
  /** Clip the gradient to this global norm (char-rnn: 5). */ maxGradNorm: z.number().positive().max(100),
  /** Validation characters read; 0 = all 111,540. */ validChars: z.number().int().min(0).max(200_000),
});

const CELLS: CellType[] = ['rnn', 'lstm', 'gru'];

export default defineReproduction({
  id: 'rnn-lstm-gru-chars',
  package: '@paperzoo/seq-models',
  paper: { title: 'Empirical Evaluation of Gated Recurrent Neural Networks on Sequence Modeling', authors: ['Junyoung Chung', 'Caglar Gulcehre', 'KyungHyun Cho', 'Yoshua Bengio'], year: 2014, venue: 'NIPS 2014 Deep Learning Workshop', url: 'https://arxiv.org/abs/1412.3555' },
  config,
  tiers: {
    full: {
      config: { seeds: 3, lstmHiddenSize: 128, embeddingSize: 32, batchSize: 50, bptt: 50, epochs: 5, windowsPerEpoch: 0, learningRate: 2e-3, maxGradNorm: 5, validChars: 0 },
      budget: '3 seeds × 3 cells × 5 epochs of 401 windows (50 × 50 characters), whole validation text after each epoch',
      backend: 'native',
    },
    smoke: {
      config: { seeds: 1, epochs: 1, windowsPerEpoch: 80, validChars: 10_000 },
      budget: '1 seed × 3 cells × 80 windows (a fifth of an epoch), the first 10,000 validation characters; under a minute on 2 CPU cores (native)',
    },
  },
  async run(cfg, ctx) {
    const text = await loadTinyShakespeare();
    const vocabSize = text.chars.length;
    const { train, valid, windows } = languageModelSplits({ train: text.train, valid: text.val }, { ...cfg, validTokens: cfg.validChars });
    const shape = { vocabSize, embeddingSize: cfg.embeddingSize, layers: 1, gruVariant: 'reset-before' as const };
    const budget = new RecurrentLanguageModel({ ...shape, cell: 'lstm', hiddenSize: cfg.lstmHiddenSize, allocate: false }).parameterCount();
    const members = Array.from({ length: cfg.seeds }, (_, s) => CELLS.map((cell) => ({ cell, seed: ctx.seed + s }))).flat();
    const results = await sweep({
      ctx, members, key: (m) => `${m.cell}-seed${m.seed}`, logCurves: (m) => m.seed === ctx.seed,
      run: async (m, memberCtx): Promise<JsonValue> => {
        const hiddenSize = m.cell === 'lstm' ? cfg.lstmHiddenSize : hiddenSizeForParameterCount({ ...shape, cell: m.cell }, budget);
        const model = new RecurrentLanguageModel({ ...shape, cell: m.cell, hiddenSize, seed: m.seed, name: `${m.cell}-char-lm` });
        try {
          await trainLanguageModel({
            ctx: memberCtx, model, train, bptt: cfg.bptt, epochs: cfg.epochs, stepsPerEpoch: windows, loss: 'mean', label: `${m.cell} seed ${m.seed}`, lossCurve: `nll/${m.cell}`,
            optimizer: new Adam({ learningRate: cfg.learningRate, clipNorm: cfg.maxGradNorm }), learningRate: () => cfg.learningRate,
            evaluate: () => ({ [`valid_bpc/${m.cell}`]: evaluateLanguageModel(model, valid, cfg.bptt).bitsPerToken }),
          });
          return { bpc: evaluateLanguageModel(model, valid, cfg.bptt).bitsPerToken, hiddenSize, parameters: model.parameterCount() };
        } finally {
          model.dispose();
        }
      },
    });
    // the unigram model of the training text, scored on the same validation characters: what a model that
    // ignores the context achieves (each recurrent model must beat it to have learned anything sequential)
    const counts = new Float64Array(vocabSize).fill(1); // add-one, so no validation character has probability 0
    for (const id of text.train) counts[id]++;
    const total = counts.reduce((a, b) => a + b, 0);
    const validIds = valid.data;
    const unigramBpc = -validIds.reduce((sum, id) => sum + Math.log2(counts[id] / total), 0) / validIds.length;
    const of = (cell: CellType) => results.filter((r) => r.member.cell === cell).map((r) => r.result as { bpc: number; hiddenSize: number; parameters: number });
    const metrics: Record<string, number> = {};
    for (const cell of CELLS) {
      const runs = of(cell);
      metrics[`${cell}_valid_bpc`] = sampleMean(runs.map((r) => r.bpc));
      metrics[`${cell}_valid_bpc_worst`] = Math.max(...runs.map((r) => r.bpc));
      metrics[`${cell}_valid_bpc_best`] = Math.min(...runs.map((r) => r.bpc));
      metrics[`${cell}_hidden_size`] = runs[0].hiddenSize;
      metrics[`${cell}_parameters`] = runs[0].parameters;
    }
    return {
      rnn_valid_bpc: metrics.rnn_valid_bpc, lstm_valid_bpc: metrics.lstm_valid_bpc, gru_valid_bpc: metrics.gru_valid_bpc,
      rnn_valid_bpc_best: metrics.rnn_valid_bpc_best, lstm_valid_bpc_worst: metrics.lstm_valid_bpc_worst, gru_valid_bpc_worst: metrics.gru_valid_bpc_worst,
      rnn_parameters: metrics.rnn_parameters, lstm_parameters: metrics.lstm_parameters, gru_parameters: metrics.gru_parameters,
      rnn_hidden_size: metrics.rnn_hidden_size, gru_hidden_size: metrics.gru_hidden_size, unigram_valid_bpc: unigramBpc,
      // equal size: every model within 1% of the LSTM's parameter count, none above it
      equal_parameter_counts: [metrics.rnn_parameters, metrics.gru_parameters].every((n) => n <= metrics.lstm_parameters && n >= 0.99 * metrics.lstm_parameters),
    };
  },
  claims: [
    { id: 'lstm-beats-rnn', kind: 'ranking', what: 'LSTM reaches a lower validation bits per character than a tanh RNN with as many parameters (mean over seeds)',
      source: '§5, Table 2', better: 'lstm_valid_bpc', worse: 'rnn_valid_bpc', betterIs: 'lower', tiers: ['full'] },
    { id: 'gru-beats-rnn', kind: 'ranking', what: 'GRU reaches a lower validation bits per character than a tanh RNN with as many parameters (mean over seeds)',
      source: '§5, Table 2', better: 'gru_valid_bpc', worse: 'rnn_valid_bpc', betterIs: 'lower', tiers: ['full'] },
    { id: 'lstm-beats-rnn-every-seed', kind: 'ranking', what: 'the worst LSTM seed is below the best tanh-RNN seed',
      source: '§5, Fig. 2–3 (every run)', better: 'lstm_valid_bpc_worst', worse: 'rnn_valid_bpc_best', betterIs: 'lower', tiers: ['full'] },
    { id: 'gru-beats-rnn-every-seed', kind: 'ranking', what: 'the worst GRU seed is below the best tanh-RNN seed',
      source: '§5, Fig. 2–3 (every run)', better: 'gru_valid_bpc_worst', worse: 'rnn_valid_bpc_best', betterIs: 'lower', tiers: ['full'] },
    { id: 'equal-size', kind: 'exact', what: 'the tanh RNN and the GRU have as many parameters as the LSTM (within 1%, never more)',
      source: '§4.1 ("the same number of parameters")', metric: 'equal_parameter_counts', expected: true, tiers: ['smoke', 'full'] },
    ...(['rnn', 'lstm', 'gru'] as const).map((cell) => ({ id: `smoke-${cell}-beats-unigram`, kind: 'ranking' as const,
      what: `after a fifth of an epoch the ${cell} reads context: its validation bits per character are below the unigram model's`,
      source: '§5 (scaled down: the ranking of the cells needs the full tier)', better: `${cell}_valid_bpc` as const, worse: 'unigram_valid_bpc' as const, betterIs: 'lower' as const, tiers: ['smoke' as const] })),
  ],
  plots: { valid_bpc: { title: 'tiny-shakespeare validation bits per character after each epoch' } },
});
