/**
 * Claims are data (docs/style.md §5): what the paper says, where it says it, and how our number is judged.
 * The harness evaluates them — an app never writes `if (acc < 0.98) throw`.
 *
 * Four kinds:
 * - `value`: |measured − published| ≤ absolute + relative·|published| (numpy `isclose` style);
 *   with `orBetter`, any measured value on the better side of `published` also passes.
 * - `threshold`: measured < threshold (`direction: 'below'`) or > threshold (`'above'`);
 *   `inclusive: true` admits equality.
 * - `ranking`: metric `better` beats metric `worse` by at least `margin` (strictly when margin is 0),
 *   where `betterIs` says whether lower or higher is better.
 * - `exact`: measured === expected (a boolean property, an integer count, a string).
 *
 * A claim whose metric the run did not return is `missing`; a NaN, an infinite value or a value of
 * the wrong type is a `fail` with a message that says so.
 */
import { formatDelta, formatValue, humanizeMetric, type FormatHint, type MetricFormat, type MetricValue, type Metrics } from './format.js';

/**
 * The budgets of a reproduction: every one offers `smoke` (CPU, about 90 s) and `full` (the paper's
 * budget); `gpu` is optional, for configurations of the paper that need a GPU (docs/decisions/0005-gpu-tier.md).
 */
export const TIER_NAMES = ['smoke', 'full', 'gpu'] as const;
export type TierName = (typeof TIER_NAMES)[number];

/** The outcome of one claim. */
export type Verdict = 'pass' | 'fail' | 'missing';

interface ClaimBase {
  /** Stable id, unique within the reproduction, e.g. 'test-error'. */
  id: string;
  /** What is claimed, in a reader's words: 'test error of LeNet-5 on MNIST'. */
  what: string;
  /** Where the paper says it: 'Table 6', 'Fig. 1', '§4.1'. */
  source: string;
  /** The tiers whose runs check this claim (a smoke run checks an honestly scaled-down claim). */
  tiers: readonly TierName[];
  /** Short name for the verdict line; defaults to the metric name ('test_error' → 'test error'). */
  label?: string;
  /** The paper's condition for the number, shown after it: 'no distortions'. */
  setting?: string;
  /** Display hint: 'percent' shows 0.0097 as 0.97% and a tolerance of 0.003 as 0.30 pp. */
  format?: MetricFormat;
  /** Digits after the decimal point (see {@link FormatHint}). */
  digits?: number;
  /** Anything a reader should know (why this tolerance, what differs from the paper). */
  note?: string;
}

/** Our metric matches the published value within a tolerance. */
export interface ValueClaim<M extends string = string> extends ClaimBase {
  kind: 'value';
  /** The metric `run` returns that this claim judges (a name `run` does not return is a type error). */
  metric: M;
  published: number;
  /** Absolute tolerance, or `{ absolute, relative }`: allowed = absolute + relative·|published|. */
  tolerance: number | { absolute?: number; relative?: number };
  /** 'lower' (or 'higher'): a measured value lower (higher) than published passes however far. */
  orBetter?: 'lower' | 'higher';
}

/** Our metric is below (or above) a threshold. */
export interface ThresholdClaim<M extends string = string> extends ClaimBase {
  kind: 'threshold';
  metric: M;
  threshold: number;
  direction: 'below' | 'above';
  /** Admit equality with the threshold (default false: strictly below/above). */
  inclusive?: boolean;
  /** The paper's number, shown beside ours (not judged). */
  published?: number;
}

/** Metric `better` beats metric `worse` (e.g. ReLU's test error is lower than tanh's). */
export interface RankingClaim<M extends string = string> extends ClaimBase {
  kind: 'ranking';
  better: M;
  worse: M;
  /** Which direction is better for these metrics. */
  betterIs: 'lower' | 'higher';
  /** The least gap that counts; 0 (default) needs strictly better. */
  margin?: number;
  /** The paper's two numbers, shown beside ours. */
  published?: { better: number; worse: number };
  /** Names of the two contenders for the verdict line; default: the metric names. */
  names?: { better: string; worse: string };
}

/** Our metric equals an expected property value (true, an integer, a string). */
export interface ExactClaim<M extends string = string> extends ClaimBase {
  kind: 'exact';
  metric: M;
  expected: MetricValue;
}

/** A claim about the metrics named `M` (the metric names a reproduction's `run` returns). */
export type Claim<M extends string = string> = ValueClaim<M> | ThresholdClaim<M> | RankingClaim<M> | ExactClaim<M>;
export type ClaimKind = Claim['kind'];
export const CLAIM_KINDS: readonly ClaimKind[] = ['value', 'threshold', 'ranking', 'exact'];

/** One claim, evaluated: what result.json and `paperzoo compare` show. */
export interface ClaimResult {
  id: string;
  what: string;
  source: string;
  kind: ClaimKind;
  /** The metric judged ('better_metric vs worse_metric' for rankings). */
  metric: string;
  setting?: string;
  format?: MetricFormat;
  digits?: number;
  /** The paper's value (the published gap for a ranking, the expected value for exact). */
  published: MetricValue | null;
  /** Our value (the gap for a ranking); null when missing or not finite. */
  measured: MetricValue | null;
  verdict: Verdict;
  /** The pass criterion in words: '±0.30 pp', '< 5.00%', 'better by ≥ 0.50 pp', '= true'. */
  tolerance: string;
  /** Why the verdict: 'within tolerance (±0.30 pp)', 'not below the 5.00% threshold'. */
  detail: string;
  /** The human verdict line: 'test error 0.97% — paper 0.95% (no distortions) — within tolerance (±0.30 pp)'. */
  line: string;
  /** The two measured values of a ranking. */
  values?: Record<string, number | null>;
}

/** Relative slack for comparisons at a boundary, so 0.0125 − 0.0095 ≤ 0.003 holds despite rounding. */
const BOUNDARY_EPS = 1e-9;

function slack(...xs: number[]): number {
  return BOUNDARY_EPS * Math.max(1, ...xs.map(Math.abs));
}

/** Whether a claim is checked by runs of `tier`. */
export function claimAppliesTo(claim: Claim, tier: TierName): boolean {
  return claim.tiers.includes(tier);
}

/** The claims a run of `tier` checks, in definition order. */
export function claimsForTier<T extends Claim>(claims: readonly T[], tier: TierName): T[] {
  return claims.filter((c) => claimAppliesTo(c, tier));
}

/** Allowed absolute deviation of a value claim. */
export function allowedDeviation(claim: ValueClaim): number {
  const t = claim.tolerance;
  if (typeof t === 'number') return t;
  return (t.absolute ?? 0) + (t.relative ?? 0) * Math.abs(claim.published);
}

/** The tolerance of a value claim in words: '±0.30 pp', '±5% (relative)', '±(0.30 pp + 5% of published)'. */
export function toleranceText(claim: ValueClaim): string {
  const hint = hintOf(claim);
  const t = typeof claim.tolerance === 'number' ? { absolute: claim.tolerance } : claim.tolerance;
  const rel = t.relative ? `${Number((t.relative * 100).toPrecision(3))}%` : '';
  let text: string;
  if (t.absolute && rel) text = `±(${formatDelta(t.absolute, hint)} + ${rel} of published)`;
  else if (rel) text = `±${rel} (relative)`;
  else text = `±${formatDelta(t.absolute ?? 0, hint)}`;
  if (claim.orBetter) text += ` or ${claim.orBetter}`;
  return text;
}

function hintOf(claim: Claim): FormatHint {
  return { format: claim.format, digits: claim.digits };
}

function describeType(v: unknown): string {
  return `${typeof v} ${JSON.stringify(v)}`;
}

function labelOf(claim: Claim): string {
  if (claim.label) return claim.label;
  if (claim.kind === 'ranking') {
    return `${claim.names?.better ?? humanizeMetric(claim.better)} vs ${claim.names?.worse ?? humanizeMetric(claim.worse)}`;
  }
  return humanizeMetric(claim.metric);
}

/** Build the human verdict line from its parts. */
function verdictLine(claim: Claim, measured: string | null, published: string | null, detail: string): string {
  const label = labelOf(claim);
  const setting = claim.setting ? ` (${claim.setting})` : '';
  if (measured === null) return `${label}${setting} — ${detail}`;
  if (published === null) return `${label}${setting} ${measured} — ${detail}`;
  return `${label} ${measured} — paper ${published}${setting} — ${detail}`;
}

type Measured = { ok: true; value: number } | { ok: false; verdict: Verdict; detail: string; raw: MetricValue | null };

function numericMetric(metrics: Metrics, name: string): Measured {
  if (!Object.prototype.hasOwnProperty.call(metrics, name) || metrics[name] === undefined || metrics[name] === null) {
    return { ok: false, verdict: 'missing', detail: `not measured (the run returned no '${name}')`, raw: null };
  }
  const v = metrics[name];
  if (typeof v !== 'number') return { ok: false, verdict: 'fail', detail: `'${name}' should be a number but the run returned ${describeType(v)}`, raw: v };
  if (!Number.isFinite(v)) return { ok: false, verdict: 'fail', detail: `'${name}' is ${v}`, raw: null };
  return { ok: true, value: v };
}

function base(claim: Claim): Omit<ClaimResult, 'published' | 'measured' | 'verdict' | 'tolerance' | 'detail' | 'line'> {
  const out: Omit<ClaimResult, 'published' | 'measured' | 'verdict' | 'tolerance' | 'detail' | 'line'> = {
    id: claim.id,
    what: claim.what,
    source: claim.source,
    kind: claim.kind,
    metric: claim.kind === 'ranking' ? `${claim.better} vs ${claim.worse}` : claim.metric,
  };
  if (claim.setting !== undefined) out.setting = claim.setting;
  if (claim.format !== undefined) out.format = claim.format;
  if (claim.digits !== undefined) out.digits = claim.digits;
  return out;
}

function evaluateValue(claim: ValueClaim, metrics: Metrics): ClaimResult {
  const hint = hintOf(claim);
  const tolerance = toleranceText(claim);
  const published = formatValue(claim.published, hint);
  const m = numericMetric(metrics, claim.metric);
  if (!m.ok) {
    const shown = m.raw === null ? null : formatValue(m.raw, hint);
    return { ...base(claim), published: claim.published, measured: m.raw, verdict: m.verdict, tolerance, detail: m.detail, line: verdictLine(claim, shown, published, m.detail) };
  }
  const diff = m.value - claim.published;
  const allowed = allowedDeviation(claim);
  const within = Math.abs(diff) <= allowed + slack(claim.published, allowed);
  const better = (claim.orBetter === 'lower' && diff < 0) || (claim.orBetter === 'higher' && diff > 0);
  let verdict: Verdict;
  let detail: string;
  if (within) {
    verdict = 'pass';
    detail = `within tolerance (${tolerance})`;
  } else if (better) {
    verdict = 'pass';
    detail = `better than the paper by ${formatDelta(Math.abs(diff), hint)}`;
  } else {
    verdict = 'fail';
    detail = `outside tolerance (${tolerance}): ${formatDelta(Math.abs(diff), hint)} ${diff > 0 ? 'higher' : 'lower'}`;
  }
  return { ...base(claim), published: claim.published, measured: m.value, verdict, tolerance, detail, line: verdictLine(claim, formatValue(m.value, hint), published, detail) };
}

function evaluateThreshold(claim: ThresholdClaim, metrics: Metrics): ClaimResult {
  const hint = hintOf(claim);
  const below = claim.direction === 'below';
  const op = below ? (claim.inclusive ? '≤' : '<') : claim.inclusive ? '≥' : '>';
  const tolerance = `${op} ${formatValue(claim.threshold, hint)}`;
  const published = claim.published === undefined ? null : claim.published;
  const publishedText = published === null ? null : formatValue(published, hint);
  const m = numericMetric(metrics, claim.metric);
  if (!m.ok) {
    const shown = m.raw === null ? null : formatValue(m.raw, hint);
    return { ...base(claim), published, measured: m.raw, verdict: m.verdict, tolerance, detail: m.detail, line: verdictLine(claim, shown, publishedText, m.detail) };
  }
  const eps = slack(claim.threshold);
  let ok: boolean;
  if (below) ok = claim.inclusive ? m.value <= claim.threshold + eps : m.value < claim.threshold;
  else ok = claim.inclusive ? m.value >= claim.threshold - eps : m.value > claim.threshold;
  const word = below ? (claim.inclusive ? 'at most' : 'below') : claim.inclusive ? 'at least' : 'above';
  const detail = ok ? `${word} the ${formatValue(claim.threshold, hint)} threshold` : `not ${word} the ${formatValue(claim.threshold, hint)} threshold`;
  return { ...base(claim), published, measured: m.value, verdict: ok ? 'pass' : 'fail', tolerance, detail, line: verdictLine(claim, formatValue(m.value, hint), publishedText, detail) };
}

function evaluateRanking(claim: RankingClaim, metrics: Metrics): ClaimResult {
  const hint = hintOf(claim);
  const margin = claim.margin ?? 0;
  const tolerance = margin > 0 ? `better by ≥ ${formatDelta(margin, hint)}` : 'strictly better';
  const gapOf = (better: number, worse: number) => (claim.betterIs === 'lower' ? worse - better : better - worse);
  const published = claim.published ? gapOf(claim.published.better, claim.published.worse) : null;
  const publishedText = claim.published ? `${formatValue(claim.published.better, hint)} vs ${formatValue(claim.published.worse, hint)}` : null;
  const a = numericMetric(metrics, claim.better);
  const b = numericMetric(metrics, claim.worse);
  const values: Record<string, number | null> = {
    [claim.better]: a.ok ? a.value : null,
    [claim.worse]: b.ok ? b.value : null,
  };
  if (!a.ok || !b.ok) {
    const failed = [a, b].filter((x): x is Extract<Measured, { ok: false }> => !x.ok);
    const verdict: Verdict = failed.some((f) => f.verdict === 'fail') ? 'fail' : 'missing';
    const detail = failed.map((f) => f.detail).join('; ');
    return { ...base(claim), published, measured: null, verdict, tolerance, detail, values, line: verdictLine(claim, null, publishedText, detail) };
  }
  const gap = gapOf(a.value, b.value);
  const ok = gap > 0 && gap >= margin - slack(margin);
  const betterName = claim.names?.better ?? humanizeMetric(claim.better);
  const worseName = claim.names?.worse ?? humanizeMetric(claim.worse);
  const needs = margin > 0 ? ` (needs ≥ ${formatDelta(margin, hint)})` : '';
  const detail = ok
    ? `${betterName} better by ${formatDelta(gap, hint)}${needs}`
    : gap > 0
      ? `${betterName} better by only ${formatDelta(gap, hint)}${needs}`
      : gap === 0
        ? `${betterName} and ${worseName} tie`
        : `${worseName} better by ${formatDelta(-gap, hint)}: the ranking is reversed`;
  const measuredText = `${formatValue(a.value, hint)} vs ${formatValue(b.value, hint)}`;
  return { ...base(claim), published, measured: gap, verdict: ok ? 'pass' : 'fail', tolerance, detail, values, line: verdictLine(claim, measuredText, publishedText, detail) };
}

function evaluateExact(claim: ExactClaim, metrics: Metrics): ClaimResult {
  const hint = hintOf(claim);
  const expectedText = formatValue(claim.expected, hint);
  const tolerance = `= ${expectedText}`;
  const has = Object.prototype.hasOwnProperty.call(metrics, claim.metric) && metrics[claim.metric] !== undefined && metrics[claim.metric] !== null;
  if (!has) {
    const detail = `not measured (the run returned no '${claim.metric}')`;
    return { ...base(claim), published: claim.expected, measured: null, verdict: 'missing', tolerance, detail, line: verdictLine(claim, null, expectedText, detail) };
  }
  const v = metrics[claim.metric];
  let verdict: Verdict;
  let detail: string;
  if (typeof v !== typeof claim.expected) {
    verdict = 'fail';
    detail = `expected a ${typeof claim.expected} (${expectedText}) but the run returned ${describeType(v)}`;
  } else if (v === claim.expected) {
    verdict = 'pass';
    detail = 'as expected';
  } else {
    verdict = 'fail';
    detail = `expected ${expectedText}`;
  }
  const measured = typeof v === 'number' && !Number.isFinite(v) ? null : v;
  return { ...base(claim), published: claim.expected, measured, verdict, tolerance, detail, line: verdictLine(claim, formatValue(v, hint), expectedText, detail) };
}

/** Judge one claim against a run's metrics. Never throws on odd metrics: they become 'fail' or 'missing'. */
export function evaluateClaim(claim: Claim, metrics: Metrics): ClaimResult {
  switch (claim.kind) {
    case 'value':
      return evaluateValue(claim, metrics);
    case 'threshold':
      return evaluateThreshold(claim, metrics);
    case 'ranking':
      return evaluateRanking(claim, metrics);
    case 'exact':
      return evaluateExact(claim, metrics);
  }
}

/** Judge the claims of `tier` against a run's metrics. */
export function evaluateClaims(claims: readonly Claim[], metrics: Metrics, tier: TierName): ClaimResult[] {
  return claimsForTier(claims, tier).map((c) => evaluateClaim(c, metrics));
}

/** The overall verdict of a set of claim results: any fail → fail, else any missing → missing, else pass. */
export function overallVerdict(results: readonly { verdict: Verdict }[]): Verdict {
  if (results.some((r) => r.verdict === 'fail')) return 'fail';
  if (results.some((r) => r.verdict === 'missing')) return 'missing';
  return 'pass';
}
