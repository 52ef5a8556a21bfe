import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { labCache, pinnedVersions } from '../lab/tools.js';

/** The checkout's root: the nearest directory above the working directory whose package.json is ours. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'kubectl-verify') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no kubectl-verify checkout above ${process.cwd()}`);
    dir = parent;
  }
}

const BUILD_HINT = "run 'npm run lab:build -- fixtures' (test/lab/build.sh fixtures)";

/** A fixture folder that a Go module publishes: build.sh's `fixtures` stage copies it into the lab cache. */
interface ModuleFolder {
  readonly module: string;
  readonly version: string;
  readonly dir: string;
  /** the folder-relative paths test/lab/fixtures.layout lists */
  readonly paths: string[];
}

let folders: ReadonlyMap<string, ModuleFolder> | undefined;

/** The module folders of test/lab/fixtures.layout, at the versions pinned in versions.env. */
function moduleFolders(): ReadonlyMap<string, ModuleFolder> {
  if (folders) return folders;
  const versions = pinnedVersions();
  const out = new Map<string, ModuleFolder>();
  let current: ModuleFolder | undefined;
  for (const line of readFileSync(join(repoRoot(), 'test', 'lab', 'fixtures.layout'), 'utf8').split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] === '' || words[0]?.startsWith('#')) continue;
    if (words[0] === 'module') {
      const [, folder = '', module = '', versionVar = ''] = words;
      const version = versions[versionVar];
      if (!version) throw new Error(`test/lab/fixtures.layout: ${versionVar} (the version of ${module}) is not set in test/lab/versions.env`);
      current = { module, version, dir: join(labCache(), 'fixtures', `${folder}-${version}`), paths: [] };
      out.set(folder, current);
    } else if (current && words[0]) {
      current.paths.push(words[0]);
    }
  }
  folders = out;
  return out;
}

/**
 * ../shared beside the checkout (CI puts it there), or $KUBECTL_VERIFY_SHARED. Only the fixture folders
 * that no Go module publishes are read from there (see test/lab/fixtures.layout for the others).
 */
export function sharedDir(): string {
  const dir = sharedRoot();
  if (!existsSync(join(dir, 'fixtures'))) throw new Error(`shared fixtures not found at ${dir}/fixtures (set KUBECTL_VERIFY_SHARED); it holds only the vectors no Go module publishes`);
  return dir;
}

/**
 * A test vector: fixture(folder, ...path). Folders a Go module publishes come from the lab cache, where
 * build.sh's `fixtures` stage lays them out from the module zip; the rest (sigstore-conformance) from
 * ../shared/fixtures. A missing vector is an error saying where it comes from and how to get it.
 */
export function fixture(...parts: string[]): string {
  const [folder = '', ...rest] = parts;
  const fromModule = moduleFolders().get(folder);
  return fromModule ? moduleFixture(folder, fromModule, rest) : sharedFixture(folder, rest);
}

function moduleFixture(folder: string, m: ModuleFolder, rest: readonly string[]): string {
  const path = join(m.dir, ...rest);
  if (existsSync(path)) return path;
  const from = `Go module ${m.module}@${m.version}`;
  if (!existsSync(join(m.dir, '.layout'))) throw new Error(`test vectors ${folder}/ (from ${from}) are not in the lab cache at ${m.dir}: ${BUILD_HINT}`);
  const rel = rest.join('/');
  const listed = m.paths.some((p) => p === rel || p.startsWith(`${rel}/`));
  if (!listed) throw new Error(`test vector ${folder}/${rel} is not among those taken from ${from} (test/lab/fixtures.layout lists them)`);
  throw new Error(`test vector ${folder}/${rel} (from ${from}) is missing from ${m.dir}: ${BUILD_HINT}`);
}

function sharedRoot(): string {
  return process.env.KUBECTL_VERIFY_SHARED ?? resolve(repoRoot(), '..', 'shared');
}

function sharedFixture(folder: string, rest: readonly string[]): string {
  const base = join(sharedRoot(), 'fixtures', folder);
  if (!existsSync(base)) {
    throw new Error(
      `test vectors ${folder}/ have no Go module and are read from the shared folder: ${base} not found ` +
        `(put the shared folder, with fixtures/${folder}/, beside the checkout as ../shared, or set KUBECTL_VERIFY_SHARED)`,
    );
  }
  return join(base, ...rest);
}
