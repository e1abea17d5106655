#!/usr/bin/env node
// Install step of @paperzoo/tensor-native: compile the Node-API addon from source with node-gyp
// against Debian's OpenBLAS and oneDNN. It never fails the install: when a library, the compiler or
// node-gyp is missing, or the build fails, it prints ONE line saying so and how to enable the native
// backend, and @paperzoo/tensor's `auto` uses wasm. Options: --strict (fail loudly, print the build
// log: `npm run build:native`); PAPERZOO_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const strict = process.argv.includes('--strict');
const ENABLE = 'apt-get install libopenblas-dev libdnnl-dev && npm rebuild @paperzoo/tensor-native';
const addon = path.join(root, 'build', 'Release', 'paperzoo_native.node');
const log = path.join(root, 'build', 'install.log');
// npm shows no output of a workspace's install script; the root postinstall (scripts/status.mjs)
// prints this file's one line instead.
const statusFile = path.join(root, 'build', 'status.txt');

function report(line) {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  fs.writeFileSync(statusFile, line + '\n');
  console.log(line);
}

function skip(reason, details = '') {
  // Remove a stale addon so that a failed rebuild cannot leave an old binary behind.
  fs.rmSync(addon, { force: true });
  if (strict) {
    if (details) process.stderr.write(details + '\n');
    console.error(`@paperzoo/tensor-native: native backend not built: ${reason}. Enable it with: ${ENABLE}`);
    process.exit(1);
  }
  report(`@paperzoo/tensor-native: native backend skipped (${reason}); paperzoo uses wasm. Enable it with: ${ENABLE}`);
  process.exit(0);
}

if (process.env.PAPERZOO_NATIVE === '0') skip('PAPERZOO_NATIVE=0');
if (process.platform !== 'linux') skip(`only Linux is supported, this is ${process.platform}`);

// (PAPERZOO_NATIVE_INCLUDE overrides where headers are looked for: the install test uses it to
// simulate a machine without the libraries.)
const includeDirs = process.env.PAPERZOO_NATIVE_INCLUDE?.split(':') ?? ['/usr/include', '/usr/local/include', `/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`];
const hasHeader = (name) => includeDirs.some((d) => fs.existsSync(path.join(d, name)));
const missing = [];
if (!hasHeader('cblas.h')) missing.push('libopenblas-dev');
if (!hasHeader('dnnl.hpp')) missing.push('libdnnl-dev');
if (missing.length > 0) skip(`${missing.join(' and ')} not installed`);

// node-gyp: the one npm runs install scripts with, else the one bundled with npm, else on PATH.
const candidates = [
  process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gypScript = candidates.find((c) => fs.existsSync(c));
const command = gypScript ? process.execPath : 'node-gyp';
const args = [...(gypScript ? [gypScript] : []), 'rebuild', '--jobs', '2'];
// Node's own headers (the machine's npm sets nodedir=/usr); node-gyp would otherwise download them.
if (!process.env.npm_config_nodedir && fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');

const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024 });
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
if (result.error || result.status !== 0 || !fs.existsSync(addon)) {
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, `${command} ${args.join(' ')}\n${output}\n${result.error ?? ''}`);
  const why = result.error ? `node-gyp did not run: ${result.error.message}` : `the build failed, see ${path.relative(process.cwd(), log) || log}`;
  skip(why, output);
}
// Load it once, so a binary that cannot load (a missing shared library) is reported now.
const check = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(addon)}).init(1))`], { encoding: 'utf8' });
if (check.status !== 0) skip(`the addon was built but does not load: ${(check.stderr || '').trim().split('\n').find((l) => /Error/.test(l)) ?? 'unknown error'}`);
report(`@paperzoo/tensor-native: native backend built (${check.stdout.trim().replace(/ \(.*\)$/, '')}); paperzoo's auto backend uses it.`);
