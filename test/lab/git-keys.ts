import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './tools.js';

/**
 * Signing keys for the Git lab, made by the real gpg and ssh-keygen of this machine in a throw-away
 * GNUPGHOME (0700): what people sign commits and tags with, and what their verify Secrets hold.
 *
 * OpenPGP: `signer` (an ed25519 certify-only primary with an ed25519 signing subkey, so that the key
 * Flux names — the primary's ID — differs from the one that signed), `other` (in no Secret), `expired`
 * (made on 2020-01-01 with a one-day expiry, and used at that time, so it is expired now).
 * SSH: `ssh-signer` and `ssh-other`, ed25519.
 */
export type PgpName = 'signer' | 'other' | 'expired';
export type SshName = 'ssh-signer' | 'ssh-other';

export interface PgpKey {
  readonly kind: 'openpgp';
  readonly name: PgpName;
  readonly uid: string;
  /** the primary key's fingerprint, 40 upper-case hex */
  readonly fingerprint: string;
  /** the primary key's 64-bit ID, 16 upper-case hex: the ID Flux's SourceVerified names */
  readonly keyId: string;
  /** the key that makes the signatures: the signing subkey, or the primary */
  readonly signingFingerprint: string;
  /** the armored public key (`gpg --export --armor`), as a Secret's `<name>.asc` holds it */
  readonly asc: string;
  /** a gpg for git's gpg.program that signs at the key's time (the past, for `expired`) */
  readonly gpgProgram: string;
}

export interface SshKey {
  readonly kind: 'ssh';
  readonly name: SshName;
  /** the private key file (0600), what git's user.signingkey names */
  readonly privateKey: string;
  /** `ssh-ed25519 AAAA… comment`, as a Secret's `<name>.sshpub` holds it (authorized_keys format) */
  readonly authorizedKey: string;
  /** `SHA256:<base64>` as `ssh-keygen -lf` prints it: the ID Flux's SourceVerified names */
  readonly fingerprint: string;
}

export type GitKey = PgpKey | SshKey;

export interface GitKeys {
  readonly dir: string;
  readonly pgp: Readonly<Record<PgpName, PgpKey>>;
  readonly ssh: Readonly<Record<SshName, SshKey>>;
  /** environment for git with these keys: no user or system config, the lab's GNUPGHOME */
  readonly env: NodeJS.ProcessEnv;
  /** `git -c …` arguments that make `commit -S` / `tag -s` sign with this key */
  signArgs(key: GitKey): string[];
  /**
   * Environment and config for `git verify-commit` / `git verify-tag` that trust exactly these keys,
   * as a verify Secret holding them does: a fresh GNUPGHOME with only the OpenPGP keys imported, and an
   * allowed-signers file (`* <key>`: any principal) with only the SSH keys.
   */
  verifier(keys: readonly GitKey[]): Promise<{ env: NodeJS.ProcessEnv; config: string[] }>;
  close(): Promise<void>;
}

/** gpg 2.2's `--faked-system-time` format; the expired key lives on this day */
export const EXPIRED_KEY_TIME = '20200101T000000';
const EXPIRED_SIGN_TIME = '20200101T120000';

function gpgEnv(home: string): NodeJS.ProcessEnv {
  return { GNUPGHOME: home, LC_ALL: 'C' };
}

async function gpg(home: string, args: readonly string[]): Promise<string> {
  return mustRun('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env: gpgEnv(home) });
}

async function primaryOf(home: string, uid: string): Promise<{ fingerprint: string; keyId: string; signing: string }> {
  const out = await mustRun('gpg', ['--batch', '--with-colons', '--list-keys', uid], { env: gpgEnv(home) });
  const lines = out.split('\n').map((l) => l.split(':'));
  const fprs: { type: string; caps: string; fpr: string }[] = [];
  let last: { type: string; caps: string } | undefined;
  for (const f of lines) {
    if (f[0] === 'pub' || f[0] === 'sub') last = { type: f[0], caps: f[11] ?? '' };
    else if (f[0] === 'fpr' && last) fprs.push({ ...last, fpr: f[9] ?? '' });
  }
  const primary = fprs.find((x) => x.type === 'pub');
  if (!primary) throw new Error(`gpg lists no primary key for ${uid}:\n${out}`);
  // gpg signs with the newest signing-capable subkey, else the primary
  const signing = [...fprs].reverse().find((x) => x.type === 'sub' && x.caps.includes('s')) ?? primary;
  return { fingerprint: primary.fpr, keyId: primary.fpr.slice(-16), signing: signing.fpr };
}

async function makePgp(dir: string, home: string, name: PgpName): Promise<PgpKey> {
  const uid = `Lab ${name[0]?.toUpperCase()}${name.slice(1)} <${name}@lab.test>`;
  let gpgProgram = 'gpg';
  if (name === 'signer') {
    await gpg(home, ['--quick-gen-key', uid, 'ed25519', 'cert', 'never']);
    const { fingerprint } = await primaryOf(home, uid);
    await gpg(home, ['--quick-add-key', fingerprint, 'ed25519', 'sign', 'never']);
  } else if (name === 'expired') {
    await gpg(home, ['--faked-system-time', EXPIRED_KEY_TIME, '--quick-gen-key', uid, 'ed25519', 'sign', '1d']);
    // git runs gpg.program to sign; this one signs on the key's one valid day
    gpgProgram = join(dir, 'gpg-2020');
    writeFileSync(gpgProgram, `#!/bin/sh\nexec gpg --faked-system-time ${EXPIRED_SIGN_TIME} "$@"\n`);
    chmodSync(gpgProgram, 0o755);
  } else {
    await gpg(home, ['--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  }
  const ids = await primaryOf(home, uid);
  const asc = await mustRun('gpg', ['--batch', '--armor', '--export', ids.fingerprint], { env: gpgEnv(home) });
  if (!asc.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')) throw new Error(`gpg --export --armor ${name} gave no key block`);
  return { kind: 'openpgp', name, uid, fingerprint: ids.fingerprint, keyId: ids.keyId, signingFingerprint: ids.signing, asc, gpgProgram };
}

async function makeSsh(dir: string, name: SshName): Promise<SshKey> {
  const privateKey = join(dir, name);
  await mustRun('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@lab.test`, '-f', privateKey]);
  const authorizedKey = readFileSync(`${privateKey}.pub`, 'utf8').trim();
  // "256 SHA256:… comment (ED25519)"
  const fingerprint = (await mustRun('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${privateKey}.pub`])).split(' ')[1] ?? '';
  if (!fingerprint.startsWith('SHA256:')) throw new Error(`ssh-keygen -lf ${name}: no SHA256 fingerprint`);
  return { kind: 'ssh', name, privateKey, authorizedKey, fingerprint };
}

/** Makes the lab's keys in a new directory; `close()` stops the gpg-agent and removes everything. */
export async function makeGitKeys(): Promise<GitKeys> {
  const dir = mkdtempSync(join(tmpdir(), 'kv-git-keys-'));
  const home = join(dir, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  const homes = [home];
  const close = async (): Promise<void> => {
    for (const h of homes) await mustRun('gpgconf', ['--kill', 'all'], { env: gpgEnv(h) }).catch(() => '');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pgp = { signer: await makePgp(dir, home, 'signer'), other: await makePgp(dir, home, 'other'), expired: await makePgp(dir, home, 'expired') };
    const ssh = { 'ssh-signer': await makeSsh(dir, 'ssh-signer'), 'ssh-other': await makeSsh(dir, 'ssh-other') };
    const env: NodeJS.ProcessEnv = {
      ...gpgEnv(home), HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Lab Dev', GIT_AUTHOR_EMAIL: 'dev@lab.test', GIT_COMMITTER_NAME: 'Lab Dev', GIT_COMMITTER_EMAIL: 'dev@lab.test',
    };
    const signArgs = (key: GitKey): string[] =>
      key.kind === 'openpgp'
        ? ['-c', 'gpg.format=openpgp', '-c', `gpg.program=${key.gpgProgram}`, '-c', `user.signingkey=${key.fingerprint}`]
        : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.privateKey}`];
    let n = 0;
    const verifier = async (keys: readonly GitKey[]): Promise<{ env: NodeJS.ProcessEnv; config: string[] }> => {
      const vdir = join(dir, `verifier-${n++}`);
      const vhome = join(vdir, 'gnupg');
      mkdirSync(vhome, { recursive: true, mode: 0o700 });
      homes.push(vhome);
      for (const k of keys) if (k.kind === 'openpgp') await mustRun('gpg', ['--batch', '--import'], { env: gpgEnv(vhome), input: k.asc });
      const allowed = join(vdir, 'allowed_signers');
      writeFileSync(allowed, keys.flatMap((k) => (k.kind === 'ssh' ? [`* ${k.authorizedKey}\n`] : [])).join(''));
      return { env: { ...env, ...gpgEnv(vhome) }, config: ['-c', 'gpg.program=gpg', '-c', `gpg.ssh.allowedSignersFile=${allowed}`] };
    };
    return { dir, pgp, ssh, env, signArgs, verifier, close };
  } catch (e) {
    await close();
    throw e;
  }
}
