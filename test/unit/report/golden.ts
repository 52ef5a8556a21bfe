import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

/** Goldens live beside the sources (not the compiled tests): test/unit/report/testdata/<format>/<case>.golden */
export function goldenPath(format: string, name: string): string {
  return join(repoRoot(), 'test', 'unit', 'report', 'testdata', format, `${name}.golden`);
}

/** The first lines that differ, as `-want +got`, so a failure says where without opening files. */
export function lineDiff(want: string, got: string, context = 2): string {
  const a = want.split('\n');
  const b = got.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - context);
  const out = [`@@ line ${i + 1} @@`];
  for (let k = from; k < i; k++) out.push(`  ${a[k] ?? ''}`);
  for (let k = i; k < Math.min(a.length, i + 6); k++) out.push(`- ${a[k] ?? ''}`);
  for (let k = i; k < Math.min(b.length, i + 6); k++) out.push(`+ ${b[k] ?? ''}`);
  return out.join('\n');
}

/**
 * Compares output with its golden file; `UPDATE_GOLDEN=1` writes the file instead (then the test
 * passes). A missing golden fails too, so that a new case is never silently accepted.
 */
export function assertGolden(format: string, name: string, got: string): void {
  const file = goldenPath(format, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, got);
    return;
  }
  const where = relative(repoRoot(), file);
  assert.ok(existsSync(file), `${where} does not exist: run UPDATE_GOLDEN=1 npm test`);
  const want = readFileSync(file, 'utf8');
  if (want !== got) assert.fail(`${where} differs (-want +got; UPDATE_GOLDEN=1 rewrites it):\n${lineDiff(want, got)}`);
}

/** Colour codes made visible, so that coloured goldens read and diff as text. */
export function showEscapes(s: string): string {
  return s.replaceAll(String.fromCharCode(27), '␛');
}
