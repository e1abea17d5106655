/**
 * `defineReproduction` — the one export of every `apps/<area>/<paper>/reproduction.ts`.
 *
 * ```ts
 * export default defineReproduction<LeNetConfig>({
 *   id: 'lenet5', package: '@paperzoo/cnn-zoo',
 *   paper: { title: 'Gradient-Based Learning Applied to Document Recognition', authors: ['Y. LeCun', …], year: 1998, venue: 'Proc. IEEE', url: 'https://doi.org/10.1109/5.726791' },
 *   claims: [{ id: 'test-error', kind: 'value', what: 'test error of LeNet-5 on MNIST', source: 'Fig. 14', metric: 'test_error', published: 0.0095, tolerance: 0.003, tiers: ['full'], format: 'percent' }],
 *   tiers: { smoke: { config: {...}, budget: '≈60 s on 2 CPU cores' }, full: { config: {...}, budget: '20 epochs, ≈1 h on 2 cores' } },
 *   // optional: a configuration of the paper that needs a GPU, as a diff of full (claims with tiers: ['gpu'])
 *   // tiers: { …, gpu: { config: { hiddenSize: 1500, epochs: 55 }, budget: '≈6 h on one GPU', backend: 'tensorflow' } },
 *   async run(cfg, ctx) { …; return { test_error } },
 * });
 * ```
 */
import { z } from 'zod';
import { TIER_NAMES, type Claim, type TierName } from './claims.js';
import { METRIC_FORMATS, type MetricValue, type Metrics } from './format.js';
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

/** A config schema: a zod object (refinements allowed). Its output type is the run's config type. */
export type ConfigSchema = z.ZodType<object>;

/** A deep partial of a config preset: what a smaller tier changes (arrays are replaced whole). */
export type ConfigDiff<C> = { [K in keyof C]?: C[K] extends readonly unknown[] ? C[K] : C[K] extends object ? ConfigDiff<C[K]> : C[K] };

/** A tier written as a diff of the full tier's preset (smoke, smaller; gpu, larger). */
export interface TierDiff<C> extends Omit<Tier<C>, 'config'> {
  /** The fields that differ from the full tier's preset; the rest are the full tier's. */
  config: ConfigDiff<C>;
}

/** What a reproduction's `run` returns: a value for every metric its claims may name. */
export type RunMetrics<M extends string> = { [K in M]: MetricValue | null | undefined };

/**
 * What an app passes to {@link defineReproduction}. `S` is the config's zod schema (the single source
 * of the config type: `z.output<S>`); `M` the metric names `run` returns, inferred from it — a claim
 * naming any other metric is a type error.
 */
export interface ReproductionDefinition<S extends ConfigSchema, M extends string> {
  /** The id used on the command line (`paperzoo run lenet5`); the app's package is `@paperzoo/app-<id>`. */
  id: string;
  paper: Paper;
  /** The library package that implements the paper's models/algorithms, e.g. '@paperzoo/cnn-zoo'. */
  package: string;
  /**
   * The config schema. Every numeric field has bounds (`.min()`/`.max()`, or `.positive()` … with a
   * `.max()`), so `--set` rejects an out-of-range value before a run starts, naming the field.
   */
  config: S;
  /**
   * The paper's budget (`full`), the CI-sized one (`smoke`, a diff of full's preset) and, optionally,
   * a GPU-sized one (`gpu`, also a diff of full's preset: the paper's configurations this 2-core
   * machine cannot run, stated as claims with `tiers: ['gpu']` and run with `--tier gpu`). Several
   * GPU-sized configurations go in one gpu preset (e.g. a list of model sizes the run trains in turn).
   */
  tiers: { full: Tier<z.input<S>>; smoke: TierDiff<z.input<S>>; gpu?: TierDiff<z.input<S>> };
  claims: readonly Claim<NoInfer<M>>[];
  /** Per curve-group plot options. */
  plots?: Record<string, PlotOptions>;
  /** The seed used when --seed is not given (default 0). */
  defaultSeed?: number;
  /**
   * The experiment. Called after the harness has initialised the backend and seeded the RNG.
   * Returns the metrics the claims name.
   */
  run(config: z.output<S>, ctx: RunContext<z.output<S>>): Promise<RunMetrics<M>> | RunMetrics<M>;
}

/** The marker by which discovery recognises a reproduction across module instances. */
export const REPRODUCTION_MARK = 'paperzoo.reproduction/1';

/** The tiers of a reproduction, each with its whole preset: smoke and full always, gpu when defined. */
export interface Tiers<C> {
  readonly smoke: Tier<C>;
  readonly full: Tier<C>;
  readonly gpu?: Tier<C>;
}

/** A validated, frozen reproduction definition. */
export interface Reproduction<C extends object = any> {
  readonly id: string;
  readonly paper: Paper;
  readonly package: string;
  readonly claims: readonly Claim[];
  /** Each tier with its whole preset (the smoke and gpu diffs applied to the full preset). */
  readonly tiers: Tiers<C>;
  /** The config schema (`--set` overrides are validated against it). */
  readonly configSchema?: z.ZodType<C>;
  readonly plots?: Record<string, PlotOptions>;
  readonly defaultSeed?: number;
  run(config: C, ctx: RunContext<C>): Promise<Metrics> | Metrics;
  readonly __paperzoo: typeof REPRODUCTION_MARK;
}

/** The tiers `repro` has, in {@link TIER_NAMES} order: smoke, full, and gpu when it defines one. */
export function tiersOf(repro: Pick<Reproduction, 'tiers'>): TierName[] {
  return TIER_NAMES.filter((t) => repro.tiers[t] !== undefined);
}

/** Tier `tier` of `repro`; a RangeError naming the tiers it has when it has no such tier (a gpu tier is optional). */
export function tierOf<C extends object>(repro: Pick<Reproduction<C>, 'id' | 'tiers'>, tier: TierName): Tier<C> {
  const t = repro.tiers[tier];
  if (!t) throw new RangeError(`${repro.id} has no ${tier} tier (its tiers: ${tiersOf(repro).join(', ')})`);
  return t;
}

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
  tiers: z.strictObject({ smoke: tierSchema, full: tierSchema, gpu: tierSchema.optional() }),
  config: z.custom<z.ZodType>((s) => s instanceof z.ZodType, 'give the config as a zod object schema (config: z.object({ … })): it is the single source of the config type'),
  plots: z.record(z.string(), z.unknown()).optional(),
  defaultSeed: z.number().int().optional(),
  run: z.custom<(...args: unknown[]) => unknown>((f) => typeof f === 'function', 'run must be a function'),
});

function issuesOf(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A preset with a tier's diff applied: plain objects merge field by field, everything else (numbers,
 * arrays) is replaced. A diff field the preset does not have is an error (a misspelt key).
 */
export function applyConfigDiff<C extends object>(preset: C, diff: ConfigDiff<C>, where = 'config'): C {
  const out = structuredClone(preset) as Record<string, unknown>;
  for (const [k, v] of Object.entries(diff as Record<string, unknown>)) {
    if (!Object.prototype.hasOwnProperty.call(out, k)) throw new ReproductionDefinitionError(where, [`${where}.${k}: the full preset has no field '${k}'`]);
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? applyConfigDiff(out[k] as object, v as ConfigDiff<object>, `${where}.${k}`) : structuredClone(v);
  }
  return out as C;
}

/** The largest magnitude a bound may have and still count as one (zod's int() sets ±2⁵³ − 1). */
const UNBOUNDED = 1e15;

/** One numeric field of a config schema and its bounds. */
export interface NumericField {
  /** Dotted path; list elements are 'field[]'. */
  path: string;
  min: number;
  max: number;
  integer: boolean;
}

/** Every numeric leaf of a zod config schema with the bounds zod knows (±Infinity when unbounded). */
export function numericFields(schema: z.ZodType, path = ''): NumericField[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] } }).def;
  switch (def.type) {
    case 'object': {
      const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
      return Object.entries(shape).flatMap(([k, v]) => numericFields(v, path ? `${path}.${k}` : k));
    }
    case 'array':
      return numericFields((schema as unknown as { element: z.ZodType }).element, `${path}[]`);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return numericFields(def.innerType!, path);
    case 'pipe':
      return numericFields(def.in!, path);
    case 'union':
      return (def.options ?? []).flatMap((o) => numericFields(o, path));
    case 'number': {
      const n = schema as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      const bound = (v: number | null, inf: number) => (v === null || Math.abs(v) >= UNBOUNDED ? inf : v);
      return [{ path, min: bound(n.minValue, -Infinity), max: bound(n.maxValue, Infinity), integer: n.isInt }];
    }
    default:
      return [];
  }
}

/**
 * Validate and freeze a reproduction definition. Throws a {@link ReproductionDefinitionError} listing
 * every problem: malformed paper or claims, duplicate claim ids, a tier without claims, a claim of a
 * tier the definition lacks (gpu), a numeric config field without bounds, a tier diff naming a field
 * the full preset lacks, presets the schema rejects.
 */
export function defineReproduction<S extends ConfigSchema, M extends string>(def: ReproductionDefinition<S, M>): Reproduction<z.output<S>> {
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
  const schema = def.config as z.ZodType<object> | undefined;
  let tiers: Tiers<object> | null = null;
  if (top.success) {
    const defined = TIER_NAMES.filter((tier) => def.tiers[tier] !== undefined);
    for (const tier of TIER_NAMES) {
      const applying = claims.filter((c) => Array.isArray((c as Claim)?.tiers) && (c as Claim).tiers.includes(tier));
      if (!defined.includes(tier)) {
        for (const c of applying) {
          problems.push(`claims[${claims.indexOf(c)}] '${(c as Claim).id}': applies to the ${tier} tier, which this reproduction does not define (add tiers.${tier}: { config: { … }, budget: '…' }, or drop '${tier}' from the claim's tiers)`);
        }
      } else if (!applying.length) {
        problems.push(`tiers.${tier}: no claim applies to this tier, so its run would check nothing (give a claim tiers: ['${tier}', …])`);
      }
    }
    if (!schema) problems.push('config: give the config as a zod object schema (config: z.object({ … })): it is the single source of the config type');
    else {
      const full = def.tiers.full.config as object;
      const fromDiff = (tier: 'smoke' | 'gpu', diff: TierDiff<object>): Tier<object> | null => {
        try {
          return { ...diff, config: applyConfigDiff(full, diff.config, `tiers.${tier}.config`) };
        } catch (e) {
          if (!(e instanceof ReproductionDefinitionError)) throw e;
          problems.push(...e.problems);
          return null;
        }
      };
      const smoke = fromDiff('smoke', def.tiers.smoke);
      const gpu = def.tiers.gpu ? fromDiff('gpu', def.tiers.gpu) : undefined;
      if (smoke && gpu !== null) tiers = { full: def.tiers.full as Tier<object>, smoke, ...(gpu ? { gpu } : {}) };
      for (const f of numericFields(schema)) {
        if (!Number.isFinite(f.min) || !Number.isFinite(f.max)) {
          problems.push(`config.${f.path}: a numeric config field needs both bounds (now [${f.min}, ${f.max}]); add .min()/.max() so --set can reject out-of-range values`);
        }
      }
      if (tiers) {
        for (const tier of tiersOf({ tiers })) {
          const r = schema.safeParse(tierOf({ id, tiers }, tier).config);
          if (!r.success) problems.push(...issuesOf(r.error, `tiers.${tier}.config: `));
        }
      }
    }
  }
  if (problems.length || !tiers) throw new ReproductionDefinitionError(id, problems);
  const frozen: Reproduction = {
    id: def.id,
    paper: def.paper,
    package: def.package,
    claims: def.claims,
    tiers: Object.freeze(tiers),
    configSchema: schema,
    plots: def.plots,
    defaultSeed: def.defaultSeed,
    run: def.run as Reproduction['run'],
    __paperzoo: REPRODUCTION_MARK,
  };
  return Object.freeze(frozen);
}
