import { describe, expect, it } from 'vitest';
import {
  defineReproduction,
  evaluateClaims,
  overallVerdict,
  README_MARKERS,
  renderReadmeTable,
  replaceReadmeRegion,
  RESULT_SCHEMA_ID,
  tierOf,
  validateResult,
  type Metrics,
  type ResultRecord,
  type TierName,
  z,
} from '../src/index.js';

const repro = defineReproduction({
  id: 'demo',
  package: '@paperzoo/repro',
  paper: { title: 'T', authors: ['A. B'], year: 1998, venue: 'V', url: 'https://example.org' },
  claims: [
    { id: 'test-error', kind: 'value', what: 'test error | of the net', setting: 'no distortions', source: 'Fig. 14', metric: 'test_error', published: 0.0095, tolerance: 0.003, tiers: ['full'], format: 'percent' },
    { id: 'smoke-error', kind: 'threshold', what: 'test error after one pass', source: 'Fig. 14 (scaled down)', metric: 'test_error', threshold: 0.03, direction: 'below', tiers: ['smoke'], format: 'percent' },
    { id: 'params', kind: 'exact', what: 'parameter count', source: '§II.B', metric: 'params', expected: 61706, tiers: ['smoke', 'full'], format: 'integer' },
  ],
  config: z.object({ epochs: z.number().int().min(1).max(100) }),
  tiers: { smoke: { config: { epochs: 1 }, budget: '1 pass, ≈40 s' }, full: { config: { epochs: 20 }, budget: '20 passes, ≈20 min' } },
  run: () => ({ test_error: 0, params: 0 }),
});

function result(tier: TierName, metrics: Metrics, extra: Partial<ResultRecord> = {}): ResultRecord {
  const claims = evaluateClaims(repro.claims, metrics, tier);
  return validateResult({
    schema: RESULT_SCHEMA_ID,
    id: 'demo',
    package: '@paperzoo/repro',
    paper: { title: 'T', authors: ['A. B'], year: 1998, venue: 'V', url: 'https://example.org' },
    tier,
    budget: tierOf(repro, tier).budget,
    seed: 0,
    verdict: overallVerdict(claims),
    claims,
    metrics,
    config: tierOf(repro, tier).config,
    overrides: {},
    backend: 'wasm',
    device: { backend: 'wasm', device: 'AMD EPYC', threads: 1, cpus: 2, platform: 'linux', arch: 'x64' },
    git: { sha: 'dc195358dd2522ce29ea410f74f1010d0f802786', dirty: true },
    versions: { node: 'v20' },
    startedAt: '2025-11-21T10:00:00.000Z',
    endedAt: '2025-11-21T10:29:11.000Z',
    wallTimeSeconds: 1751.4,
    resumed: null,
    curves: {},
    plots: [],
    ...extra,
  });
}

describe('renderReadmeTable', () => {
  const full = result('full', { test_error: 0.0111, params: 61706 });

  it('one row per claim and tier: claim, source, paper, criterion, ours, verdict; then one row per tier', () => {
    const md = renderReadmeTable(repro, { full: { status: 'result', result: full }, smoke: { status: 'absent' } });
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(rows[0]).toBe('| claim | source | tier | paper | passes when | ours | verdict |');
    expect(rows).toContain('| test error after one pass <sub>`smoke-error`</sub> | Fig. 14 (scaled down) | smoke | — | < 3.00% | — | no committed result |');
    expect(rows).toContain('| test error \\| of the net (no distortions) <sub>`test-error`</sub> | Fig. 14 | full | 0.95% | ±0.30 pp | 1.11% | ✅ pass |');
    expect(rows).toContain('| parameter count <sub>`params`</sub> | §II.B | full | 61,706 | = 61,706 | 61,706 | ✅ pass |');
    expect(rows).toContain('| full | 20 passes, ≈20 min | seed 0, ended 2025-11-21 | 29m11s | wasm (AMD EPYC) | dc19535+dirty |');
    expect(rows.find((r) => r.startsWith('| smoke | 1 pass'))).toMatch(/no committed result \(`npx paperzoo run demo --tier smoke`\)/);
  });

  it('is a pure function of the definition and the results (no clock)', () => {
    const input = { full: { status: 'result' as const, result: full }, smoke: { status: 'absent' as const } };
    const a = renderReadmeTable(repro, input);
    const realNow = Date.now;
    Date.now = () => realNow() + 400 * 86_400_000;
    try {
      expect(renderReadmeTable(repro, input)).toBe(a);
    } finally {
      Date.now = realNow;
    }
    expect(a).not.toContain(new Date().toISOString().slice(0, 10));
    expect(a).toMatch(/\| smoke \| 1 pass, ≈40 s \| no committed result \(`npx paperzoo run demo --tier smoke`\) \| — \| — \| — \|/);
  });

  it('re-judges stored metrics with the current claims and says what changed', () => {
    const failing = result('full', { test_error: 0.02, params: 61706 }, { overrides: { epochs: 2 }, config: { epochs: 2 } });
    const md = renderReadmeTable(repro, { full: { status: 'result', result: failing } });
    expect(md).toMatch(/\| 2\.00% \| ❌ fail<br><sub>run with --set epochs=2<\/sub> \|/);
    const wrong = renderReadmeTable(repro, { full: { status: 'unusable', reason: 'results/full/result.json is invalid: bad JSON' } });
    expect(wrong).toMatch(/⚪ missing<br><sub>results\/full\/result\.json is invalid: bad JSON<\/sub>/);
  });
});

describe('replaceReadmeRegion', () => {
  const readme = `# Demo\n\nProse before.\n\n${README_MARKERS.start}\nold table\n${README_MARKERS.end}\n\nProse after.\n`;

  it('replaces only the region between the markers, and is idempotent', () => {
    const r = replaceReadmeRegion(readme, '| new |');
    expect(r).toEqual({ text: `# Demo\n\nProse before.\n\n${README_MARKERS.start}\n\n| new |\n\n${README_MARKERS.end}\n\nProse after.\n` });
    if (!('text' in r)) throw new Error('unreachable');
    expect(replaceReadmeRegion(r.text, '| new |')).toEqual({ text: r.text });
  });

  it('names what is wrong with the markers', () => {
    expect(replaceReadmeRegion('# Demo\n', 'x')).toEqual({ problem: 'missing markers' });
    expect(replaceReadmeRegion(`${README_MARKERS.start}\n`, 'x')).toEqual({ problem: 'missing markers' });
    expect(replaceReadmeRegion(`${README_MARKERS.end}\n${README_MARKERS.start}\n`, 'x')).toEqual({ problem: 'markers out of order' });
    expect(replaceReadmeRegion(`${README_MARKERS.start}\n${README_MARKERS.end}\n${README_MARKERS.start}\n${README_MARKERS.end}\n`, 'x')).toEqual({ problem: 'duplicate markers' });
  });
});
