import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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
    plugins: [substitutions(version)],
  };
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

/**
 * The license texts of everything inside the binary besides our own code: each bundled npm package's
 * license file (MIT, ISC, BSD and Apache-2.0 all require the notice to travel with copies), and Node.js's.
 */
export function thirdPartyNotices(packages: readonly string[], nodeLicense: string, nodeVersion: string): string {
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
  for (const dir of packages) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; license?: string };
    const licenseFile = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f)) ?? readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    const text = licenseFile ? readFileSync(join(dir, licenseFile), 'utf8').trim() : `(no license file in the package; package.json says: ${pkg.license ?? 'nothing'})`;
    parts.push('', `== ${pkg.name ?? dirname(dir)}@${pkg.version ?? '?'} (${pkg.license ?? 'license not stated'}) ==`, '', text);
  }
  return `${parts.join('\n')}\n`;
}
