/**
 * @paperzoo/repro — the reproduction contract of paperzoo (docs/architecture.md).
 *
 * An app's `reproduction.ts` exports `defineReproduction({ id, paper, package, claims, tiers, run })`;
 * `run(config, ctx)` trains (usually with {@link fit}) and returns metrics; the harness
 * ({@link runReproduction}) evaluates the claims and writes result.json + SVG curves. See README.md.
 */
export { z } from 'zod';
export * from './claims.js';
export * from './format.js';
export * from './define.js';
export * from './config.js';
export * from './curves.js';
export * from './context.js';
export * from './checkpoint.js';
export * from './fit.js';
export * from './sweep.js';
export * from './optimizer-comparison.js';
export * from './templates.js';
export * from './schedules.js';
export * from './metrics.js';
export * from './result.js';
export * from './plots.js';
export * from './provenance.js';
export * from './harness.js';
export * from './errors.js';
export * from './suggest.js';
export { writeFileAtomic } from './fsutil.js';
export * from './discover.js';
export * from './compare.js';
export * from './renderer.js';
export * from './shard.js';
export * from './readme-table.js';
