// ESLint flat config: typescript-eslint's type-aware recommended rules, plus the project's own.
import js from '@eslint/js';
import path from 'node:path';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ and what each may import (DESIGN.md: api ← storage ← registry ← apiserver;
 * nothing imports the CLI). Tests and test helpers may reach across layers.
 */
const LAYERS = {
  util: [],
  api: ['util'],
  pki: ['util'],
  storage: ['util', 'api'],
  auth: ['util', 'api', 'pki', 'registry'],
  registry: ['util', 'api', 'storage', 'auth'],
  apiserver: ['util', 'api', 'storage', 'registry', 'auth', 'pki'],
  client: ['util', 'api', 'pki'],
  controllers: ['util', 'api', 'storage', 'registry', 'auth', 'apiserver', 'client'],
  agent: ['util', 'api', 'pki', 'client'],
  scheduler: ['util', 'api', 'client', 'controllers'],
  hollow: ['util', 'api', 'pki', 'client'],
  server: [
    'util',
    'api',
    'storage',
    'registry',
    'auth',
    'pki',
    'apiserver',
    'controllers',
    'client',
    'agent',
    'scheduler',
  ],
  cli: [
    'util',
    'api',
    'storage',
    'registry',
    'auth',
    'pki',
    'apiserver',
    'controllers',
    'client',
    'agent',
    'server',
    'scheduler',
    'hollow',
  ],
};

const layering = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { upward: 'src/{{from}} may not import src/{{to}} (layers: see LAYERS in eslint.config.js)' },
  },
  create(context) {
    const file = context.filename;
    const src = path.join(import.meta.dirname, 'src');
    const rel = path.relative(src, file);
    if (rel.startsWith('..') || /\.test\.ts$/.test(file) || rel.split(path.sep).includes('testing'))
      return {};
    const from = rel.split(path.sep)[0];
    const allowed = LAYERS[from];
    if (!allowed) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.relative(src, path.resolve(path.dirname(file), source));
      if (target.startsWith('..')) return;
      const to = target.split(path.sep)[0];
      if (to === from || to.endsWith('.js') || allowed.includes(to)) return;
      context.report({ node, messageId: 'upward', data: { from, to } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { k8ts: { rules: { layering } } },
    rules: {
      'k8ts/layering': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
