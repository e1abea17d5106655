/** @paperzoo/cli — the `paperzoo` command, usable programmatically through {@link runCli}. */
export { runCli, EXIT, type CliIO } from './cli.js';
