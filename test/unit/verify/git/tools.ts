import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawGitObject } from '../../../../src/verify/git/index.js';

/**
 * Real vectors from the real tools: a throw-away GNUPGHOME, ssh-keygen keys and a git repository
 * in a temp dir. Nothing here is checked in; every run makes new keys.
 */
export class Lab {
  readonly dir = mkdtempSync(join(tmpdir(), 'kv-git-'));
  readonly gnupg = join(this.dir, 'gnupg');
  readonly repo = join(this.dir, 'repo');
  private n = 0;

  constructor() {
    mkdirSync(this.gnupg, { mode: 0o700 });
    chmodSync(this.gnupg, 0o700);
    mkdirSync(this.repo);
    this.git(['init', '-q', '-b', 'main']);
  }

  dispose(): void {
    spawnSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: this.gnupg } });
    rmSync(this.dir, { recursive: true, force: true });
  }

  gpg(args: readonly string[], input?: string, home = this.gnupg): string {
    return execFileSync('gpg', ['--batch', '--no-tty', '--quiet', ...args], { env: { ...process.env, GNUPGHOME: home }, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** A new key; returns its primary fingerprint. `faked` runs gpg at that time (YYYYMMDDThhmmss). */
  genKey(uid: string, algo: string, usage: string, expire: string, faked?: string): string {
    this.gpg([...(faked ? [`--faked-system-time=${faked}!`] : []), '--passphrase', '', '--quick-gen-key', uid, algo, usage, expire]);
    return this.fingerprint(uid);
  }

  fingerprint(uid: string): string {
    const out = this.gpg(['--with-colons', '--list-keys', uid]);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(out)?.[1];
    if (!fpr) throw new Error(`no fingerprint for ${uid}`);
    return fpr;
  }

  /** gpg's long key ID of the primary key, as `--list-keys --keyid-format long` shows it. */
  keyId(fpr: string): string {
    const out = this.gpg(['--keyid-format', 'long', '--list-keys', fpr]);
    const id = /^pub\s+\S+\/([0-9A-F]{16})/m.exec(out)?.[1];
    if (!id) throw new Error(`no key ID for ${fpr}`);
    return id;
  }

  exportKey(fpr: string): string {
    return this.gpg(['--armor', '--export', fpr]);
  }

  /** A gpg wrapper that signs as if at `faked`, for git's gpg.program. */
  fakedGpg(faked: string): string {
    const p = join(this.dir, `gpg-${faked}.sh`);
    writeFileSync(p, `#!/bin/sh\nexec gpg --faked-system-time=${faked}! "$@"\n`, { mode: 0o755 });
    return p;
  }

  git(args: readonly string[], env: Record<string, string> = {}, input?: string): string {
    return execFileSync('git', args, {
      cwd: this.repo,
      env: { ...process.env, GNUPGHOME: this.gnupg, GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir, GIT_AUTHOR_NAME: 'A U Thor', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'C O Mitter', GIT_COMMITTER_EMAIL: 'c@example.com', ...env },
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Exit status of a git command (verify-commit, verify-tag). */
  gitStatus(args: readonly string[], env: Record<string, string> = {}): number {
    const r = spawnSync('git', args, { cwd: this.repo, env: { ...process.env, GNUPGHOME: this.gnupg, HOME: this.dir, GIT_CONFIG_NOSYSTEM: '1', ...env } });
    return r.status ?? -1;
  }

  /** A new commit on main, signed with `sign` (git -c options), or unsigned. Returns its id. */
  commit(sign: readonly string[] | undefined, message = `change ${String(++this.n)}`): string {
    writeFileSync(join(this.repo, 'file.txt'), `${message}\n`);
    this.git(['add', 'file.txt']);
    this.git([...(sign ?? []), 'commit', '-q', ...(sign ? ['-S'] : ['--no-gpg-sign']), '-m', message]);
    return this.git(['rev-parse', 'HEAD']).trim();
  }

  pgpSign(fpr: string, program = 'gpg'): string[] {
    return ['-c', `user.signingkey=${fpr}`, '-c', `gpg.program=${program}`];
  }

  sshSign(pubFile: string): string[] {
    return ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${pubFile}`];
  }

  /** The raw object as git stores it, read back with `git cat-file`. */
  object(type: 'commit' | 'tag', id: string): RawGitObject {
    const body = execFileSync('git', ['cat-file', type, id], { cwd: this.repo });
    return { type, id, body: new Uint8Array(body) };
  }

  /** Writes `body` as an object of `type` into the repo (git hash-object), returning its id. */
  writeObject(type: 'commit' | 'tag', body: Uint8Array): string {
    return execFileSync('git', ['hash-object', '-t', type, '-w', '--stdin', '--literally'], { cwd: this.repo, input: body, encoding: 'utf8' }).trim();
  }

  sshKeygen(name: string, type: string, bits?: number): { priv: string; pub: string; fingerprint: string; line: string } {
    const priv = join(this.dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), '-N', '', '-C', `${name}@test`, '-f', priv]);
    const pub = `${priv}.pub`;
    const fingerprint = /^\d+ (SHA256:\S+)/.exec(execFileSync('ssh-keygen', ['-lf', pub], { encoding: 'utf8' }))?.[1];
    if (!fingerprint) throw new Error('no ssh fingerprint');
    return { priv, pub, fingerprint, line: readFileSync(pub, 'utf8') };
  }

  /** `ssh-keygen -Y sign` over `data` in namespace `ns`; the armored signature. */
  sshSignData(priv: string, ns: string, data: Uint8Array): string {
    const f = join(this.dir, `data-${String(++this.n)}`);
    writeFileSync(f, data);
    execFileSync('ssh-keygen', ['-q', '-Y', 'sign', '-n', ns, '-f', priv, f], { stdio: 'pipe' });
    return readFileSync(`${f}.sig`, 'utf8');
  }

  /** gpg --verify of a detached signature over `payload`, in `home`: true when gpg reports a good signature. */
  gpgVerifies(signature: string, payload: Uint8Array, home = this.gnupg): boolean {
    const f = join(this.dir, `payload-${String(++this.n)}`);
    writeFileSync(f, payload);
    writeFileSync(`${f}.asc`, signature);
    const r = spawnSync('gpg', ['--batch', '--status-fd', '1', '--verify', `${f}.asc`, f], { env: { ...process.env, GNUPGHOME: home }, encoding: 'utf8' });
    return r.status === 0 && /\[GNUPG:\] GOODSIG /.test(r.stdout);
  }
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Inserts a `gpgsig` header (with continuation lines) after the committer line, as git writes it. */
export function withGpgsig(body: Uint8Array, signature: string): Uint8Array {
  const text = Buffer.from(body).toString('utf8');
  const end = text.indexOf('\n\n');
  const header = 'gpgsig ' + signature.replace(/\n$/, '').split('\n').join('\n ') + '\n';
  return bytes(text.slice(0, end + 1) + header + text.slice(end + 1));
}
