// `kubectl verify artifact`'s text: golden files for the wording an engineer reads once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArtifactVerification } from '../../../src/audit/artifact.js';
import { formatArtifactText } from '../../../src/report/artifact-text.js';
import { palette } from '../../../src/report/color.js';
import { failed, passed, type SignatureEvidence } from '../../../src/verify/evidence.js';
import { digest } from './fixtures.js';
import { assertGolden } from './golden.js';

const plain = palette(false);
const SUBJECT = digest('artifact');
const HEX = SUBJECT.slice('sha256:'.length);
const keyRef = { kind: 'key' as const, label: '--key cosign.pub', fingerprint: 'SHA256:9c1fa2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', source: 'flag' as const };
const policyRef = { kind: 'trust-policy' as const, label: '--trust-policy trustpolicy.json · statement lab (strict)', source: 'flag' as const };

const goodBundle: SignatureEvidence = {
  mechanism: 'cosign-bundle',
  foundAt: { via: 'referrers-api', digest: digest('sig:good') },
  signer: { kind: 'key', keyFingerprint: keyRef.fingerprint, keyAlgorithm: 'ecdsa-p256' },
  verified: true,
  attempts: [{ trust: keyRef, ok: true, checks: [passed('signature', 'signature verifies'), passed('subject', `in-toto subject names ${SUBJECT}`)] }],
};
const unread = (seed: string, code: string, message: string): SignatureEvidence => ({ mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api', digest: digest(seed) }, verified: false, attempts: [], error: { code, message } });

const cases: Record<string, ArtifactVerification> = {
  // a good bundle beside ones that cannot be read; the legacy tag was not read because bundles were found
  'verified-beside-unreadable': {
    reference: 'oci://registry.example/app:1.0.0',
    resolved: { tag: '1.0.0', digest: SUBJECT, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 512 },
    discovery: {
      referrers: 'referrers-api',
      sigTagNotRead: `sha256-${HEX}.sig`,
      problems: [],
      ignored: [{ digest: digest('unknown'), code: 'registry.protocol', message: 'registry.example/app: manifest sha256:1234…: expected a JSON manifest' }],
    },
    signatures: [
      unread('sig:big', 'signature.too-large', 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures'),
      unread('sig:garbage', 'cosign.bundle-invalid', 'bundle is not JSON: Unexpected token'),
      goodBundle,
    ],
    state: 'verified',
    code: 'ok',
    message: 'cosign bundle signature verified with --key cosign.pub',
  },
  'only-signature-too-large': {
    reference: 'oci://registry.example/app:1.0.0',
    resolved: { tag: '1.0.0', digest: SUBJECT, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 512 },
    discovery: { referrers: 'referrers-api', sigTag: `sha256-${HEX}.sig`, problems: [] },
    signatures: [unread('sig:big', 'signature.too-large', 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures')],
    state: 'failed',
    code: 'signature.too-large',
    message: 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures',
  },
  // notation, a signature past its own expiry: what the signer claims is not shown as established
  'notation-signature-expired': {
    reference: 'oci://registry.example/app:1.0.0',
    resolved: { tag: '1.0.0', digest: SUBJECT, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 512 },
    discovery: { referrers: 'referrers-api', problems: [] },
    signatures: [
      {
        mechanism: 'notation-jws',
        foundAt: { via: 'referrers-api', digest: digest('sig:notation') },
        signer: { kind: 'certificate', subject: 'CN=ci,O=Notary,L=Seattle,ST=WA,C=US', issuer: 'CN=ci,O=Notary,L=Seattle,ST=WA,C=US', notAfter: '2026-12-01T00:00:00.000Z' },
        verified: false,
        attempts: [
          {
            trust: policyRef,
            ok: false,
            checks: [passed('integrity', 'JWS PS256 signature verifies'), passed('authenticity', 'chain anchored'), failed('expiry', 'notation.signature-expired', 'the signature expired on 2026-03-01T12:00:00Z (the expiry its signer set; checked at 2026-06-01T00:00:00Z)')],
          },
        ],
      },
    ],
    notation: { statement: 'lab', level: 'strict', outcome: 'failed' },
    state: 'failed',
    code: 'notation.signature-expired',
    message: `${policyRef.label}: the signature expired on 2026-03-01T12:00:00Z (the expiry its signer set; checked at 2026-06-01T00:00:00Z)`,
  },
  // no policy statement applies: only the outcome is known, so only the outcome is printed
  'notation-no-statement': {
    reference: 'oci://registry.example/app:1.0.0',
    resolved: { tag: '1.0.0', digest: SUBJECT, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 512 },
    discovery: { referrers: 'referrers-tag', problems: [] },
    signatures: [
      {
        mechanism: 'notation-cose',
        foundAt: { via: 'referrers-tag', digest: digest('sig:cose') },
        verified: false,
        attempts: [{ trust: { ...policyRef, label: '--trust-policy trustpolicy.json' }, ok: false, checks: [failed('policy', 'notation.no-applicable-policy', 'artifact has no applicable trust policy statement')] }],
      },
    ],
    notation: { outcome: 'failed' },
    state: 'failed',
    code: 'notation.no-applicable-policy',
    message: '--trust-policy trustpolicy.json: artifact has no applicable trust policy statement',
  },
};

describe('artifact text (golden files)', () => {
  for (const [name, v] of Object.entries(cases)) it(name, () => assertGolden('artifact', name, formatArtifactText(v, plain)));
});

describe('artifact text wording', () => {
  it('never prints an unknown policy or level as "(none)" or "?"', () => {
    for (const v of Object.values(cases)) {
      const out = formatArtifactText(v, plain);
      assert.doesNotMatch(out, /\(none\)|level \?/);
    }
    assert.match(formatArtifactText(cases['notation-no-statement'] as ArtifactVerification, plain), /^ {2}notation {3}failed$/m);
    assert.match(formatArtifactText(cases['notation-signature-expired'] as ArtifactVerification, plain), /^ {2}notation {3}policy statement lab · level strict · failed$/m);
  });

  it('shows a signer as established only under a signature that verified', () => {
    const failedOut = formatArtifactText(cases['notation-signature-expired'] as ArtifactVerification, plain);
    assert.doesNotMatch(failedOut, /^\s+signer /m);
    assert.match(failedOut, /claims to be signed by certificate CN=ci,O=Notary.*, not verified/);
    assert.match(formatArtifactText(cases['verified-beside-unreadable'] as ArtifactVerification, plain), /^\s+signer key SHA256:9c1f/m);
  });

  it('says the legacy tag was not read because bundles were found', () => {
    assert.match(formatArtifactText(cases['verified-beside-unreadable'] as ArtifactVerification, plain), /looked in {2}referrers via referrers-api; cosign tag sha256-[0-9a-f]{64}\.sig not read: bundles were found, and cosign reads legacy signatures only when there are none/);
  });
});
