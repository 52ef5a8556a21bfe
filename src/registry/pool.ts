import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Credential } from './credentials.js';
import { isVerifyError } from '../errors.js';
import { HostClient } from './host.js';
import { openRegistryOn, type HttpStoreOptions } from './http-store.js';
import type { Descriptor } from './manifest.js';
import type { RegistryRepository } from './reference.js';
import type { ArtifactStore, FetchedManifest, ReadOptions } from './store.js';

/** Opens the store behind a registry repository some other way (the embedded demo's in-memory layouts). */
export type RegistryOpener = (ref: RegistryRepository, options: HttpStoreOptions) => Promise<ArtifactStore>;

export interface RegistryPoolOptions {
  /** serves every repository instead of HTTP (the demo); reads are memoised all the same */
  readonly opener?: RegistryOpener;
  /** requests in flight per host; default 8 */
  readonly concurrency?: number;
}

/**
 * The registry side of one run (an audit, or one `artifact` command): one client per host and
 * transport settings (connection pool, HTTPS probe, request limit, shared 429 backoff, tokens per
 * credential and scope; registry/host.ts), and every read memoised for the run per (host, repository,
 * credential): digest-addressed reads (a manifest or blob by digest, the referrers of a digest) are
 * immutable, and a tag's resolution, a tag's manifest and the tag list are taken as of the first read,
 * so that every plan of the run judges the same registry state. Concurrent identical reads share one
 * request. Stores handed out need no closing: `close()` ends everything at the end of the run.
 */
export class RegistryPool {
  readonly #opts: RegistryPoolOptions;
  readonly #clients = new Map<string, HostClient>();
  readonly #memos = new Map<string, Memo>();
  readonly #opened = new Map<string, Promise<ArtifactStore>>();
  #closed = false;

  constructor(opts: RegistryPoolOptions = {}) {
    this.#opts = opts;
  }

  /**
   * The key under which reads are shared: host, transport settings, repository and the credential's
   * content. Two Secrets holding the same credential share; different credentials never do (a
   * registry may show them different content, or refuse one).
   */
  readKey(repo: RegistryRepository, options: HttpStoreOptions): string {
    return `${clientKey(repo.host, options)}\n${repo.repository}\n${credentialKey(options.credential)}`;
  }

  /** A store for the repository as these options reach it; reads through it are shared within the run. */
  async store(repo: RegistryRepository, options: HttpStoreOptions = {}): Promise<ArtifactStore> {
    if (this.#closed) throw new Error('registry pool used after close');
    const key = this.readKey(repo, options);
    let memo = this.#memos.get(key);
    if (!memo) {
      const inner = await this.#open(key, repo, options);
      memo = this.#memos.get(key) ?? new Memo(inner);
      this.#memos.set(key, memo);
    }
    return memo.store;
  }

  async #open(key: string, repo: RegistryRepository, options: HttpStoreOptions): Promise<ArtifactStore> {
    const opener = this.#opts.opener;
    if (opener) {
      let p = this.#opened.get(key);
      if (!p) this.#opened.set(key, (p = opener({ kind: 'registry', host: repo.host, repository: repo.repository }, options)));
      return p;
    }
    const ck = clientKey(repo.host, options);
    let client = this.#clients.get(ck);
    if (!client) {
      client = new HostClient(repo.host, options, { ...(this.#opts.concurrency !== undefined ? { concurrency: this.#opts.concurrency } : {}), ...(options.now ? { now: options.now } : {}) });
      this.#clients.set(ck, client);
    }
    return openRegistryOn(client, repo.repository, options, credentialKey(options.credential));
  }

  /** the host client for a host and options, once one was made (tests) */
  client(host: string, options: HttpStoreOptions = {}): HostClient | undefined {
    return this.#clients.get(clientKey(host, options));
  }

  async close(): Promise<void> {
    this.#closed = true;
    const opened = [...this.#opened.values()];
    const clients = [...this.#clients.values()];
    this.#opened.clear();
    this.#clients.clear();
    this.#memos.clear();
    await Promise.allSettled([...opened.map(async (p) => (await p).close()), ...clients.map((c) => c.close())]);
  }
}

/** One repository as one credential sees it, read once per run. */
class Memo {
  readonly #inner: ArtifactStore;
  readonly #reads = new Map<string, Promise<unknown>>();
  readonly store: ArtifactStore;

  constructor(inner: ArtifactStore) {
    this.#inner = inner;
    this.store = {
      location: inner.location,
      resolve: (reference, opts) => this.#resolve(reference, opts),
      fetchManifest: (reference, opts) => this.#fetchManifest(reference, opts),
      fetchBlob: (blob, opts) => {
        const digest = typeof blob === 'string' ? blob : blob.digest;
        const size = typeof blob === 'string' ? '' : String(blob.size);
        return this.#once(`blob\n${digest}\n${size}\n${opts?.maxBytes ?? ''}`, () => inner.fetchBlob(blob, opts));
      },
      listTags: (opts) => this.#once('tags', () => inner.listTags(opts)),
      listReferrers: (subject, opts) => this.#once(`referrers\n${subject}\n${opts?.artifactType ?? ''}\n${opts?.maxBytes ?? ''}`, () => inner.listReferrers(subject, opts)),
      // the pool closes what it opened, at the end of the run
      close: async () => undefined,
    };
  }

  #resolve(reference: string, opts: ReadOptions | undefined): Promise<Descriptor> {
    return this.#once(`resolve\n${reference}\n${opts?.maxBytes ?? ''}`, async () => {
      const d = await this.#inner.resolve(reference, opts);
      // what a tag resolves to is also what its digest resolves to: verifying that digest needs no second request
      this.#seed(`resolve\n${d.digest}\n${opts?.maxBytes ?? ''}`, d);
      return d;
    });
  }

  #fetchManifest(reference: string, opts: ReadOptions | undefined): Promise<FetchedManifest> {
    return this.#once(`manifest\n${reference}\n${opts?.maxBytes ?? ''}`, async () => {
      const m = await this.#inner.fetchManifest(reference, opts);
      this.#seed(`manifest\n${m.descriptor.digest}\n${opts?.maxBytes ?? ''}`, m);
      this.#seed(`resolve\n${m.descriptor.digest}\n${opts?.maxBytes ?? ''}`, m.descriptor);
      return m;
    });
  }

  #seed(key: string, value: unknown): void {
    if (!this.#reads.has(key)) this.#reads.set(key, Promise.resolve(value));
  }

  /**
   * One read per key. A registry's answer, failures included (not found, refused, rate limited), holds
   * for the run; anything else (an abort, a bug) is forgotten so a later caller tries again.
   */
  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.#reads.get(key);
    if (known) return known as Promise<T>;
    const p = read();
    this.#reads.set(key, p);
    p.catch((e: unknown) => {
      if (!isVerifyError(e) && this.#reads.get(key) === p) this.#reads.delete(key);
    });
    return p;
  }
}

const ids = new WeakMap<object, number>();
let nextId = 0;
function identity(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++nextId));
  return id;
}

function sha256(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * A fingerprint of a credential's content (never its `source`, never logged): equal credentials from
 * different Secrets share one key. A credential looked up on demand (docker config) is keyed by the
 * lookup itself, so its helper still runs only when the registry asks.
 */
export function credentialKey(source: HttpStoreOptions['credential']): string {
  if (source === undefined) return 'anonymous';
  if (typeof source === 'function') return `lookup:${identity(source)}`;
  return credentialContentKey(source);
}

function credentialContentKey(c: Credential): string {
  switch (c.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'basic':
      return `basic:${sha256([c.username, c.password])}`;
    case 'identity-token':
      return `identity:${sha256([c.username, c.identityToken])}`;
    case 'registry-token':
      return `token:${sha256([c.registryToken])}`;
  }
}

const text = (v: string | Uint8Array | undefined): string | null => (v === undefined ? null : typeof v === 'string' ? v : Buffer.from(v).toString('base64'));

/** One client per host and transport settings: TLS material, insecure, proxy, timeouts, retries. */
function clientKey(host: string, o: HttpStoreOptions): string {
  const dispatcher: Dispatcher | undefined = o.dispatcher;
  return `${host}\n${sha256([o.insecure === true, text(o.tls?.ca), text(o.tls?.cert), text(o.tls?.key), o.proxyUrl ?? null, o.timeoutMs ?? null, o.retry ?? null, o.userAgent ?? null, o.maxPages ?? null, dispatcher ? identity(dispatcher) : null, o.now ? identity(o.now) : null])}`;
}
