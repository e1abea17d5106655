#!/usr/bin/env node
// Root postinstall of the paperzoo workspace: print the ONE line saying whether the native backend was
// built (npm hides the output of a workspace package's own install script). Never fails.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const ENABLE = 'apt-get install libopenblas-dev libdnnl-dev && npm rebuild @paperzoo/tensor-native';
try {
  const status = path.join(root, 'build', 'status.txt');
  const built = fs.existsSync(path.join(root, 'build', 'Release', 'paperzoo_native.node'));
  if (fs.existsSync(status)) console.log(fs.readFileSync(status, 'utf8').trim());
  else if (!built) console.log(`@paperzoo/tensor-native: native backend skipped (its install step did not run); paperzoo uses wasm. Enable it with: ${ENABLE}`);
} catch {
  // a status line is not worth failing an install for
}
