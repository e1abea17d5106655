/**
 * `--set key=value` overrides of a tier's config preset (docs/style.md §3).
 *
 * Each value is parsed by the type of the preset's field: numbers must be finite numbers, booleans
 * `true`/`false`, strings are taken as written, arrays take a JSON array (`[64,32]`) or a comma list
 * (`64,32`) whose elements match the preset's element type; nested fields use dotted keys
 * (`optimizer.beta1=0.95`). Unknown keys are errors with a "did you mean" suggestion. When the
 * reproduction has a `configSchema`, the overridden config must also pass it (integers, ranges, enums).
 */
import type { z } from 'zod';
import { ConfigOverrideError } from './errors.js';
import { suggest } from './suggest.js';

/** A value a config field can hold after an override. */
export type ConfigValue = number | boolean | string | null | ConfigValue[] | { [k: string]: ConfigValue };

/** One parsed `key=value`. */
export interface Assignment {
  key: string;
  raw: string;
}

/** Split 'key=value' (the value may itself contain '='). */
export function parseAssignment(text: string): Assignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigOverrideError(`--set expects key=value, got '${text}'`);
  const key = text.slice(0, eq).trim();
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(key)) throw new ConfigOverrideError(`--set: '${key}' is not a config key (expected a name like batchSize or optimizer.beta1)`, key);
  return { key, raw: text.slice(eq + 1) };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The dotted key paths of the leaves of a config object. */
export function configKeys(config: object, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (isPlainObject(v)) out.push(...configKeys(v, `${prefix}${k}.`));
    else out.push(prefix + k);
  }
  return out;
}

/** A short description of a preset value's type, for error messages. */
export function describeFieldType(v: unknown): string {
  if (Array.isArray(v)) return v.length ? `a list of ${describeFieldType(v[0])}s` : 'a list';
  if (v === null) return 'a JSON value';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'true or false';
  if (typeof v === 'string') return 'a string';
  return typeof v;
}

function parseScalar(key: string, raw: string, like: unknown): ConfigValue {
  const text = raw.trim();
  if (typeof like === 'number') {
    const n = text === '' ? NaN : Number(text);
    if (!Number.isFinite(n)) throw new ConfigOverrideError(`--set ${key}=${raw}: ${key} is a number, and '${raw}' is not a finite number`, key);
    return n;
  }
  if (typeof like === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw new ConfigOverrideError(`--set ${key}=${raw}: ${key} is true or false, got '${raw}'`, key);
  }
  if (typeof like === 'string') return raw;
  // null (or unknown) in the preset: take JSON when it parses, else the string
  try {
    return JSON.parse(text) as ConfigValue;
  } catch {
    return raw;
  }
}

function parseValue(key: string, raw: string, like: unknown): ConfigValue {
  if (Array.isArray(like)) {
    const text = raw.trim();
    let items: unknown[];
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (!Array.isArray(parsed)) throw new Error('not an array');
        items = parsed;
      } catch {
        throw new ConfigOverrideError(`--set ${key}=${raw}: ${key} is ${describeFieldType(like)}; write it as JSON ([1,2]) or a comma list (1,2)`, key);
      }
      const elem = like[0];
      if (elem !== undefined) {
        items.forEach((item, i) => {
          if (typeof item !== typeof elem || Array.isArray(item) !== Array.isArray(elem)) {
            throw new ConfigOverrideError(`--set ${key}=${raw}: element ${i} should be ${describeFieldType(elem)}, got ${JSON.stringify(item)}`, key);
          }
        });
      }
      return items as ConfigValue[];
    }
    if (text === '') return [];
    return text.split(',').map((part, i) => parseScalar(`${key}[${i}]`, part, like[0]));
  }
  if (isPlainObject(like)) {
    const fields = configKeys(like, `${key}.`);
    throw new ConfigOverrideError(`--set ${key}=${raw}: ${key} is a group of settings; set its fields one by one (${fields.join(', ')})`, key);
  }
  return parseScalar(key, raw, like);
}

/**
 * Apply `key=value` overrides to a copy of `preset`. Returns the new config and the overrides as
 * typed values (recorded in result.json). Throws {@link ConfigOverrideError}. Later assignments of
 * the same key win.
 */
export function applyOverrides<C extends object>(
  preset: C,
  assignments: readonly string[],
  options: { schema?: z.ZodType<C>; id?: string } = {},
): { config: C; overrides: Record<string, ConfigValue> } {
  const config = structuredClone(preset) as Record<string, unknown>;
  const overrides: Record<string, ConfigValue> = {};
  const allKeys = configKeys(preset);
  const where = options.id ? ` of ${options.id}` : '';
  for (const text of assignments) {
    const { key, raw } = parseAssignment(text);
    const parts = key.split('.');
    let node: Record<string, unknown> = config;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const path = parts.slice(0, i + 1).join('.');
      if (!Object.prototype.hasOwnProperty.call(node, part)) {
        const guess = suggest(key, allKeys);
        throw new ConfigOverrideError(
          `unknown config key '${path}'${where}` + (guess ? ` — did you mean '${guess}'?` : '') + ` (keys: ${allKeys.join(', ')})`,
          key,
          guess,
        );
      }
      if (i < parts.length - 1) {
        const next = node[part];
        if (!isPlainObject(next)) throw new ConfigOverrideError(`--set ${key}: '${path}' is ${describeFieldType(next)}, not a group of settings`, key);
        node = next;
      } else {
        const value = parseValue(key, raw, node[part]);
        node[part] = value;
        overrides[key] = value;
      }
    }
  }
  if (options.schema) {
    const r = options.schema.safeParse(config);
    if (!r.success) {
      const lines = r.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
      throw new ConfigOverrideError(`the config${where} after --set is not valid:\n  ${lines.join('\n  ')}`);
    }
    return { config: r.data, overrides };
  }
  return { config: config as C, overrides };
}
