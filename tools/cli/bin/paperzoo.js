#!/usr/bin/env node
// paperzoo CLI launcher.
// In the repository (tools/cli/src exists) it runs the TypeScript sources under tsx with the
// `paperzoo-source` export condition, in a child process whose exit code and signals it forwards
// (SIGINT reaches the run so it can checkpoint). Installed from npm, it imports the built dist/main.js.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sourceMain = path.join(cliDir, 'src', 'main.ts');

if (existsSync(sourceMain)) {
  let tsx;
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    process.stderr.write('paperzoo: cannot find tsx to run the TypeScript sources; run `npm install` at the repository root\n');
    process.exit(1);
  }
  const child = spawn(process.execPath, ['--conditions=paperzoo-source', '--import', tsx, sourceMain, ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('error', (error) => {
    process.stderr.write(`paperzoo: cannot start node: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
} else {
  await import('../dist/main.js');
}
