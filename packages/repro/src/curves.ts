/**
 * Curves: metrics logged per step or per epoch during a run. A curve named 'group/series' belongs to
 * the plot of its group ('loss/train' and 'loss/test' share loss.svg); a name without '/' is its own
 * group ('test_error' → test_error.svg).
 */

/** One curve, stored column-wise. `value` is null where the logged value was NaN or infinite. */
export interface Curve {
  step: number[];
  value: (number | null)[];
  /** The (possibly fractional) epoch of each point, null where none was given. */
  epoch: (number | null)[];
}

export type Curves = Record<string, Curve>;

/** Where a logged point sits: `step` is any increasing x (optimizer step, sweep index). */
export interface LogPosition {
  step: number;
  epoch?: number;
}

/** The plot group of a curve name. */
export function curveGroup(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? name : name.slice(0, i);
}

/** The series of a curve within its group ('loss/train' → 'train'; 'test_error' → 'test_error'). */
export function curveSeries(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? name : name.slice(i + 1);
}

/** An append-only store of curves. */
export class CurveLog {
  private curves: Curves = {};

  /** Append one point to each named curve. */
  log(values: Record<string, number>, at: LogPosition): void {
    if (!Number.isFinite(at.step)) throw new RangeError(`log: step must be a finite number, got ${at.step}`);
    for (const [name, v] of Object.entries(values)) {
      if (typeof v !== 'number') throw new TypeError(`log: '${name}' must be a number, got ${typeof v}`);
      const c = (this.curves[name] ??= { step: [], value: [], epoch: [] });
      c.step.push(at.step);
      c.value.push(Number.isFinite(v) ? v : null);
      c.epoch.push(at.epoch ?? null);
    }
  }

  /** A deep copy of everything logged so far. */
  snapshot(): Curves {
    return structuredClone(this.curves);
  }

  /** Replace the log with `curves` (used when resuming from a checkpoint). */
  restore(curves: Curves): void {
    this.curves = structuredClone(curves);
  }

  get size(): number {
    return Object.keys(this.curves).length;
  }
}
