import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Which part of src/ may import which: the arrows of docs/architecture.md ("## Data flow"), written
 * once, here; test/unit/architecture.test.ts checks the doc's table against this one. A part is a
 * folder (`graph/`) or a file at the top of src/. errors.ts and version.ts are shared leaves: every
 * part may import them, and they import nothing of src/.
 */
export const allowedImports = {
  'cli/': ['audit/', 'demo/', 'kube/', 'registry/', 'git/', 'verify/', 'report/', 'tui/'],
  'audit/': ['kube/', 'graph/', 'registry/', 'git/', 'verify/', 'verdict/', 'report/'],
  'demo/': ['kube/', 'registry/'],
  'kube/': [],
  'graph/': ['kube/', 'registry/'],
  'registry/': [],
  'git/': ['registry/'],
  'verify/': [],
  'verdict/': ['kube/', 'graph/', 'registry/', 'git/', 'verify/'],
  'report/': ['verdict/'],
  'tui/': ['report/', 'verdict/'],
  'errors.ts': [],
  'version.ts': [],
};
export const sharedLeaves = ['errors.ts', 'version.ts'];

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), 'src');

/** `graph/` for anything under src/graph, `errors.ts` for src/errors.ts; undefined outside src/. */
function partOf(file) {
  const rel = relative(srcDir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(sep);
  return rest.length > 0 ? `${first}/` : first.replace(/\.(js|tsx?)$/, '.ts');
}

/** Fails on an import (static, type-only, re-export or dynamic) from one part of src/ into a part the table does not allow. */
const importRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'imports between the parts of src/ follow docs/architecture.md' } },
  create(context) {
    const from = partOf(context.filename);
    if (from === undefined) return {};
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = partOf(resolve(dirname(context.filename), source.value));
      const leaf = sharedLeaves.includes(from);
      if (to === undefined || to === from || (sharedLeaves.includes(to) && !leaf)) return;
      const allowed = allowedImports[from];
      if (allowed === undefined) {
        context.report({ node, message: `src/${from} is not in the import table (eslint.config.js allowedImports, docs/architecture.md "Data flow")` });
      } else if (!allowed.includes(to)) {
        const may = leaf ? 'nothing of src/' : [...allowed, ...sharedLeaves].join(', ');
        context.report({ node, message: `${from} may not import ${to}: ${from} may import ${may} (docs/architecture.md "Data flow")` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // a leading underscore marks a binding that is deliberately unused (e.g. dropping a key from a copy)
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { architecture: { rules: { imports: importRule } } },
    rules: { 'architecture/imports': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
