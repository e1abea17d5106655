/**
 * One public name, one meaning: no two @paperzoo packages export the same name bound to different
 * values. The same object re-exported (e.g. `tf`, re-exported from @paperzoo/tensor) is fine; two
 * different functions under one name (as `softmaxCrossEntropy` and `shuffledIndices` once were, with
 * different argument orders and different randomness) is what this test catches.
 */
import { describe, expect, it } from 'vitest';
import * as adversarial from '@paperzoo/adversarial';
import * as cnnZoo from '@paperzoo/cnn-zoo';
import * as coreAutograd from '@paperzoo/core-autograd';
import * as datasets from '@paperzoo/datasets';
import * as repro from '@paperzoo/repro';
import * as tensor from '@paperzoo/tensor';

const PACKAGES: Record<string, Record<string, unknown>> = {
  '@paperzoo/tensor': tensor,
  '@paperzoo/datasets': datasets,
  '@paperzoo/repro': repro,
  '@paperzoo/core-autograd': coreAutograd,
  '@paperzoo/cnn-zoo': cnnZoo,
  '@paperzoo/adversarial': adversarial,
};

/** Names exported by two packages with different values: `name: pkgA, pkgB, …`. */
function collisions(packages: Record<string, Record<string, unknown>>): string[] {
  const byName = new Map<string, { pkg: string; value: unknown }[]>();
  for (const [pkg, mod] of Object.entries(packages)) {
    for (const [name, value] of Object.entries(mod)) {
      if (name === 'default') continue;
      byName.set(name, [...(byName.get(name) ?? []), { pkg, value }]);
    }
  }
  const out: string[] = [];
  for (const [name, entries] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    if (entries.length < 2 || entries.every((e) => e.value === entries[0].value)) continue;
    out.push(`${name}: ${entries.map((e) => e.pkg).join(', ')}`);
  }
  return out;
}

describe('public names across packages', () => {
  it('the check catches a collision (two values under one name) and allows a re-export', () => {
    const f = () => 0;
    expect(collisions({ a: { f, g: f }, b: { f: () => 1, g: f } })).toEqual(['f: a, b']);
  });

  it('no name is exported by two packages with different values', () => {
    const found = collisions(PACKAGES);
    if (found.length > 0) console.log(`name collisions:\n  ${found.join('\n  ')}`);
    expect(found).toEqual([]);
  });
});
