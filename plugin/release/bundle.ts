import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';

/** One file of the bundle: its path relative to the bundle's root (forward slashes) and its text. */
export interface BundleFile {
  readonly path: string;
  readonly text: string;
}

export interface Bundle {
  /** the entry module first, then the chunks it imports, statically or on demand */
  readonly files: readonly BundleFile[];
  /** the npm packages whose code is inside, for the third-party notices */
  readonly packages: readonly string[];
}

export const BUNDLE_ENTRY = 'kubectl-verify.js';

/**
 * Bundles the compiled CLI (dist/src/cli/entry.js) into ES modules for Node: an entry plus chunks, split
 * where the CLI loads a command on demand (main.ts imports artifact/audit/tui dynamically), so that
 * `--version` and `--help` compile only the small entry, as they do when run from source.
 *
 * ES modules because ink's layout engine (yoga-layout, WebAssembly) initialises with top-level await,
 * which CommonJS output cannot express. The single executable's CommonJS main (sea-main.cjs) serves these
 * files to Node's module loader from the executable's assets.
 */
export async function bundle(root: string, version: string): Promise<Bundle> {
  const outdir = join(root, 'dist', 'release', '.bundle');
  const result = await esbuild.build({ ...bundleOptions(root, outdir, version), write: false, metafile: true });
  const files = result.outputFiles
    .filter((f) => f.path.endsWith('.js'))
    .map((f) => ({ path: relative(outdir, f.path).split(sep).join('/'), text: f.text }))
    .sort((a, b) => (a.path === BUNDLE_ENTRY ? -1 : b.path === BUNDLE_ENTRY ? 1 : a.path.localeCompare(b.path)));
  if (files[0]?.path !== BUNDLE_ENTRY) throw new Error(`esbuild wrote no ${BUNDLE_ENTRY}`);
  return { files, packages: packagesOf(root, Object.keys(result.metafile.inputs)) };
}

/**
 * The esbuild options of the bundle, shared by the release and by `npm run build` (plugin/bundle/build.ts,
 * which the launcher runs), so the tests that run the launcher exercise the code the executables carry.
 * `version` inlines readVersion()'s answer, for a single executable, which carries no package.json.
 */
export function bundleOptions(root: string, outdir: string, version?: string): esbuild.BuildOptions {
  const entry = join(root, 'dist', 'src', 'cli', 'entry.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run 'npm run build' first`);
  return {
    entryPoints: { [BUNDLE_ENTRY.replace(/\.js$/, '')]: entry },
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    // smaller and quicker to parse; identifiers keep their names, so stack traces and `err.name` still read
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    // React's production build, as any shipped React application uses
    define: { 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies call require() for Node's built-in modules; ESM output has none of its own
    banner: { js: "import { createRequire as __kvCreateRequire } from 'node:module'; const require = __kvCreateRequire(import.meta.url);" },
    // LGPL libraries stay separate files the user can replace (replaceableLibraries); Node resolves them from
    // node_modules in an npm install, the single executable's launcher from beside the executable
    external: replaceableLibraries(root).map((l) => l.specifier),
    plugins: [substitutions(version)],
  };
}

/** A library kept out of the bundle and shipped as its own file beside the executable, which users may replace. */
export interface ReplaceableLibrary {
  /** the bare specifier the code imports */
  readonly specifier: string;
  /** its place beside the executable, in the archive (forward slashes) */
  readonly file: string;
  /** node_modules/<specifier> */
  readonly packageDir: string;
  /** the module Node's `import` resolves the specifier to in node_modules: the file the archive carries */
  readonly source: string;
}

/** The launcher, as the table of replaceable libraries' files: it is the one place that list lives. */
export const SEA_MAIN = join('plugin', 'release', 'sea-main.cjs');

interface LauncherTable {
  readonly REPLACEABLE: Readonly<Record<string, { readonly file: string; readonly missing: string }>>;
}

/**
 * The libraries the launcher resolves to files beside the executable (sea-main.cjs's REPLACEABLE), with the
 * module of each that Node itself loads for `import` from node_modules, so the release ships exactly the
 * code an npm install runs. openpgp.js is LGPL-3.0-or-later: §4(d)(1) lets a combined work be conveyed when
 * it uses a copy of the library present on the user's system at run time, one the user can swap for a
 * modified, interface-compatible version.
 */
export function replaceableLibraries(root: string): ReplaceableLibrary[] {
  const launcher = createRequire(import.meta.url)(resolve(root, SEA_MAIN)) as LauncherTable;
  return Object.entries(launcher.REPLACEABLE).map(([specifier, l]) => {
    const packageDir = join(root, 'node_modules', specifier);
    return { specifier, file: l.file, packageDir, source: join(packageDir, importTarget(packageDir)) };
  });
}

/** Node's conditions for an `import` in Node, as it matches them: the first key of the object that is one of these. */
const IMPORT_CONDITIONS = new Set(['node', 'import', 'default']);

/**
 * The file a package's `exports["."]` gives Node's `import` (openpgp: dist/node/openpgp.mjs), following
 * nested conditions in their own order as Node does. Packages with a single ES module file only: the file
 * is shipped on its own, without the rest of the package.
 */
export function importTarget(packageDir: string): string {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name?: string; exports?: unknown };
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string') return v;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const entries = Object.entries(v as Record<string, unknown>);
    // exports may map "." or be the conditions for "." directly
    const dot = entries.find(([k]) => k === '.');
    if (dot) return pick(dot[1]);
    for (const [k, next] of entries) {
      const found = IMPORT_CONDITIONS.has(k) ? pick(next) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  const target = pick(pkg.exports);
  if (!target?.startsWith('./')) throw new Error(`${join(packageDir, 'package.json')}: exports["."] names no file for Node's import`);
  if (!existsSync(join(packageDir, target))) throw new Error(`${join(packageDir, target)} not found: run npm ci`);
  return target.slice(2);
}

/** The module the bundle resolves our own `import … from 'undici'` to, relative to the repository. */
export const UNDICI_SUBSET = join('plugin', 'release', 'undici-subset.cjs');

/** tsc's output of src/ (what the bundle's entry imports), as opposed to node_modules. */
function isOwnCode(file: string): boolean {
  return /[\\/]dist[\\/]src[\\/]/.test(file) && !/[\\/]node_modules[\\/]/.test(file);
}

/** Source substitutions for the bundle. */
function substitutions(version: string | undefined): esbuild.Plugin {
  return {
    name: 'kubectl-verify-bundle',
    setup(build) {
      // readVersion() walks up from its module to package.json, which a single executable does not carry
      if (version !== undefined) {
        build.onLoad({ filter: /[\\/]dist[\\/]src[\\/]version\.js$/ }, () => ({
          contents: `export function readVersion() { return ${JSON.stringify(version)}; }`,
          loader: 'js',
        }));
      }
      // our own code gets only the parts of undici it uses (undici-subset.cjs); other packages the whole
      build.onResolve({ filter: /^undici$/ }, (args) => (isOwnCode(args.importer) ? { path: join(build.initialOptions.absWorkingDir ?? process.cwd(), UNDICI_SUBSET) } : undefined));
      // ink loads React DevTools only with DEV=true and react-devtools-core installed; neither can hold here
      build.onResolve({ filter: /^\.\/devtools\.js$/ }, (args) => (/[\\/]node_modules[\\/]ink[\\/]/.test(args.importer) ? { path: 'ink-devtools', namespace: 'bundle-stub' } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'bundle-stub' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

/** The package directories (node_modules/<name> or node_modules/@scope/name) the bundle took code from. */
function packagesOf(root: string, inputs: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.split(sep).join('/'));
    if (m?.[1]) dirs.add(m[1]);
  }
  return [...dirs].sort().map((d) => join(root, d));
}

/** The text of the GNU GPL version 3, which LGPL-3.0 §4(b) asks to accompany a work that uses an LGPL library. */
export interface Gpl3 {
  readonly text: string;
}

/**
 * The license texts of everything inside the binary besides our own code: each bundled npm package's
 * license file (MIT, ISC, BSD and Apache-2.0 all require the notice to travel with copies), and Node.js's;
 * then the libraries shipped beside it as replaceable files (replaceableLibraries), with how to replace
 * them, where their source is, and the GPL the LGPL builds on.
 */
export function thirdPartyNotices(packages: readonly string[], nodeLicense: string, nodeVersion: string, separate: readonly ReplaceableLibrary[] = [], gpl3?: Gpl3): string {
  const parts = [
    'Third-party software inside kubectl-verify',
    '',
    'The kubectl-verify executable contains Node.js and the npm packages listed below. Their license',
    'notices follow, as their licenses require.',
    '',
    `== Node.js ${nodeVersion} ==`,
    '',
    nodeLicense.trim(),
  ];
  for (const dir of packages) parts.push('', ...packageNotice(dir));
  if (separate.length > 0) {
    if (!gpl3) throw new Error('the GNU GPL v3 text must accompany the LGPL libraries (LGPL-3.0 §4(b))');
    parts.push('', '', 'Libraries beside the executable, as files you may replace', '');
    for (const l of separate) {
      const pkg = packageJson(l.packageDir);
      const source = typeof pkg.repository === 'object' && pkg.repository !== null ? pkg.repository.url : pkg.repository;
      parts.push(
        `${l.file} is ${pkg.name ?? l.specifier}@${pkg.version ?? '?'} (${pkg.license ?? 'license not stated'}), unmodified: the file`,
        `${relative(l.packageDir, l.source).split(sep).join('/')} of its npm package. It is not inside the kubectl-verify executable,`,
        `which loads it from beside its real path each time it is needed: put a modified, interface-compatible`,
        `build there and kubectl-verify runs that (LGPL-3.0 §4(d)(1)).`,
        `Source: ${source ?? 'see the npm package'}, tag v${pkg.version ?? '?'}.`,
        '',
      );
    }
    for (const l of separate) parts.push(...packageNotice(l.packageDir), '');
    parts.push('== GNU General Public License, version 3 (LGPL-3.0 supplements it; §4(b)) ==', '', gpl3.text.trim());
  }
  return `${parts.join('\n')}\n`;
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly license?: string;
  readonly repository?: string | { readonly url?: string };
}

function packageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** One package's heading and license file. */
function packageNotice(dir: string): string[] {
  const pkg = packageJson(dir);
  const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f)) ?? readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : `(no license file in the package; package.json says: ${pkg.license ?? 'nothing'})`;
  return [`== ${pkg.name ?? dirname(dir)}@${pkg.version ?? '?'} (${pkg.license ?? 'license not stated'}) ==`, '', text];
}
