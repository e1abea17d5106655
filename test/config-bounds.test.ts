/**
 * Every app's config is a zod schema whose numeric fields all have both bounds, and `--set` rejects a
 * value outside them before a run starts, with an error naming the field.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigOverrideError, discoverApps, loadReproduction, numericFields, resolveRunConfig } from '@paperzoo/repro';

const root = path.resolve(import.meta.dirname, '..');
const apps = await Promise.all((await discoverApps(root)).map(async (a) => ({ id: a.id, repro: await loadReproduction(a) })));

/** The value at a dotted path of a preset; `x[]` is the first element of the list x. */
function valueAt(config: unknown, field: string): unknown {
  return field.split('.').reduce<unknown>((node, part) => {
    const list = part.endsWith('[]');
    const v = (node as Record<string, unknown>)[list ? part.slice(0, -2) : part];
    return list ? (v as unknown[])[0] : v;
  }, config);
}

describe.each(apps)('$id', ({ id, repro }) => {
  it('has a config schema with both bounds on every numeric field', () => {
    expect(repro.configSchema, `${id} has no config schema`).toBeDefined();
    const fields = numericFields(repro.configSchema!);
    const unbounded = fields.filter((f) => !Number.isFinite(f.min) || !Number.isFinite(f.max)).map((f) => f.path);
    expect(unbounded).toEqual([]);
  });

  it('--set rejects a value just outside each bound, naming the field', () => {
    const preset = repro.tiers.smoke.config as Record<string, unknown>;
    for (const f of numericFields(repro.configSchema!)) {
      const key = f.path.replace(/\[\]$/, '');
      const listed = f.path.endsWith('[]');
      const current = valueAt(preset, f.path);
      if (current === undefined) continue; // an optional field the preset leaves out, or an empty list
      const step = f.integer ? 1 : Math.max(1e-6, Math.abs(f.max - f.min) * 1e-3);
      for (const bad of [f.min - step, f.max + step]) {
        const text = listed ? `${key}=${JSON.stringify([bad])}` : `${key}=${bad}`;
        let error: unknown = null;
        try {
          resolveRunConfig(repro, { tier: 'smoke', set: [text] });
        } catch (e) {
          error = e;
        }
        expect(error, `--set ${text} was accepted by ${id}`).toBeInstanceOf(ConfigOverrideError);
        expect((error as Error).message).toContain(key.split('.').pop()!);
      }
    }
  });
});
