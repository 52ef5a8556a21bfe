import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { VerifyError } from '../../../src/errors.js';
import { openLayout } from '../../../src/registry/layout.js';
import { resolveRef } from '../../../src/registry/resolve.js';
import { fixture } from '../../helpers/paths.js';

const SUBJECT = 'sha256:19dbd2e48e921426ee8ace4dc892edfb2ecdc1d1a72d5416c83670c30acecef0';
const CONFIG = 'sha256:572996c3caeacea40b947911a9dda21516c082b5a64af30048a02a6f5eb956d4';
const code = (c: string) => (e: unknown) => e instanceof VerifyError && e.code === c;

describe('layout backend: the notation fixture layout', () => {
  const path = fixture('notation', 'oci-layout');

  it('lists tags from ref.name annotations and resolves v2 to the signed manifest', async () => {
    const store = await openLayout(path);
    assert.deepEqual(await store.listTags(), ['v2']);
    const r = await resolveRef(store, { kind: 'tag', tag: 'v2' });
    assert.equal(r.descriptor.digest, SUBJECT);
    assert.equal(r.descriptor.size, 481);
    const m = await store.fetchManifest(SUBJECT);
    assert.equal(m.manifest.kind, 'manifest');
    assert.equal(m.manifest.kind === 'manifest' ? m.manifest.config?.digest : '', CONFIG);
  });

  it('reads and checks the config blob; the omitted layer is not-found', async () => {
    const store = await openLayout(path);
    const config = await store.fetchBlob({ mediaType: 'application/vnd.oci.image.config.v1+json', digest: CONFIG, size: 1035 });
    assert.equal(config.length, 1035);
    const layer = 'sha256:63b65145d645c1250c391b2d16ebe53b3747c295ca8ba2fcb6b0cf064a4dc21c';
    await assert.rejects(store.fetchBlob(layer), code('layout.not-found'));
    await assert.rejects(store.fetchBlob({ mediaType: 'x', digest: layer, size: 3_374_446 }, { maxBytes: 1024 }), code('registry.too-large'));
  });

  it('finds no referrers there (signatures ship as separate files)', async () => {
    assert.deepEqual(await (await openLayout(path)).listReferrers(SUBJECT), { via: 'layout', descriptors: [] });
  });

  it('says what is missing for a path that is not a layout', async () => {
    await assert.rejects(openLayout(fixture('notation', 'verifier-testdata')), (e: unknown) => code('layout.not-found')(e) && /oci-layout not found/.test((e as Error).message));
    // ../notation has a directory named oci-layout where the marker file should be
    await assert.rejects(openLayout(fixture('notation')), code('layout.invalid'));
  });
});

describe('layout backend: generated layout with referrers and tampering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-layout-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const put = (content: string): { digest: string; size: number } => {
    const hex = createHash('sha256').update(content).digest('hex');
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'blobs', 'sha256', hex), content);
    return { digest: `sha256:${hex}`, size: Buffer.byteLength(content) };
  };
  const empty = put('{}');
  const layer = put('payload');
  const subject = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty }, layers: [{ mediaType: 'application/octet-stream', ...layer }] }));
  const subjectDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...subject };
  const sig = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.cncf.notary.signature', config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty }, layers: [{ mediaType: 'application/jose+json', ...layer }], subject: subjectDesc, annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '[]' } }));
  const bundle = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', ...empty }, layers: [], subject: subjectDesc }));
  const tampered = { digest: `sha256:${'0'.repeat(64)}`, size: 7 };
  writeFileSync(join(dir, 'blobs', 'sha256', '0'.repeat(64)), 'payload');
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { ...subjectDesc, annotations: { 'org.opencontainers.image.ref.name': '1.0.0' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...sig },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...bundle },
        { mediaType: 'application/vnd.oci.image.index.v1+json', ...tampered, annotations: { 'org.opencontainers.image.ref.name': 'broken' } },
      ],
    }),
  );

  it('finds referrers by subject, and names a manifest it cannot read instead of failing the whole listing', async () => {
    const store = await openLayout(dir);
    // the tampered entry is an index, so it must be read to know its subject: it fails, and only it is skipped
    const r = await store.listReferrers(subject.digest);
    assert.deepEqual(r.descriptors.map((d) => d.digest).sort(), [sig.digest, bundle.digest].sort());
    assert.deepEqual(r.skipped?.map((s) => [s.digest, s.code]), [[tampered.digest, 'registry.digest-mismatch']]);
  });

  it('filters referrers by artifactType once the layout is clean', async () => {
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...subjectDesc, annotations: { 'org.opencontainers.image.ref.name': '1.0.0' } }, { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...sig }, { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...bundle }] }));
    const store = await openLayout(dir);
    const all = await store.listReferrers(subject.digest);
    assert.equal(all.via, 'layout');
    assert.deepEqual(all.descriptors.map((d) => d.artifactType).sort(), ['application/vnd.cncf.notary.signature', 'application/vnd.dev.sigstore.bundle.v0.3+json']);
    const notation = await store.listReferrers(subject.digest, { artifactType: 'application/vnd.cncf.notary.signature' });
    assert.deepEqual(notation.descriptors.map((d) => d.digest), [sig.digest]);
    assert.equal(notation.descriptors[0]?.annotations?.['io.cncf.notary.x509chain.thumbprint#S256'], '[]');
  });

  it('rejects a blob whose content does not hash to its name', async () => {
    const store = await openLayout(dir);
    await assert.rejects(store.fetchBlob(tampered.digest), (e: unknown) => code('registry.digest-mismatch')(e) && /expected content with digest sha256:0000/.test((e as Error).message));
  });

  it('resolves semver over ref.name tags and reports a missing tag', async () => {
    const store = await openLayout(dir);
    assert.equal((await resolveRef(store, { kind: 'semver', constraint: '^1', helmTags: false })).descriptor.digest, subject.digest);
    await assert.rejects(store.fetchManifest('2.0.0'), code('layout.not-found'));
  });
});
