/**
 * A vitest reporter that ends the run with one plain line, `tests: N passed, N failed, N skipped`,
 * and writes the same line to .paperzoo-tmp/test-summary.txt so .ci/run can repeat it last.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && mod.children.size === 0) failed++; // a file that failed to load
    }
    const line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    console.log(`\n${line}`);
    const dir = path.resolve('.paperzoo-tmp');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'test-summary.txt'), line + '\n');
  }
}
