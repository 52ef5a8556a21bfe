import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerifyError } from '../errors.js';
import { gitRemoteError, type GitRemoteError } from './errors.js';
import type { PackObject } from './pack.js';
import type { RemoteRef } from './types.js';

export interface SshSessionOptions {
  /** ssh:// or scp-like URL, as `git` takes it */
  readonly url: string;
  readonly display: string;
  readonly identity?: Uint8Array;
  readonly knownHosts?: string;
  /** the ssh program (tests put a fake one here); default `ssh` */
  readonly sshCommand: string;
  /** the git program; default `git` */
  readonly gitCommand: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly signal?: AbortSignal;
}

/**
 * SSH remotes go through the user's `git` and `ssh`. Everything secret lives in one fresh mkdtemp
 * directory (mode 0700): the identity (0600), the Secret's known_hosts, a scratch bare repository.
 * The directory is removed when `fn` settles, aborted or not. No user or system configuration of git
 * or ssh takes part: HOME is the temp directory, GIT_CONFIG_NOSYSTEM, `ssh -F /dev/null`.
 */
export async function withSshSession<T>(o: SshSessionOptions, fn: (s: SshSession) => Promise<T>): Promise<T> {
  if (!o.knownHosts || o.knownHosts.trim() === '') {
    throw gitRemoteError('git-remote.auth', `${o.display}: an SSH remote needs known_hosts in the auth Secret (Flux requires it too)`);
  }
  if (!o.identity || o.identity.length === 0) throw gitRemoteError('git-remote.auth', `${o.display}: an SSH remote needs an identity (private key) in the auth Secret`);
  if (isEncryptedKey(o.identity)) throw gitRemoteError('git-remote.unsupported', `${o.display}: the SSH identity is encrypted; reading with a passphrase is not supported`);
  const dir = await mkdtemp(join(tmpdir(), 'kv-git-ssh-'));
  try {
    const identity = join(dir, 'identity');
    const knownHosts = join(dir, 'known_hosts');
    const key = Buffer.from(o.identity);
    await writeFile(identity, key[key.length - 1] === 0x0a ? key : Buffer.concat([key, Buffer.from('\n')]), { mode: 0o600, flag: 'wx' });
    await writeFile(knownHosts, o.knownHosts.endsWith('\n') ? o.knownHosts : `${o.knownHosts}\n`, { mode: 0o600, flag: 'wx' });
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const sshCommand = [
      o.sshCommand,
      '-F /dev/null',
      `-i ${q(identity)}`,
      '-o IdentitiesOnly=yes',
      `-o UserKnownHostsFile=${q(knownHosts)}`,
      '-o GlobalKnownHostsFile=/dev/null',
      '-o StrictHostKeyChecking=yes',
      '-o BatchMode=yes',
    ].join(' ');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      LANG: 'C',
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '/bin/false',
      SSH_ASKPASS: '/bin/false',
      GIT_SSH_COMMAND: sshCommand,
      // the options above are OpenSSH's; saying so spares git probing the program with -G
      GIT_SSH_VARIANT: 'ssh',
    };
    return await fn(new SshSession(o, dir, env));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** OpenSSH keys name their cipher; PEM keys say ENCRYPTED. */
function isEncryptedKey(key: Uint8Array): boolean {
  const text = Buffer.from(key).toString('utf8');
  if (/Proc-Type:\s*4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(text)) return true;
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return false;
  const raw = Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.subarray(0, magic.length).toString('latin1') !== magic || raw.length < magic.length + 4) return false;
  const len = raw.readUInt32BE(magic.length);
  return raw.subarray(magic.length + 4, magic.length + 4 + len).toString('latin1') !== 'none';
}

export class SshSession {
  readonly #o: SshSessionOptions;
  readonly #dir: string;
  readonly #env: NodeJS.ProcessEnv;
  #repo: Promise<string> | undefined;

  constructor(o: SshSessionOptions, dir: string, env: NodeJS.ProcessEnv) {
    this.#o = o;
    this.#dir = dir;
    this.#env = env;
  }

  async listRefs(prefixes: readonly string[]): Promise<RemoteRef[]> {
    const out = (await this.#git(['-c', 'protocol.version=2', 'ls-remote', '--symref', this.#o.url], 'ls-remote')).toString('utf8');
    const refs = new Map<string, { id: string; peeled?: string; symrefTarget?: string }>();
    const symrefs = new Map<string, string>();
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const [left, name] = line.split('\t');
      if (left === undefined || name === undefined) continue;
      if (left.startsWith('ref: ')) {
        symrefs.set(name, left.slice(5));
        continue;
      }
      if (!/^[0-9a-f]{40}$/.test(left)) throw gitRemoteError('git-remote.protocol', `${this.#o.display}: unexpected ls-remote line`);
      if (name.endsWith('^{}')) {
        const base = refs.get(name.slice(0, -3));
        if (base) base.peeled = left;
      } else {
        refs.set(name, { id: left });
      }
    }
    const all: RemoteRef[] = [...refs].map(([name, r]) => {
      const t = symrefs.get(name);
      return { name, id: r.id, ...(r.peeled !== undefined && { peeled: r.peeled }), ...(t !== undefined && { symrefTarget: t }) };
    });
    return all.filter((r) => prefixes.length === 0 || prefixes.some((p) => r.name.startsWith(p)));
  }

  /** Fetches `ids` (depth 1, commits and tags only when the server filters) and reads them back raw. */
  async fetchObjects(ids: readonly string[]): Promise<Map<string, PackObject>> {
    const repo = await this.#scratch();
    await this.#git(['-C', repo, '-c', 'protocol.version=2', 'fetch', '-q', '--no-tags', '--no-write-fetch-head', '--depth=1', '--filter=tree:0', 'origin', ...ids], 'fetch');
    const out = await this.#git(['-C', repo, 'cat-file', '--batch'], 'cat-file', `${ids.join('\n')}\n`);
    const found = new Map<string, PackObject>();
    let at = 0;
    while (at < out.length) {
      const nl = out.indexOf(0x0a, at);
      if (nl < 0) break;
      const header = out.subarray(at, nl).toString('utf8').split(' ');
      at = nl + 1;
      if (header[1] === 'missing' || header.length !== 3) continue;
      const size = Number(header[2]);
      const type = header[1];
      if (type !== 'commit' && type !== 'tag' && type !== 'tree' && type !== 'blob') throw gitRemoteError('git-remote.protocol', `${this.#o.display}: cat-file answered type ${type}`);
      found.set(header[0] ?? '', { type, body: new Uint8Array(out.subarray(at, at + size)) });
      at += size + 1;
    }
    return found;
  }

  #scratch(): Promise<string> {
    this.#repo ??= (async () => {
      const repo = join(this.#dir, 'repo.git');
      await this.#git(['init', '-q', '--bare', repo], 'init');
      // a partial clone needs its remote named as the promisor; only the URL goes into this config
      for (const [k, v] of [
        ['core.repositoryformatversion', '1'],
        ['extensions.partialclone', 'origin'],
        ['remote.origin.url', this.#o.url],
        ['remote.origin.promisor', 'true'],
        ['remote.origin.partialclonefilter', 'tree:0'],
      ] as const) {
        await this.#git(['-C', repo, 'config', k, v], 'config');
      }
      return repo;
    })();
    return this.#repo;
  }

  #git(args: readonly string[], what: string, input?: string): Promise<Buffer> {
    const where = `${this.#o.display}: git ${what}`;
    const signal = this.#o.signal;
    return new Promise<Buffer>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      // its own process group, so that an abort also ends the ssh that git started
      const child = spawn(this.#o.gitCommand, args, { cwd: this.#dir, env: this.#env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let total = 0;
      let stderr = '';
      let failure: unknown;
      const kill = (why: unknown): void => {
        failure ??= why;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => kill(gitRemoteError('git-remote.timeout', `${where}: no answer within ${this.#o.timeoutMs} ms`)), this.#o.timeoutMs);
      const onAbort = (): void => kill(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => {
        total += c.length;
        if (total > this.#o.maxResponseBytes) kill(gitRemoteError('git-remote.too-large', `${where}: more than ${this.#o.maxResponseBytes} bytes`));
        else chunks.push(c);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        if (stderr.length < 8192) stderr += d;
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
      child.on('error', (e: NodeJS.ErrnoException) => {
        failure ??= e.code === 'ENOENT' ? gitRemoteError('git-remote.unsupported', `${this.#o.display}: reading an SSH remote needs the 'git' program on PATH, and it is not there`) : e;
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (failure !== undefined) reject(failure instanceof VerifyError || failure === signal?.reason ? failure : gitRemoteError('git-remote.unreachable', `${where}: ${String(failure)}`, failure));
        else if (code !== 0) reject(sshFailure(stderr, where));
        else resolve(Buffer.concat(chunks, total));
      });
    });
  }
}

function sshFailure(stderr: string, where: string): GitRemoteError {
  const text = stderr.replace(/[^\x20-\x7e\n]/g, '?').trim();
  const last = text.split('\n').filter(Boolean).slice(-2).join(' / ').slice(0, 300);
  const msg = `${where}: ${last || 'failed'}`;
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(text)) return gitRemoteError('git-remote.auth', `${msg} (the host key is not in known_hosts)`);
  if (/Permission denied|Authentication failed|invalid format|Load key/i.test(text)) return gitRemoteError('git-remote.auth', msg);
  if (/not our ref|couldn't find remote ref|no such remote ref|did not send all necessary objects|unadvertised object/i.test(text)) return gitRemoteError('git-remote.ref-not-found', msg);
  if (/does not appear to be a git repository|Repository not found|No such file or directory|not found/i.test(text) && !/ssh: not found|command not found/i.test(text)) return gitRemoteError('git-remote.not-found', msg);
  if (/ssh: not found|cannot run ssh|No such file or directory.*ssh/i.test(text)) return gitRemoteError('git-remote.unsupported', `${msg} (no ssh program)`);
  if (/Could not resolve hostname|Connection refused|Connection timed out|Network is unreachable|Connection closed/i.test(text)) return gitRemoteError('git-remote.unreachable', msg);
  return gitRemoteError('git-remote.server-error', msg);
}
