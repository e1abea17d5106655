/**
 * Evaluated first by ./main.ts (its first import): what must be set before @paperzoo/tensor and the
 * test files load. `conformance` makes packages/tensor/test/backends.ts run the webgpu suites only
 * (cpu stays the comparison inside them); --allow-software lets a software adapter be used (tests here).
 * The bundle carries @tensorflow/tfjs-backend-webgpu: @paperzoo/tensor loads it through this hook, after
 * navigator.gpu exists, so that it shares the bundle's tfjs-core.
 */
const argv = process.argv.slice(2);
if (argv[0] === 'conformance') {
  process.env.PAPERZOO_TEST_WEBGPU = '1';
  process.env.PAPERZOO_TEST_BACKENDS = 'webgpu';
}
if (argv.includes('--allow-software')) process.env.PAPERZOO_WEBGPU_SOFTWARE = '1';
(globalThis as { __paperzooOptionalModules?: Record<string, () => Promise<unknown>> }).__paperzooOptionalModules = {
  // A literal for esbuild (it bundles the module), typed as a plain string for tsc, so the repo still
  // type-checks where the optional package is not installed.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the cast is what keeps tsc from resolving it
  '@tensorflow/tfjs-backend-webgpu': () => import('@tensorflow/tfjs-backend-webgpu' as string),
};
export {};
