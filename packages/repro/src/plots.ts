/**
 * SVG plots of a run's curves, one per curve group (loss.svg holds 'loss/train' and 'loss/test'),
 * rendered headless with vega-lite → vega.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { curveGroup, curveSeries, type Curves } from './curves.js';
import type { PlotOptions } from './define.js';

export interface Plot {
  group: string;
  /** File name: the group name made file-safe, + '.svg'. */
  file: string;
  svg: string;
}

/** The file name of a curve group's plot. */
export function plotFileName(group: string): string {
  return `${group.replace(/[^A-Za-z0-9._-]+/g, '_')}.svg`;
}

/** Build the vega-lite spec for one group (exported for tests and custom plots). */
export function plotSpec(group: string, curves: Curves, options: PlotOptions = {}): vl.TopLevelSpec {
  const names = Object.keys(curves).filter((n) => curveGroup(n) === group);
  const byEpoch = names.every((n) => curves[n].epoch.every((e) => e !== null));
  const rows: { x: number; value: number; series: string }[] = [];
  for (const n of names) {
    const c = curves[n];
    for (let i = 0; i < c.step.length; i++) {
      const v = c.value[i];
      if (v === null) continue;
      rows.push({ x: byEpoch ? (c.epoch[i] as number) : c.step[i], value: v, series: curveSeries(n) });
    }
  }
  const many = names.length > 1;
  const few = rows.length <= 60;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? group.replace(/_/g, ' '),
    width: 480,
    height: 260,
    background: 'white',
    data: { values: rows },
    mark: { type: 'line', point: few, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: byEpoch ? 'epoch' : 'step' },
      y: {
        field: 'value',
        type: 'quantitative',
        title: options.y ?? group.replace(/_/g, ' '),
        scale: options.logScale ? { type: 'log' } : { zero: false },
        axis: options.format === 'percent' ? { format: '.1%' } : {},
      },
      ...(many ? { color: { field: 'series', type: 'nominal', title: null } } : {}),
    },
  };
}

/** Render every curve group of `curves` to SVG. */
export async function plotCurves(curves: Curves, options: Record<string, PlotOptions> = {}): Promise<Plot[]> {
  const groups = [...new Set(Object.keys(curves).map(curveGroup))].sort();
  const out: Plot[] = [];
  for (const group of groups) {
    const spec = plotSpec(group, curves, options[group]);
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
    try {
      const svg = await view.toSVG();
      out.push({ group, file: plotFileName(group), svg });
    } finally {
      view.finalize();
    }
  }
  return out;
}
