/**
 * `paperzoo new <area>/<id>` — start a reproduction: writes `apps/<area>/<id>/` (package.json,
 * reproduction.ts, README.md) with a skeleton in the `defineReproduction` form that already runs
 * (softmax regression on MNIST, a placeholder claim per tier), and registers the new workspace:
 *
 * - package-lock.json gets the two entries `npm install` would add for a new workspace (the
 *   `apps/<area>/<id>` package and the `node_modules/@paperzoo/app-<id>` link), so `npm ci` still
 *   accepts the lock file; nothing else in it changes;
 * - node_modules/@paperzoo/app-<id> becomes a symlink to the app folder, as `npm install` makes it.
 *
 * No network, no npm process: the generator writes exactly what npm would, which the CLI tests check.
 * Discovery itself (`paperzoo list/run`) scans `apps/*\/*` and needs neither.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';

/** Packages under packages/ that are infrastructure, not paper areas. */
const NOT_AREAS = new Set(['repro', 'tensor', 'tensor-native']);

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A bad `paperzoo new` request (exit 2): the message says what is wrong and what would do. */
export class NewAppError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NewAppError';
  }
}

export interface NewAppOptions {
  /** Repository root (holds package.json with workspaces, apps/, packages/). */
  root: string;
  /** `<area>/<id>`, optionally prefixed by `apps/`. */
  spec: string;
  /** Allow an area that neither apps/ nor packages/ has yet. */
  newArea?: boolean;
  /** The paper's title, if known (else a TODO). */
  title?: string;
}

export interface NewAppResult {
  id: string;
  area: string;
  /** Repo-relative app folder, 'apps/cnn-zoo/example-net'. */
  relDir: string;
  /** Repo-relative files written (the app's). */
  written: string[];
  /** How the workspace was registered (package-lock.json, node_modules link), in words, a line each. */
  workspace: string[];
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** A name made valid: 'Example_Net 2' → 'example-net-2'. */
function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function checkName(kind: 'area' | 'id', value: string): void {
  if (NAME.test(value)) return;
  const fixed = slug(value);
  throw new NewAppError(`'${value}' is not a valid ${kind}: use lowercase letters, digits and single dashes${fixed && fixed !== value ? ` (e.g. '${fixed}')` : ''}`);
}

/** The paper areas: folders of apps/, and packages/ other than the infrastructure ones. */
export function existingAreas(root: string): string[] {
  const fromPackages = listDirs(path.join(root, 'packages')).filter((d) => !NOT_AREAS.has(d) && existsSync(path.join(root, 'packages', d, 'package.json')));
  return [...new Set([...listDirs(path.join(root, 'apps')), ...fromPackages])].sort();
}

/** The app folder already using `id` (as folder name or as package `@paperzoo/app-<id>`), if any. */
function appUsing(root: string, id: string): string | null {
  const apps = path.join(root, 'apps');
  for (const area of listDirs(apps)) {
    for (const paper of listDirs(path.join(apps, area))) {
      const name = readJson<{ name?: string }>(path.join(apps, area, paper, 'package.json'))?.name;
      if (paper === id || name === `@paperzoo/app-${id}`) return `apps/${area}/${paper}${name ? ` (${name})` : ''}`;
    }
  }
  return null;
}

/** The version of a workspace package (`packages/<name>`, or `datasets` for @paperzoo/datasets). */
function workspaceVersion(root: string, dir: string): string {
  const v = readJson<{ version?: string }>(path.join(root, dir, 'package.json'))?.version;
  if (!v) throw new NewAppError(`cannot read the version of ${dir}/package.json`);
  return v;
}

/**
 * Add a new workspace to package-lock.json as `npm install` would: its package entry (name, version,
 * dependencies) and the `node_modules/<name>` link, each inserted in npm's key order. Returns false
 * when there is no lock file (or it is not a v2/v3 lock).
 */
async function addToLockfile(root: string, relDir: string, pkg: { name: string; version: string; dependencies: Record<string, string> }): Promise<boolean> {
  const file = path.join(root, 'package-lock.json');
  if (!existsSync(file)) return false;
  const text = await fs.readFile(file, 'utf8');
  const lock = JSON.parse(text) as { packages?: Record<string, unknown> };
  if (!lock.packages) return false;
  const entries = Object.entries(lock.packages).filter(([k]) => k !== relDir && k !== `node_modules/${pkg.name}`);
  const insert = (key: string, value: unknown) => {
    // npm sorts the keys with localeCompare(…, 'en'); the root entry '' stays first
    const at = entries.findIndex(([k]) => k !== '' && k.localeCompare(key, 'en') > 0);
    entries.splice(at === -1 ? entries.length : at, 0, [key, value]);
  };
  insert(relDir, { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies });
  insert(`node_modules/${pkg.name}`, { resolved: relDir, link: true });
  lock.packages = Object.fromEntries(entries);
  const indent = /^\{\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  await fs.writeFile(file, JSON.stringify(lock, null, indent) + (text.endsWith('\n') ? '\n' : ''));
  return true;
}

/** Link node_modules/@paperzoo/app-<id> → the app folder (relative, as npm does). */
async function linkWorkspace(root: string, name: string, appDir: string): Promise<string | null> {
  const scopeDir = path.join(root, 'node_modules', '@paperzoo');
  if (!existsSync(scopeDir)) return null; // not installed yet: `npm install` will link it
  const link = path.join(scopeDir, name.slice('@paperzoo/'.length));
  await fs.rm(link, { force: true });
  await fs.symlink(path.relative(scopeDir, appDir), link, 'dir');
  return path.relative(root, link);
}

/** Create `apps/<area>/<id>/`. Throws {@link NewAppError} for a bad or taken name. */
export async function createApp(opts: NewAppOptions): Promise<NewAppResult> {
  const root = path.resolve(opts.root);
  if (!existsSync(path.join(root, 'package.json')) || !existsSync(path.join(root, 'apps'))) {
    throw new NewAppError(`${root} is not the paperzoo repository (no package.json and apps/ there); run inside it or pass --root`);
  }
  const parts = opts.spec.replace(/^\.?\/?apps\//, '').replace(/\/+$/, '').split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new NewAppError(`expected <area>/<id>, e.g. 'cnn-zoo/alexnet', got '${opts.spec}'`);
  const [area, id] = parts;
  checkName('area', area);
  checkName('id', id);

  const areas = existingAreas(root);
  if (!areas.includes(area) && !opts.newArea) {
    throw new NewAppError(`unknown area '${area}' (existing areas: ${areas.join(', ')}); to start a new one, pass --new-area`);
  }
  const taken = appUsing(root, id);
  if (taken) throw new NewAppError(`the id '${id}' is taken by ${taken}; choose another`);

  const relDir = `apps/${area}/${id}`;
  const dir = path.join(root, relDir);
  if (existsSync(dir)) throw new NewAppError(`${relDir} already exists`);

  const hasAreaPackage = existsSync(path.join(root, 'packages', area, 'package.json'));
  const deps: Record<string, string> = {
    '@paperzoo/datasets': workspaceVersion(root, 'datasets'),
    '@paperzoo/repro': workspaceVersion(root, 'packages/repro'),
    '@paperzoo/tensor': workspaceVersion(root, 'packages/tensor'),
  };
  if (hasAreaPackage) deps[`@paperzoo/${area}`] = workspaceVersion(root, `packages/${area}`);
  const dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : 1)));
  const pkg = {
    name: `@paperzoo/app-${id}`,
    version: '0.0.0',
    private: true,
    description: `Reproduction: ${opts.title ?? id} (TODO: authors, year).`,
    type: 'module',
    scripts: { smoke: `paperzoo run ${id} --tier smoke`, full: `paperzoo run ${id} --tier full` },
    dependencies,
  };

  const t = { id, area, title: opts.title, areaPackage: hasAreaPackage ? `@paperzoo/${area}` : null };
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, text: string) => {
    await fs.writeFile(path.join(dir, name), text, { flag: 'wx' });
    written.push(`${relDir}/${name}`);
  };
  let registered: boolean;
  try {
    await write('package.json', JSON.stringify(pkg, null, 2) + '\n');
    await write('reproduction.ts', reproductionTemplate(t));
    await write('README.md', readmeTemplate(t));
    registered = await addToLockfile(root, relDir, pkg);
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true }); // all or nothing
    throw e;
  }

  const workspace: string[] = [];
  if (registered) workspace.push(`updated package-lock.json: the workspace ${pkg.name} and its link, as npm install records them (npm ci stays in sync)`);
  else workspace.push('no package-lock.json here: run `npm install` to record the new workspace');
  const link = await linkWorkspace(root, pkg.name, dir);
  workspace.push(link ? `linked ${link} → ${relDir}` : 'node_modules/ is not installed: `npm install` will link the workspace');
  return { id, area, relDir, written, workspace };
}

/** Register `new` on the CLI's commander program. */
export function addNewCommand(
  program: Command,
  io: { root: () => string; cwd: string; out: (s?: string) => void; err: (s: string) => void; setExitCode: (code: number) => void; regenerate: () => Promise<string[]> },
): void {
  program
    .command('new')
    .description('start a reproduction: write apps/<area>/<id>/ (package.json, reproduction.ts, README.md) that runs as is')
    .argument('<area/id>', "the area (an existing apps/<area> or packages/<area>) and the new app's id, e.g. cnn-zoo/alexnet")
    .option('--new-area', 'allow an area that does not exist yet')
    .option('--title <title>', "the paper's title (README and reproduction.ts; a TODO otherwise)")
    .action(async (spec: string, opts: { newArea?: boolean; title?: string }) => {
      let r: NewAppResult;
      try {
        r = await createApp({ root: io.root(), spec, newArea: opts.newArea, title: opts.title });
      } catch (e) {
        if (!(e instanceof NewAppError)) throw e;
        io.err(`error: ${e.message}`);
        io.setExitCode(2);
        return;
      }
      const rel = (p: string) => path.relative(io.cwd, path.join(io.root(), p)) || '.';
      io.out(`created ${r.relDir} (@paperzoo/app-${r.id}):`);
      for (const f of r.written) io.out(`  wrote ${rel(f)}`);
      for (const w of r.workspace) io.out(`  ${w}`);
      // the README's generated claims table and REPRODUCTIONS.md, as `paperzoo report` writes them
      for (const f of await io.regenerate()) io.out(`  regenerated ${f}`);
      io.out('');
      io.out('next:');
      io.out(`  npx paperzoo run ${r.id}                # smoke tier: the placeholder trains in seconds and passes`);
      io.out(`  $EDITOR ${rel(`${r.relDir}/reproduction.ts`)}   # the TODOs: paper, config, model, claims`);
      io.out(`  npx tsc -p tsconfig.json && npx eslint ${rel(r.relDir)}`);
      io.out(`  npx paperzoo run ${r.id} --tier full`);
      io.out(`  git add ${rel(r.relDir)} package-lock.json REPRODUCTIONS.md`);
    });
}

// ---- templates ---------------------------------------------------------------------------------

interface TemplateInput {
  id: string;
  area: string;
  title?: string;
  /** '@paperzoo/<area>' when packages/<area> exists. */
  areaPackage: string | null;
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function reproductionTemplate({ id, area, title, areaPackage }: TemplateInput): string {
  const modelHome = areaPackage ? `packages/${area}/src/<concept>.ts, imported from '${areaPackage}'` : `packages/${area}/src/<concept>.ts (a new package, @paperzoo/${area})`;
  return `/**
 * ${title ?? 'TODO: paper title'} — TODO: authors, venue year. TODO: link
 *
 * TODO: the claim this app checks, in a sentence, and where it is in the paper (section, table, figure).
 *
 * Until then it is a working placeholder: softmax regression on the first MNIST digits, trained with
 * the kit's trainClassifier (checkpoints, --resume, curves, --set all work). Replace the model, the data,
 * the config and the claims with the paper's; keep the shape.
 */
import { Module, glorotUniform, shuffledIndicesFromGlobalRng, tf, type ModuleOptions, type Parameter } from '@paperzoo/tensor';
import { defineReproduction, trainClassifier, z } from '@paperzoo/repro';
import { loadMnist, takeBatch, type ImageDataset } from '@paperzoo/datasets';
// TODO: the paper's model lives in ${modelHome}.

/** Everything a run may vary; \`--set key=value\` overrides a field and is checked against these bounds. */
const config = z.object({
  /** Passes over the training digits. */
  epochs: z.number().int().min(1).max(100),
  /** Training digits used: the first N of MNIST's 60,000. */
  trainExamples: z.number().int().min(100).max(60_000),
  /** Test digits evaluated: the first N of the 10,000. */
  testExamples: z.number().int().min(100).max(10_000),
  /** Digits per SGD step. */
  batchSize: z.number().int().min(1).max(1024),
  /** SGD step size. */
  learningRate: z.number().positive().max(10),
});

/** TODO: replace with the paper's model. A placeholder: one linear layer, logits = x·W + b. */
class SoftmaxRegression extends Module {
  private readonly w: Parameter;
  private readonly b: Parameter;

  constructor(inputs: number, classes: number, options: ModuleOptions = {}) {
    super('softmax-regression');
    this.w = this.store.add('w', [inputs, classes], glorotUniform(inputs, classes));
    this.b = this.store.add('b', [classes], { kind: 'zeros' });
    this.build(options);
  }

  /** x [batch, …] → logits [batch, classes]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], -1]), this.w.value), this.b.value));
  }
}

/** Digits \`indices\` of \`ds\` as tensors: x [n, 28, 28, 1] in [0, 1], y [n] class indices. */
function batchOf(ds: ImageDataset, indices: ArrayLike<number>): { x: tf.Tensor; y: tf.Tensor } {
  const b = takeBatch(ds, indices);
  return { x: tf.tensor4d(b.x, b.shape), y: tf.tensor1d(b.y, 'int32') };
}

export default defineReproduction({
  id: ${q(id)},
  package: ${q(areaPackage ?? '@paperzoo/repro')}, // the library package that implements the paper${areaPackage ? '' : ` — TODO: @paperzoo/${area} once packages/${area} exists`}
  paper: {
    title: ${q(title ?? 'TODO: paper title')},
    authors: ['TODO: A. Author'],
    year: 2000, // TODO
    venue: 'TODO: venue',
    url: 'https://example.org/TODO', // TODO: arXiv, DOI or proceedings link
  },
  config,
  tiers: {
    // TODO: the paper's budget.
    full: {
      config: { epochs: 5, trainExamples: 60_000, testExamples: 10_000, batchSize: 100, learningRate: 0.5 },
      budget: 'TODO: the paper\\'s budget (placeholder: 5 passes over 60,000 digits, under a minute on 2 CPU cores)',
    },
    // What CI runs: a diff of the full preset, about 90 s at most on 2 CPU cores.
    smoke: {
      config: { epochs: 2, trainExamples: 10_000, testExamples: 2_000, batchSize: 20 },
      budget: '2 passes over 10,000 digits in steps of 20, a few seconds on 2 CPU cores',
    },
  },
  claims: [
    {
      // TODO: the paper's headline number: kind 'value' with published + tolerance, source '§x, Table y'.
      id: 'test-error',
      kind: 'threshold',
      what: 'MNIST test error (placeholder: softmax regression; replace with the paper\\'s claim)',
      source: 'TODO: section, table or figure',
      metric: 'test_error',
      threshold: 0.12,
      direction: 'below',
      tiers: ['full'],
      format: 'percent',
    },
    {
      // TODO: a placeholder; replace with an honestly scaled-down version of the paper's claim, and say in
      // the README how its threshold was set (the worst of a few seeds plus a margin).
      id: 'smoke-learns',
      kind: 'threshold',
      what: 'test error after 1 pass over 2,000 digits (placeholder: it learns at all)',
      source: 'TODO: section, table or figure (scaled down)',
      metric: 'test_error',
      threshold: 0.5,
      direction: 'below',
      tiers: ['smoke'],
      format: 'percent',
    },
  ],
  plots: { test_error: { format: 'percent', title: ${q(`${id}: test error`)} } },

  async run(cfg, ctx) {
    // TODO: the paper's data (see @paperzoo/datasets; MNIST is committed in datasets/mnist).
    const [train, test] = await Promise.all([loadMnist({ split: 'train' }), loadMnist({ split: 'test' })]);
    const n = Math.min(cfg.trainExamples, train.count);
    const testSet = [batchOf(test, Array.from({ length: Math.min(cfg.testExamples, test.count) }, (_, i) => i))];
    const model = new SoftmaxRegression(train.height * train.width * train.channels, train.numClasses, { seed: ctx.seed });

    const r = await trainClassifier({
      ctx,
      model,
      optimizer: tf.train.sgd(cfg.learningRate),
      epochs: cfg.epochs,
      stepsPerEpoch: Math.ceil(n / cfg.batchSize),
      label: 'softmax regression',
      // one shuffle per epoch from the run's generator, so --resume replays it exactly
      *batches() {
        const order = shuffledIndicesFromGlobalRng(n);
        for (let s = 0; s < n; s += cfg.batchSize) yield batchOf(train, order.subarray(s, Math.min(n, s + cfg.batchSize)));
      },
      test: testSet,
    });
    // every metric a claim names (a claim naming another one is a type error)
    return { test_error: r.test_error, train_loss: r.train_loss };
  },
});
`;
}

function readmeTemplate({ id, title }: TemplateInput): string {
  return `# ${title ?? 'TODO: paper title'}

TODO: authors, **${title ?? 'title'}**, *venue year*. [TODO: link](https://example.org/TODO)

## The claim

TODO: what the paper claims, in its words and numbers, and where (section, table or figure).

| claim | tier | kind | what passes |
|---|---|---|---|
| TODO (placeholder now: test error below 12%) | full | threshold | TODO |
| TODO (placeholder now: test error below 50% after 1 pass over 2,000 digits) | smoke | threshold | TODO |

## Run it

\`\`\`bash
npx paperzoo run ${id}                # smoke tier (CI): seconds on 2 CPU cores
npx paperzoo run ${id} --tier full    # the paper's budget
\`\`\`

\`--set key=value\` changes a config field (see the config schema in [reproduction.ts](reproduction.ts)).

## Results

<!-- paperzoo:claims:start -->
<!-- paperzoo:claims:end -->

## What the paper leaves open, and our choices

TODO: every detail the paper does not give (optimizer, schedule, initialisation, preprocessing) and what we chose.

## How the smoke threshold was set

TODO: the smoke tier's runs (seeds, measured values) and the margin added.
`;
}
