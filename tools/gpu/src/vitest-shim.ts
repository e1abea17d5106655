/**
 * The part of vitest's API that packages/tensor/test uses (describe, it, their .each / .skipIf, beforeAll,
 * expect), for the GPU bundle: tools/gpu/build.mjs aliases `vitest` to this file, so the conformance
 * suites run on a machine with no Node.js toolchain. `expect` is vitest's own (@vitest/expect on chai);
 * tests run one after another, in file order; {@link runRegistered} returns the counts and failures.
 */
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Fn = () => unknown;
interface Test {
  name: string;
  fn: Fn;
  skip: boolean;
}
interface Suite {
  name: string;
  skip: boolean;
  tests: Test[];
  before: Fn[];
}

const root: Suite = { name: '', skip: false, tests: [], before: [] };
const suites: Suite[] = [];
let current = root;

export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as Chai.ExpectStatic & ((value: unknown, message?: string) => any);

function format(name: string, row: unknown, i: number): string {
  const args = Array.isArray(row) ? row : [row];
  let k = 0;
  let out = name.replace(/%[sidfjo%]/g, (m) => (m === '%%' ? '%' : String(args[k++])));
  if (row !== null && typeof row === 'object' && !Array.isArray(row)) out = out.replace(/\$(\w+)/g, (_, key: string) => String((row as Record<string, unknown>)[key]));
  return out.replace(/\$#/g, String(i));
}

function makeDescribe(skip: boolean) {
  const d = (name: string, fn: Fn): void => {
    const parent = current;
    const suite: Suite = { name: parent.name ? `${parent.name} > ${name}` : name, skip: skip || parent.skip, tests: [], before: [] };
    suites.push(suite);
    current = suite;
    try {
      fn();
    } finally {
      current = parent;
    }
  };
  d.each = (rows: readonly unknown[]) => (name: string, fn: (...a: any[]) => void) => rows.forEach((row, i) => d(format(name, row, i), () => (Array.isArray(row) ? fn(...row) : fn(row))));
  return d;
}

function makeIt(skip: boolean) {
  const t = (name: string, fn: Fn): void => {
    current.tests.push({ name, fn, skip });
  };
  t.each = (rows: readonly unknown[]) => (name: string, fn: (...a: any[]) => unknown) => rows.forEach((row, i) => t(format(name, row, i), () => (Array.isArray(row) ? fn(...row) : fn(row))));
  return t;
}

type DescribeFn = ReturnType<typeof makeDescribe> & { skipIf(c: unknown): ReturnType<typeof makeDescribe>; skip: ReturnType<typeof makeDescribe> };
type ItFn = ReturnType<typeof makeIt> & { skipIf(c: unknown): ReturnType<typeof makeIt>; skip: ReturnType<typeof makeIt> };

export const describe: DescribeFn = Object.assign(makeDescribe(false), { skipIf: (c: unknown) => makeDescribe(!!c), skip: makeDescribe(true) });
export const it: ItFn = Object.assign(makeIt(false), { skipIf: (c: unknown) => makeIt(!!c), skip: makeIt(true) });
export const test = it;
export function beforeAll(fn: Fn): void {
  current.before.push(fn);
}

export interface SuiteRun {
  passed: number;
  failed: number;
  skipped: number;
  failures: { test: string; error: string }[];
  seconds: number;
}

/** Run every test registered so far (by the imported test files), in order; log one line per failure. */
export async function runRegistered(log: (line: string) => void, deadline = Infinity): Promise<SuiteRun> {
  const run: SuiteRun = { passed: 0, failed: 0, skipped: 0, failures: [], seconds: 0 };
  const start = Date.now();
  for (const suite of [root, ...suites]) {
    const live = suite.tests.filter((t) => !t.skip && !suite.skip);
    run.skipped += suite.tests.length - live.length;
    if (!live.length) continue;
    try {
      for (const b of suite.before) await b();
    } catch (e) {
      run.failed += live.length;
      run.failures.push({ test: `${suite.name} (beforeAll)`, error: String(e) });
      continue;
    }
    for (const t of live) {
      if (Date.now() > deadline) {
        run.skipped++;
        continue;
      }
      try {
        await t.fn();
        run.passed++;
      } catch (e) {
        run.failed++;
        const error = e instanceof Error ? e.message.split('\n')[0] : String(e);
        run.failures.push({ test: `${suite.name} > ${t.name}`, error });
        log(`FAIL ${suite.name} > ${t.name}: ${error}`);
      }
    }
  }
  run.seconds = (Date.now() - start) / 1000;
  return run;
}
