import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { createDispatcher } from '../registry/transport.js';
import { gitRemoteError } from './errors.js';
import { HttpRemote } from './http.js';
import { objectId, type PackObject } from './pack.js';
import { resolveRefSpec, type RefSource } from './refs.js';
import { withSshSession } from './ssh.js';
import type { GitAccess, GitRefSpec, RawGitObject, RemoteRef, ResolvedGitRef } from './types.js';
import { parseGitUrl, type GitUrl } from './url.js';

export interface GitClientOptions {
  /** per HTTP request or git process; default 30 s */
  readonly timeoutMs?: number;
  /** one object, inflated; default 16 MiB */
  readonly maxObjectBytes?: number;
  /** one HTTP answer or one git process's output; default 256 MiB */
  readonly maxResponseBytes?: number;
  /** the ssh program for SSH remotes (tests put a fake one here); default `ssh` */
  readonly sshCommand?: string;
  /** the git program for SSH remotes; default `git` */
  readonly gitCommand?: string;
}

const HEX40 = /^[0-9a-f]{40}$/;

/**
 * Reads Git remotes the way Flux's source-controller does, for verification: resolves spec.ref to a
 * commit and revision, and fetches commit and tag objects by id, each checked against its id.
 * HTTP(S) is spoken here (smart HTTP v2, else v0); SSH goes through the user's `git`. One client can
 * serve many remotes; close() ends its HTTP connection pools.
 */
export class GitClient {
  readonly #timeoutMs: number;
  readonly #maxObjectBytes: number;
  readonly #maxResponseBytes: number;
  readonly #sshCommand: string;
  readonly #gitCommand: string;
  readonly #dispatchers = new Map<string, Dispatcher>();

  constructor(opts: GitClientOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#maxObjectBytes = opts.maxObjectBytes ?? 16 * 1024 * 1024;
    this.#maxResponseBytes = opts.maxResponseBytes ?? 256 * 1024 * 1024;
    this.#sshCommand = opts.sshCommand ?? 'ssh';
    this.#gitCommand = opts.gitCommand ?? 'git';
  }

  /** spec.ref → the commit it names now, with the revision source-controller would write. */
  async resolve(access: GitAccess, ref: GitRefSpec, signal?: AbortSignal): Promise<ResolvedGitRef> {
    return this.#withRemote(access, signal, (src) => resolveRefSpec(ref, src));
  }

  /** Every advertised ref (peeled), as `git ls-remote` lists them. */
  async listRefs(access: GitAccess, signal?: AbortSignal): Promise<RemoteRef[]> {
    return this.#withRemote(access, signal, (src) => src.listRefs([]));
  }

  /**
   * The commit and tag objects with these ids, in the order asked. Each object's bytes hash to its
   * id, or this fails with git-remote.object-mismatch; a tree or blob id is git-remote.unsupported.
   */
  async fetchObjects(access: GitAccess, ids: readonly string[], signal?: AbortSignal): Promise<RawGitObject[]> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    for (const id of wanted) if (!HEX40.test(id)) throw gitRemoteError('git-remote.ref-not-found', `'${id.slice(0, 60)}' is not a 40-hex SHA-1 object id`);
    if (wanted.length === 0) return [];
    const got = await this.#withRemote(access, signal, (src) => src.objects(wanted));
    // Source.objects has every wanted id or threw
    return ids.map((raw) => got.get(raw.toLowerCase()) as RawGitObject);
  }

  async close(): Promise<void> {
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map((d) => d.close()));
  }

  async #withRemote<T>(access: GitAccess, signal: AbortSignal | undefined, fn: (src: Source) => Promise<T>): Promise<T> {
    const url = parseGitUrl(access.url);
    if (url.transport === 'ssh') {
      return withSshSession(
        {
          url: url.url,
          display: url.display,
          ...(access.identity && { identity: access.identity }),
          ...(access.knownHosts !== undefined && { knownHosts: access.knownHosts }),
          sshCommand: this.#sshCommand,
          gitCommand: this.#gitCommand,
          timeoutMs: this.#timeoutMs,
          maxResponseBytes: this.#maxResponseBytes,
          ...(signal && { signal }),
        },
        (s) => fn(new Source(url.display, (ids) => s.fetchObjects(ids), (p) => s.listRefs(p))),
      );
    }
    const remote = new HttpRemote({
      base: url.base,
      display: url.display,
      ...authorization(access, url),
      dispatcher: this.#dispatcher(access),
      timeoutMs: this.#timeoutMs,
      maxResponseBytes: this.#maxResponseBytes,
      maxObjectBytes: this.#maxObjectBytes,
    });
    return fn(new Source(url.display, (ids) => remote.fetchPack(ids, signal), (p) => remote.listRefs(p, signal)));
  }

  #dispatcher(access: GitAccess): Dispatcher {
    const h = createHash('sha256');
    for (const part of [access.caCert, access.clientCert, access.clientKey]) h.update(part ? Buffer.from(part).toString('base64') : '-').update('|');
    h.update(JSON.stringify(access.proxy ?? null));
    const key = h.digest('hex');
    let d = this.#dispatchers.get(key);
    if (!d) {
      d = createDispatcher({
        tls: {
          ...(access.caCert && { ca: access.caCert }),
          ...(access.clientCert && { cert: access.clientCert }),
          ...(access.clientKey && { key: access.clientKey }),
        },
        ...(access.proxy && { proxyUrl: proxyUrl(access.proxy) }),
      });
      this.#dispatchers.set(key, d);
    }
    return d;
  }
}

/** go-git sends Basic auth (username or password set) or a Bearer token up front; Flux refuses both at once. */
function authorization(access: GitAccess, url: GitUrl & { transport: 'http' | 'https' }): { authorization?: string } {
  const basic = (access.username ?? '') !== '' || (access.password ?? '') !== '';
  const bearer = (access.bearerToken ?? '') !== '';
  if (basic && bearer) throw gitRemoteError('git-remote.auth', `${url.display}: basic auth and bearer token cannot be set at the same time (as Flux refuses)`);
  if (basic) return { authorization: `Basic ${Buffer.from(`${access.username ?? ''}:${access.password ?? ''}`).toString('base64')}` };
  if (bearer) return { authorization: `Bearer ${access.bearerToken ?? ''}` };
  if (url.user) return { authorization: `Basic ${Buffer.from(`${url.user.username}:${url.user.password}`).toString('base64')}` };
  return {};
}

function proxyUrl(p: NonNullable<GitAccess['proxy']>): string {
  let u: URL;
  try {
    u = new URL(p.url);
  } catch {
    throw gitRemoteError('git-remote.bad-url', 'the proxy address is not a URL');
  }
  if (p.username !== undefined) u.username = encodeURIComponent(p.username);
  if (p.password !== undefined) u.password = encodeURIComponent(p.password);
  return u.toString();
}

/** One remote as resolution and fetching see it, HTTP or SSH alike; checks every object it hands out. */
class Source implements RefSource {
  readonly #display: string;
  readonly #fetch: (ids: readonly string[]) => Promise<Map<string, PackObject>>;
  readonly #list: (prefixes: readonly string[]) => Promise<RemoteRef[]>;

  constructor(display: string, fetch: (ids: readonly string[]) => Promise<Map<string, PackObject>>, list: (prefixes: readonly string[]) => Promise<RemoteRef[]>) {
    this.#display = display;
    this.#fetch = fetch;
    this.#list = list;
  }

  listRefs(prefixes: readonly string[]): Promise<RemoteRef[]> {
    return this.#list(prefixes);
  }

  async objects(ids: readonly string[]): Promise<Map<string, RawGitObject>> {
    const got = await this.#fetch(ids);
    const out = new Map<string, RawGitObject>();
    for (const id of ids) {
      const o = got.get(id);
      // Fail closed: an object is only handed out when its bytes hash to the id that was asked for.
      if (!o || objectId(o.type, o.body) !== id) {
        throw gitRemoteError('git-remote.object-mismatch', `${this.#display}: the server sent no object that hashes to ${id}`);
      }
      if (o.type !== 'commit' && o.type !== 'tag') throw gitRemoteError('git-remote.unsupported', `${this.#display}: ${id} is a ${o.type}, not a commit or tag`);
      out.set(id, { type: o.type, id, body: o.body });
    }
    return out;
  }

  async commitTimes(ids: readonly string[]): Promise<Map<string, number>> {
    const objs = await this.objects(ids);
    const out = new Map<string, number>();
    for (const [id, o] of objs) {
      const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(Buffer.from(o.body).toString('utf8').split('\n\n')[0] ?? '');
      if (m) out.set(id, Number(m[1]));
    }
    return out;
  }

  async requireCommit(id: string): Promise<void> {
    const o = (await this.objects([id])).get(id);
    if (o?.type !== 'commit') throw gitRemoteError('git-remote.ref-not-found', `${this.#display}: ${id} is not a commit`);
  }
}
