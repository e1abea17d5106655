/**
 * How numbers are shown in verdict lines, tables and REPRODUCTIONS.md. A claim carries a `format`
 * hint ('percent' for error rates stored as fractions) so that 0.0097 reads "0.97%" and a tolerance
 * of 0.003 reads "0.30 pp" (percentage points).
 */

/** How a metric is displayed. Values are stored raw (fractions for 'percent'). */
export type MetricFormat = 'percent' | 'number' | 'integer' | 'boolean' | 'text';

export const METRIC_FORMATS: readonly MetricFormat[] = ['percent', 'number', 'integer', 'boolean', 'text'];

/** A metric value as a run reports it. */
export type MetricValue = number | boolean | string;

/** What a run returns: named metrics, e.g. `{ test_error: 0.0097, params: 61706 }`. */
export type Metrics = Record<string, MetricValue>;

export interface FormatHint {
  format?: MetricFormat;
  /** Digits after the decimal point (of the percentage for 'percent'); default 2 for percent, else 4 significant. */
  digits?: number;
}

function plainNumber(v: number, digits: number | undefined): string {
  if (!Number.isFinite(v)) return String(v);
  if (digits !== undefined) return v.toFixed(digits);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** Format a metric value: `formatValue(0.0097, { format: 'percent' })` → "0.97%". */
export function formatValue(v: MetricValue | null | undefined, hint: FormatHint = {}): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (!Number.isFinite(v)) return String(v);
  switch (hint.format) {
    case 'percent':
      return `${(v * 100).toFixed(hint.digits ?? 2)}%`;
    case 'integer':
      return Math.round(v).toLocaleString('en-US');
    default:
      return plainNumber(v, hint.digits);
  }
}

/**
 * Format a difference between two values of a metric (a tolerance, a gap):
 * `formatDelta(0.003, { format: 'percent' })` → "0.30 pp".
 */
export function formatDelta(d: number, hint: FormatHint = {}): string {
  if (!Number.isFinite(d)) return String(d);
  if (hint.format === 'percent') return `${(d * 100).toFixed(hint.digits ?? 2)} pp`;
  if (hint.format === 'integer') return Math.round(d).toLocaleString('en-US');
  return plainNumber(d, hint.digits);
}

/** 'test_error' → 'test error'; 'loss/train' → 'loss (train)'. */
export function humanizeMetric(name: string): string {
  const [group, ...rest] = name.split('/');
  const g = group.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
  return rest.length ? `${g} (${rest.join('/')})` : g;
}
