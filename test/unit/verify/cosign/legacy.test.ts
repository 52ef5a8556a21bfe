import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyCosignLegacy } from '../../../../src/verify/cosign/index.js';
import type { CosignTrust, KeyTrust, LegacySignatureInput } from '../../../../src/verify/cosign/index.js';
import { publicGoodTrustedRoot } from '../../../../src/verify/trust/index.js';
import type { SignatureEvidence } from '../../../../src/verify/evidence.js';
import { legacyDir, manifestDigest, readPem, readSignatureFile, signatureFiles } from './dir-layout.js';
import { must } from './must.js';

const now = new Date('2026-01-01T00:00:00Z');
const keyRef = (name: string) => ({ kind: 'key' as const, label: `--key ${name}`, source: 'flag' as const });
const keys = (...names: string[]): KeyTrust => ({ kind: 'key', keys: names.map((n) => ({ ref: keyRef(n), pem: readPem('cosign-legacy', n) })) });

/** Every sigstore signature in a fixture dir, verified against its own manifest digest (or `digest`). */
function verifyDir(name: string, trust: CosignTrust, digest?: string): SignatureEvidence[] {
  const dir = legacyDir(name);
  const artifactDigest = digest ?? manifestDigest(dir);
  assert.ok(artifactDigest, `${name} has no manifest.json`);
  return signatureFiles(dir)
    .map((f) => readSignatureFile(f, artifactDigest))
    .filter((s): s is LegacySignatureInput => s !== undefined)
    .map((s) => verifyCosignLegacy(s, trust, { now }));
}

const codes = (e: SignatureEvidence) => e.attempts.flatMap((a) => a.checks.filter((c) => !c.ok).map((c) => c.code));

describe('cosign legacy: containers/image fixtures', () => {
  it('dir-img-cosign-valid verifies with cosign.pub, alone or with cosign2.pub in either order', () => {
    for (const trust of [keys('cosign.pub'), keys('cosign.pub', 'cosign2.pub'), keys('cosign2.pub', 'cosign.pub')]) {
      const [ev] = verifyDir('dir-img-cosign-valid', trust);
      assert.ok(ev);
      assert.equal(ev.verified, true);
      assert.equal(ev.fluxVerified, undefined, 'Flux agrees');
      assert.equal(ev.attempts.length, trust.keys.length, 'every key is tried and recorded');
      const good = ev.attempts.find((a) => a.ok);
      assert.equal(good?.trust.label, '--key cosign.pub');
      assert.match(good?.trust.fingerprint ?? '', /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(ev.signer?.keyFingerprint, good?.trust.fingerprint);
    }
  });

  it('dir-img-cosign-valid is rejected with cosign2.pub alone, with per-key evidence', () => {
    const [ev] = verifyDir('dir-img-cosign-valid', keys('cosign2.pub'));
    assert.equal(ev?.verified, false);
    assert.equal(ev?.fluxVerified, undefined);
    assert.deepEqual(codes(must(ev)), ['cosign.signature-mismatch']);
  });

  it('dir-img-cosign-valid is rejected when the signature annotation is removed or not a signature', () => {
    const [sig] = signatureFiles(legacyDir('dir-img-cosign-valid')).map((f) => readSignatureFile(f, must(manifestDigest(legacyDir('dir-img-cosign-valid')))));
    assert.ok(sig);
    const { ['dev.cosignproject.cosign/signature']: _removed, ...rest } = sig.annotations;
    const missing = verifyCosignLegacy({ ...sig, annotations: rest }, keys('cosign.pub'), { now });
    assert.equal(missing.verified, false);
    assert.equal(missing.error?.code, 'cosign.signature-missing');
    const bogus = verifyCosignLegacy({ ...sig, annotations: { ...sig.annotations, 'dev.cosignproject.cosign/signature': Buffer.from('invalid signature').toString('base64') } }, keys('cosign.pub'), { now });
    assert.equal(bogus.verified, false);
    assert.deepEqual(codes(bogus), ['cosign.signature-mismatch']);
  });

  it('dir-img-cosign-valid-2: both signatures verify', () => {
    const evs = verifyDir('dir-img-cosign-valid-2', keys('cosign.pub'));
    assert.equal(evs.length, 2);
    assert.ok(evs.every((e) => e.verified));
  });

  it('dir-img-cosign-valid-with-tag (skopeo payload with optional fields) verifies', () => {
    const evs = verifyDir('dir-img-cosign-valid-with-tag', keys('cosign.pub'));
    assert.equal(evs.length, 1);
    assert.equal(evs[0]?.verified, true);
  });

  it('dir-img-cosign-key-rekor-valid verifies with cosign2.pub, and with the SET checked against the public-good Rekor key', () => {
    const [offline] = verifyDir('dir-img-cosign-key-rekor-valid', keys('cosign.pub', 'cosign2.pub'));
    assert.equal(offline?.verified, true);
    const tlog = offline?.attempts.find((a) => a.ok)?.checks.find((c) => c.check === 'tlog');
    assert.match(tlog?.message ?? '', /not checked/);
    const [online] = verifyDir('dir-img-cosign-key-rekor-valid', { ...keys('cosign2.pub'), trustedRoot: publicGoodTrustedRoot(), requireTlog: true });
    assert.equal(online?.verified, true, JSON.stringify(online, null, 1));
    const checked = online?.attempts[0]?.checks.map((c) => c.check);
    assert.ok(checked?.includes('tlog') && checked.includes('tlog-entry'));
  });

  it('dir-img-cosign-key-rekor-valid is rejected when the SET is garbage or missing and a tlog is required', () => {
    const dir = legacyDir('dir-img-cosign-key-rekor-valid');
    const [sig] = signatureFiles(dir).map((f) => readSignatureFile(f, must(manifestDigest(dir))));
    assert.ok(sig);
    const trust: KeyTrust = { ...keys('cosign2.pub'), trustedRoot: publicGoodTrustedRoot(), requireTlog: true };
    const garbage = verifyCosignLegacy({ ...sig, annotations: { ...sig.annotations, 'dev.sigstore.cosign/bundle': 'garbage' } }, trust, { now });
    assert.equal(garbage.verified, false);
    assert.equal(garbage.error?.code, 'cosign.tlog-invalid');
    const { ['dev.sigstore.cosign/bundle']: _set, ...noSet } = sig.annotations;
    const missing = verifyCosignLegacy({ ...sig, annotations: noSet }, trust, { now });
    assert.equal(missing.verified, false);
    assert.deepEqual(codes(missing), ['cosign.tlog-missing']);
    assert.equal(missing.fluxVerified, true, 'Flux ignores the tlog for keys');
  });

  it('the key-rekor SET attached to the cosign.pub signature of dir-img-cosign-valid is rejected', () => {
    const keyRekor = legacyDir('dir-img-cosign-key-rekor-valid');
    const [withSet] = signatureFiles(keyRekor).map((f) => readSignatureFile(f, must(manifestDigest(keyRekor))));
    const valid = legacyDir('dir-img-cosign-valid');
    const [sig] = signatureFiles(valid).map((f) => readSignatureFile(f, must(manifestDigest(valid))));
    assert.ok(withSet && sig);
    const spliced = { ...sig, annotations: { ...sig.annotations, 'dev.sigstore.cosign/bundle': must(withSet.annotations['dev.sigstore.cosign/bundle']) } };
    const ev = verifyCosignLegacy(spliced, { ...keys('cosign.pub'), trustedRoot: publicGoodTrustedRoot() }, { now });
    assert.equal(ev.verified, false);
    assert.ok(codes(ev).includes('cosign.tlog-invalid'), codes(ev).join());
  });

  it('dir-img-cosign-fulcio-rekor-valid verifies keyless against the public-good root with issuer and email', () => {
    const trust: CosignTrust = {
      kind: 'keyless',
      trustedRoot: publicGoodTrustedRoot(),
      trustedRootRef: { kind: 'trusted-root', label: 'public-good Sigstore', source: 'builtin' },
      identities: [{ issuer: '^https://github\\.com/login/oauth$', subject: '^mitr@redhat\\.com$' }],
    };
    const [ev] = verifyDir('dir-img-cosign-fulcio-rekor-valid', trust);
    assert.equal(ev?.verified, true, JSON.stringify(ev, null, 1));
    assert.equal(ev?.signer?.san, 'mitr@redhat.com');
    assert.equal(ev?.signer?.issuer, 'https://github.com/login/oauth');
    const wrong = verifyDir('dir-img-cosign-fulcio-rekor-valid', { ...trust, identities: [{ issuer: '', subject: '^this-does-not-match@example\\.com$' }] });
    assert.equal(wrong[0]?.verified, false);
    assert.deepEqual(codes(must(wrong[0])), ['cosign.identity-mismatch']);
  });

  it('dir-img-cosign-fulcio-rekor-valid is rejected without its certificate or SET', () => {
    const dir = legacyDir('dir-img-cosign-fulcio-rekor-valid');
    const [sig] = signatureFiles(dir).map((f) => readSignatureFile(f, must(manifestDigest(dir))));
    assert.ok(sig);
    const trust: CosignTrust = { kind: 'keyless', trustedRoot: publicGoodTrustedRoot(), trustedRootRef: { kind: 'trusted-root', label: 'pg', source: 'builtin' }, identities: [] };
    const { ['dev.sigstore.cosign/certificate']: _c, ...noCert } = sig.annotations;
    assert.deepEqual(codes(verifyCosignLegacy({ ...sig, annotations: noCert }, trust, { now })), ['cosign.certificate-missing']);
    const { ['dev.sigstore.cosign/bundle']: _b, ...noSet } = sig.annotations;
    assert.deepEqual(codes(verifyCosignLegacy({ ...sig, annotations: noSet }, trust, { now })), ['cosign.tlog-missing']);
  });

  it('dir-img-cosign-pki-valid: keyless without a tlog entry is refused (cosign/Flux rule; containers/image accepts it with PKI roots)', () => {
    const [ev] = verifyDir('dir-img-cosign-pki-valid', { kind: 'keyless', trustedRoot: publicGoodTrustedRoot(), trustedRootRef: { kind: 'trusted-root', label: 'pg', source: 'builtin' }, identities: [] });
    assert.equal(ev?.verified, false);
    assert.deepEqual(codes(must(ev)), ['cosign.tlog-missing']);
    assert.equal(ev?.signer?.san, 'qiwan@redhat.com, myhost.example.com');
  });

  it('dir-img-cosign-mixed: the unknown-key signature fails, the other verifies', () => {
    const evs = verifyDir('dir-img-cosign-mixed', keys('cosign.pub'));
    assert.deepEqual(evs.map((e) => e.verified), [false, true]);
    assert.deepEqual(codes(must(evs[0])), ['cosign.signature-mismatch']);
  });

  it('dir-img-cosign-modified-manifest: signature valid, claim names another digest; Flux would accept', () => {
    const [ev] = verifyDir('dir-img-cosign-modified-manifest', keys('cosign.pub'));
    assert.equal(ev?.verified, false);
    assert.equal(ev?.fluxVerified, true);
    assert.deepEqual(codes(must(ev)), ['cosign.claim-digest-mismatch']);
    const claim = ev?.attempts[0]?.checks.find((c) => c.code === 'cosign.claim-digest-mismatch');
    assert.match(claim?.message ?? '', /expected payload to name sha256:d9dcafdb.*found sha256:634a8f35/);
  });

  it('dir-img-cosign-manifest-digest-error: raw-bytes digest does not match the claim', () => {
    const [ev] = verifyDir('dir-img-cosign-manifest-digest-error', keys('cosign.pub'));
    assert.equal(ev?.verified, false);
    assert.deepEqual(codes(must(ev)), ['cosign.claim-digest-mismatch']);
  });

  it('dir-img-cosign-other-attachment: a text/plain entry is not a signature', () => {
    const [ev] = verifyDir('dir-img-cosign-other-attachment', keys('cosign.pub'));
    assert.equal(ev?.verified, false);
    assert.equal(ev?.error?.code, 'cosign.media-type');
    assert.equal(ev?.attempts.length, 0);
  });

  it('dir-img-cosign-no-manifest: the signature alone cannot be checked against any digest', () => {
    const dir = legacyDir('dir-img-cosign-no-manifest');
    assert.equal(manifestDigest(dir), undefined);
    const [sig] = signatureFiles(dir).map((f) => readSignatureFile(f, ''));
    assert.ok(sig);
    assert.equal(verifyCosignLegacy(sig, keys('cosign.pub'), { now }).error?.code, 'cosign.artifact-digest-invalid');
  });

  it('dir-img-unsigned has no signatures and dir-img-valid only a GPG one', () => {
    assert.deepEqual(verifyDir('dir-img-unsigned', keys('cosign.pub')), []);
    assert.deepEqual(verifyDir('dir-img-valid', keys('cosign.pub')), []);
  });

  it('unknown-cosign-key.signature fails with both known keys, one attempt each', () => {
    const digest = must(manifestDigest(legacyDir('dir-img-cosign-valid')));
    const sig = readSignatureFile(legacyDir('unknown-cosign-key.signature'), digest);
    assert.ok(sig);
    const ev = verifyCosignLegacy(sig, keys('cosign.pub', 'cosign2.pub'), { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(codes(ev), ['cosign.signature-mismatch', 'cosign.signature-mismatch']);
  });
});
