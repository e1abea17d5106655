/**
 * `defineReproduction` — the one export of every `apps/<area>/<paper>/reproduction.ts`.
 *
 * ```ts
 * export default defineReproduction<LeNetConfig>({
 *   id: 'lenet5', package: '@paperzoo/cnn-zoo',
 *   paper: { title: 'Gradient-Based Learning Applied to Document Recognition', authors: ['Y. LeCun', …], year: 1998, venue: 'Proc. IEEE', url: 'https://doi.org/10.1109/5.726791' },
 *   claims: [{ id: 'test-error', kind: 'value', what: 'test error of LeNet-5 on MNIST', source: 'Fig. 14', metric: 'test_error', published: 0.0095, tolerance: 0.003, tiers: ['full'], format: 'percent' }],
 *   tiers: { smoke: { config: {...}, budget: '≈60 s on 2 CPU cores' }, full: { config: {...}, budget: '20 epochs, ≈1 h on 2 cores' } },
 *   async run(cfg, ctx) { …; return { test_error } },
 * });
 * ```
 */
import { z } from 'zod';
import { TIER_NAMES, type Claim, type TierName } from './claims.js';
import { METRIC_FORMATS, type Metrics } from './format.js';
import { ReproductionDefinitionError } from './errors.js';
import type { RunContext } from './context.js';

/** The paper a reproduction checks. */
export interface Paper {
  title: string;
  authors: readonly string[];
  year: number;
  /** Journal, conference or 'arXiv'. */
  venue: string;
  /** arXiv, DOI or proceedings link. */
  url: string;
}

/** The backends a run may ask for (see @paperzoo/tensor `initBackend`). */
export const BACKEND_NAMES = ['auto', 'native', 'wasm', 'cpu', 'webgpu', 'tensorflow'] as const;
export type TierBackend = (typeof BACKEND_NAMES)[number];

/** One budget of a reproduction: a typed config preset plus what it costs. */
export interface Tier<C> {
  /** The config preset: every field of the config interface, with this tier's values. */
  config: C;
  /** The budget in words: 'about 60 s on 2 CPU cores (2 epochs on 6 000 digits)'. */
  budget: string;
  /** The backend used when neither --backend nor PAPERZOO_BACKEND says otherwise (default 'auto'). */
  backend?: TierBackend;
  /** How this tier is scaled down from the paper, if it is. */
  description?: string;
}

/** How the SVG of one curve group is drawn (curve 'loss/train' belongs to group 'loss'). */
export interface PlotOptions {
  title?: string;
  /** y-axis title; default: the group name. */
  y?: string;
  /** 'percent' shows fractions as percentages on the axis. */
  format?: 'percent' | 'number';
  /** Log-scale y axis. */
  logScale?: boolean;
}

/** What an app passes to {@link defineReproduction}. `C` is the app's config interface. */
export interface ReproductionDefinition<C extends object> {
  /** The id used on the command line (`paperzoo run lenet5`); the app's package is `@paperzoo/app-<id>`. */
  id: string;
  paper: Paper;
  /** The library package that implements the paper's models/algorithms, e.g. '@paperzoo/cnn-zoo'. */
  package: string;
  claims: readonly Claim[];
  tiers: Record<TierName, Tier<C>>;
  /**
   * Optional zod schema of the config, for checks the preset's value types cannot express
   * (integers, ranges, enums). `--set` overrides are validated against it.
   */
  configSchema?: z.ZodType<C>;
  /** Per curve-group plot options. */
  plots?: Record<string, PlotOptions>;
  /** The seed used when --seed is not given (default 0). */
  defaultSeed?: number;
  /**
   * The experiment. Called after the harness has initialised the backend and seeded the RNG.
   * Returns the metrics the claims name.
   */
  run(config: C, ctx: RunContext<C>): Promise<Metrics> | Metrics;
}

/** The marker by which discovery recognises a reproduction across module instances. */
export const REPRODUCTION_MARK = 'paperzoo.reproduction/1';

/** A validated, frozen reproduction definition. */
export type Reproduction<C extends object = any> = Readonly<ReproductionDefinition<C>> & { readonly __paperzoo: typeof REPRODUCTION_MARK };

/** Whether `x` is a value returned by {@link defineReproduction}. */
export function isReproduction(x: unknown): x is Reproduction {
  return typeof x === 'object' && x !== null && (x as { __paperzoo?: unknown }).__paperzoo === REPRODUCTION_MARK;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nonNegative = finite.refine((v) => v >= 0, 'must be ≥ 0');
const metricName = z.string().min(1);
const claimBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'claim ids are lowercase: letters, digits, . _ -'),
  what: z.string().min(1),
  source: z.string().min(1),
  tiers: z.array(z.enum(TIER_NAMES)).min(1, 'a claim applies to at least one tier'),
  label: z.string().min(1).optional(),
  setting: z.string().min(1).optional(),
  format: z.enum(METRIC_FORMATS as [string, ...string[]]).optional(),
  digits: z.number().int().min(0).max(12).optional(),
  note: z.string().optional(),
};

const claimSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...claimBase,
    kind: z.literal('value'),
    metric: metricName,
    published: finite,
    tolerance: z.union([nonNegative, z.strictObject({ absolute: nonNegative.optional(), relative: nonNegative.optional() })]),
    orBetter: z.enum(['lower', 'higher']).optional(),
  }),
  z.strictObject({
    ...claimBase,
    kind: z.literal('threshold'),
    metric: metricName,
    threshold: finite,
    direction: z.enum(['below', 'above']),
    inclusive: z.boolean().optional(),
    published: finite.optional(),
  }),
  z.strictObject({
    ...claimBase,
    kind: z.literal('ranking'),
    better: metricName,
    worse: metricName,
    betterIs: z.enum(['lower', 'higher']),
    margin: nonNegative.optional(),
    published: z.strictObject({ better: finite, worse: finite }).optional(),
    names: z.strictObject({ better: z.string(), worse: z.string() }).optional(),
  }),
  z.strictObject({
    ...claimBase,
    kind: z.literal('exact'),
    metric: metricName,
    expected: z.union([finite, z.boolean(), z.string()]),
  }),
]);

const tierSchema = z.object({
  config: z.record(z.string(), z.unknown()),
  budget: z.string().min(1, 'say what the tier costs'),
  backend: z.enum(BACKEND_NAMES).optional(),
  description: z.string().optional(),
});

const definitionSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lowercase letters, digits and dashes (used on the command line)'),
  paper: z.strictObject({
    title: z.string().min(1),
    authors: z.array(z.string().min(1)).min(1),
    year: z.number().int().min(1900).max(2100),
    venue: z.string().min(1),
    url: z.url(),
  }),
  package: z.string().regex(/^(@[a-z0-9-]+\/)?[a-z0-9][a-z0-9._-]*$/, 'an npm package name'),
  claims: z.array(z.unknown()).min(1, 'a reproduction checks at least one claim'),
  tiers: z.strictObject({ smoke: tierSchema, full: tierSchema }),
  configSchema: z.unknown().optional(),
  plots: z.record(z.string(), z.unknown()).optional(),
  defaultSeed: z.number().int().optional(),
  run: z.custom<(...args: unknown[]) => unknown>((f) => typeof f === 'function', 'run must be a function'),
});

function issuesOf(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
}

/** The sorted key paths of a plain config object ('optimizer.beta1'). */
function keyPaths(obj: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(...keyPaths(v as Record<string, unknown>, `${prefix}${k}.`));
    else out.push(prefix + k);
  }
  return out.sort();
}

/**
 * Validate and freeze a reproduction definition. Throws a {@link ReproductionDefinitionError} listing
 * every problem: malformed paper or claims, duplicate claim ids, a tier without claims, tier presets
 * with different keys, presets the `configSchema` rejects.
 */
export function defineReproduction<C extends object>(def: ReproductionDefinition<C>): Reproduction<C> {
  const id = typeof def?.id === 'string' ? def.id : '(no id)';
  const problems: string[] = [];
  const top = definitionSchema.safeParse(def);
  if (!top.success) problems.push(...issuesOf(top.error));
  const claims = Array.isArray(def?.claims) ? def.claims : [];
  const seen = new Set<string>();
  claims.forEach((c, i) => {
    const r = claimSchema.safeParse(c);
    const name = typeof (c as { id?: unknown })?.id === 'string' ? `claims[${i}] '${(c as Claim).id}'` : `claims[${i}]`;
    if (!r.success) problems.push(...issuesOf(r.error, `${name}: `));
    const cid = (c as Claim)?.id;
    if (typeof cid === 'string') {
      if (seen.has(cid)) problems.push(`${name}: duplicate claim id '${cid}'`);
      seen.add(cid);
    }
    if ((c as Claim)?.kind === 'ranking' && (c as { better?: string }).better === (c as { worse?: string }).worse) {
      problems.push(`${name}: a ranking compares two different metrics`);
    }
  });
  if (top.success) {
    for (const tier of TIER_NAMES) {
      if (!claims.some((c) => Array.isArray((c as Claim)?.tiers) && (c as Claim).tiers.includes(tier))) {
        problems.push(`tiers.${tier}: no claim applies to this tier, so its run would check nothing (give a claim tiers: ['${tier}', …])`);
      }
    }
    const smokeKeys = keyPaths(def.tiers.smoke.config as Record<string, unknown>);
    const fullKeys = keyPaths(def.tiers.full.config as Record<string, unknown>);
    if (smokeKeys.join(',') !== fullKeys.join(',')) {
      const only = (a: string[], b: string[]) => a.filter((k) => !b.includes(k));
      problems.push(`tiers: smoke and full presets must set the same fields (only in smoke: ${only(smokeKeys, fullKeys).join(', ') || '—'}; only in full: ${only(fullKeys, smokeKeys).join(', ') || '—'})`);
    }
    if (def.configSchema) {
      for (const tier of TIER_NAMES) {
        const r = (def.configSchema as z.ZodType).safeParse(def.tiers[tier].config);
        if (!r.success) problems.push(...issuesOf(r.error, `tiers.${tier}.config: `));
      }
    }
  }
  if (problems.length) throw new ReproductionDefinitionError(id, problems);
  const frozen = { ...def, __paperzoo: REPRODUCTION_MARK } as Reproduction<C>;
  return Object.freeze(frozen);
}
