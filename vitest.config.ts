import { defineConfig } from 'vitest/config';

/**
 * One vitest run over every workspace project; test files run in parallel on both cores
 * (forks pool, one worker per core). Sources resolve through the `paperzoo-source` export condition,
 * so tests need no build step.
 */
const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root, include: ['test/**/*.test.ts', 'src/**/*.test.ts', '*.test.ts'], ...extra },
});

export default defineConfig({
  resolve: { conditions: ['paperzoo-source'] },
  ssr: { resolve: { conditions: ['paperzoo-source'] } },
  test: {
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      project('@paperzoo/tensor', 'packages/tensor'),
      project('@paperzoo/datasets', 'datasets'),
      project('@paperzoo/repro', 'packages/repro'),
      project('@paperzoo/cnn-zoo', 'packages/cnn-zoo'),
      project('@paperzoo/core-autograd', 'packages/core-autograd'),
      project('@paperzoo/cli', 'tools/cli'),
      project('apps', 'apps', { include: ['*/*/test/**/*.test.ts', '*/*/*.test.ts'] }),
      project('workspace', 'test'),
    ],
  },
});
