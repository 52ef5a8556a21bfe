import type { Authenticator } from './auth.js';
import { ANONYMOUS, describeCredential, type Credential } from './credentials.js';
import { checkDigest, DigestAccumulator, parseContentDigest, shortDigest, tryParseDigest } from './digest.js';
import { registryError } from './errors.js';
import { HostClient } from './host.js';
import { nextLink } from './link.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { baseMediaType, INDEX_MEDIA_TYPES, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, MediaType } from './mediatypes.js';
import type { RegistryRepository } from './reference.js';
import { DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_MANIFEST_BYTES, type ArtifactStore, type FetchedManifest, type ReadOptions, type Referrers, type ReferrersOptions } from './store.js';
import { fetchManifestIfPresent, referrersTag } from './tags.js';
import type { HttpResponse, TransportOptions } from './transport.js';

export type CredentialSource = Credential | ((host: string, repository: string) => Promise<Credential>);

export interface HttpStoreOptions extends TransportOptions {
  readonly credential?: CredentialSource;
  /** clock for token expiry (tests) */
  readonly now?: () => number;
  /** stop listing tags after this many pages; default 1000 */
  readonly maxPages?: number;
}

/**
 * An OCI distribution repository over HTTP(S), with a client of its own (closed with the store). An
 * audit does not call this: its RegistryPool (pool.ts) shares one client per host between stores.
 */
export function openRegistry(ref: Pick<RegistryRepository, 'host' | 'repository'>, opts: HttpStoreOptions = {}): ArtifactStore {
  const client = new HostClient(ref.host, opts, { ...(opts.now ? { now: opts.now } : {}) });
  return new HttpStore(client, ref.repository, opts, { key: 'own', owned: true });
}

/** A store on a host client that someone else owns (the pool). `credentialKey` names the credential's content. */
export function openRegistryOn(client: HostClient, repository: string, opts: HttpStoreOptions, credentialKey: string): ArtifactStore {
  return new HttpStore(client, repository, opts, { key: credentialKey, owned: false });
}

const PAGE_MAX_BYTES = 4 * 1024 * 1024;

class HttpStore implements ArtifactStore {
  readonly location: string;
  readonly #client: HostClient;
  readonly #owned: boolean;
  readonly #host: string;
  readonly #repository: string;
  readonly #opts: HttpStoreOptions;
  readonly #auth: Authenticator;
  readonly #scope: string;
  #credentialText = 'anonymous';

  constructor(client: HostClient, repository: string, opts: HttpStoreOptions, credential: { key: string; owned: boolean }) {
    this.#client = client;
    this.#owned = credential.owned;
    this.#host = client.host;
    this.#repository = repository;
    this.location = `${client.host}/${repository}`;
    this.#opts = opts;
    this.#scope = `repository:${repository}:pull`;
    const source = opts.credential ?? ANONYMOUS;
    const host = client.host;
    // asked only when the registry first challenges, so a credential helper runs only where needed
    const resolve = async (): Promise<Credential> => {
      const c = typeof source === 'function' ? await source(host, repository) : source;
      this.#credentialText = describeCredential(c);
      return c;
    };
    this.#auth = client.authenticator(credential.key, resolve);
    if (typeof source !== 'function') this.#credentialText = describeCredential(source);
  }

  /**
   * The descriptor of a tag or digest, from a HEAD: Docker-Content-Digest, Content-Type and
   * Content-Length (source-controller resolves tags the same way, with crane's HEAD). The digest from
   * a HEAD cannot be hashed, and need not be: every verification is over that digest (a cosign
   * signature signs it; a notation signature signs the whole descriptor, so a lying size or media
   * type fails closed), and every byte read later is checked against it. A registry that names the
   * wrong digest for a tag can only make us verify (and report) that other digest, which it could
   * equally serve to Flux. When the HEAD gives no digest header for a tag (or no usable media type or
   * length), the manifest is read with a GET and its digest computed from the bytes, as before.
   */
  async resolve(reference: string, opts: ReadOptions = {}): Promise<Descriptor> {
    const byDigest = tryParseDigest(reference);
    const what = `${this.location}: manifest ${byDigest ? shortDigest(reference) : reference}`;
    const res = await this.#request('HEAD', `/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, what, opts.signal);
    await res.discard();
    if (res.status === 404) throw registryError('registry.not-found', `${what} not found`);
    if (res.status === 403) throw registryError('registry.forbidden', `${what}: access denied to ${this.#credentialText} (HTTP 403)`);
    if (res.status === 200) {
      const header = res.header('docker-content-digest');
      const digest = byDigest ? reference : header;
      if (byDigest && header !== undefined && header !== reference) checkDigest(header, reference, `${what} (Docker-Content-Digest)`);
      const mediaType = baseMediaType(res.header('content-type'));
      const size = Number(res.header('content-length'));
      if (digest !== undefined && mediaType !== undefined && MANIFEST_MEDIA_TYPES.includes(mediaType) && Number.isSafeInteger(size) && size > 0) {
        parseContentDigest(digest, `${what} Docker-Content-Digest`);
        const max = opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
        if (size > max) throw registryError('registry.too-large', `${what}: expected at most ${max} bytes, it declares ${size} bytes`);
        return { mediaType, digest, size };
      }
    }
    // no digest (or type, or length) on the HEAD, or a status a GET may answer better: read and hash
    return (await this.fetchManifest(reference, opts)).descriptor;
  }

  async fetchManifest(reference: string, opts: ReadOptions = {}): Promise<FetchedManifest> {
    const byDigest = tryParseDigest(reference);
    const what = `${this.location}: manifest ${byDigest ? shortDigest(reference) : reference}`;
    const res = await this.#get(`/manifests/${reference}`, { accept: MANIFEST_ACCEPT }, what, opts.signal);
    if (res.status === 404) {
      await res.discard();
      throw registryError('registry.not-found', `${what} not found`);
    }
    await this.#expectOk(res, what);
    const headerDigest = res.header('docker-content-digest');
    const algorithm = byDigest?.algorithm ?? (headerDigest ? parseContentDigest(headerDigest, `${what} Docker-Content-Digest`).algorithm : 'sha256');
    const hash = new DigestAccumulator(algorithm);
    const bytes = await res.read(opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES, what, hash);
    const digest = hash.digest();
    if (byDigest) checkDigest(digest, reference, what);
    // The header is a claim; the body decides. A disagreement means a confused or lying registry.
    if (headerDigest !== undefined && headerDigest !== digest) checkDigest(digest, headerDigest, `${what} (Docker-Content-Digest)`);
    const contentType = baseMediaType(res.header('content-type'));
    const manifest = parseManifest(bytes, contentType, what);
    const descriptor: Descriptor = { mediaType: manifest.mediaType, digest, size: bytes.length, ...(manifest.artifactType !== undefined && { artifactType: manifest.artifactType }) };
    return { descriptor, bytes, manifest };
  }

  async fetchBlob(blob: Descriptor | string, opts: ReadOptions = {}): Promise<Uint8Array> {
    const digest = typeof blob === 'string' ? blob : blob.digest;
    const { algorithm } = parseContentDigest(digest, `${this.location}: blob`);
    const what = `${this.location}: blob ${shortDigest(digest)}`;
    const max = opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES;
    if (typeof blob !== 'string' && blob.size > max) throw registryError('registry.too-large', `${what}: expected at most ${max} bytes, its descriptor says ${blob.size}`);
    const res = await this.#get(`/blobs/${digest}`, {}, what, opts.signal);
    if (res.status === 404) {
      await res.discard();
      throw registryError('registry.not-found', `${what} not found`);
    }
    await this.#expectOk(res, what);
    const hash = new DigestAccumulator(algorithm);
    const bytes = await res.read(max, what, hash);
    checkDigest(hash.digest(), digest, what);
    if (typeof blob !== 'string' && bytes.length !== blob.size) {
      throw registryError('registry.digest-mismatch', `${what}: expected ${blob.size} bytes as its descriptor says, received ${bytes.length}`);
    }
    return bytes;
  }

  async listTags(opts: { readonly signal?: AbortSignal } = {}): Promise<string[]> {
    const what = `${this.location}: tag list`;
    const tags: string[] = [];
    let path: string | undefined = '/tags/list';
    for (let page = 0; path !== undefined; page++) {
      if (page >= (this.#opts.maxPages ?? 1000)) throw registryError('registry.protocol', `${what}: more than ${page} pages`);
      const res = await this.#get(path, { accept: 'application/json' }, what, opts.signal);
      if (res.status === 404) {
        await res.discard();
        throw registryError('registry.not-found', `${this.location}: repository not found`);
      }
      await this.#expectOk(res, what);
      const json = parseJson(await res.read(PAGE_MAX_BYTES, what), what);
      const list = (json as { tags?: unknown }).tags;
      if (list !== null && list !== undefined) {
        if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) throw registryError('registry.protocol', `${what}: expected tags to be an array of strings`);
        tags.push(...(list as string[]));
      }
      path = this.#nextPath(res);
    }
    return tags;
  }

  async listReferrers(subject: string, opts: ReferrersOptions = {}): Promise<Referrers> {
    parseContentDigest(subject, `${this.location}: referrers subject`);
    const what = `${this.location}: referrers of ${shortDigest(subject)}`;
    const query = opts.artifactType ? `?artifactType=${encodeURIComponent(opts.artifactType)}` : '';
    const found: Descriptor[] = [];
    let filtered = false;
    let path: string | undefined = `/referrers/${subject}${query}`;
    for (let page = 0; path !== undefined; page++) {
      if (page >= (this.#opts.maxPages ?? 1000)) throw registryError('registry.protocol', `${what}: more than ${page} pages`);
      const res = await this.#get(path, { accept: MediaType.ociIndex }, what, opts.signal);
      const type = baseMediaType(res.header('content-type'));
      // go-containerregistry's rule: these statuses, or a 200 that is not an index, mean "no API".
      if (page === 0 && ([404, 400, 406].includes(res.status) || (res.status === 200 && type !== MediaType.ociIndex))) {
        await res.discard();
        return this.#referrersByTag(subject, opts);
      }
      await this.#expectOk(res, what);
      const bytes = await res.read(opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES, what);
      const index = parseManifest(bytes, type, what);
      if (index.kind !== 'index') throw registryError('registry.media-type', `${what}: expected an image index, found ${index.mediaType}`);
      found.push(...index.manifests);
      filtered ||= (res.header('oci-filters-applied') ?? '').split(',').map((s) => s.trim()).includes('artifactType');
      path = this.#nextPath(res);
    }
    return { via: 'referrers-api', descriptors: filtered ? found : filterByType(found, opts.artifactType) };
  }

  async #referrersByTag(subject: string, opts: ReferrersOptions): Promise<Referrers> {
    const fetched = await fetchManifestIfPresent(this, referrersTag(subject), opts);
    if (!fetched) return { via: 'referrers-tag', descriptors: [] };
    if (fetched.manifest.kind !== 'index' || !INDEX_MEDIA_TYPES.includes(fetched.manifest.mediaType)) {
      throw registryError('registry.media-type', `${this.location}: referrers tag ${referrersTag(subject)}: expected an image index, found ${fetched.manifest.mediaType}`);
    }
    return { via: 'referrers-tag', descriptors: filterByType(fetched.manifest.manifests, opts.artifactType) };
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#client.close();
  }

  #base(scheme: 'https' | 'http' = this.#client.knownScheme): string {
    return `${scheme}://${this.#host}/v2/${this.#repository}`;
  }

  /** A same-repository path for the next page, refusing links that leave the registry. */
  #nextPath(res: HttpResponse): string | undefined {
    const next = nextLink(res.header('link'), res.url);
    if (next === undefined) return undefined;
    const base = new URL(this.#base());
    const url = new URL(next);
    if (url.origin !== base.origin || !url.pathname.startsWith(`${base.pathname}/`)) {
      throw registryError('registry.protocol', `${this.location}: Link header points outside the repository (${url.host}${url.pathname})`);
    }
    return url.pathname.slice(base.pathname.length) + url.search;
  }

  #get(path: string, headers: Record<string, string>, what: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    return this.#request('GET', path, headers, what, signal);
  }

  /** A request with authentication: answers one 401 and no more, so a registry cannot keep us looping. */
  async #request(method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, what: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const url = this.#base(await this.#client.scheme(signal)) + path;
    const request = (auth: string | undefined): Promise<HttpResponse> =>
      this.#client.send({ method, url, headers: { ...headers, ...(auth !== undefined && { authorization: auth }) }, ...(signal && { signal }) }, what);
    const first = await this.#auth.current(this.#scope);
    let res = await request(first);
    if (res.status !== 401) return res;
    const challenge = res.header('www-authenticate');
    await res.discard();
    const auth = await this.#auth.answer(challenge, this.#scope, first, signal);
    res = await request(auth);
    if (res.status === 401) {
      await res.discard();
      throw registryError('registry.unauthorized', `${what}: not authorized as ${this.#credentialText}: the registry refused the credentials it asked for`);
    }
    return res;
  }

  async #expectOk(res: HttpResponse, what: string): Promise<void> {
    if (res.status === 200) return;
    await res.discard();
    if (res.status === 403) throw registryError('registry.forbidden', `${what}: access denied to ${this.#credentialText} (HTTP 403)`);
    throw registryError('registry.protocol', `${what}: expected HTTP 200, found HTTP ${res.status}`);
  }
}

function filterByType(descriptors: readonly Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType === undefined ? [...descriptors] : descriptors.filter((d) => d.artifactType === artifactType);
}

function parseJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const json: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw registryError('registry.protocol', `${what}: expected a JSON object`);
}
