/**
 * Prints the webgpu adapter `npm run test:webgpu` will test on (one line), or why there is none (exit 1).
 *   npx tsx --conditions=paperzoo-source packages/tensor/scripts/webgpu-probe.ts
 */
import { initBackend, deviceInfo, webgpuAdapter } from '../src/index.js';

try {
  const backend = await initBackend({ backend: 'webgpu' });
  const a = webgpuAdapter();
  process.stdout.write(`backend: ${backend}; adapter: ${deviceInfo().device}; software: ${a?.software ?? 'unknown'}\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`webgpu: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
