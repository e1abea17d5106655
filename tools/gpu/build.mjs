#!/usr/bin/env node
/**
 * Bundles tools/gpu/src/main.ts with every dependency into one ES module (esbuild, the version the
 * repo's lockfile pins): `node tools/gpu/build.mjs <outfile>`. `vitest` is replaced by
 * src/vitest-shim.ts; `webgpu` (Dawn's native addon) stays outside and travels as a file.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.resolve(process.argv[2] ?? path.join(here, '..', '..', '.paperzoo-tmp', 'gpu-pack', 'gpu.mjs'));
const result = await esbuild.build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  conditions: ['paperzoo-source'],
  alias: { vitest: path.join(here, 'src', 'vitest-shim.ts') },
  external: ['webgpu', '@paperzoo/tensor-native', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // CommonJS dependencies inside an ES module bundle need require, __filename and __dirname.
  banner: { js: "import { createRequire as __pzRequire } from 'node:module'; import { fileURLToPath as __pzPath } from 'node:url'; const require = __pzRequire(import.meta.url); const __filename = __pzPath(import.meta.url); const __dirname = __pzPath(new URL('.', import.meta.url));" },
  minify: true,
  legalComments: 'none',
  logLevel: 'error',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled ${path.relative(process.cwd(), outfile)} (${(bytes / 1048576).toFixed(1)} MiB)`);
