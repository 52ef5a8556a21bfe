import { spawn } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ReplaceableLibrary } from './bundle.js';

/** Copies each replaceable library's file beside an executable, where its launcher looks for it. */
export function placeLibraries(executableDir: string, libs: readonly ReplaceableLibrary[]): void {
  for (const l of libs) {
    const to = join(executableDir, ...l.file.split('/'));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(l.source, to);
  }
}

/** A detached OpenPGP signature made here, for the executable's self-check to verify. */
export interface OpenpgpProbe {
  readonly publicKey: string;
  readonly signature: string;
  readonly message: string;
}

/** A fresh Ed25519 key and a detached signature over a short text, made with openpgp.js from node_modules. */
export async function openpgpProbe(): Promise<OpenpgpProbe> {
  const pgp = await import('openpgp');
  const { privateKey, publicKey } = await pgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'kubectl-verify release smoke test' }], format: 'object' });
  const message = `kubectl-verify release smoke test ${new Date().toISOString()}\n`;
  const signature = await pgp.sign({ message: await pgp.createMessage({ text: message }), signingKeys: privateKey, detached: true, format: 'armored' });
  return { publicKey: publicKey.armor(), signature: String(signature), message };
}

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runWith(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, input: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const SELF_CHECK = { KUBECTL_VERIFY_SELF_CHECK: 'openpgp' };

/**
 * The executable's OpenPGP library is the file beside it, and works: the launcher's self-check imports
 * `openpgp` through the same module hooks as the plugin and must verify the probe's signature with
 * lib/openpgp.mjs, reached through a symlink to the executable as krew installs it; refuse a changed
 * message; and, with the file gone, the executable must still start while the import fails with the
 * message that names the file. `work` is a scratch directory on the executable's file system.
 */
export async function smokeReplaceable(binary: string, libs: readonly ReplaceableLibrary[], probe: OpenpgpProbe, work: string): Promise<string> {
  const openpgp = libs.find((l) => l.specifier === 'openpgp');
  if (!openpgp) throw new Error('openpgp is not among the replaceable libraries (plugin/release/sea-main.cjs)');
  const file = join(dirname(binary), ...openpgp.file.split('/'));
  const ok = await runWith(binary, [], SELF_CHECK, JSON.stringify(probe));
  const verified = new RegExp(`^OpenPGP\\.js \\S+ from ${escape(file)}: signature by [0-9a-f]{16} verified\\n$`);
  if (ok.code !== 0 || !verified.test(ok.stdout)) throw new Error(`${binary}: the OpenPGP self-check failed (exit ${ok.code}): ${ok.stdout}${ok.stderr}`);

  mkdirSync(work, { recursive: true });
  const link = join(work, 'link', 'kubectl-verify');
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(binary, link);
  const viaLink = await runWith(link, [], SELF_CHECK, JSON.stringify(probe));
  if (viaLink.code !== 0 || !verified.test(viaLink.stdout)) throw new Error(`${link} → ${binary}: the self-check did not use ${file}: ${viaLink.stdout}${viaLink.stderr}`);

  const tampered = await runWith(binary, [], SELF_CHECK, JSON.stringify({ ...probe, message: `${probe.message}changed` }));
  if (tampered.code !== 3 || !/^error: self-check openpgp: .*(signature|signed)/im.test(tampered.stderr) || tampered.stderr.includes('not found')) {
    throw new Error(`${binary}: the self-check accepted a changed message (exit ${tampered.code}): ${tampered.stdout}${tampered.stderr}`);
  }

  // the same executable in a directory without lib/ (a hard link: 100 MiB need not be copied)
  const alone = join(work, 'alone', 'kubectl-verify');
  mkdirSync(dirname(alone), { recursive: true });
  rmSync(alone, { force: true });
  try {
    linkSync(binary, alone);
  } catch {
    copyFileSync(binary, alone);
  }
  const started = await runWith(alone, ['--version'], {}, '');
  if (started.code !== 0) throw new Error(`${alone} without lib/ did not start: ${started.stderr}`);
  const missing = await runWith(alone, [], SELF_CHECK, JSON.stringify(probe));
  const expected = `error: self-check openpgp: OpenPGP verification needs lib/openpgp.mjs beside the kubectl-verify executable (it is LGPL-licensed and shipped as a replaceable file): ${join(dirname(alone), 'lib', 'openpgp.mjs')} not found\n`;
  if (missing.code !== 3 || missing.stderr !== expected) throw new Error(`${alone} without lib/: expected ${JSON.stringify(expected)}, got exit ${missing.code}: ${JSON.stringify(missing.stderr)}`);
  rmSync(join(work, 'alone'), { recursive: true, force: true });
  return ok.stdout.trim();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
