import type { Dispatcher } from 'undici';
import { Authenticator } from './auth.js';
import { ANONYMOUS, describeCredential, type Credential } from './credentials.js';
import { checkDigest, DigestAccumulator, parseContentDigest, shortDigest, tryParseDigest } from './digest.js';
import { registryError } from './errors.js';
import { nextLink } from './link.js';
import { parseManifest, type Descriptor } from './manifest.js';
import { baseMediaType, INDEX_MEDIA_TYPES, MANIFEST_ACCEPT, MediaType } from './mediatypes.js';
import type { RegistryArtifactRef } from './reference.js';
import { DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_MANIFEST_BYTES, type ArtifactStore, type FetchedManifest, type ReadOptions, type Referrers, type ReferrersOptions } from './store.js';
import { fetchManifestIfPresent, referrersTag } from './tags.js';
import { createDispatcher, send, type HttpResponse, type TransportOptions } from './transport.js';

export type CredentialSource = Credential | ((host: string, repository: string) => Promise<Credential>);

export interface HttpStoreOptions extends TransportOptions {
  readonly credential?: CredentialSource;
  /** clock for token expiry (tests) */
  readonly now?: () => number;
  /** stop listing tags after this many pages; default 1000 */
  readonly maxPages?: number;
}

/** An OCI distribution repository over HTTP(S). One store per repository; one connection pool per store. */
export function openRegistry(ref: Pick<RegistryArtifactRef, 'host' | 'repository'>, opts: HttpStoreOptions = {}): ArtifactStore {
  return new HttpStore(ref.host, ref.repository, opts);
}

const PAGE_MAX_BYTES = 4 * 1024 * 1024;

class HttpStore implements ArtifactStore {
  readonly location: string;
  readonly #host: string;
  readonly #repository: string;
  readonly #opts: HttpStoreOptions;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #auth: Authenticator;
  readonly #scope: string;
  #credentialText = 'anonymous';
  /** `insecure`: HTTPS (any certificate) is tried first and plain HTTP after, as Flux's client does; settled once */
  #scheme: Promise<'https' | 'http'> | undefined;
  #resolvedScheme: 'https' | 'http' | undefined;

  constructor(host: string, repository: string, opts: HttpStoreOptions) {
    this.#host = host;
    this.#repository = repository;
    this.location = `${host}/${repository}`;
    this.#opts = opts;
    this.#dispatcher = createDispatcher(opts);
    this.#ownsDispatcher = opts.dispatcher === undefined;
    this.#scope = `repository:${repository}:pull`;
    const source = opts.credential ?? ANONYMOUS;
    const credential = async (): Promise<Credential> => {
      const c = typeof source === 'function' ? await source(host, repository) : source;
      this.#credentialText = describeCredential(c);
      return c;
    };
    this.#auth = new Authenticator(host, credential, this.#dispatcher, opts, opts.now);
  }

  async resolve(reference: string, opts?: ReadOptions): Promise<Descriptor> {
    // A HEAD would be cheaper, but its Docker-Content-Digest cannot be checked: read and hash instead.
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
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  #base(scheme: 'https' | 'http' = this.#resolvedScheme ?? (this.#opts.insecure ? 'http' : 'https')): string {
    return `${scheme}://${this.#host}/v2/${this.#repository}`;
  }

  /**
   * The scheme to use. Without `insecure` always HTTPS. With it, one probe of `/v2/` over HTTPS
   * (certificate not checked, as Flux with insecure and no CA): any answer means HTTPS, a failure
   * means plain HTTP, the way go-containerregistry pings insecure registries.
   */
  #schemeFor(signal: AbortSignal | undefined): Promise<'https' | 'http'> {
    if (!this.#opts.insecure) return Promise.resolve('https');
    this.#scheme ??= send(this.#dispatcher, { method: 'GET', url: `https://${this.#host}/v2/`, headers: {}, ...(signal && { signal }) }, { ...this.#opts, retry: { maxRetries: 0 } }, `${this.#host}: HTTPS probe`).then(
      async (res): Promise<'https' | 'http'> => {
        await res.discard();
        return (this.#resolvedScheme = 'https');
      },
      (): 'https' | 'http' => (this.#resolvedScheme = 'http'),
    );
    return this.#scheme as Promise<'https' | 'http'>;
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

  /** GET with authentication: answers one 401 and no more, so a registry cannot keep us looping. */
  async #get(path: string, headers: Record<string, string>, what: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    const url = this.#base(await this.#schemeFor(signal)) + path;
    const request = (auth: string | undefined): Promise<HttpResponse> =>
      send(this.#dispatcher, { method: 'GET', url, headers: { ...headers, ...(auth !== undefined && { authorization: auth }) }, ...(signal && { signal }) }, this.#opts, what);
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
