import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { parse } from 'yaml';
import { openpgpProbe } from '../../plugin/release/smoke-libs.js';
import { repoRoot } from '../helpers/paths.js';
import { artifactArgs } from '../lab/plugin.js';
import { useSeededLab } from '../lab/seeded.js';
import { kubectlBin, mustRun, runTool } from '../lab/tools.js';

// The release as users get it: `npm run release` builds every platform's single executable, archives and
// manifests; the linux/amd64 archive is then unpacked onto a PATH without Node and run through the real
// kubectl, and as flux-verify for the Flux CLI.
//
// The release step runs as `node dist/plugin/release/main.js`, which is `npm run release` without its
// `npm run build`: the suite built dist/ already, and rebuilding it here would rewrite modules that
// tests running beside this one are loading. Output goes to a scratch directory, so the manifests kept in
// the repository are left alone. Five platforms take about 2.5 minutes on 2 cores (the Node binaries come
// from the npm registry once, then from the cache).

const platforms = [
  { os: 'linux', arch: 'amd64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'darwin', arch: 'amd64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'windows', arch: 'amd64' },
] as const;

interface KrewPlatform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: { from?: string; to?: string }[];
}

/** Entry names of a zip archive, read from its central directory (and the data of one entry, inflated). */
function zipEntries(zip: Buffer): Map<string, () => Buffer> {
  const eocd = zip.length - 22;
  assert.equal(zip.readUInt32LE(eocd), 0x06054b50, 'zip: end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'zip: central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.set(name, () => (method === 8 ? inflateRawSync(zip.subarray(dataAt, dataAt + size)) : zip.subarray(dataAt, dataAt + size)));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

const listed = new Map<string, string[]>();

/** The entry names of an archive, read by tar (or the zip reader above); each archive is listed once. */
function archiveNames(file: string): string[] {
  const known = listed.get(file);
  if (known) return known;
  let names: string[];
  if (file.endsWith('.zip')) {
    names = [...zipEntries(readFileSync(file)).keys()];
  } else {
    const r = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    names = r.stdout.split('\n').filter(Boolean);
  }
  listed.set(file, names);
  return names;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

describe('npm run release', () => {
  const root = repoRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
  const version = pkg.version;
  const scratch = mkdtempSync(join(tmpdir(), 'kv-release-'));
  const out = join(scratch, 'release');
  const lab = useSeededLab('release');
  let krew: { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: { version?: string; shortDescription?: string; description?: string; caveats?: string; homepage?: string; platforms?: KrewPlatform[] } };
  let released = '';

  before(
    async () => {
      const t = Date.now();
      const r = await runTool(process.execPath, [join(root, 'dist', 'plugin', 'release', 'main.js')], { env: { KUBECTL_VERIFY_RELEASE_OUT: out }, timeoutMs: 25 * 60_000 });
      released = r.stderr;
      assert.equal(r.code, 0, `the release failed:\n${r.stderr}`);
      process.stderr.write(`# release of ${platforms.length} platforms took ${((Date.now() - t) / 1000).toFixed(0)}s\n`);
      krew = parse(readFileSync(join(out, 'krew-manifest.yaml'), 'utf8')) as typeof krew;
    },
    { timeout: 30 * 60_000 },
  );
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('built every platform, and ran each Node version they embed', () => {
    const built = [...released.matchAll(/\] (\w+)\/(\w+): Node (\d+\.\d+\.\d+), binary/g)].map((m) => ({ id: `${m[1]}/${m[2]}`, node: m[3] as string }));
    assert.deepEqual(built.map((b) => b.id).sort(), platforms.map((p) => `${p.os}/${p.arch}`).sort());
    // a binary for another platform cannot run here; its Node version must have run this bundle as a linux build
    const native = built.find((b) => b.id === 'linux/amd64')?.node;
    for (const b of built) {
      if (b.node !== native) assert.ok(released.includes(`Node ${b.node} (the `), `Node ${b.node} (${b.id}) was not smoke-tested:\n${released}`);
    }
    // each of those executables verified a signature with the openpgp.js file beside it (smoke-libs.ts)
    const selfChecks = [...released.matchAll(/: OpenPGP\.js \S+ from (\S+)\/lib\/openpgp\.mjs: signature by [0-9a-f]{16} verified$/gm)];
    assert.equal(selfChecks.length, new Set(built.map((b) => b.node)).size, released);
  });

  it('carries openpgp.js as lib/openpgp.mjs in every archive: the file Node loads from node_modules, not inside the executable', () => {
    const expected = readFileSync(fileURLToPath(import.meta.resolve('openpgp')));
    for (const p of platforms) {
      const file = join(out, `kubectl-verify_v${version}_${p.os}_${p.arch}.${p.os === 'windows' ? 'zip' : 'tar.gz'}`);
      const names = archiveNames(file);
      assert.ok(names.indexOf('lib/') >= 0 && names.indexOf('lib/') < names.indexOf('lib/openpgp.mjs'), `${file}: ${names.join(', ')}`);
      const zipped = file.endsWith('.zip') ? zipEntries(readFileSync(file)) : undefined;
      const entry = (name: string): Buffer | undefined => (zipped ? zipped.get(name)?.() : spawnSync('tar', ['-xzOf', file, name], { maxBuffer: 1 << 26 }).stdout);
      assert.ok(entry('lib/openpgp.mjs')?.equals(expected), `${file}: lib/openpgp.mjs differs from node_modules`);
      const notices = entry('THIRD_PARTY_NOTICES')?.toString();
      assert.match(notices ?? '', /^lib\/openpgp\.mjs is openpgp@\S+ \(LGPL-3\.0\+\), unmodified/m);
      assert.match(notices ?? '', /GNU LESSER GENERAL PUBLIC LICENSE/);
      assert.match(notices ?? '', /GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/);
    }
    // the bundle inside the executable does not carry it (an error text of its signature check, kept by minifying)
    const marker = 'Signed digest did not match';
    assert.ok(expected.includes(marker));
    const exe = readFileSync(join(out, 'bin', 'linux_amd64', 'kubectl-verify'));
    assert.equal(exe.indexOf(Buffer.from(marker)), -1, 'openpgp.js is inside the executable');
  });

  it('writes a krew manifest that passes krew validation rules', () => {
    assert.equal(krew.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
    assert.equal(krew.kind, 'Plugin');
    // the name must be safe and equal the index file's name (plugins/verify.yaml)
    assert.match(krew.metadata?.name ?? '', /^[\w-]+$/);
    assert.equal(krew.metadata?.name, 'verify');
    const spec = krew.spec ?? {};
    assert.equal(spec.version, `v${version}`);
    assert.match(spec.version ?? '', /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[\w.-]+)?(?:\+[\w.-]+)?$/, 'semver with a leading v');
    assert.ok(spec.shortDescription && !spec.shortDescription.includes('\n'), 'shortDescription: one line');
    assert.ok(spec.description && spec.description.trim().length > 0, 'description');
    assert.match(spec.homepage ?? '', /^https:\/\//);
    for (const must of [/list on the Flux kinds/, /get on the Secrets/, /never creates, changes or deletes/, /not signed with an\s+Apple Developer ID nor notarised/]) {
      assert.match(spec.caveats ?? '', must);
    }
    const list = spec.platforms ?? [];
    assert.equal(list.length, platforms.length);
    const repo = /github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(pkg.repository.url);
    assert.ok(repo, `package.json repository ${pkg.repository.url}`);
    for (const p of list) {
      const labels = p.selector?.matchLabels ?? {};
      assert.equal(p.selector?.matchExpressions, undefined);
      assert.deepEqual(Object.keys(labels).sort(), ['arch', 'os'], 'selectors use os and arch only');
      assert.match(p.uri ?? '', /\.(tar\.gz|zip)$/);
      const file = basename(p.uri ?? '');
      assert.equal(p.uri, `https://github.com/${repo[1]}/${repo[2]}/releases/download/v${version}/${file}`);
      assert.match(p.sha256 ?? '', /^[a-f0-9]{64}$/, 'lowercase sha256');
      const archive = join(out, file);
      assert.equal(p.sha256, createHash('sha256').update(readFileSync(archive)).digest('hex'), `sha256 of ${file}`);
      const exe = labels.os === 'windows' ? 'kubectl-verify.exe' : 'kubectl-verify';
      assert.equal(p.bin, exe);
      const names = archiveNames(archive);
      for (const f of p.files ?? []) {
        assert.ok(f.from && f.to, 'files: from and to');
        // a file, or a directory (lib) that krew moves whole
        assert.ok(names.includes(f.from) || names.includes(`${f.from}/`), `${f.from} is not in ${file}`);
      }
      // krew installs only what `files` copies: the binary and LICENSE must both be among them
      const copied = (p.files ?? []).map((f) => f.from);
      assert.ok(copied.includes(exe) && copied.includes('LICENSE'), `${file}: files copy ${copied.join(', ')}`);
      // and lib/, which the executable loads openpgp.js from, kept at the same place beside it
      assert.deepEqual(
        (p.files ?? []).filter((f) => f.from === 'lib'),
        [{ from: 'lib', to: 'lib' }],
      );
      for (const n of [exe, 'LICENSE', 'README.md', ...(file.endsWith('.zip') ? [] : ['kubectl_complete-verify'])]) assert.ok(names.includes(n), `${n} is not in ${file}`);
    }
    // no two platforms may match the same os/arch
    const keys = list.map((p) => `${p.selector?.matchLabels?.os}/${p.selector?.matchLabels?.arch}`);
    assert.deepEqual([...keys].sort(), platforms.map((p) => `${p.os}/${p.arch}`).sort());
    assert.equal(new Set(keys).size, keys.length, 'selectors overlap');
  });

  it('puts a Windows executable in the zip', () => {
    const entries = zipEntries(readFileSync(join(out, `kubectl-verify_v${version}_windows_amd64.zip`)));
    const exe = entries.get('kubectl-verify.exe')?.();
    assert.ok(exe, 'kubectl-verify.exe');
    assert.equal(exe.toString('latin1', 0, 2), 'MZ');
    assert.equal(exe.toString('latin1', exe.readUInt32LE(0x3c), exe.readUInt32LE(0x3c) + 4), 'PE\0\0');
  });

  it('writes the Flux plugin catalog entry for the same archives', () => {
    const flux = parse(readFileSync(join(out, 'flux-plugin-verify.yaml'), 'utf8')) as {
      apiVersion?: string;
      kind?: string;
      name?: string;
      bin?: string;
      versions?: { version?: string; platforms?: { os?: string; arch?: string; url?: string; checksum?: string; extractPath?: string }[] }[];
    };
    assert.equal(flux.apiVersion, 'cli.fluxcd.io/v1beta1');
    assert.equal(flux.kind, 'Plugin');
    assert.equal(flux.name, 'verify');
    // Flux installs `bin` as the plugin's file name and requires the flux- prefix
    assert.equal(flux.bin, 'flux-verify');
    assert.equal(flux.versions?.[0]?.version, version);
    const list = flux.versions?.[0]?.platforms ?? [];
    assert.deepEqual(list.map((p) => `${p.os}/${p.arch}`).sort(), platforms.map((p) => `${p.os}/${p.arch}`).sort());
    for (const p of list) {
      const file = join(out, basename(p.url ?? ''));
      assert.equal(p.checksum, `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`);
      assert.ok(p.extractPath && archiveNames(file).includes(p.extractPath), `${p.extractPath} in ${file}`);
    }
  });

  describe('the linux/amd64 binary, on a PATH without Node', () => {
    const bin = join(scratch, 'bin');
    const home = join(scratch, 'home');
    let env: NodeJS.ProcessEnv;

    before(async () => {
      mkdirSync(bin, { recursive: true });
      mkdirSync(home, { recursive: true });
      await mustRun('tar', ['-xzf', join(out, `kubectl-verify_v${version}_linux_amd64.tar.gz`), '-C', bin, 'kubectl-verify', 'LICENSE', 'lib']);
      const kubectl = kubectlBin();
      env = { PATH: [bin, dirname(kubectl)].join(delimiter), HOME: home, KUBECONFIG: join(home, 'no-kubeconfig') };
    });

    it('has no node on that PATH', () => {
      for (const dir of (env.PATH ?? '').split(delimiter)) assert.ok(!isExecutableFile(join(dir, 'node')), `node found in ${dir}`);
      const r = spawnSync('/bin/sh', ['-c', 'command -v node'], { env, encoding: 'utf8' });
      assert.notEqual(r.status, 0, `node is on the PATH: ${r.stdout}`);
    });

    it('is listed by kubectl plugin list', async () => {
      const r = await runTool(kubectlBin(), ['plugin', 'list'], { env });
      assert.match(r.stdout, new RegExp(`${join(bin, 'kubectl-verify').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`));
    });

    it('prints its version through kubectl', async () => {
      const r = await runTool(kubectlBin(), ['verify', '--version'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    });

    it('verifies a signed artifact of the lab through kubectl', async () => {
      const c = lab().seed.cases.find((x) => x.name === 'cosign-bundle-ecdsa');
      assert.ok(c, 'the lab has no cosign-bundle-ecdsa case');
      const r = await runTool(kubectlBin(), ['verify', ...artifactArgs(c, lab().seed.material), '-o', 'json'], { env });
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout) as { state?: string };
      assert.equal(result.state, 'verified');
      // and refuses one signed by another key
      const wrong = lab().seed.cases.find((x) => x.name === 'wrong-key');
      assert.ok(wrong);
      const rejected = await runTool(kubectlBin(), ['verify', ...artifactArgs(wrong, lab().seed.material)], { env });
      assert.equal(rejected.code, 1, rejected.stderr);
    });

    it('shows the embedded demo through kubectl, with nothing but the binary', async () => {
      const r = await runTool(kubectlBin(), ['verify', '--demo', '-o', 'table'], { env });
      assert.equal(r.code, 1, `the demo has findings: ${r.stderr}`);
      assert.match(r.stdout, /OCIRepository\s+podinfo\s+6\.5\.0@sha256:[0-9a-f]{8}\s+✔ verified/);
      assert.match(r.stdout, /OCIRepository\s+billing\s+.*wrong key/);
      assert.match(r.stderr, /^demo: a built-in fleet/m);
    });

    it('loads openpgp.js from lib/ beside the real executable when run through a symlink, as krew installs it', async () => {
      // krew's layout: the archive's files under store/verify/<version>/, a symlink to the binary in its bin/
      const store = join(scratch, 'krew', 'store', 'verify', `v${version}`);
      const krewBin = join(scratch, 'krew', 'bin');
      mkdirSync(store, { recursive: true });
      mkdirSync(krewBin, { recursive: true });
      await mustRun('tar', ['-xzf', join(out, `kubectl-verify_v${version}_linux_amd64.tar.gz`), '-C', store, 'kubectl-verify', 'lib', 'LICENSE']);
      symlinkSync(join(store, 'kubectl-verify'), join(krewBin, 'kubectl-verify'));
      const probe = await openpgpProbe();
      const krewEnv = { ...env, PATH: [krewBin, dirname(kubectlBin())].join(delimiter), KUBECTL_VERIFY_SELF_CHECK: 'openpgp' };
      const r = await runTool(kubectlBin(), ['verify'], { env: krewEnv, input: JSON.stringify(probe) });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^OpenPGP\\.js \\S+ from ${join(store, 'lib', 'openpgp.mjs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: signature by [0-9a-f]{16} verified\\n$`));
      const changed = await runTool(kubectlBin(), ['verify'], { env: krewEnv, input: JSON.stringify({ ...probe, message: 'another text' }) });
      assert.equal(changed.code, 3, changed.stdout);
    });

    it('starts without lib/, and says what OpenPGP needs only when it is used', async () => {
      const alone = join(scratch, 'alone');
      mkdirSync(alone);
      copyFileSync(join(bin, 'kubectl-verify'), join(alone, 'kubectl-verify'));
      const v = await runTool(join(alone, 'kubectl-verify'), ['--version'], { env });
      assert.deepEqual([v.code, v.stdout, v.stderr], [0, `${version}\n`, '']);
      const demo = await runTool(join(alone, 'kubectl-verify'), ['--demo', '-o', 'json'], { env });
      assert.equal(demo.code, 1, demo.stderr);
      const r = await runTool(join(alone, 'kubectl-verify'), [], { env: { ...env, KUBECTL_VERIFY_SELF_CHECK: 'openpgp' }, input: JSON.stringify(await openpgpProbe()) });
      assert.equal(r.code, 3);
      assert.equal(
        r.stderr,
        `error: self-check openpgp: OpenPGP verification needs lib/openpgp.mjs beside the kubectl-verify executable (it is LGPL-licensed and shipped as a replaceable file): ${join(alone, 'lib', 'openpgp.mjs')} not found\n`,
      );
    });

    it('answers as flux verify when installed as flux-verify (symlink or copy)', async () => {
      const linked = join(scratch, 'flux-link');
      const copied = join(scratch, 'flux-copy');
      mkdirSync(linked);
      mkdirSync(copied);
      symlinkSync(join(bin, 'kubectl-verify'), join(linked, 'flux-verify'));
      copyFileSync(join(bin, 'kubectl-verify'), join(copied, 'flux-verify'));
      for (const dir of [linked, copied]) {
        const flux = join(dir, 'flux-verify');
        const help = await runTool(flux, ['--help'], { env });
        assert.equal(help.code, 0, help.stderr);
        assert.match(help.stdout, /^ {2}flux verify \[flags\]/m);
        assert.match(help.stdout, /^ {2}flux verify artifact REF \[flags\]/m);
        assert.doesNotMatch(help.stdout, /kubectl verify/);
        const usage = await runTool(flux, ['frobnicate'], { env });
        assert.equal(usage.code, 2);
        assert.equal(usage.stderr, `error: unknown command "frobnicate" for "flux verify" (see 'flux verify --help')\n`);
      }
      // the original name still reads as kubectl's
      const direct = await runTool(join(bin, 'kubectl-verify'), ['--help'], { env });
      assert.match(direct.stdout, /^ {2}kubectl verify \[flags\]/m);
      assert.ok(existsSync(join(bin, 'LICENSE')));
    });
  });
});
