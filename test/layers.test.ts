/**
 * The layer rule of eslint.config.js (docs/architecture.md: imports only go down): packages never import
 * apps or tools, apps never import each other, nothing imports the CLI, and a lower layer never
 * imports a higher one. Lints synthetic files placed (virtually) in each layer.
 */
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root, overrideConfig: { rules: { '@typescript-eslint/no-unused-vars': 'off' } } });

async function layerErrors(file: string, source: string): Promise<string[]> {
  // Type-aware rules need a file the TS project knows; lint as an existing file path of that layer.
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'paperzoo/layers').map((m) => m.message);
}

describe('eslint layer rule', () => {
  it('rejects imports that go up or sideways', async () => {
    expect(await layerErrors('packages/tensor/src/index.ts', "export * from '@paperzoo/repro';")).toEqual([
      expect.stringContaining("layer 'tensor' may not import the higher layer 'repro'"),
    ]);
    expect(await layerErrors('datasets/src/index.ts', "export * from '@paperzoo/cnn-zoo';")).toHaveLength(1);
    expect(await layerErrors('packages/cnn-zoo/src/index.ts', "export * from '../../../apps/cnn-zoo/lenet5/reproduction.js';")).toEqual([
      expect.stringContaining('packages never import apps'),
    ]);
    expect(await layerErrors('apps/cnn-zoo/lenet5/reproduction.ts', "export * from '../other-app/reproduction.js';")).toEqual([
      expect.stringContaining('apps never import other apps'),
    ]);
    expect(await layerErrors('packages/repro/src/index.ts', "export * from '@paperzoo/cli';")).toEqual([expect.stringContaining('nothing imports the CLI')]);
  });

  it('accepts imports that go down', async () => {
    expect(await layerErrors('apps/cnn-zoo/lenet5/reproduction.ts', "export * from '@paperzoo/cnn-zoo';\nexport * from '@paperzoo/repro';")).toEqual([]);
    expect(await layerErrors('packages/repro/src/index.ts', "export * from '@paperzoo/tensor';\nexport * from '@paperzoo/datasets';")).toEqual([]);
    expect(await layerErrors('packages/cnn-zoo/src/index.ts', "export * from '@paperzoo/core-autograd';")).toEqual([]);
  });
});
