// The one-artifact conductor over OCI image layouts: one signature that cannot be read (too large,
// missing blob, not a manifest, wrong digest) is reported on its own and never hides a good one;
// cosign's bundle → legacy order and notation's retrieval rule hold.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyArtifact, type ArtifactTrust, type ArtifactVerification } from '../../../src/audit/artifact.js';
import { parseArtifactRef } from '../../../src/registry/reference.js';
import { reasonForCode } from '../../../src/verdict/codes.js';
import type { SignatureEvidence } from '../../../src/verify/evidence.js';
import { loadTrustStore, trustStoreOf, validateTrustPolicy } from '../../../src/verify/notation/index.js';
import { jws, selfSigned, T0, type Issued } from '../verify/notation/gen.js';
import { BUNDLE_TYPE, ecdsaKey, keyBundle, LayoutBuilder, legacyLayer, NOTARY_TYPE, sha256, type Desc, type TestKey } from './layout-builder.js';

const MiB = 1024 * 1024;
const now = new Date('2026-06-01T00:00:00Z');
const root = mkdtempSync(join(tmpdir(), 'kv-artifact-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function layout(): LayoutBuilder {
  return new LayoutBuilder(join(root, `l${n++}`));
}

const key = ecdsaKey();
const cosignTrust = (k: TestKey = key): ArtifactTrust => ({ cosign: { kind: 'key', keys: [{ ref: { kind: 'key', label: '--key cosign.pub', source: 'flag' }, pem: k.pem }] } });

async function run(b: LayoutBuilder, trust: ArtifactTrust, tag = '1.0.0'): Promise<ArtifactVerification> {
  return verifyArtifact(parseArtifactRef(`oci-layout://${b.write()}:${tag}`), trust, { now });
}

/** A good bundle referrer for `subject`. */
function goodBundle(b: LayoutBuilder, subject: Desc): Desc {
  return b.referrer(subject, BUNDLE_TYPE, b.blob(keyBundle(key, subject.digest), BUNDLE_TYPE));
}

const errorOf = (s: readonly SignatureEvidence[]): (string | undefined)[] => s.map((x) => (x.verified ? 'ok' : x.error?.code));

describe('cosign bundles: a bad one never hides a good one', () => {
  it('verifies with a good bundle beside an oversized, a missing and a garbage one, each reported on its own', async () => {
    const b = layout();
    const subject = b.subject();
    // a descriptor over the 32 MiB cap: refused before any byte is read
    b.referrer(subject, BUNDLE_TYPE, { ...b.blob('{"too":"large"}', BUNDLE_TYPE), size: 40 * MiB });
    b.referrer(subject, BUNDLE_TYPE, { mediaType: BUNDLE_TYPE, digest: `sha256:${sha256('never pushed')}`, size: 12 });
    b.referrer(subject, BUNDLE_TYPE, b.blob('not a bundle at all', BUNDLE_TYPE));
    goodBundle(b, subject);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified', JSON.stringify(v, null, 1));
    assert.equal(v.signatures.length, 4);
    assert.deepEqual(errorOf(v.signatures).sort(), ['cosign.bundle-invalid', 'ok', 'signature.too-large', 'signature.unreadable']);
    const big = v.signatures.find((s) => s.error?.code === 'signature.too-large');
    assert.match(big?.error?.message ?? '', /^cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures$/);
    assert.deepEqual(v.discovery.problems, []);
    // bundles were read, so cosign's legacy tag is not, and the record says so
    assert.equal(v.discovery.sigTag, undefined);
    assert.equal(v.discovery.sigTagNotRead, `sha256-${subject.digest.slice(7)}.sig`);
  });

  it('with only an oversized bundle: not verified, for the signature, not the registry', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, BUNDLE_TYPE, { ...b.blob('{}', BUNDLE_TYPE), size: 33 * MiB });
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'failed');
    assert.equal(v.code, 'signature.too-large');
    assert.equal(reasonForCode(v.code), 'signature-invalid');
    assert.notEqual(reasonForCode(v.code), 'registry-error');
    // no bundle could be read, so cosign would read the legacy tag: so do we
    assert.equal(v.discovery.sigTag, `sha256-${subject.digest.slice(7)}.sig`);
    assert.equal(v.discovery.sigTagNotRead, undefined);
  });

  it('falls back to a good legacy signature when no bundle can be read, as cosign does', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, BUNDLE_TYPE, { ...b.blob('{}', BUNDLE_TYPE), size: 33 * MiB });
    b.sigTag(subject, [legacyLayer(b, key, subject.digest)]);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified', JSON.stringify(v.signatures, null, 1));
    assert.deepEqual(v.signatures.map((s) => s.mechanism), ['cosign-bundle', 'cosign-legacy']);
  });

  it('keeps a good bundle verified beside one whose blob does not match its digest, which keeps its tampering code', async () => {
    const b = layout();
    const subject = b.subject();
    const forged = b.blob('{"mediaType":"x"}', BUNDLE_TYPE);
    writeFileSync(join(b.path, 'blobs', 'sha256', forged.digest.slice(7)), '{"mediaType":"y"}');
    b.referrer(subject, BUNDLE_TYPE, forged);
    goodBundle(b, subject);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified');
    assert.ok(v.signatures.some((s) => s.error?.code === 'registry.digest-mismatch'));
  });

  it('reports a referrer listed as a bundle whose manifest is not JSON (referrers tag schema), and still verifies', async () => {
    const b = layout();
    const subject = b.subject();
    const garbage = b.blob('this is not a manifest', 'application/vnd.oci.image.manifest.v1+json');
    const good = goodBundle(b, subject);
    b.index([{ ...garbage, artifactType: BUNDLE_TYPE }], `sha256-${subject.digest.slice(7)}`);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified');
    const bad = v.signatures.find((s) => s.foundAt.digest === garbage.digest);
    assert.equal(bad?.error?.code, 'signature.unreadable');
    assert.match(bad?.error?.message ?? '', /^cosign bundle manifest not read: .*not valid UTF-8 JSON/);
    assert.ok(v.signatures.some((s) => s.foundAt.digest === good.digest && s.verified));
  });

  it('lists a manifest of the layout it cannot read as ignored, and still finds the signatures', async () => {
    const b = layout();
    const subject = b.subject();
    b.manifest({ config: b.blob('{}'), layers: [] }, { listedSize: 5 * MiB });
    goodBundle(b, subject);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified');
    assert.equal(v.discovery.ignored?.length, 1);
    assert.equal(v.discovery.ignored?.[0]?.code, 'registry.too-large');
  });

  it('a wrong key still fails as a wrong key when an unreadable bundle sits beside it', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, BUNDLE_TYPE, { ...b.blob('{}', BUNDLE_TYPE), size: 33 * MiB });
    goodBundle(b, subject);
    const v = await run(b, cosignTrust(ecdsaKey()));
    assert.equal(v.state, 'failed');
    // the signature judged against the key says more than the one that could not be read
    assert.equal(v.code, 'cosign.signature-mismatch');
  });
});

describe('cosign legacy .sig: each layer on its own', () => {
  it('verifies the good layer beside a missing and an oversized one', async () => {
    const b = layout();
    const subject = b.subject();
    const missing = { ...legacyLayer(b, key, subject.digest), digest: `sha256:${sha256('gone')}` };
    const huge = { ...legacyLayer(b, key, subject.digest), size: 200 * MiB };
    b.sigTag(subject, [missing, huge, legacyLayer(b, key, subject.digest)]);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'verified', JSON.stringify(v.signatures, null, 1));
    assert.deepEqual(errorOf(v.signatures), ['signature.unreadable', 'signature.too-large', 'ok']);
    assert.match(v.signatures[1]?.error?.message ?? '', /^cosign legacy signature layer 2 of 3 not read, too large: 209715200 bytes, over the 128 MiB limit/);
  });

  it('fails for the signature when its only layer cannot be read', async () => {
    const b = layout();
    const subject = b.subject();
    b.sigTag(subject, [{ ...legacyLayer(b, key, subject.digest), digest: `sha256:${sha256('gone')}` }]);
    const v = await run(b, cosignTrust());
    assert.equal(v.state, 'failed');
    assert.equal(v.code, 'signature.unreadable');
    assert.equal(reasonForCode(v.code), 'signature-invalid');
  });
});

describe('notation: Flux\'s retrieval and attempt rules', () => {
  let leaf: Issued;
  before(async () => {
    leaf = await selfSigned('p256');
  });
  const trust = (): ArtifactTrust => {
    const p = validateTrustPolicy({ version: '1.0', trustPolicies: [{ name: 'lab', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:lab'], trustedIdentities: ['*'] }] });
    if (!p.ok) throw new Error(p.message);
    return { notation: { policy: p.value, trustStore: trustStoreOf({ 'ca:lab': loadTrustStore('ca', 'lab', [{ name: 'lab.der', bytes: leaf.der }]) }), label: '--trust-policy trustpolicy.json', source: 'flag' } };
  };
  const envelope = (b: LayoutBuilder, subject: Desc, expiry?: Date): Desc =>
    b.blob(jws([leaf], { target: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, signingTime: T0, ...(expiry ? { expiry } : {}) }), 'application/jose+json');

  it('verifies with the first signature and reads no further', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, NOTARY_TYPE, envelope(b, subject));
    const v = await run(b, trust());
    assert.equal(v.state, 'verified', JSON.stringify(v.signatures, null, 1));
    assert.equal(v.notation?.statement, 'lab');
    assert.equal(v.notation?.level, 'strict');
  });

  it('stops at a signature it cannot retrieve, as notation-go and Flux do, and says the later ones were not judged', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, NOTARY_TYPE, { ...b.blob('x', 'application/jose+json'), size: 40 * MiB });
    b.referrer(subject, NOTARY_TYPE, envelope(b, subject));
    const v = await run(b, trust());
    // layout referrers come in index order; the oversized one is first
    assert.equal(v.state, 'failed');
    assert.equal(v.code, 'signature.too-large');
    assert.equal(v.signatures.length, 1);
    assert.match(v.signatures[0]?.error?.message ?? '', /^notation signature envelope not read, too large: 41943040 bytes, over the 32 MiB limit for signatures; notation and Flux stop at a signature they cannot retrieve, so 1 later signature was not judged$/);
  });

  it('says a signature past its own expiry "expired on" that time, in notation\'s terms', async () => {
    const b = layout();
    const subject = b.subject();
    b.referrer(subject, NOTARY_TYPE, envelope(b, subject, new Date('2026-03-01T12:00:00Z')));
    const v = await run(b, trust());
    assert.equal(v.state, 'failed');
    assert.equal(v.code, 'notation.signature-expired');
    assert.equal(v.message, '--trust-policy trustpolicy.json · statement lab (strict): the signature expired on 2026-03-01T12:00:00Z (the expiry its signer set; checked at 2026-06-01T00:00:00Z)');
  });
});
