// The drill-down's signature lines: a signer is established only by a signature that verified, an
// unreadable signature is listed with its own error, and a bundle read means the .sig tag was not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detailLines, lineText } from '../../../src/tui/detail.js';
import type { SignatureEvidence } from '../../../src/verify/evidence.js';
import { failed, passed } from '../../../src/verify/evidence.js';
import { node, report } from './fixtures.js';

const key = { kind: 'key' as const, label: 'apps/cosign-pub · cosign.pub', source: 'object' as const };
const cert = { kind: 'certificate' as const, subject: 'CN=laptop,O=Example', issuer: 'CN=laptop,O=Example', notAfter: '2026-12-01T00:00:00.000Z' };

const text = (signatures: readonly SignatureEvidence[]): string => {
  const n = node({ name: 'app', state: 'failed', reasons: ['untrusted'], signatures });
  return detailLines(n, report([n])).map(lineText).join('\n');
};

describe('detailLines: signatures', () => {
  it('prints "claims to be signed by" under a signature that did not verify, never a signer line', () => {
    const t = text([{ mechanism: 'notation-jws', foundAt: { via: 'referrers-api' }, signer: cert, verified: false, attempts: [{ trust: { kind: 'trust-policy', label: 'p', source: 'object' }, ok: false, checks: [failed('authenticity', 'notation.untrusted-cert', 'no trusted certificate')] }] }]);
    assert.match(t, /claims to be signed by certificate CN=laptop,O=Example · issuer CN=laptop,O=Example · valid until 2026-12-01T00:00:00\.000Z, not verified/);
    assert.doesNotMatch(t, /^\s+signer /m);
  });

  it('prints the signer under a signature that verified', () => {
    const t = text([{ mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api' }, signer: { kind: 'key', keyFingerprint: 'SHA256:9c1f', keyAlgorithm: 'ecdsa-p256' }, verified: true, attempts: [{ trust: key, ok: true, checks: [passed('signature', 'ok')] }] }]);
    assert.match(t, /^\s+signer key SHA256:9c1f ecdsa-p256$/m);
  });

  it('lists an unreadable signature with its error, and says the .sig tag was not read because a bundle was', () => {
    const t = text([
      { mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api' }, verified: false, attempts: [], error: { code: 'signature.too-large', message: 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures' } },
      { mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api' }, verified: false, attempts: [{ trust: key, ok: false, checks: [failed('signature', 'cosign.signature-mismatch', 'signature does not verify with this ecdsa-p256 key')] }] },
    ]);
    assert.match(t, /✘ cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures {2}\[signature\.too-large\]/);
    assert.match(t, /looked in OCI 1\.1 referrers API; cosign \.sig tag not read: bundles were found, and cosign reads legacy signatures only when there are none/);
  });

  it('says nothing of the .sig tag when no bundle could be read', () => {
    const t = text([{ mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api' }, verified: false, attempts: [], error: { code: 'signature.too-large', message: 'too large' } }]);
    assert.doesNotMatch(t, /looked in/);
  });
});
