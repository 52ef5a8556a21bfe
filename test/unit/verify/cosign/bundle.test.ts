import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixture } from '../../../helpers/paths.js';
import { BUNDLE_MEDIA_TYPE, exactPattern, verifyCosignBundle } from '../../../../src/verify/cosign/index.js';
import type { BundleSignatureInput, KeylessTrust } from '../../../../src/verify/cosign/index.js';
import { parseTrustedRoot } from '../../../../src/verify/trust/index.js';
import type { SignatureEvidence } from '../../../../src/verify/evidence.js';

const now = new Date('2026-01-01T00:00:00Z');
const bundleBytes = readFileSync(fixture('cosign-bundle', 'oci-attestation.sigstore.json'));
const root = parseTrustedRoot(readFileSync(fixture('cosign-bundle', 'trusted_root_pgi.json')));
const SUBJECT = 'sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4';

// go-containerregistry's empty.Image manifest, rebuilt as EXPECTED.md describes (not a fixture file)
const EMPTY_CONFIG = '{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}';
const EMPTY_MANIFEST = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":115,"digest":"sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}"},"layers":[]}`;

const keyless = (identities: KeylessTrust['identities']): KeylessTrust => ({
  kind: 'keyless',
  identities,
  trustedRoot: root,
  trustedRootRef: { kind: 'trusted-root', label: 'trusted_root_pgi.json', source: 'flag' },
});
const input = (over: Partial<BundleSignatureInput> = {}): BundleSignatureInput => ({
  artifactDigest: SUBJECT,
  mediaType: BUNDLE_MEDIA_TYPE,
  bundle: bundleBytes,
  foundAt: { via: 'referrers-api', digest: 'sha256:' + '0'.repeat(64) },
  ...over,
});
const codes = (e: SignatureEvidence) => e.attempts.flatMap((a) => a.checks.filter((c) => !c.ok).map((c) => c.code));

describe('cosign bundle: cosign oci-attestation fixture', () => {
  it('the rebuilt empty.Image manifest hashes to the subject digest', () => {
    assert.equal(`sha256:${createHash('sha256').update(EMPTY_MANIFEST).digest('hex')}`, SUBJECT);
  });

  it('verifies with any identity (.*/.*), and with no identity patterns flagged as unconstrained', () => {
    const ev = verifyCosignBundle(input(), keyless([{ issuer: '.*', subject: '.*' }]), { now });
    assert.equal(ev.verified, true, JSON.stringify(ev, null, 1));
    assert.equal(ev.fluxVerified, undefined);
    assert.equal(ev.signer?.san, 'cody@soyland.com');
    assert.equal(ev.signer?.issuer, 'https://github.com/login/oauth');
    const any = verifyCosignBundle(input(), keyless([]), { now });
    assert.equal(any.verified, true);
    assert.equal(any.attempts[0]?.checks.find((c) => c.check === 'identity')?.code, 'cosign.identity-unconstrained');
  });

  it('verifies with the exact SAN and issuer', () => {
    const ev = verifyCosignBundle(input(), keyless([{ issuer: exactPattern('https://github.com/login/oauth'), subject: exactPattern('cody@soyland.com') }]), { now });
    assert.equal(ev.verified, true);
    const subject = ev.attempts[0]?.checks.find((c) => c.check === 'subject');
    assert.match(subject?.message ?? '', /predicateType https:\/\/cosign\.sigstore\.dev\/attestation\/v1, not checked/);
  });

  it('fails for SubjectRegExp "wrong", and passes if any OR-ed pattern matches', () => {
    const ev = verifyCosignBundle(input(), keyless([{ issuer: '.*', subject: 'wrong' }]), { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(codes(ev), ['cosign.identity-mismatch']);
    const either = verifyCosignBundle(input(), keyless([{ issuer: '.*', subject: 'wrong' }, { issuer: 'github', subject: 'soyland' }]), { now });
    assert.equal(either.verified, true);
    assert.deepEqual(either.attempts.map((a) => a.ok), [false, true]);
  });

  it('fails for a different image digest', () => {
    const other = 'sha256:' + 'ab'.repeat(32);
    const ev = verifyCosignBundle(input({ artifactDigest: other }), keyless([]), { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(codes(ev), ['cosign.subject-mismatch']);
    assert.match(ev.attempts[0]?.checks.find((c) => !c.ok)?.message ?? '', new RegExp(`expected an in-toto subject ${other}, found ${SUBJECT}`));
  });

  it('an invalid bundle (bytes "invalid") is reported, not verified', () => {
    const ev = verifyCosignBundle(input({ bundle: Buffer.from('invalid') }), keyless([]), { now });
    assert.equal(ev.verified, false);
    assert.equal(ev.error?.code, 'cosign.bundle-invalid');
  });

  it('fails with key trust: the bundle carries a certificate', () => {
    const pem = readFileSync(fixture('cosign-legacy', 'cosign.pub'), 'utf8');
    const ev = verifyCosignBundle(input(), { kind: 'key', keys: [{ ref: { kind: 'key', label: 'cosign.pub', source: 'flag' }, pem }] }, { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(codes(ev), ['cosign.material-mismatch']);
  });

  it('fails against a trusted root without its Fulcio CA', () => {
    const json = JSON.parse(readFileSync(fixture('cosign-bundle', 'trusted_root_pgi.json'), 'utf8')) as { certificateAuthorities: unknown[] };
    json.certificateAuthorities = [];
    const ev = verifyCosignBundle(input(), { ...keyless([]), trustedRoot: parseTrustedRoot(JSON.stringify(json)) }, { now });
    assert.equal(ev.verified, false);
    assert.deepEqual(codes(ev), ['cosign.certificate-untrusted']);
  });

  it('fails when the run time is before the Rekor integrated time', () => {
    const ev = verifyCosignBundle(input(), keyless([]), { now: new Date('2024-01-01T00:00:00Z') });
    assert.equal(ev.verified, false);
    assert.ok(codes(ev).includes('cosign.tlog-invalid'));
  });

  it('rejects wrong media types and truncated JSON with distinct codes', () => {
    assert.equal(verifyCosignBundle(input({ mediaType: 'application/json' }), keyless([]), { now }).error?.code, 'cosign.media-type');
    assert.equal(verifyCosignBundle(input({ bundle: bundleBytes.subarray(0, 100) }), keyless([]), { now }).error?.code, 'cosign.bundle-invalid');
    const v99 = Buffer.from(bundleBytes.toString('utf8').replace('application/vnd.dev.sigstore.bundle.v0.3+json', 'application/vnd.dev.sigstore.bundle.v9.9+json'));
    assert.equal(verifyCosignBundle(input({ bundle: v99 }), keyless([]), { now }).error?.code, 'cosign.bundle-unsupported');
    assert.equal(verifyCosignBundle(input({ artifactDigest: 'sha256:xyz' }), keyless([]), { now }).error?.code, 'cosign.artifact-digest-invalid');
  });
});
