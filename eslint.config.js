// @ts-check
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of docs/architecture.md, lowest first. Imports only go down:
 * a file may import a @paperzoo package of a lower rank (paper packages may also use each other's
 * published entry points), apps never import other apps, and nothing imports the CLI.
 */
const RANKS = {
  tensor: 0,
  'tensor-native': 0,
  datasets: 1,
  repro: 2,
  'core-autograd': 3,
  area: 4,
  app: 5,
  cli: 6,
};

/** @param {string} file absolute or cwd-relative path of a source file */
function layerOfFile(file) {
  const rel = path.relative(process.cwd(), path.resolve(file)).split(path.sep);
  if (rel[0] === 'datasets') return { layer: 'datasets' };
  if (rel[0] === 'tools') return { layer: 'cli' };
  if (rel[0] === 'apps') return { layer: 'app', app: `${rel[1]}/${rel[2]}` };
  if (rel[0] === 'packages') {
    const name = rel[1];
    if (name === 'tensor' || name === 'tensor-native' || name === 'repro' || name === 'core-autograd') return { layer: name };
    return { layer: 'area', pkg: name };
  }
  return null;
}

/** @param {string} spec a module specifier, @param {string} fromFile */
function layerOfImport(spec, fromFile) {
  if (spec.startsWith('@paperzoo/')) {
    const name = spec.slice('@paperzoo/'.length).split('/')[0];
    if (name === 'cli') return { layer: 'cli' };
    if (name.startsWith('app-')) return { layer: 'app', app: name };
    if (name === 'tensor' || name === 'tensor-native' || name === 'repro' || name === 'core-autograd' || name === 'datasets') return { layer: name };
    return { layer: 'area', pkg: name };
  }
  if (spec.startsWith('.')) {
    const target = path.resolve(path.dirname(fromFile), spec);
    return layerOfFile(target);
  }
  return null;
}

const layersPlugin = {
  rules: {
    layers: {
      meta: { type: 'problem', messages: { up: '{{msg}}' }, schema: [] },
      create(context) {
        const file = context.filename;
        const own = layerOfFile(file);
        /** @param {any} node @param {string} spec */
        function check(node, spec) {
          if (!own || typeof spec !== 'string') return;
          const target = layerOfImport(spec, file);
          if (!target) return;
          let msg = null;
          if (target.layer === 'cli' && own.layer !== 'cli') msg = `nothing imports the CLI ('${spec}')`;
          else if (own.layer === 'app' && target.layer === 'app' && target.app !== own.app) msg = `apps never import other apps ('${spec}')`;
          else if (own.layer !== 'app' && own.layer !== 'cli' && target.layer === 'app') msg = `packages never import apps ('${spec}')`;
          else if (target.layer === own.layer) msg = null;
          else if (RANKS[target.layer] > RANKS[own.layer]) msg = `layer '${own.layer}' may not import the higher layer '${target.layer}' ('${spec}'); imports only go down (docs/architecture.md)`;
          if (msg) context.report({ node, messageId: 'up', data: { msg } });
        }
        return {
          ImportDeclaration(node) { check(node, /** @type {string} */ (node.source.value)); },
          ExportNamedDeclaration(node) { if (node.source) check(node, /** @type {string} */ (node.source.value)); },
          ExportAllDeclaration(node) { check(node, /** @type {string} */ (node.source.value)); },
          ImportExpression(node) { if (node.source.type === 'Literal') check(node, /** @type {string} */ (node.source.value)); },
        };
      },
    },
  },
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/results/**', '.nx/**', 'eslint.config.js', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { paperzoo: layersPlugin },
    rules: {
      'paperzoo/layers': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Library code never prints: progress and logs go through the run context (docs/style.md §11).
      'no-console': 'error',
    },
  },
  {
    // The CLI, benchmarks and tests are where printing belongs.
    files: ['tools/**', 'bench/**', '**/test/**', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
);
