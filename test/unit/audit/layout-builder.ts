// Builds OCI image layouts on disk with signatures made here (node:crypto), so that the one-artifact
// conductor can be run end to end without a registry: cosign bundles (DSSE, key-signed), cosign
// legacy `.sig` layers, and anything broken a test needs (oversized descriptors, missing blobs).
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Desc {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
export const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const NOTARY_TYPE = 'application/vnd.cncf.notary.signature';

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

export class LayoutBuilder {
  readonly #dir: string;
  readonly #index: Desc[] = [];

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  }

  get path(): string {
    return this.#dir;
  }

  blob(content: Buffer | string, mediaType = 'application/octet-stream'): Desc {
    const bytes = Buffer.from(content);
    const hex = sha256(bytes);
    writeFileSync(join(this.#dir, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  }

  /** A manifest stored as a blob and listed in index.json (tagged when `tag` is given). */
  manifest(body: Record<string, unknown>, opts: { tag?: string; listedSize?: number } = {}): Desc {
    const d = this.blob(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, ...body }), OCI_MANIFEST);
    this.#index.push({ ...d, ...(opts.listedSize !== undefined ? { size: opts.listedSize } : {}), ...(opts.tag ? { annotations: { 'org.opencontainers.image.ref.name': opts.tag } } : {}) });
    return d;
  }

  /** An image index listed in index.json under `tag` (e.g. the referrers tag schema's `sha256-<hex>`). */
  index(manifests: readonly Desc[], tag: string): Desc {
    const type = 'application/vnd.oci.image.index.v1+json';
    const d = this.blob(JSON.stringify({ schemaVersion: 2, mediaType: type, manifests }), type);
    this.#index.push({ ...d, annotations: { 'org.opencontainers.image.ref.name': tag } });
    return d;
  }

  /** A Flux-like artifact to sign, tagged `tag`. */
  subject(tag = '1.0.0'): Desc {
    const config = this.blob('{"created":"2026-11-01T00:00:00Z"}', 'application/vnd.cncf.flux.config.v1+json');
    const layer = this.blob('content', 'application/vnd.cncf.flux.content.v1.tar+gzip');
    return this.manifest({ config, layers: [layer] }, { tag });
  }

  /** A referrer of `subject`: one layer with the given descriptor, as cosign and notation push them. */
  referrer(subject: Desc, artifactType: string, layer: Desc, annotations: Record<string, string> = {}): Desc {
    const empty = this.blob('{}', EMPTY);
    return this.manifest({ artifactType, config: empty, layers: [layer], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, ...(Object.keys(annotations).length ? { annotations } : {}) });
  }

  /** cosign's `sha256-<hex>.sig` manifest with these layers. */
  sigTag(subject: Desc, layers: readonly Desc[]): Desc {
    const config = this.blob('{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}', 'application/vnd.oci.image.config.v1+json');
    return this.manifest({ config, layers }, { tag: `sha256-${subject.digest.slice('sha256:'.length)}.sig` });
  }

  write(): string {
    writeFileSync(join(this.#dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.#index }));
    return this.#dir;
  }
}

export interface TestKey {
  readonly privateKey: KeyObject;
  readonly pem: string;
  readonly hint: string;
}

export function ecdsaKey(): TestKey {
  const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = k.publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey: k.privateKey, pem: k.publicKey.export({ format: 'pem', type: 'spki' }).toString(), hint: createHash('sha256').update(spki).digest('base64') };
}

/** A key-signed Sigstore bundle v0.3 over an in-toto statement naming `digest`, as cosign v3 signs (no tlog). */
export function keyBundle(key: TestKey, digest: string): Buffer {
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'artifact', digest: { sha256: digest.slice('sha256:'.length) } }], predicateType: 'https://sigstore.dev/cosign/sign/v1', predicate: {} }));
  const type = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${statement.length} `), statement]);
  const sig = sign('sha256', pae, key.privateKey);
  return Buffer.from(
    JSON.stringify({
      mediaType: BUNDLE_TYPE,
      verificationMaterial: { publicKey: { hint: key.hint }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } },
      dsseEnvelope: { payload: statement.toString('base64'), payloadType: type, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    }),
  );
}

/** A legacy `.sig` layer: the simple-signing payload as blob, the signature as annotation. */
export function legacyLayer(b: LayoutBuilder, key: TestKey, digest: string): Desc {
  const payload = Buffer.from(`{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`);
  const blob = b.blob(payload, SIMPLE_SIGNING);
  return { ...blob, annotations: { 'dev.cosignproject.cosign/signature': sign('sha256', payload, key.privateKey).toString('base64') } };
}
