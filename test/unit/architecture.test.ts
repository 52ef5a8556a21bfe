import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { repoRoot } from '../helpers/paths.js';

/**
 * The allowed imports between the parts of src/ are written once, in docs/architecture.md ("## Data
 * flow"), and enforced by lint from eslint.config.js's `allowedImports`: the two tables must agree,
 * the rule must fail on an import the table does not allow, and src/ must have no import cycle.
 */

interface ImportTable {
  readonly allowedImports: Readonly<Record<string, readonly string[]>>;
  readonly sharedLeaves: readonly string[];
}

const root = repoRoot();

async function lintTable(): Promise<ImportTable> {
  return (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as ImportTable;
}

/** The table of the doc's "## Data flow" section: part → the parts it may import. */
function docTable(): Map<string, string[]> {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const section = /^## Data flow\n([\s\S]*?)(?=^## )/m.exec(doc)?.[1];
  assert.ok(section, 'docs/architecture.md has no "## Data flow" section');
  const table = new Map<string, string[]>();
  const names = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length < 2 || cells[0] === 'part' || /^-+$/.test(cells[0] ?? '')) continue;
    const parts = names(cells[0] as string);
    if (parts.length === 0) continue;
    for (const p of parts) table.set(p, names(cells[1] as string));
  }
  assert.ok(table.size > 0, 'no import table in the "## Data flow" section');
  return table;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

describe('the import rules between the parts of src/', () => {
  it('docs/architecture.md and eslint.config.js give the same table', async () => {
    const { allowedImports } = await lintTable();
    const doc = docTable();
    const sorted = (m: Iterable<[string, readonly string[]]>): [string, string[]][] => [...m].map(([k, v]): [string, string[]] => [k, [...v].sort()]).sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(sorted(doc), sorted(Object.entries(allowedImports)), 'the "## Data flow" table of docs/architecture.md and allowedImports in eslint.config.js differ: change both');
  });

  it('names every part of src/', async () => {
    const { allowedImports } = await lintTable();
    const parts = readdirSync(join(root, 'src')).flatMap((f) => (statSync(join(root, 'src', f)).isDirectory() ? [`${f}/`] : /\.tsx?$/.test(f) ? [f] : []));
    for (const p of parts) assert.ok(Object.hasOwn(allowedImports, p), `src/${p} is missing from the import table`);
    for (const [from, to] of Object.entries(allowedImports)) for (const p of to) assert.ok(parts.includes(p), `${from} may import ${p}, which is not in src/`);
  });

  it('lint fails on an import the table does not allow, static, type-only or dynamic', async () => {
    const eslint = new ESLint({ cwd: root });
    const errorsOf = async (file: string, code: string): Promise<string[]> => {
      const [result] = await eslint.lintText(code, { filePath: join(root, file) });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'architecture/imports').map((m) => m.message);
    };
    assert.deepEqual(await errorsOf('src/report/probe.ts', "import type { AuditRun } from '../audit/audit.js';\nexport type Run = AuditRun;\n"), ['report/ may not import audit/: report/ may import verdict/, errors.ts, version.ts (docs/architecture.md "Data flow")']);
    assert.equal((await errorsOf('src/report/print/probe.ts', "import { startAudit } from '../../audit/audit.js';\nexport const start = startAudit;\n")).length, 1);
    assert.equal((await errorsOf('src/tui/probe.ts', "export const load = async (): Promise<unknown> => import('../audit/audit.js');\n")).length, 1);
    assert.equal((await errorsOf('src/verify/probe.ts', "export * from '../registry/index.js';\n")).length, 1);
    assert.equal((await errorsOf('src/errors.ts', "import { readVersion } from './version.js';\nexport const v = readVersion;\n")).length, 1, 'a shared leaf imports nothing of src/');
    assert.deepEqual(await errorsOf('src/report/probe.ts', "import { REASONS } from '../verdict/reasons.js';\nimport { describeError } from '../errors.js';\nimport type { Palette } from './color.js';\nexport const r: [typeof REASONS, typeof describeError, Palette?] = [REASONS, describeError];\n"), []);
  });

  it('src/ has no import cycle (type-only and dynamic imports included)', () => {
    const src = join(root, 'src');
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(src)) {
      const deps = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.flatMap((i) => {
        if (!i.fileName.startsWith('.')) return [];
        const base = join(dirname(file), i.fileName).replace(/\.js$/, '');
        return [`${base}.ts`, `${base}.tsx`].filter((c) => existsSync(c));
      });
      graph.set(file, deps);
    }
    // depth-first, with the path so far: the first cycle found is named file by file
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (f: string): string[] | undefined => {
      if (state.get(f) === 'done') return undefined;
      if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
      state.set(f, 'open');
      path.push(f);
      for (const d of graph.get(f) ?? []) {
        const cycle = visit(d);
        if (cycle) return cycle;
      }
      path.pop();
      state.set(f, 'done');
      return undefined;
    };
    assert.ok(graph.size > 50, 'src/ was not found');
    for (const f of graph.keys()) {
      const cycle = visit(f);
      assert.equal(cycle, undefined, `import cycle: ${cycle?.map((c) => relative(src, c)).join(' → ')}`);
    }
  });
});
