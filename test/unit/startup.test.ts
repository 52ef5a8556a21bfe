import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Metafile } from 'esbuild';
import { buildBundle } from '../../plugin/bundle/build.js';
import { UNDICI_SUBSET } from '../../plugin/release/bundle.js';
import { repoRoot } from '../helpers/paths.js';

/**
 * Start-up: the launcher starts Node once, on the bundle when it is current; the entry refuses an old Node
 * before loading anything; the compile cache lands in the user's cache directory or is skipped silently;
 * and `kubectl verify artifact` does not load the audit's or the interactive view's dependencies.
 *
 * The launcher runs from a scratch install (its own package.json, plugin/ and dist/bundle/, no dist/src and
 * no node_modules), so only the bundle can answer, and `node` is whatever PATH here says.
 */
describe('start-up', () => {
  const root = repoRoot();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  let dir = '';
  let install = '';
  let launcher = '';
  let bin = '';
  let metafile: Metafile;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kv-startup-'));
    install = join(dir, 'install');
    mkdirSync(join(install, 'plugin'), { recursive: true });
    copyFileSync(join(root, 'package.json'), join(install, 'package.json'));
    launcher = join(install, 'plugin', 'kubectl-verify');
    copyFileSync(join(root, 'plugin', 'kubectl-verify'), launcher);
    chmodSync(launcher, 0o755);
    metafile = (await buildBundle(root, join(install, 'dist', 'bundle'))).metafile;
    bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: readonly string[], env: NodeJS.ProcessEnv, nodeDir = bin): SpawnSyncReturns<string> =>
    spawnSync(launcher, [...args], {
      encoding: 'utf8',
      env: { PATH: `${nodeDir}${delimiter}/usr/bin${delimiter}/bin`, HOME: join(dir, 'home'), ...env },
    });

  it('answers --version from the bundle, and writes the compile cache under $XDG_CACHE_HOME/kubectl-verify', () => {
    const cache = join(dir, 'xdg-cache');
    const r = run(['--version'], { XDG_CACHE_HOME: cache });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `${version}\n`);
    // Node puts one folder per Node version and flags, with an entry per compiled module
    const perNode = readdirSync(join(cache, 'kubectl-verify'));
    assert.equal(perNode.length, 1, perNode.join(', '));
    assert.ok(readdirSync(join(cache, 'kubectl-verify', perNode[0] as string)).length > 0, 'no compiled module was cached');
  });

  it('falls back to ~/.cache, and leaves the cache to NODE_COMPILE_CACHE when the user set it', () => {
    assert.equal(run(['--version'], { XDG_CACHE_HOME: 'relative/ignored' }).status, 0);
    assert.ok(existsSync(join(dir, 'home', '.cache', 'kubectl-verify')));
    const own = join(dir, 'own-cache');
    const xdg = join(dir, 'xdg-unused');
    const r = run(['--version'], { NODE_COMPILE_CACHE: own, XDG_CACHE_HOME: xdg });
    assert.equal(r.status, 0);
    assert.ok(existsSync(own), 'NODE_COMPILE_CACHE was not used');
    assert.ok(!existsSync(xdg), 'the plugin enabled its own cache over the user’s');
  });

  it('runs without the cache, silently, when the cache directory cannot be made or is switched off', () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    for (const env of [{ XDG_CACHE_HOME: file }, { XDG_CACHE_HOME: join(dir, 'off'), NODE_DISABLE_COMPILE_CACHE: '1' }]) {
      const r = run(['--version'], env);
      assert.deepEqual([r.status, r.stdout, r.stderr], [0, `${version}\n`, ''], JSON.stringify(env));
    }
    assert.ok(!existsSync(join(dir, 'off')));
  });

  it('refuses a Node older than 22 with one clear line and exit code 3, before loading the CLI', () => {
    // a `node` that reports 20.11.1 to the code it runs
    const old = join(dir, 'old-node');
    mkdirSync(old);
    const preload = join(old, 'pretend-20.mjs');
    writeFileSync(preload, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.11.1' } });\n");
    writeFileSync(join(old, 'node'), `#!/bin/sh\nexec '${process.execPath}' --import '${preload}' "$@"\n`);
    chmodSync(join(old, 'node'), 0o755);
    const cache = join(dir, 'old-cache');
    const r = run(['artifact', 'oci://127.0.0.1:1/x:1', '--key', '/nonexistent'], { XDG_CACHE_HOME: cache }, old);
    assert.equal(r.status, 3);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: kubectl verify needs Node.js 22 or newer; ${process.execPath} is v20.11.1\n`);
    assert.ok(!existsSync(cache), 'the cache was enabled before the version check');
  });

  it('runs tsc’s output instead of a bundle older than tsc’s last run', () => {
    const fallback = join(dir, 'stale');
    mkdirSync(join(fallback, 'plugin'), { recursive: true });
    mkdirSync(join(fallback, 'dist', 'src', 'cli'), { recursive: true });
    mkdirSync(join(fallback, 'dist', 'bundle'), { recursive: true });
    copyFileSync(launcher, join(fallback, 'plugin', 'kubectl-verify'));
    writeFileSync(join(fallback, 'dist', 'bundle', 'kubectl-verify.js'), "console.log('bundle');\n");
    writeFileSync(join(fallback, 'dist', 'src', 'cli', 'entry.js'), "console.log('tsc');\n");
    const tsbuildinfo = join(fallback, 'dist', '.tsbuildinfo');
    writeFileSync(tsbuildinfo, '{}');
    const which = (): string => spawnSync(join(fallback, 'plugin', 'kubectl-verify'), [], { encoding: 'utf8', env: { PATH: `${bin}${delimiter}/usr/bin${delimiter}/bin` } }).stdout.trim();
    const t = Date.now() / 1000;
    utimesSync(tsbuildinfo, t - 60, t - 60);
    assert.equal(which(), 'bundle');
    utimesSync(tsbuildinfo, t + 60, t + 60);
    assert.equal(which(), 'tsc');
    rmSync(join(fallback, 'dist', 'bundle'), { recursive: true });
    assert.equal(which(), 'tsc');
  });

  it('keeps the entry small: its static imports are Node built-ins and esbuild’s helpers only', () => {
    const entry = outputOf(metafile, (o) => o.entryPoint === 'dist/src/cli/entry.js');
    const closure = staticClosure(metafile, entry);
    const bytes = [...closure].reduce((n, o) => n + (metafile.outputs[o]?.bytes ?? 0), 0);
    assert.ok(bytes < 8 * 1024, `the entry loads ${bytes} bytes before it can check Node's version: ${[...closure].join(', ')}`);
  });

  it('does not load the audit’s, the interactive view’s or the YAML printer’s dependencies for `artifact`', () => {
    const artifact = outputOf(metafile, (o) => Object.keys(o.inputs).includes('dist/src/cli/artifact.js'));
    const loaded = new Set<string>();
    for (const o of staticClosure(metafile, artifact)) for (const input of Object.keys(metafile.outputs[o]?.inputs ?? {})) loaded.add(input);
    const pkgs = new Set([...loaded].map((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1]).filter((p): p is string => p !== undefined));
    for (const heavy of ['@kubernetes/client-node', 'ink', 'react', 'yoga-layout', 'yaml', 'clipboardy', 'fuzzy']) assert.ok(!pkgs.has(heavy), `artifact loads ${heavy}`);
    for (const own of ['dist/src/kube/', 'dist/src/tui/', 'dist/src/graph/', 'dist/src/report/print/']) {
      assert.deepEqual([...loaded].filter((i) => i.startsWith(own)), [], `artifact loads ${own}`);
    }
    // undici: the agents and request() only (plugin/release/undici-subset.cjs), not its index's ~113 modules
    const undici = [...loaded].filter((i) => i.startsWith('node_modules/undici/'));
    assert.ok(undici.length > 0 && undici.length < 70, `artifact loads ${undici.length} files of undici`);
    for (const part of ['index.js', 'lib/mock/', 'lib/cache/', 'lib/interceptor/', 'lib/web/websocket/', 'lib/web/eventsource/', 'lib/web/fetch/index.js']) {
      assert.deepEqual(undici.filter((i) => i.startsWith(`node_modules/undici/${part}`)), [], `artifact loads undici's ${part}`);
    }
    // the keyless root (@sigstore/tuf's seeds) is loaded on demand, for keyless trust only
    assert.deepEqual([...loaded].filter((i) => i.startsWith('node_modules/@sigstore/tuf/')), [], 'artifact loads the TUF seeds for --key');
    // and --version / --help load no package at all
    const main = outputOf(metafile, (o) => Object.keys(o.inputs).includes('dist/src/cli/main.js'));
    const mainInputs = [...staticClosure(metafile, main)].flatMap((o) => Object.keys(metafile.outputs[o]?.inputs ?? {}));
    assert.deepEqual(mainInputs.filter((i) => i.includes('node_modules')), []);
  });

  it('gives src/ every undici export it imports, from the subset the bundle uses instead of undici’s index', () => {
    const used = new Set<string>();
    const dist = join(root, 'dist', 'src');
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
      for (const m of readFileSync(join(dist, file), 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'undici'/g)) {
        for (const name of (m[1] as string).split(',')) if (name.trim() !== '') used.add(name.trim().split(/\s+as\s+/)[0] as string);
      }
    }
    assert.ok(used.has('Agent') && used.has('request'), `found no undici imports in dist/src: ${[...used].join(', ')}`);
    const subset = createRequire(import.meta.url)(join(root, UNDICI_SUBSET)) as Record<string, unknown>;
    const full = createRequire(import.meta.url)('undici') as Record<string, unknown>;
    for (const name of used) {
      assert.equal(typeof subset[name], typeof full[name], `plugin/release/undici-subset.cjs lacks ${name}`);
      assert.ok(subset[name] !== undefined, `plugin/release/undici-subset.cjs lacks ${name}`);
    }
    // the same classes, not copies: a dispatcher made by either is the other's too
    assert.equal(subset.Agent, full.Agent);
  });
});

type Output = Metafile['outputs'][string];

function outputOf(meta: Metafile, pick: (o: Output) => boolean): string {
  const found = Object.entries(meta.outputs).find(([path, o]) => path.endsWith('.js') && pick(o));
  assert.ok(found, 'no such output in the bundle');
  return found[0];
}

/** The outputs a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(meta: Metafile, start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  for (let o = todo.pop(); o !== undefined; o = todo.pop()) {
    if (seen.has(o)) continue;
    seen.add(o);
    for (const imp of meta.outputs[o]?.imports ?? []) if (imp.kind === 'import-statement' && !imp.external) todo.push(imp.path);
  }
  return seen;
}
