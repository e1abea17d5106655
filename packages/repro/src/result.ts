/**
 * result.json — the record of one run (docs/style.md §4). CI and `paperzoo compare` read this file, never
 * stdout, so everything needed to trust a number is in it: the claims evaluated, the metrics, the
 * config and overrides, seed, backend, device, git sha (+ dirty flag), package versions, start/end
 * times, wall time and curves. {@link resultSchema} is the contract; `readResult` validates with it.
 */
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { CLAIM_KINDS, TIER_NAMES } from './claims.js';
import { METRIC_FORMATS } from './format.js';
import { ResultValidationError } from './errors.js';
import { writeFileAtomic } from './fsutil.js';

/** The `schema` tag of result files this version writes. */
export const RESULT_SCHEMA_ID = 'paperzoo-result/1';

const metricValue = z.union([z.number(), z.boolean(), z.string()]);
const verdict = z.enum(['pass', 'fail', 'missing']);

export const claimResultSchema = z.object({
  id: z.string().min(1),
  what: z.string(),
  source: z.string(),
  kind: z.enum(CLAIM_KINDS as [string, ...string[]]),
  metric: z.string(),
  setting: z.string().optional(),
  format: z.enum(METRIC_FORMATS as [string, ...string[]]).optional(),
  digits: z.number().int().optional(),
  published: metricValue.nullable(),
  measured: metricValue.nullable(),
  verdict,
  tolerance: z.string(),
  detail: z.string(),
  line: z.string(),
  values: z.record(z.string(), z.number().nullable()).optional(),
});

export const curveSchema = z
  .object({
    step: z.array(z.number()),
    value: z.array(z.number().nullable()),
    epoch: z.array(z.number().nullable()),
  })
  .refine((c) => c.step.length === c.value.length && c.step.length === c.epoch.length, 'step, value and epoch must have the same length');

export const resultSchema = z.object({
  schema: z.literal(RESULT_SCHEMA_ID),
  id: z.string().min(1),
  package: z.string(),
  paper: z.object({ title: z.string(), authors: z.array(z.string()), year: z.number().int(), venue: z.string(), url: z.string() }),
  tier: z.enum(TIER_NAMES),
  budget: z.string(),
  seed: z.number().int(),
  /** fail if any claim failed, else missing if any is missing, else pass. */
  verdict,
  claims: z.array(claimResultSchema),
  /** What run() returned; non-finite numbers are stored as null. */
  metrics: z.record(z.string(), metricValue.nullable()),
  config: z.record(z.string(), z.unknown()),
  /** The --set overrides applied to the tier's preset. */
  overrides: z.record(z.string(), z.unknown()),
  backend: z.string(),
  device: z.looseObject({
    backend: z.string(),
    device: z.string(),
    threads: z.number(),
    cpus: z.number(),
    platform: z.string(),
    arch: z.string(),
  }),
  git: z.object({ sha: z.string().nullable(), dirty: z.boolean().nullable() }),
  /** node, tfjs-core, and the @paperzoo packages involved. */
  versions: z.record(z.string(), z.string()),
  startedAt: z.iso.datetime(),
  endedAt: z.iso.datetime(),
  /** Seconds of this session (a resumed run counts from the resume). */
  wallTimeSeconds: z.number().nonnegative(),
  /** Set when this run continued from a checkpoint. */
  resumed: z.object({ epoch: z.number().int(), step: z.number().int(), checkpointSavedAt: z.string() }).nullable(),
  curves: z.record(z.string(), curveSchema),
  /** SVG files beside result.json, one per curve group. */
  plots: z.array(z.string()),
});

export type ResultRecord = z.infer<typeof resultSchema>;
export type ClaimResultRecord = z.infer<typeof claimResultSchema>;

/** Validate a parsed result object; throws {@link ResultValidationError} naming every problem. */
export function validateResult(data: unknown, where = 'result'): ResultRecord {
  const r = resultSchema.safeParse(data);
  if (!r.success) throw new ResultValidationError(where, z.prettifyError(r.error));
  return r.data;
}

/** Read and validate a result.json. */
export async function readResult(file: string): Promise<ResultRecord> {
  let data: unknown;
  try {
    data = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    throw new ResultValidationError(file, e instanceof Error ? e.message : String(e));
  }
  return validateResult(data, file);
}

/** Validate and write a result.json atomically (2-space JSON, trailing newline). */
export async function writeResult(file: string, result: ResultRecord): Promise<void> {
  const valid = validateResult(result, file);
  await writeFileAtomic(file, JSON.stringify(valid, null, 2) + '\n');
}
