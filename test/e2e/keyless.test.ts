import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../helpers/paths.js';
import { runPlugin } from '../lab/plugin.js';

/**
 * Keyless cannot be signed here (it needs the public Fulcio and Rekor), so the real public-good
 * bundle of ../shared/fixtures/cosign-bundle is attached, as cosign attaches it, to the image it was
 * made for (go-containerregistry's empty image, rebuilt byte for byte) in an OCI image layout, and
 * the plugin verifies it end to end offline.
 */
const SUBJECT = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function writeLayout(dir: string, images: readonly { tag: string; manifest: Buffer }[], blobs: readonly Buffer[], referrers: readonly Buffer[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [...blobs, ...images.map((i) => i.manifest), ...referrers]) writeFileSync(join(dir, 'blobs', 'sha256', sha(b).slice(7)), b);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [
    ...images.map((i) => ({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha(i.manifest), size: i.manifest.length, annotations: { 'org.opencontainers.image.ref.name': i.tag } })),
    ...referrers.map((r) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: BUNDLE_TYPE, digest: sha(r), size: r.length })),
  ];
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

describe('keyless verification of a public-good bundle, offline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-keyless-'));
  const root = fixture('cosign-bundle', 'trusted_root_pgi.json');

  before(() => {
    const config = Buffer.from('{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}');
    const manifestOf = (cfg: Buffer): Buffer =>
      Buffer.from(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":${cfg.length},"digest":"${sha(cfg)}"},"layers":[]}`);
    const image = manifestOf(config);
    assert.equal(sha(image), SUBJECT, 'the rebuilt empty image must be the bundle’s subject');
    // another image, for the "same bundle on a different artifact" case
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
          subject: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha(subject), size: subject.length },
        }),
      );
    writeLayout(dir, [{ tag: 'v1', manifest: image }, { tag: 'other', manifest: other }], [config, otherConfig, bundle, empty], [referrer(image), referrer(other)]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const identity = ['--certificate-identity-regexp', '^cody@soyland\\.com$', '--certificate-oidc-issuer-regexp', '^https://github\\.com/login/oauth$'];

  it('verifies the Fulcio identity against the trusted root given', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, ...identity, '--trusted-root', root]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /cody@soyland\.com/);
    assert.match(r.stdout, /https:\/\/github\.com\/login\/oauth/);
  });

  it('verifies with the public-good root shipped with the plugin when none is given', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, ...identity]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it('refuses another identity with cosign.identity-mismatch', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, '--certificate-identity-regexp', '^someone@else\\.example$', '--certificate-oidc-issuer-regexp', 'github', '--trusted-root', root, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'cosign.identity-mismatch');
  });

  it('refuses the same bundle attached to another image: its subject names another digest', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:other`, ...identity, '--trusted-root', root, '-o', 'json']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stdout) as { code: string }).code, 'cosign.subject-mismatch');
  });

  it('rejects a pattern Go’s regexp would not accept as a usage error, before fetching anything', async () => {
    const r = await runPlugin(['artifact', `oci-layout://${dir}:v1`, '--certificate-identity-regexp', '(?<=x)cody', '--certificate-oidc-issuer-regexp', 'github', '--trusted-root', root]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^error: subject pattern "\(\?<=x\)cody" is not valid RE2: .*\n$/);
  });
});
