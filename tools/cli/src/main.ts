/**
 * The `paperzoo` executable (bin/paperzoo.js starts this under tsx in the repo, or dist/main.js when
 * installed). SIGINT/SIGTERM during a run abort it gracefully: the fit loop stops at the next step,
 * saves a checkpoint and the CLI exits 130; a second signal (after 0.5 s — the wrapper forwards the
 * terminal's Ctrl-C too, so the first one can arrive twice) exits at once.
 */
import { runCli } from './cli.js';

const DUPLICATE_WINDOW_MS = 500;

function trapInterrupts(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    const now = Date.now();
    if (!controller.signal.aborted) {
      firstAt = now;
      process.stderr.write(`\n${name}: stopping at the next step and saving a checkpoint — press Ctrl-C again to quit at once\n`);
      controller.abort();
      return;
    }
    if (now - firstAt < DUPLICATE_WINDOW_MS) return;
    process.stderr.write(`${name}: quitting without saving\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), trapInterrupts });
process.exit(code);
