/**
 * Typed metric records: a reproduction's `run` returns literal metric keys (its claims are checked
 * against them), so metrics per network or per point of a run are spelt out over a fixed list of names.
 */

/** `{ '<prefix>_<name>': value(name) }` for every name of `names` (undefined where the run has no such value: a network it did not train). */
export function perKey<P extends string, K extends string>(prefix: P, names: readonly K[], value: (name: K) => number | undefined): Record<`${P}_${K}`, number | undefined> {
  return Object.fromEntries(names.map((k) => [`${prefix}_${k}`, value(k)])) as Record<`${P}_${K}`, number | undefined>;
}
