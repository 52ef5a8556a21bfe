import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers/paths.js';

/**
 * Keyless cannot be signed here (it needs the public Fulcio and Rekor), so the real public-good
 * bundle of the cosign-bundle fixtures is attached, as cosign attaches it, to the image it was made
 * for: go-containerregistry's empty image, rebuilt byte for byte. Written as an OCI image layout
 * with tags `v1` (the bundle's subject) and `other` (another image carrying the same bundle).
 */
export const KEYLESS_SUBJECT = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
export const KEYLESS_IDENTITY = { subject: '^cody@soyland\\.com$', issuer: '^https://github\\.com/login/oauth$' } as const;
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The public-good trusted root the bundle verifies against. */
export function keylessTrustedRoot(): string {
  return fixture('cosign-bundle', 'trusted_root_pgi.json');
}

export function writeKeylessLayout(dir: string): void {
  const config = Buffer.from('{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}');
  const manifestOf = (cfg: Buffer): Buffer =>
    Buffer.from(`{"schemaVersion":2,"mediaType":"${DOCKER_MANIFEST}","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":${cfg.length},"digest":"${sha(cfg)}"},"layers":[]}`);
  const image = manifestOf(config);
  if (sha(image) !== KEYLESS_SUBJECT) throw new Error(`the rebuilt empty image is ${sha(image)}, not the bundle's subject ${KEYLESS_SUBJECT}`);
  const otherConfig = Buffer.from(config.toString().replace('"os":""', '"os":"linux"'));
  const other = manifestOf(otherConfig);
  const bundle = readFileSync(fixture('cosign-bundle', 'oci-attestation.sigstore.json'));
  const empty = Buffer.from('{}');
  const referrer = (subject: Buffer): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        artifactType: BUNDLE_TYPE,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 },
        layers: [{ mediaType: BUNDLE_TYPE, digest: sha(bundle), size: bundle.length }],
        subject: { mediaType: DOCKER_MANIFEST, digest: sha(subject), size: subject.length },
      }),
    );
  const referrers = [referrer(image), referrer(other)];
  const images = [{ tag: 'v1', manifest: image }, { tag: 'other', manifest: other }];
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [config, otherConfig, bundle, empty, image, other, ...referrers]) writeFileSync(join(dir, 'blobs', 'sha256', sha(b).slice(7)), b);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [
    ...images.map((i) => ({ mediaType: DOCKER_MANIFEST, digest: sha(i.manifest), size: i.manifest.length, annotations: { 'org.opencontainers.image.ref.name': i.tag } })),
    ...referrers.map((r) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: BUNDLE_TYPE, digest: sha(r), size: r.length })),
  ];
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}
