import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every workspace project; test files run in parallel on both cores
 * (forks pool, one worker per core). Sources resolve through the `paperzoo-source` export condition,
 * so tests need no build step. Every folder under packages/ and tools/ with a package.json is a
 * project named after its package; all apps form one project.
 */
const root = import.meta.dirname;
const project = (name: string, dir: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root: dir, include: ['test/**/*.test.ts', 'src/**/*.test.ts'], ...extra },
});

const packageProjects = ['packages', 'tools'].flatMap((group) =>
  fs
    .readdirSync(path.join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, group, d.name, 'package.json')))
    .map((d) => {
      const dir = path.join(group, d.name);
      const name = (JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as { name: string }).name;
      return project(name, dir);
    }),
);

export default defineConfig({
  resolve: { conditions: ['paperzoo-source'] },
  ssr: { resolve: { conditions: ['paperzoo-source'] } },
  test: {
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // the two test workers would otherwise share the cores (packages/tensor-native/src/share.ts) and run
    // native kernels on one thread each, leaving the two-thread code paths untested
    env: { PAPERZOO_NATIVE_SHARE: '0' },
    projects: [
      ...packageProjects,
      project('@paperzoo/datasets', 'datasets'),
      project('apps', 'apps', { include: ['*/*/test/**/*.test.ts'] }),
      project('workspace', 'test', { include: ['*.test.ts'] }),
    ],
  },
});
