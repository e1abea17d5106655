/**
 * The repository's documentation is self-contained (docs/README.md): no tracked file points a reader
 * at a design file outside the repository, and every relative link in a tracked Markdown file leads
 * to a tracked file or folder (or to a smoke-tier output that `npm test` regenerates). The one allowed
 * outside path is CI's dataset mirror in .ci/run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

/**
 * Tracked paths (POSIX, relative to the root), outside node_modules, that still exist on disk — and
 * files not yet added that git does not ignore (an app `paperzoo new` just wrote, before `git add`).
 */
const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
  .split('\0')
  .filter((f) => f !== '' && !f.split('/').includes('node_modules') && fs.existsSync(path.join(root, f)));
const trackedSet = new Set(tracked);
/** Folders that hold at least one tracked file ('' is the root). */
const trackedDirs = new Set(tracked.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
trackedDirs.add('');

/**
 * Smoke-tier outputs are not committed (.gitignore): `npm test` regenerates them, and REPRODUCTIONS.md
 * links their plots. A link there is allowed without a tracked target.
 */
const generatedSmokeOutput = /^apps\/[^/]+\/[^/]+\/results\/smoke\//;

/** The file's text, or null for a binary file (one with a NUL byte). */
function readText(file: string): string | null {
  const bytes = fs.readFileSync(path.join(root, file));
  return bytes.includes(0) ? null : bytes.toString('utf8');
}

// Built from pieces so that this file does not match its own patterns.
const sharedDesign = ['shared', 'design'].join('/');
const upShared = ['..', 'shared', ''].join('/');
const outsideDesignFiles = ['ARCHITECTURE', 'STYLE', 'BACKENDS'].map((name) => `${name}.md`);
const workTree = ['', 'work', ''].join('/');

/** Where `file` names something outside the repository: `line:col text` per occurrence. */
function outsideReferences(file: string, text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const hits = [
      sharedDesign,
      ...(file === '.ci/run' ? [] : [upShared]),
      ...outsideDesignFiles,
      workTree,
    ].filter((pattern) => line.includes(pattern));
    for (const pattern of hits) found.push(`${file}:${i + 1}: '${pattern}' in ${line.trim().slice(0, 120)}`);
  });
  return found;
}

/** Link targets of a Markdown text, outside fenced code blocks and inline code. */
function markdownLinks(text: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let fence: string | null = null;
  text.split('\n').forEach((raw, i) => {
    const fenceMatch = /^\s*(```|~~~)/.exec(raw);
    if (fenceMatch) {
      if (fence === null) fence = fenceMatch[1];
      else if (fenceMatch[1] === fence) fence = null;
      return;
    }
    if (fence !== null) return;
    const line = raw.replace(/`[^`]*`/g, '');
    // Inline links and images: [text](target "title"), ![alt](<target>).
    for (const m of line.matchAll(/\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: i + 1, target: m[1].replace(/^<|>$/g, '') });
    }
    // Reference definitions: [label]: target
    const ref = /^\s{0,3}\[[^\]]+\]:\s+(<[^>]*>|\S+)/.exec(line);
    if (ref) links.push({ line: i + 1, target: ref[1].replace(/^<|>$/g, '') });
  });
  return links;
}

/** The tracked path a relative link target leads to from `file`, or null for URLs and pure anchors. */
function resolveLink(file: string, target: string): string | null {
  if (target === '' || target.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(target)) return null;
  const pathPart = decodeURI(target.replace(/[?#].*$/, ''));
  const base = pathPart.startsWith('/') ? '' : path.posix.dirname(file);
  return path.posix.normalize(path.posix.join(base, pathPart)).replace(/\/$/, '').replace(/^\.$/, '');
}

describe('docs', () => {
  it('lists tracked files (git ls-files works here)', () => {
    expect(trackedSet.has('docs/README.md')).toBe(true);
  });

  it('no tracked text file points at a file outside the repository (only .ci/run names the CI data mirror)', () => {
    const found = tracked.flatMap((file) => {
      const text = readText(file);
      return text === null ? [] : outsideReferences(file, text);
    });
    expect(found).toEqual([]);
  });

  it('every relative link in a tracked Markdown file resolves to a tracked file or folder', () => {
    const broken: string[] = [];
    for (const file of tracked.filter((f) => f.endsWith('.md'))) {
      const text = readText(file);
      if (text === null) continue;
      for (const { line, target } of markdownLinks(text)) {
        const resolved = resolveLink(file, target);
        if (resolved === null) continue;
        if (resolved.startsWith('../') || resolved === '..') broken.push(`${file}:${line}: ${target} leaves the repository`);
        else if (!trackedSet.has(resolved) && !trackedDirs.has(resolved) && !generatedSmokeOutput.test(resolved)) broken.push(`${file}:${line}: ${target} → ${resolved} is not a tracked file or folder`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the link checker finds links and rejects broken ones', () => {
    const sample = '[a](docs/style.md#rules) ![b](<missing file.png>) `[c](ignored.md)` [d](https://x.org)\n```\n[e](in-fence.md)\n```\n[f]: ../outside.md';
    const links = markdownLinks(sample).map((l) => l.target);
    expect(links).toEqual(['docs/style.md#rules', 'missing file.png', 'https://x.org', '../outside.md']);
    expect(resolveLink('README.md', 'docs/style.md#rules')).toBe('docs/style.md');
    expect(resolveLink('docs/decisions/0004-own-module-not-tfjs-layers.md', '../style.md')).toBe('docs/style.md');
    expect(resolveLink('README.md', 'https://x.org')).toBeNull();
    expect(resolveLink('README.md', '#the-cli')).toBeNull();
    expect(resolveLink('README.md', '../outside.md')).toBe('../outside.md');
    expect(outsideReferences('README.md', `see ${upShared}datasets`)).toHaveLength(1);
    expect(outsideReferences('.ci/run', `[ -d ${upShared}datasets ]`)).toEqual([]);
  });
});
