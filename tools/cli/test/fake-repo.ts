/**
 * A temporary fake repository for the CLI tests: a package.json with workspaces and two tiny
 * reproductions (milliseconds each) under apps/demo/. It lives in <repo>/.paperzoo-tmp/ (git-ignored)
 * so that '@paperzoo/repro' and '@paperzoo/tensor' resolve through the real node_modules.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverApps, loadReproduction, evaluateClaims, overallVerdict, RESULT_SCHEMA_ID, tierOf, writeResult, type Metrics, type Reproduction, type ResultRecord, type TierName } from '@paperzoo/repro';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const APP = (id: string, title: string, claims: string, gpuTier = '') => `
import { tf } from '@paperzoo/tensor';
import { defineReproduction, fit, z } from '@paperzoo/repro';

const config = z.object({
  /** Passes over the two batches. */
  epochs: z.number().int().min(1).max(100),
  /** What the run reports as 'answer'. */
  answer: z.number().min(-1000).max(1000),
  /** SGD step size. */
  learningRate: z.number().positive().max(10),
  /** Milliseconds to wait before each batch (to test interrupts). */
  stepDelayMs: z.number().int().min(0).max(60000),
});

export default defineReproduction({
  id: '${id}',
  package: '@paperzoo/repro',
  paper: { title: '${title}', authors: ['D. Adams', 'E. Colfer'], year: 1979, venue: 'Pan Books', url: 'https://example.org/${id}' },
  claims: ${claims},
  config,
  tiers: {
    full: { config: { epochs: 3, answer: 42, learningRate: 0.1, stepDelayMs: 0 }, budget: 'still milliseconds', backend: 'cpu' },
    smoke: { config: { epochs: 2 }, budget: 'milliseconds', backend: 'cpu' },${gpuTier}
  },
  async run(cfg, ctx) {
    const w = tf.variable(tf.zeros([1]));
    const optimizer = tf.train.sgd(cfg.learningRate);
    const res = await fit({
      ctx,
      variables: [w],
      optimizer,
      epochs: cfg.epochs,
      stepsPerEpoch: 2,
      batches: async function* () {
        for (const v of [1, 2]) {
          if (cfg.stepDelayMs) await new Promise((r) => setTimeout(r, cfg.stepDelayMs));
          yield tf.scalar(v);
        }
      },
      loss: (x) => tf.sum(tf.square(tf.sub(w, x))),
      evaluate: () => ({ distance: Math.abs(w.dataSync()[0] - 1.5) }),
    });
    optimizer.dispose();
    w.dispose();
    return { answer: cfg.answer, loss: res.trainLoss ?? NaN, distance: res.metrics.distance };
  },
});
`;

const DEMO_CLAIMS = (more = '') => `[
    { id: 'answer', kind: 'value', what: 'the answer to everything', label: 'answer', setting: 'deep thought', source: 'Ch. 27', metric: 'answer', published: 42, tolerance: 0.5, tiers: ['smoke', 'full'] },
    { id: 'fits', kind: 'threshold', what: 'final training loss', source: 'Table 1', metric: 'loss', threshold: 10, direction: 'below', tiers: ['smoke'] },${more}
  ]`;
const OTHER_CLAIMS = `[
    { id: 'close', kind: 'threshold', what: 'distance of w to 1.5', source: 'Fig. 2', metric: 'distance', threshold: 2, direction: 'below', tiers: ['smoke', 'full'] },
  ]`;

/** With `gpu`, demo also has a gpu tier (answer 43, claimed 43) and claim; other has none. */
const GPU_CLAIM = `
    { id: 'answer-gpu', kind: 'value', what: 'the answer, asked of a bigger computer', source: 'Ch. 28', metric: 'answer', published: 43, tolerance: 0.5, tiers: ['gpu'] },`;
const GPU_TIER = `
    gpu: { config: { answer: 43, epochs: 4 }, budget: 'GPU-sized milliseconds', backend: 'cpu' },`;

export interface FakeRepo {
  root: string;
  cleanup(): void;
}

export function makeFakeRepo(options: { gpu?: boolean } = {}): FakeRepo {
  const base = path.join(REPO, '.paperzoo-tmp');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(path.join(base, 'cli-'));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'fake', private: true, type: 'module', workspaces: ['apps/*/*'] }));
  const app = (paper: string, id: string, source: string) => {
    const dir = path.join(root, 'apps', 'demo', paper);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `@paperzoo/app-${id}`, version: '0.0.1', private: true, type: 'module' }));
    writeFileSync(path.join(dir, 'README.md'), `# ${id}\n`);
    writeFileSync(path.join(dir, 'reproduction.ts'), source);
  };
  app('demo', 'demo', APP('demo', 'The Hitchhiker Guide', DEMO_CLAIMS(options.gpu ? GPU_CLAIM : ''), options.gpu ? GPU_TIER : ''));
  app('other', 'other', APP('other', 'The Restaurant at the End of the Universe', OTHER_CLAIMS));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Write a schema-valid result.json for `repro`'s `tier` with these metrics (claims evaluated as a run would). */
export async function writeFakeResult(file: string, repro: Reproduction, tier: TierName, metrics: Metrics, extra: Partial<ResultRecord> = {}): Promise<ResultRecord> {
  const claims = evaluateClaims(repro.claims, metrics, tier);
  const record: ResultRecord = {
    schema: RESULT_SCHEMA_ID,
    id: repro.id,
    package: repro.package,
    paper: { ...repro.paper, authors: [...repro.paper.authors] },
    tier,
    budget: tierOf(repro, tier).budget,
    seed: 0,
    verdict: overallVerdict(claims),
    claims,
    metrics,
    config: tierOf(repro, tier).config as Record<string, unknown>,
    overrides: {},
    backend: 'cpu',
    device: { backend: 'cpu', device: 'Test CPU', threads: 1, cpus: 2, platform: 'linux', arch: 'x64' },
    git: { sha: '0123456789abcdef0123456789abcdef01234567', dirty: false },
    versions: { node: 'v20.0.0' },
    startedAt: '2025-01-02T03:04:05.000Z',
    endedAt: '2025-01-02T03:05:05.000Z',
    wallTimeSeconds: 60,
    resumed: null,
    curves: {},
    plots: [],
    ...extra,
  };
  mkdirSync(path.dirname(file), { recursive: true });
  await writeResult(file, record);
  return record;
}

/** A fake repo with its reproductions loaded, and the CLI run in it with captured output. */
export interface FakeCli {
  repo: FakeRepo;
  repros: Record<string, Reproduction>;
  cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Make a fake repo and load its reproductions (call in beforeAll; `cleanup` in afterAll). */
export async function fakeCli(runCli: (argv: string[], io: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown }; cwd: string }) => Promise<number>, options: { gpu?: boolean } = {}): Promise<FakeCli> {
  const repo = makeFakeRepo(options);
  const repros: Record<string, Reproduction> = {};
  for (const entry of await discoverApps(repo.root)) repros[entry.id] = await loadReproduction(entry);
  return {
    repo,
    repros,
    async cli(...argv) {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: repo.root });
      return { code, stdout, stderr };
    },
  };
}
