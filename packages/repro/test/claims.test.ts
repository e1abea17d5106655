import { describe, expect, it } from 'vitest';
import { evaluateClaim, evaluateClaims, overallVerdict, toleranceText, type Claim, type ExactClaim, type RankingClaim, type ThresholdClaim, type ValueClaim } from '../src/index.js';

const value = (extra: Partial<ValueClaim> = {}): ValueClaim => ({
  id: 'test-error',
  kind: 'value',
  what: 'test error of LeNet-5 on MNIST',
  label: 'test error',
  setting: 'no distortions',
  source: 'Fig. 14',
  metric: 'test_error',
  published: 0.0095,
  tolerance: 0.003,
  tiers: ['full'],
  format: 'percent',
  ...extra,
});

describe('value claims', () => {
  it('pass within tolerance, with the human verdict line', () => {
    const r = evaluateClaim(value(), { test_error: 0.0097 });
    expect(r.verdict).toBe('pass');
    expect(r.measured).toBe(0.0097);
    expect(r.published).toBe(0.0095);
    expect(r.tolerance).toBe('±0.30 pp');
    expect(r.line).toBe('test error 0.97% — paper 0.95% (no distortions) — within tolerance (±0.30 pp)');
  });

  it('the tolerance boundary is inclusive despite float rounding', () => {
    expect(evaluateClaim(value(), { test_error: 0.0125 }).verdict).toBe('pass');
    expect(evaluateClaim(value(), { test_error: 0.0065 }).verdict).toBe('pass');
    expect(evaluateClaim(value(), { test_error: 0.01251 }).verdict).toBe('fail');
  });

  it('fail outside tolerance says by how much and which way', () => {
    const r = evaluateClaim(value(), { test_error: 0.0147 });
    expect(r.verdict).toBe('fail');
    expect(r.detail).toBe('outside tolerance (±0.30 pp): 0.52 pp higher');
    expect(evaluateClaim(value(), { test_error: 0.001 }).detail).toMatch(/0\.85 pp lower/);
  });

  it('relative and combined tolerances', () => {
    const rel = value({ tolerance: { relative: 0.1 } }); // ±0.095 pp
    expect(evaluateClaim(rel, { test_error: 0.0104 }).verdict).toBe('pass');
    expect(evaluateClaim(rel, { test_error: 0.0106 }).verdict).toBe('fail');
    expect(toleranceText(rel)).toBe('±10% (relative)');
    const both = value({ tolerance: { absolute: 0.001, relative: 0.1 } }); // ±0.195 pp
    expect(evaluateClaim(both, { test_error: 0.0114 }).verdict).toBe('pass');
    expect(evaluateClaim(both, { test_error: 0.0116 }).verdict).toBe('fail');
    expect(toleranceText(both)).toBe('±(0.10 pp + 10% of published)');
    expect(evaluateClaim(value({ tolerance: 0 }), { test_error: 0.0095 }).verdict).toBe('pass');
  });

  it('orBetter passes any value on the better side', () => {
    const c = value({ orBetter: 'lower' });
    const r = evaluateClaim(c, { test_error: 0.001 });
    expect(r.verdict).toBe('pass');
    expect(r.detail).toBe('better than the paper by 0.85 pp');
    expect(evaluateClaim(c, { test_error: 0.02 }).verdict).toBe('fail');
    expect(evaluateClaim(value({ orBetter: 'higher', published: 0.9, metric: 'acc' }), { acc: 0.99 }).verdict).toBe('pass');
    expect(toleranceText(c)).toBe('±0.30 pp or lower');
  });

  it('missing, NaN, Infinity and wrong types', () => {
    const missing = evaluateClaim(value(), { other: 1 });
    expect(missing.verdict).toBe('missing');
    expect(missing.measured).toBeNull();
    expect(missing.line).toBe("test error (no distortions) — not measured (the run returned no 'test_error')");
    const nan = evaluateClaim(value(), { test_error: NaN });
    expect(nan).toMatchObject({ verdict: 'fail', measured: null, detail: "'test_error' is NaN" });
    expect(evaluateClaim(value(), { test_error: Infinity }).verdict).toBe('fail');
    const wrong = evaluateClaim(value(), { test_error: 'low' });
    expect(wrong).toMatchObject({ verdict: 'fail', measured: 'low' });
    expect(wrong.detail).toMatch(/should be a number but the run returned string "low"/);
    expect(evaluateClaim(value(), { test_error: null } as never).verdict).toBe('missing');
  });

  it('plain numbers without a format', () => {
    const c = value({ format: undefined, label: undefined, setting: undefined, metric: 'perplexity', published: 78.4, tolerance: 2 });
    expect(evaluateClaim(c, { perplexity: 79.12345 }).line).toBe('perplexity 79.12 — paper 78.4 — within tolerance (±2)');
  });
});

describe('threshold claims', () => {
  const below = (extra: Partial<ThresholdClaim> = {}): ThresholdClaim => ({
    id: 'smoke',
    kind: 'threshold',
    what: 'LeNet-5 learns MNIST on a small budget',
    label: 'test error',
    source: 'Fig. 14',
    metric: 'test_error',
    threshold: 0.05,
    direction: 'below',
    tiers: ['smoke'],
    format: 'percent',
    ...extra,
  });

  it('below: strict by default, inclusive on request', () => {
    expect(evaluateClaim(below(), { test_error: 0.0499 }).verdict).toBe('pass');
    expect(evaluateClaim(below(), { test_error: 0.05 }).verdict).toBe('fail');
    expect(evaluateClaim(below({ inclusive: true }), { test_error: 0.05 }).verdict).toBe('pass');
    expect(evaluateClaim(below(), { test_error: 0.0501 }).detail).toBe('not below the 5.00% threshold');
    expect(below().tiers).toEqual(['smoke']);
    expect(evaluateClaim(below(), { test_error: 0.01 }).tolerance).toBe('< 5.00%');
  });

  it('above, with a published value for display', () => {
    const c = below({ direction: 'above', metric: 'acc', threshold: 0.9, published: 0.99, label: 'accuracy' });
    const r = evaluateClaim(c, { acc: 0.95 });
    expect(r.verdict).toBe('pass');
    expect(r.published).toBe(0.99);
    expect(r.line).toBe('accuracy 95.00% — paper 99.00% — above the 90.00% threshold');
    expect(evaluateClaim(c, { acc: 0.9 }).verdict).toBe('fail');
    expect(evaluateClaim(below({ direction: 'above', inclusive: true, metric: 'acc', threshold: 0.9 }), { acc: 0.9 }).detail).toBe('at least the 90.00% threshold');
  });

  it('without a published value the line has no paper part', () => {
    expect(evaluateClaim(below(), { test_error: 0.02 }).line).toBe('test error 2.00% — below the 5.00% threshold');
  });

  it('missing and NaN', () => {
    expect(evaluateClaim(below(), {}).verdict).toBe('missing');
    expect(evaluateClaim(below(), { test_error: NaN }).verdict).toBe('fail');
  });
});

describe('ranking claims', () => {
  const rank = (extra: Partial<RankingClaim> = {}): RankingClaim => ({
    id: 'relu-beats-tanh',
    kind: 'ranking',
    what: 'ReLU networks reach lower test error than tanh networks',
    source: 'Table 2',
    better: 'relu_error',
    worse: 'tanh_error',
    betterIs: 'lower',
    names: { better: 'ReLU', worse: 'tanh' },
    tiers: ['smoke', 'full'],
    format: 'percent',
    ...extra,
  });

  it('lower is better: pass, reversed, tie', () => {
    const r = evaluateClaim(rank(), { relu_error: 0.012, tanh_error: 0.024 });
    expect(r.verdict).toBe('pass');
    expect(r.measured).toBeCloseTo(0.012, 12);
    expect(r.values).toEqual({ relu_error: 0.012, tanh_error: 0.024 });
    expect(r.line).toBe('ReLU vs tanh 1.20% vs 2.40% — ReLU better by 1.20 pp');
    const reversed = evaluateClaim(rank(), { relu_error: 0.03, tanh_error: 0.02 });
    expect(reversed.verdict).toBe('fail');
    expect(reversed.detail).toBe('tanh better by 1.00 pp: the ranking is reversed');
    const tie = evaluateClaim(rank(), { relu_error: 0.02, tanh_error: 0.02 });
    expect(tie).toMatchObject({ verdict: 'fail', detail: 'ReLU and tanh tie' });
  });

  it('higher is better', () => {
    const c = rank({ betterIs: 'higher', better: 'a', worse: 'b', names: undefined, format: undefined });
    expect(evaluateClaim(c, { a: 0.9, b: 0.8 }).verdict).toBe('pass');
    expect(evaluateClaim(c, { a: 0.8, b: 0.9 }).verdict).toBe('fail');
  });

  it('margin: at least δ, boundary inclusive', () => {
    const c = rank({ margin: 0.005, published: { better: 0.011, worse: 0.02 } });
    expect(evaluateClaim(c, { relu_error: 0.01, tanh_error: 0.015 }).verdict).toBe('pass');
    const short = evaluateClaim(c, { relu_error: 0.01, tanh_error: 0.014 });
    expect(short.verdict).toBe('fail');
    expect(short.detail).toBe('ReLU better by only 0.40 pp (needs ≥ 0.50 pp)');
    expect(short.tolerance).toBe('better by ≥ 0.50 pp');
    expect(short.published).toBeCloseTo(0.009, 12);
    expect(short.line).toBe('ReLU vs tanh 1.00% vs 1.40% — paper 1.10% vs 2.00% — ReLU better by only 0.40 pp (needs ≥ 0.50 pp)');
  });

  it('a missing side is missing; a NaN side fails', () => {
    const m = evaluateClaim(rank(), { relu_error: 0.01 });
    expect(m.verdict).toBe('missing');
    expect(m.values).toEqual({ relu_error: 0.01, tanh_error: null });
    expect(evaluateClaim(rank(), { relu_error: NaN, tanh_error: 0.1 }).verdict).toBe('fail');
    expect(evaluateClaim(rank(), { relu_error: NaN }).verdict).toBe('fail');
  });
});

describe('exact claims', () => {
  const exact = (expected: ExactClaim['expected'], extra: Partial<ExactClaim> = {}): ExactClaim => ({
    id: 'grad-check',
    kind: 'exact',
    what: 'gradients match finite differences',
    source: '§3',
    metric: 'gradients_ok',
    expected,
    tiers: ['smoke'],
    ...extra,
  });

  it('booleans, numbers and strings compare exactly', () => {
    expect(evaluateClaim(exact(true), { gradients_ok: true })).toMatchObject({ verdict: 'pass', detail: 'as expected', tolerance: '= true' });
    expect(evaluateClaim(exact(true), { gradients_ok: false })).toMatchObject({ verdict: 'fail', detail: 'expected true' });
    expect(evaluateClaim(exact(61706, { metric: 'params', format: 'integer' }), { params: 61706 }).line).toBe('params 61,706 — paper 61,706 — as expected');
    expect(evaluateClaim(exact(61706, { metric: 'params' }), { params: 61707 }).verdict).toBe('fail');
    expect(evaluateClaim(exact('relu', { metric: 'act' }), { act: 'relu' }).verdict).toBe('pass');
  });

  it('a value of another type fails; absent is missing', () => {
    const r = evaluateClaim(exact(true), { gradients_ok: 1 });
    expect(r.verdict).toBe('fail');
    expect(r.detail).toBe('expected a boolean (true) but the run returned number 1');
    expect(evaluateClaim(exact(true), {}).verdict).toBe('missing');
    expect(evaluateClaim(exact(1), { gradients_ok: NaN })).toMatchObject({ verdict: 'fail', measured: null });
  });
});

describe('evaluateClaims / overallVerdict', () => {
  const claims: Claim[] = [value(), { ...value(), id: 'smoke', kind: 'threshold', threshold: 0.05, direction: 'below', tiers: ['smoke'] }];
  it('evaluates only the claims of the tier', () => {
    expect(evaluateClaims(claims, { test_error: 0.01 }, 'smoke').map((c) => c.id)).toEqual(['smoke']);
    expect(evaluateClaims(claims, { test_error: 0.01 }, 'full').map((c) => c.id)).toEqual(['test-error']);
  });
  it('fail beats missing beats pass', () => {
    expect(overallVerdict([{ verdict: 'pass' }, { verdict: 'missing' }, { verdict: 'fail' }])).toBe('fail');
    expect(overallVerdict([{ verdict: 'pass' }, { verdict: 'missing' }])).toBe('missing');
    expect(overallVerdict([{ verdict: 'pass' }])).toBe('pass');
    expect(overallVerdict([])).toBe('pass');
  });
});
