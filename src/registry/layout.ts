import { open, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { VerifyError } from '../errors.js';
import { checkDigest, digestOf, parseContentDigest, shortDigest, tryParseDigest } from './digest.js';
import { registryError } from './errors.js';
import { parseManifest, type Descriptor, type ImageIndex, type Manifest } from './manifest.js';
import { MANIFEST_MEDIA_TYPES, MediaType } from './mediatypes.js';
import { DEFAULT_MAX_BLOB_BYTES, DEFAULT_MAX_MANIFEST_BYTES, type ArtifactStore, type FetchedManifest, type ReadOptions, type Referrers, type ReferrersOptions } from './store.js';
import { referrersTag } from './tags.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * A read-only OCI image layout (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), for offline use and
 * the demo. Same checks as the registry: every read is capped and hashed. Tags are the
 * `org.opencontainers.image.ref.name` annotations of index.json; referrers are the manifests listed
 * in index.json whose `subject` names the digest, plus those of a `sha256-<hex>` tagged index.
 */
export async function openLayout(path: string): Promise<ArtifactStore> {
  const root = resolvePath(path);
  return openWith(root, (rel, maxBytes, what) => readSmall(join(root, rel), maxBytes, root, what));
}

/**
 * The same layout held in memory (`oci-layout`, `index.json`, `blobs/sha256/<hex>` as keys), for
 * the embedded demo: the same caps and digest checks as on disk. `label` names it in messages.
 */
export async function openMemoryLayout(label: string, files: ReadonlyMap<string, Uint8Array>): Promise<ArtifactStore> {
  return openWith(label, async (rel, maxBytes, what) => {
    const bytes = files.get(rel);
    if (bytes === undefined) throw registryError('layout.not-found', `${what}: ${rel} not found in the layout at ${label}`);
    if (bytes.length > maxBytes) throw registryError('registry.too-large', `${what}: expected at most ${maxBytes} bytes, the file has ${bytes.length}`);
    return bytes;
  });
}

/** Reads a file of the layout by its path inside it, under a size cap. */
type LayoutReader = (relativePath: string, maxBytes: number, what: string) => Promise<Uint8Array>;

async function openWith(root: string, read: LayoutReader): Promise<ArtifactStore> {
  const marker = await read('oci-layout', 64 * 1024, 'oci-layout file');
  let version: unknown;
  try {
    version = (JSON.parse(Buffer.from(marker).toString('utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string') throw registryError('layout.invalid', `${root}: expected an oci-layout file with imageLayoutVersion, found none`);
  const indexBytes = await read('index.json', DEFAULT_MAX_MANIFEST_BYTES, 'index.json');
  const index = parseLayoutIndex(indexBytes, root);
  return new LayoutStore(root, index, read);
}

function parseLayoutIndex(bytes: Uint8Array, root: string): ImageIndex {
  let parsed: Manifest;
  try {
    parsed = parseManifest(bytes, MediaType.ociIndex, `${root}/index.json`);
  } catch (e) {
    throw registryError('layout.invalid', `${root}/index.json: ${e instanceof Error ? e.message.replace(`${root}/index.json: `, '') : 'invalid'}`, e);
  }
  if (parsed.kind !== 'index') throw registryError('layout.invalid', `${root}/index.json: expected an image index, found ${parsed.mediaType}`);
  return parsed;
}

class LayoutStore implements ArtifactStore {
  readonly location: string;
  readonly #root: string;
  readonly #index: ImageIndex;
  readonly #read: LayoutReader;

  constructor(root: string, index: ImageIndex, read: LayoutReader) {
    this.#root = root;
    this.location = root;
    this.#index = index;
    this.#read = read;
  }

  async resolve(reference: string, opts?: ReadOptions): Promise<Descriptor> {
    return (await this.fetchManifest(reference, opts)).descriptor;
  }

  async fetchManifest(reference: string, opts: ReadOptions = {}): Promise<FetchedManifest> {
    const listed = this.#lookup(reference);
    const what = `${this.#root}: manifest ${tryParseDigest(reference) ? shortDigest(reference) : reference}`;
    const digest = listed?.digest ?? reference;
    const bytes = await this.#readBlob(digest, listed?.size, opts.maxBytes ?? DEFAULT_MAX_MANIFEST_BYTES, what);
    const declared = listed && MANIFEST_MEDIA_TYPES.includes(listed.mediaType) ? listed.mediaType : undefined;
    const manifest = parseManifest(bytes, declared, what);
    const descriptor: Descriptor = { mediaType: manifest.mediaType, digest, size: bytes.length, ...(manifest.artifactType !== undefined && { artifactType: manifest.artifactType }) };
    return { descriptor, bytes, manifest };
  }

  async fetchBlob(blob: Descriptor | string, opts: ReadOptions = {}): Promise<Uint8Array> {
    const digest = typeof blob === 'string' ? blob : blob.digest;
    return this.#readBlob(digest, typeof blob === 'string' ? undefined : blob.size, opts.maxBytes ?? DEFAULT_MAX_BLOB_BYTES, `${this.#root}: blob ${shortDigest(digest)}`);
  }

  async listTags(): Promise<string[]> {
    const tags = this.#index.manifests.map((d) => d.annotations?.[REF_NAME]).filter((t): t is string => t !== undefined);
    return [...new Set(tags)];
  }

  async listReferrers(subject: string, opts: ReferrersOptions = {}): Promise<Referrers> {
    parseContentDigest(subject, `${this.#root}: referrers subject`);
    const found = new Map<string, Descriptor>();
    const skipped: { digest: string; code: string; message: string }[] = [];
    for (const d of this.#index.manifests) {
      if (!MANIFEST_MEDIA_TYPES.includes(d.mediaType) || d.digest === subject) continue;
      let fetched: FetchedManifest;
      try {
        fetched = await this.fetchManifest(d.digest, opts);
      } catch (e) {
        // an oversized or broken manifest may be anything; the others are still listed
        if (!(e instanceof VerifyError)) throw e;
        skipped.push({ digest: d.digest, code: e.code, message: e.message });
        continue;
      }
      if (fetched.manifest.subject?.digest !== subject) continue;
      found.set(d.digest, referrerDescriptor(fetched));
    }
    // An index stored under the referrers tag schema (e.g. copied from a registry without the API).
    if (this.#lookup(referrersTag(subject))) {
      const tagged = await this.fetchManifest(referrersTag(subject), opts);
      if (tagged.manifest.kind === 'index') for (const d of tagged.manifest.manifests) if (!found.has(d.digest)) found.set(d.digest, d);
    }
    const all = [...found.values()];
    return { via: 'layout', descriptors: opts.artifactType === undefined ? all : all.filter((d) => d.artifactType === opts.artifactType), ...(skipped.length > 0 ? { skipped } : {}) };
  }

  async close(): Promise<void> {
    // nothing held open between calls
  }

  #lookup(reference: string): Descriptor | undefined {
    if (tryParseDigest(reference)) return this.#index.manifests.find((d) => d.digest === reference);
    return this.#index.manifests.find((d) => d.annotations?.[REF_NAME] === reference);
  }

  async #readBlob(digest: string, expectedSize: number | undefined, maxBytes: number, what: string): Promise<Uint8Array> {
    const parsed = tryParseDigest(digest);
    if (!parsed) throw registryError('layout.not-found', `${what}: no manifest is tagged ${JSON.stringify(digest)} in index.json`);
    if (expectedSize !== undefined && expectedSize > maxBytes) throw registryError('registry.too-large', `${what}: expected at most ${maxBytes} bytes, its descriptor says ${expectedSize}`);
    const bytes = await this.#read(`blobs/${parsed.algorithm}/${parsed.hex}`, maxBytes, what);
    checkDigest(digestOf(bytes, parsed.algorithm), digest, what);
    if (expectedSize !== undefined && bytes.length !== expectedSize) {
      throw registryError('registry.digest-mismatch', `${what}: expected ${expectedSize} bytes as its descriptor says, found ${bytes.length}`);
    }
    return bytes;
  }
}

/** What the referrers API would list for a manifest: its artifactType, else its config media type. */
function referrerDescriptor(fetched: FetchedManifest): Descriptor {
  const m = fetched.manifest;
  const artifactType = m.artifactType ?? (m.kind === 'manifest' ? m.config?.mediaType : undefined);
  return { ...fetched.descriptor, ...(artifactType !== undefined && { artifactType }), ...(m.annotations !== undefined && { annotations: m.annotations }) };
}

/** Reads a file, refusing it past `maxBytes` without reading the excess. */
async function readSmall(file: string, maxBytes: number, root: string, what: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw registryError('layout.invalid', `${what}: expected ${file} to be a file, found a directory or special file`);
    size = info.size;
  } catch (e) {
    if (e instanceof VerifyError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw registryError('layout.not-found', `${what}: ${file.startsWith(root) ? file.slice(root.length + 1) : file} not found in the layout at ${root}`);
    throw registryError('layout.unreadable', `${what}: cannot read ${file} (${code ?? 'error'})`, e);
  }
  if (size > maxBytes) throw registryError('registry.too-large', `${what}: expected at most ${maxBytes} bytes, the file has ${size}`);
  // Read at most one byte past the cap, in case the file grew since stat.
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw registryError('registry.too-large', `${what}: expected at most ${maxBytes} bytes, the file grew past that`);
      if (total === buf.length) break;
    }
    return new Uint8Array(buf.subarray(0, total));
  } finally {
    await handle.close();
  }
}

