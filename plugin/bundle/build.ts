import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_ENTRY, bundleOptions } from '../release/bundle.js';

/**
 * The second half of `npm run build` (after tsc): bundles dist/src/cli/entry.js into dist/bundle/, the
 * entry the launcher (plugin/kubectl-verify) runs. One file per command instead of ~200 modules and
 * their node_modules lookups, with the release's own esbuild options (plugin/release/bundle.ts), so the
 * tests that run the launcher run the code a release ships.
 *
 * Written so that a plugin started during the build still finds a whole bundle: the chunks first (their
 * names carry a content hash, so new ones do not overwrite old ones), then the entry by rename, then the
 * chunks no longer used are removed.
 */
export const BUNDLE_DIR = join('dist', 'bundle');

export async function buildBundle(root: string, outdir: string = join(root, BUNDLE_DIR)): Promise<{ files: number; bytes: number; metafile: esbuild.Metafile }> {
  const result = await esbuild.build({ ...bundleOptions(root, outdir), write: false, metafile: true });
  const files = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  const entry = files.find((f) => relative(outdir, f.path) === BUNDLE_ENTRY);
  if (!entry) throw new Error(`esbuild wrote no ${BUNDLE_ENTRY}`);
  const keep = new Set(files.map((f) => relative(outdir, f.path).split(sep).join('/')));
  for (const f of files) {
    if (f === entry) continue;
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.contents);
  }
  const tmp = `${entry.path}.${process.pid}.tmp`;
  writeFileSync(tmp, entry.contents);
  renameSync(tmp, entry.path);
  for (const name of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    const rel = name.split(sep).join('/');
    if (rel.endsWith('.js') && !keep.has(rel)) rmSync(join(outdir, name), { force: true });
  }
  return { files: files.length, bytes: files.reduce((n, f) => n + f.contents.length, 0), metafile: result.metafile };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  buildBundle(root).catch((e: unknown) => {
    process.stderr.write(`error: bundling ${BUNDLE_DIR}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
