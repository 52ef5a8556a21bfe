import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
import { directory, tarGz, zip } from '../../../plugin/release/archive.js';
import { bundleOptions, importTarget, replaceableLibraries, SEA_MAIN, thirdPartyNotices } from '../../../plugin/release/bundle.js';
import { krewManifest } from '../../../plugin/release/manifests.js';
import { repoRoot } from '../../helpers/paths.js';

// openpgp.js is LGPL-3.0-or-later: the release keeps it out of the bundle and ships it as lib/openpgp.mjs
// beside the executable, which the launcher's module hooks resolve `openpgp` to (LGPL-3.0 §4(d)(1)).

const root = repoRoot();
const scratch = mkdtempSync(join(tmpdir(), 'kv-replaceable-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

type Resolved = { url: string; format?: string; shortCircuit?: boolean };
type Next = (specifier: string, context: { parentURL?: string }) => Resolved;
interface Launcher {
  REPLACEABLE: Record<string, { file: string; missing: string }>;
  hooks(
    execPath: string,
    getAsset: (key: string, encoding: string) => string,
  ): {
    base: string;
    resolve(specifier: string, context: { parentURL?: string }, next: Next): Resolved;
    load(url: string, context: object, next: (url: string, context: object) => unknown): unknown;
  };
}
const launcher = createRequire(import.meta.url)(join(root, SEA_MAIN)) as Launcher;

describe('replaceable libraries', () => {
  it('are openpgp, shipped as the very file Node loads for `import` from node_modules', () => {
    const libs = replaceableLibraries(root);
    assert.deepEqual(
      libs.map((l) => [l.specifier, l.file]),
      [['openpgp', 'lib/openpgp.mjs']],
    );
    assert.equal(libs[0]?.source, fileURLToPath(import.meta.resolve('openpgp')));
    assert.match(readFileSync(libs[0]?.source ?? '', 'utf8').slice(0, 200), /OpenPGP\.js v\d+\.\d+\.\d+ .*LGPL/);
  });

  it('follows package.json exports as Node matches conditions: in their order, nested, and skipping what names nothing', () => {
    const pkg = (exports: unknown): string => {
      const dir = mkdtempSync(join(scratch, 'pkg-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', exports }));
      for (const f of ['a.mjs', 'b.mjs', 'c.mjs']) writeFileSync(join(dir, f), '');
      return dir;
    };
    assert.equal(importTarget(pkg({ '.': { types: './x.d.ts', browser: './a.mjs', import: './b.mjs', require: './c.mjs' } })), 'b.mjs');
    assert.equal(importTarget(pkg({ require: './c.mjs', default: './a.mjs', import: './b.mjs' })), 'a.mjs');
    assert.equal(importTarget(pkg({ '.': { node: { require: './c.mjs', import: './b.mjs' } } })), 'b.mjs');
    assert.equal(importTarget(pkg({ node: { require: './c.mjs' }, import: './a.mjs' })), 'a.mjs');
    assert.equal(importTarget(pkg('./c.mjs')), 'c.mjs');
    assert.throws(() => importTarget(pkg({ require: './c.mjs' })), /names no file for Node's import/);
    assert.throws(() => importTarget(pkg({ import: './missing.mjs' })), /missing\.mjs not found/);
  });

  it('are left out of the bundle, which an npm install then resolves from node_modules', async () => {
    // the bundle's own options, on the module that imports openpgp (the CLI may not reach it yet)
    const out = join(root, 'dist', `.test-replaceable-${process.pid}`);
    try {
      const options = bundleOptions(root, out);
      const result = await esbuild.build({ ...options, entryPoints: { pgp: join(root, 'dist', 'src', 'verify', 'git', 'pgp.js') }, metafile: true, logLevel: 'silent' });
      const inputs = Object.keys(result.metafile.inputs);
      assert.ok(inputs.includes('dist/src/verify/git/pgp.js'));
      assert.deepEqual(inputs.filter((i) => i.includes('node_modules/openpgp/')), [], 'openpgp was bundled');
      const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
      assert.ok(
        imports.some((i) => i.path === 'openpgp' && i.external && i.kind === 'dynamic-import'),
        JSON.stringify(imports),
      );
      // run from inside the project, as the launcher runs dist/bundle: Node finds node_modules/openpgp
      const pgp = (await import(pathToFileURL(join(out, 'pgp.js')).href)) as { readPgpKeyring(text: string): Promise<{ entities: { keyId: string }[] }> };
      const openpgp = await import('openpgp');
      const { publicKey } = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'unit' }], format: 'object' });
      const ring = await pgp.readPgpKeyring(publicKey.armor());
      assert.deepEqual(
        ring.entities.map((e) => e.keyId),
        [publicKey.getKeyID().toHex().toUpperCase()],
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('are only ever imported on demand in the CLI’s bundle, so that a missing file cannot stop a command from loading', async () => {
    const result = await esbuild.build({ ...bundleOptions(root, join(root, 'dist', `.test-replaceable-cli-${process.pid}`)), write: false, metafile: true, logLevel: 'silent' });
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.path === 'openpgp'));
    assert.deepEqual(
      imports.filter((i) => i.kind !== 'dynamic-import' || !i.external),
      [],
    );
    assert.deepEqual(
      Object.keys(result.metafile.inputs).filter((i) => i.includes('node_modules/openpgp/')),
      [],
    );
  });
});

describe('the single executable’s launcher', () => {
  /** An "executable" in real/, reached through a symlink in bin/ as krew installs it. */
  function layout(name: string, withLib: string | undefined): { exe: string; link: string; lib: string } {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'real'), { recursive: true });
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const exe = join(dir, 'real', 'kubectl-verify');
    writeFileSync(exe, '');
    const link = join(dir, 'bin', 'kubectl-verify');
    symlinkSync(exe, link);
    const lib = join(dir, 'real', 'lib', 'openpgp.mjs');
    if (withLib !== undefined) {
      mkdirSync(join(dir, 'real', 'lib'));
      writeFileSync(lib, withLib);
    }
    return { exe, link, lib };
  }
  const never: Next = (s) => assert.fail(`nextResolve(${s})`);

  it('resolves `openpgp` to lib/openpgp.mjs beside the real executable, through a symlink', () => {
    const { link, lib } = layout('resolve', 'export const verify = 1;\n');
    const h = launcher.hooks(link, () => assert.fail('getAsset'));
    for (const parentURL of [`${h.base}chunks/audit-X.js`, undefined]) {
      assert.deepEqual(h.resolve('openpgp', parentURL ? { parentURL } : {}, never), { url: pathToFileURL(lib).href, format: 'module', shortCircuit: true });
    }
    // everything else is as before: embedded modules by URL, relative imports among them, the rest to Node
    assert.deepEqual(h.resolve('./chunk-A.js', { parentURL: `${h.base}chunks/b.js` }, never), { url: `${h.base}chunks/chunk-A.js`, format: 'module', shortCircuit: true });
    const seen: string[] = [];
    h.resolve('openpgp/lightweight', { parentURL: `${h.base}x.js` }, (s) => (seen.push(s), { url: 'node:x' }));
    h.resolve('node:crypto', { parentURL: `${h.base}x.js` }, (s) => (seen.push(s), { url: 'node:crypto' }));
    assert.deepEqual(seen, ['openpgp/lightweight', 'node:crypto']);
  });

  it('fails only the import, with the message that names the file, when lib/openpgp.mjs is missing', () => {
    const { link, exe } = layout('missing', undefined);
    const h = launcher.hooks(link, () => '');
    assert.throws(
      () => h.resolve('openpgp', { parentURL: `${h.base}a.js` }, never),
      (e: NodeJS.ErrnoException) => {
        assert.equal(e.code, 'ERR_MODULE_NOT_FOUND');
        assert.equal(
          e.message,
          `OpenPGP verification needs lib/openpgp.mjs beside the kubectl-verify executable (it is LGPL-licensed and shipped as a replaceable file): ${join(exe, '..', 'lib', 'openpgp.mjs')} not found`,
        );
        return true;
      },
    );
    assert.equal(launcher.REPLACEABLE.openpgp?.missing.startsWith('OpenPGP verification needs lib/openpgp.mjs'), true);
  });

  it('serves embedded modules from the assets, by their path under the executable', () => {
    const { exe } = layout('load', undefined);
    const asked: string[] = [];
    const h = launcher.hooks(exe, (key) => (asked.push(key), 'export {};'));
    assert.deepEqual(h.load(`${h.base}chunks/a%20b.js`, {}, () => assert.fail('nextLoad')), { format: 'module', source: 'export {};', shortCircuit: true });
    assert.deepEqual(asked, ['chunks/a b.js']);
    assert.equal(
      h.load('file:///elsewhere.mjs', {}, () => 'next'),
      'next',
    );
  });

  it('makes Node load the file found there: openpgp.js itself, or a modified build in its place', () => {
    // a process whose only way to `openpgp` is the hooks: it runs outside the project, without node_modules
    const { link, lib } = layout('load-real', readFileSync(replaceableLibraries(root)[0]?.source ?? '', 'utf8'));
    const script = join(scratch, 'load-real', 'load.cjs');
    writeFileSync(
      script,
      `const { registerHooks } = require('node:module');
const h = require(${JSON.stringify(join(root, SEA_MAIN))}).hooks(${JSON.stringify(link)}, () => { throw new Error('no assets'); });
registerHooks({ resolve: h.resolve, load: h.load });
import('openpgp').then((m) => process.stdout.write(typeof m.verify + ' ' + (m.config ? m.config.versionString : m.replaced)));
`,
    );
    const run = () => spawnSync(process.execPath, [script], { cwd: join(scratch, 'load-real'), encoding: 'utf8' });
    const real = run();
    assert.equal(real.stderr, '');
    assert.match(real.stdout, /^function OpenPGP\.js \d+\.\d+\.\d+$/);
    writeFileSync(lib, "export function verify() {}\nexport const replaced = 'a modified build';\n");
    assert.equal(run().stdout, 'function a modified build');
    rmSync(lib);
    const gone = run();
    assert.notEqual(gone.status, 0);
    assert.match(gone.stderr, /OpenPGP verification needs lib\/openpgp\.mjs beside the kubectl-verify executable/);
    // and without the hooks, the bare specifier is not found at all there: the hooks did the work above
    copyFileSync(replaceableLibraries(root)[0]?.source ?? '', lib);
    const bare = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('openpgp')"], { cwd: join(scratch, 'load-real'), encoding: 'utf8' });
    assert.match(bare.stderr, /Cannot find package 'openpgp'/);
  });
});

describe('release archives with a library directory', () => {
  const entries = [
    { name: 'kubectl-verify', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    directory('lib'),
    { name: 'lib/openpgp.mjs', data: Buffer.from('export {};\n'.repeat(50)), mode: 0o644 },
  ];

  it('writes lib/ as a directory entry in the tar.gz, which tar lists and extracts', () => {
    const file = join(scratch, 'lib.tar.gz');
    writeFileSync(file, tarGz(entries, 1_700_000_000));
    const list = spawnSync('tar', ['-tvzf', file], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^drwxr-xr-x root\/root +0 .* lib\/$/m);
    assert.match(list.stdout, /^-rw-r--r-- root\/root +550 .* lib\/openpgp\.mjs$/m);
    const dir = join(scratch, 'untar-lib');
    mkdirSync(dir);
    assert.equal(spawnSync('tar', ['-xzf', file, '-C', dir]).status, 0);
    assert.equal(readFileSync(join(dir, 'lib', 'openpgp.mjs'), 'utf8'), entries[2]?.data.toString());
    assert.ok(tarGz(entries, 1_700_000_000).equals(readFileSync(file)), 'the same bytes again');
    assert.throws(() => tarGz([{ name: 'x/', data: Buffer.from('a'), mode: 0o755 }], 0), /directory x\/ with data/);
  });

  it('writes lib/ as a stored directory entry in the zip, which unzip extracts', () => {
    const z = zip(entries, 1_700_000_000);
    const eocd = z.length - 22;
    let at = z.readUInt32LE(eocd + 16);
    const seen: string[] = [];
    for (let i = 0; i < z.readUInt16LE(eocd + 10); i++) {
      const nameLen = z.readUInt16LE(at + 28);
      const name = z.toString('utf8', at + 46, at + 46 + nameLen);
      const attrs = z.readUInt32LE(at + 38);
      seen.push(`${name} ${z.readUInt16LE(at + 10)} ${((attrs >>> 16) & 0o170000).toString(8)} ${attrs & 0x10}`);
      at += 46 + nameLen;
    }
    assert.deepEqual(seen, ['kubectl-verify 8 100000 0', 'lib/ 0 40000 16', 'lib/openpgp.mjs 8 100000 0']);
    const file = join(scratch, 'lib.zip');
    writeFileSync(file, z);
    const dir = join(scratch, 'unzip-lib');
    const r = spawnSync('unzip', ['-q', file, '-d', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'lib', 'openpgp.mjs'), 'utf8'), entries[2]?.data.toString());
    assert.ok(zip(entries, 1_700_000_000).equals(z));
  });
});

describe('release manifests and notices with the library beside the executable', () => {
  it('has krew install lib/ whole, with a path that is clean on Windows too, and the notices', async () => {
    const { parse } = await import('yaml');
    const archives = [
      { os: 'linux', arch: 'amd64', file: 'a.tar.gz', sha256: '0'.repeat(64) },
      { os: 'windows', arch: 'amd64', file: 'b.zip', sha256: '1'.repeat(64) },
    ] as const;
    const doc = parse(krewManifest('1.2.3', { owner: 'o', name: 'r' }, archives, ['lib'])) as { spec: { caveats: string; platforms: { files: { from: string; to: string }[] }[] } };
    for (const p of doc.spec.platforms) {
      assert.deepEqual(
        p.files.filter((f) => !f.from.startsWith('kubectl')),
        [
          { from: 'lib', to: 'lib' },
          { from: 'LICENSE', to: '.' },
          { from: 'THIRD_PARTY_NOTICES', to: '.' },
        ],
      );
    }
    assert.match(doc.spec.caveats, /lib\/openpgp\.mjs, a file you may replace/);
  });

  it('tells which file is the LGPL library, how to replace it and where its source is, with the LGPL and the GPL', () => {
    const libs = replaceableLibraries(root);
    const gpl = 'GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007\n(the text)';
    const text = thirdPartyNotices([], 'node license', '24.0.0', libs, { text: gpl });
    const version = (JSON.parse(readFileSync(join(root, 'node_modules', 'openpgp', 'package.json'), 'utf8')) as { version: string }).version;
    assert.ok(text.includes(`lib/openpgp.mjs is openpgp@${version} (LGPL-3.0+), unmodified: the file\ndist/node/openpgp.mjs of its npm package.`), text.slice(0, 2000));
    assert.match(text, /https:\/\/github\.com\/openpgpjs\/openpgpjs, tag v\d/);
    assert.match(text, /§4\(d\)\(1\)/);
    assert.ok(text.includes(`== openpgp@${version} (LGPL-3.0+) ==\n\n${readFileSync(join(root, 'node_modules', 'openpgp', 'LICENSE'), 'utf8').trim()}`));
    assert.ok(text.endsWith(`(LGPL-3.0 supplements it; §4(b)) ==\n\n${gpl}\n`));
    assert.throws(() => thirdPartyNotices([], 'n', '24.0.0', libs), /LGPL-3\.0 §4\(b\)/);
    // without libraries beside it, the notices are what they were
    assert.equal(thirdPartyNotices([], 'n', '24.0.0'), 'Third-party software inside kubectl-verify\n\nThe kubectl-verify executable contains Node.js and the npm packages listed below. Their license\nnotices follow, as their licenses require.\n\n== Node.js 24.0.0 ==\n\nn\n');
  });
});
