import { describe, expect, it } from 'vitest';
import { defineReproduction, isReproduction, ReproductionDefinitionError, z, type LegacyReproductionDefinition } from '../src/index.js';

interface Cfg {
  /** Passes over the data. */
  epochs: number;
  /** Optimizer settings. */
  optimizer: { name: string; beta1: number };
}

const good = (): LegacyReproductionDefinition<Cfg> => ({
  id: 'lenet5',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Gradient-Based Learning Applied to Document Recognition', authors: ['Y. LeCun', 'L. Bottou'], year: 1998, venue: 'Proc. IEEE', url: 'https://doi.org/10.1109/5.726791' },
  claims: [
    { id: 'test-error', kind: 'value', what: 'test error', source: 'Fig. 14', metric: 'test_error', published: 0.0095, tolerance: 0.003, tiers: ['full'], format: 'percent' },
    { id: 'smoke', kind: 'threshold', what: 'learns', source: 'Fig. 14', metric: 'test_error', threshold: 0.05, direction: 'below', tiers: ['smoke'] },
  ],
  tiers: {
    smoke: { config: { epochs: 1, optimizer: { name: 'sgd', beta1: 0.9 } }, budget: '60 s' },
    full: { config: { epochs: 20, optimizer: { name: 'sgd', beta1: 0.9 } }, budget: '1 h' },
  },
  run: () => ({ test_error: 0.01 }),
});

function problems(def: unknown): string[] {
  try {
    defineReproduction(def as LegacyReproductionDefinition<Cfg>);
  } catch (e) {
    expect(e).toBeInstanceOf(ReproductionDefinitionError);
    return (e as ReproductionDefinitionError).problems;
  }
  throw new Error('expected the definition to be rejected');
}

describe('defineReproduction', () => {
  it('accepts a valid definition and freezes it', () => {
    const r = defineReproduction(good());
    expect(isReproduction(r)).toBe(true);
    expect(Object.isFrozen(r)).toBe(true);
    expect(isReproduction({ id: 'x' })).toBe(false);
    expect(isReproduction(null)).toBe(false);
  });

  it('rejects a bad id, paper and package', () => {
    const p = problems({ ...good(), id: 'LeNet 5', package: 'Not A Package', paper: { ...good().paper, year: 98, url: 'nope' } });
    expect(p.join('\n')).toMatch(/^id: ids are lowercase/m);
    expect(p.join('\n')).toMatch(/paper\.year/);
    expect(p.join('\n')).toMatch(/paper\.url/);
    expect(p.join('\n')).toMatch(/package: an npm package name/);
  });

  it('rejects unknown top-level keys (typos)', () => {
    expect(problems({ ...good(), tier: {} }).join('\n')).toMatch(/Unrecognized key: "tier"/);
  });

  it('rejects malformed claims with their index and id', () => {
    const def = good();
    const p = problems({
      ...def,
      claims: [
        ...def.claims,
        { id: 'neg', kind: 'value', what: 'x', source: 's', metric: 'm', published: 1, tolerance: -1, tiers: ['full'] },
        { id: 'odd', kind: 'vibe', what: 'x', source: 's', tiers: ['full'] },
        { id: 'test-error', kind: 'exact', what: 'x', source: 's', metric: 'm', expected: true, tiers: ['nightly'] },
        { id: 'same', kind: 'ranking', what: 'x', source: 's', better: 'a', worse: 'a', betterIs: 'lower', tiers: ['full'] },
        { id: 'typo', kind: 'threshold', what: 'x', source: 's', metric: 'm', threshold: 1, direction: 'below', tiers: ['full'], tolerence: 1 },
      ],
    }).join('\n');
    expect(p).toMatch(/claims\[2\] 'neg': tolerance/);
    expect(p).toMatch(/claims\[3\] 'odd': kind/);
    expect(p).toMatch(/claims\[4\] 'test-error': tiers\.0/);
    expect(p).toMatch(/claims\[4\] 'test-error': duplicate claim id 'test-error'/);
    expect(p).toMatch(/claims\[5\] 'same': a ranking compares two different metrics/);
    expect(p).toMatch(/claims\[6\] 'typo': Unrecognized key: "tolerence"/);
  });

  it('every tier needs a claim', () => {
    const def = good();
    const p = problems({ ...def, claims: [def.claims[0]] });
    expect(p).toEqual([expect.stringMatching(/^tiers\.smoke: no claim applies to this tier/)]);
  });

  it('tier presets must set the same fields', () => {
    const def = good();
    const p = problems({ ...def, tiers: { ...def.tiers, full: { ...def.tiers.full, config: { epochs: 20, optimizer: { name: 'sgd' }, extra: 1 } } } });
    expect(p.join('\n')).toMatch(/only in smoke: optimizer\.beta1; only in full: extra/);
  });

  it('a configSchema must accept both presets', () => {
    const schema = z.object({ epochs: z.number().int().min(2), optimizer: z.object({ name: z.string(), beta1: z.number() }) });
    const p = problems({ ...good(), configSchema: schema });
    expect(p.join('\n')).toMatch(/tiers\.smoke\.config: epochs: Too small/);
  });

  it('a tier needs a budget and a known backend', () => {
    const def = good();
    const p = problems({ ...def, tiers: { ...def.tiers, smoke: { ...def.tiers.smoke, budget: '', backend: 'gpu' } } }).join('\n');
    expect(p).toMatch(/tiers\.smoke\.budget: say what the tier costs/);
    expect(p).toMatch(/tiers\.smoke\.backend/);
  });
});
