import { describe, expect, it } from 'vitest';
import { defineReproduction, isReproduction, ReproductionDefinitionError, tierOf, tiersOf, z } from '../src/index.js';

const schema = z.object({
  /** Passes over the data. */
  epochs: z.number().int().min(1).max(100),
  /** Optimizer settings. */
  optimizer: z.object({ name: z.string(), beta1: z.number().min(0).max(1) }),
});

const good = () => ({
  id: 'lenet5',
  package: '@paperzoo/cnn-zoo',
  paper: { title: 'Gradient-Based Learning Applied to Document Recognition', authors: ['Y. LeCun', 'L. Bottou'], year: 1998, venue: 'Proc. IEEE', url: 'https://doi.org/10.1109/5.726791' },
  config: schema,
  claims: [
    { id: 'test-error', kind: 'value' as const, what: 'test error', source: 'Fig. 14', metric: 'test_error' as const, published: 0.0095, tolerance: 0.003, tiers: ['full' as const], format: 'percent' as const },
    { id: 'smoke', kind: 'threshold' as const, what: 'learns', source: 'Fig. 14', metric: 'test_error' as const, threshold: 0.05, direction: 'below' as const, tiers: ['smoke' as const] },
  ],
  tiers: {
    full: { config: { epochs: 20, optimizer: { name: 'sgd', beta1: 0.9 } }, budget: '1 h' },
    smoke: { config: { epochs: 1 }, budget: '60 s' },
  },
  run: () => ({ test_error: 0.01 }),
});

function problems(def: unknown): string[] {
  try {
    defineReproduction(def as ReturnType<typeof good>);
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

  it('the smoke tier is a diff of the full preset: merged field by field; an unknown field is named', () => {
    const r = defineReproduction(good());
    expect(r.tiers.smoke.config).toEqual({ epochs: 1, optimizer: { name: 'sgd', beta1: 0.9 } });
    const def = good();
    const p = problems({ ...def, tiers: { ...def.tiers, smoke: { config: { epochs: 1, optimiser: { beta1: 0.5 } }, budget: '60 s' } } });
    expect(p.join('\n')).toMatch(/tiers\.smoke\.config\.optimiser: the full preset has no field 'optimiser'/);
  });

  it('the config schema must accept both presets and bound every number', () => {
    const def = good();
    expect(problems({ ...def, tiers: { ...def.tiers, smoke: { config: { epochs: 0 }, budget: '60 s' } } }).join('\n')).toMatch(/tiers\.smoke\.config: epochs: Too small/);
    const loose = z.object({ epochs: z.number().int().min(1), optimizer: z.object({ name: z.string(), beta1: z.number() }) });
    const p = problems({ ...def, config: loose }).join('\n');
    expect(p).toMatch(/config\.epochs: a numeric config field needs both bounds \(now \[1, Infinity\]\)/);
    expect(p).toMatch(/config\.optimizer\.beta1: a numeric config field needs both bounds/);
    expect(problems({ ...def, config: undefined }).join('\n')).toMatch(/config: give the config as a zod object schema/);
  });

  it('a tier needs a budget and a known backend', () => {
    const def = good();
    const p = problems({ ...def, tiers: { ...def.tiers, smoke: { ...def.tiers.smoke, budget: '', backend: 'gpu' } } }).join('\n');
    expect(p).toMatch(/tiers\.smoke\.budget: say what the tier costs/);
    expect(p).toMatch(/tiers\.smoke\.backend/);
  });

  describe('the optional gpu tier', () => {
    const gpuClaim = { id: 'large', kind: 'value' as const, what: 'test error, large model', source: 'Table 2', metric: 'test_error' as const, published: 0.007, tolerance: 0.002, tiers: ['gpu' as const] };
    const withGpu = () => {
      const def = good();
      return { ...def, claims: [...def.claims, gpuClaim], tiers: { ...def.tiers, gpu: { config: { epochs: 80, optimizer: { beta1: 0.5 } }, budget: '≈6 h on one GPU', backend: 'tensorflow' as const } } };
    };

    it('is absent unless defined: smoke and full only', () => {
      const r = defineReproduction(good());
      expect(tiersOf(r)).toEqual(['smoke', 'full']);
      expect(r.tiers.gpu).toBeUndefined();
      expect(() => tierOf(r, 'gpu')).toThrow(/lenet5 has no gpu tier \(its tiers: smoke, full\)/);
    });

    it('is a diff of the full preset with its own budget and backend', () => {
      const r = defineReproduction(withGpu());
      expect(tiersOf(r)).toEqual(['smoke', 'full', 'gpu']);
      expect(tierOf(r, 'gpu')).toEqual({ config: { epochs: 80, optimizer: { name: 'sgd', beta1: 0.5 } }, budget: '≈6 h on one GPU', backend: 'tensorflow' });
      expect(r.tiers.full.config).toEqual({ epochs: 20, optimizer: { name: 'sgd', beta1: 0.9 } });
    });

    it('a claim of the gpu tier needs a gpu tier; a gpu tier needs a claim', () => {
      const def = good();
      expect(problems({ ...def, claims: [...def.claims, gpuClaim] })).toEqual([
        expect.stringMatching(/^claims\[2\] 'large': applies to the gpu tier, which this reproduction does not define \(add tiers\.gpu: /),
      ]);
      expect(problems({ ...withGpu(), claims: def.claims })).toEqual([expect.stringMatching(/^tiers\.gpu: no claim applies to this tier/)]);
    });

    it('its diff and preset are checked like smoke\'s: unknown fields, the schema\'s bounds, budget and backend', () => {
      const def = withGpu();
      let p = problems({ ...def, tiers: { ...def.tiers, gpu: { config: { epoch: 80 }, budget: '8 h' } } }).join('\n');
      expect(p).toMatch(/tiers\.gpu\.config\.epoch: the full preset has no field 'epoch'/);
      p = problems({ ...def, tiers: { ...def.tiers, gpu: { config: { epochs: 80 }, budget: '' } } }).join('\n');
      expect(p).toMatch(/tiers\.gpu\.budget: say what the tier costs/);
      p = problems({ ...def, tiers: { ...def.tiers, gpu: { config: { epochs: 1000 }, budget: '8 h', backend: 'cuda' } } }).join('\n');
      expect(p).toMatch(/tiers\.gpu\.backend/);
      p = problems({ ...def, tiers: { ...def.tiers, gpu: { config: { epochs: 1000 }, budget: '8 h' } } }).join('\n');
      expect(p).toMatch(/tiers\.gpu\.config: epochs: Too big/);
      expect(problems({ ...def, tiers: { ...def.tiers, medium: def.tiers.gpu } }).join('\n')).toMatch(/Unrecognized key: "medium"/);
    });
  });
});
