// The one-line messages verdict/ reads out of Evidence: a wrong key names each key with its own
// failing check; the "expired" note is about certificates, not a signature past its own expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure, expiryNote } from '../../../src/verdict/evidence.js';
import type { VerificationOutcome } from '../../../src/verdict/types.js';
import { failed, passed, type Attempt, type CheckCode, type SignatureEvidence } from '../../../src/verify/evidence.js';

const key = (label: string, why: string): Attempt => ({
  trust: { kind: 'key', label, source: 'object' },
  ok: false,
  checks: [passed('key-hint', 'tried'), failed('signature', 'cosign.signature-mismatch', why)],
});
const sig = (attempts: Attempt[], extra: Partial<SignatureEvidence> = {}): SignatureEvidence => ({ mechanism: 'cosign-bundle', foundAt: { via: 'referrers-api' }, verified: false, attempts, ...extra });
const outcome = (signatures: SignatureEvidence[], code = 'cosign.signature-mismatch'): VerificationOutcome => ({ state: 'failed', code, message: 'failed', signatures });

describe('describeFailure: wrong key', () => {
  it('says why each key failed, on one line', () => {
    const o = outcome([sig([key('apps/cosign-pub · cosign.pub', 'signature does not verify with this ecdsa-p256 key'), key('apps/cosign-pub · old.pub', 'signature does not verify with this rsa-2048 key (the bundle names another key)')])]);
    const text = describeFailure(o, 'wrong-key');
    assert.equal(text, 'none of 1 signature verifies with the 2 keys tried (apps/cosign-pub · cosign.pub: signature does not verify with this ecdsa-p256 key; apps/cosign-pub · old.pub: signature does not verify with this rsa-2048 key (the bundle names another key))');
    assert.ok(!text.includes('\n'));
  });

  it('names a key once, with its first failing check, however many signatures it was tried on', () => {
    const o = outcome([sig([key('--key a.pub', 'first reason')]), sig([key('--key a.pub', 'second reason')], { mechanism: 'cosign-legacy' })]);
    assert.equal(describeFailure(o, 'wrong-key'), 'none of 2 signatures verifies with the key tried (--key a.pub: first reason)');
  });

  it('counts signatures that could not be read apart: they were never judged against a key', () => {
    const o = outcome([sig([key('--key a.pub', 'signature does not verify with this ecdsa-p256 key')]), sig([], { error: { code: 'signature.too-large', message: 'cosign bundle not read, too large' } })]);
    assert.equal(describeFailure(o, 'wrong-key'), 'none of 1 signature verifies with the key tried (--key a.pub: signature does not verify with this ecdsa-p256 key); 1 more signature could not be read');
  });

  it('explains an unreadable signature by its own message', () => {
    const o = outcome([sig([], { error: { code: 'signature.too-large', message: 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures' } })], 'signature.too-large');
    assert.equal(describeFailure(o, 'signature-invalid'), 'cosign bundle not read, too large: 41943040 bytes, over the 32 MiB limit for signatures');
    const parse = outcome([sig([], { error: { code: 'cosign.bundle-invalid', message: 'bundle is not JSON' } })], 'cosign.bundle-invalid');
    assert.equal(describeFailure(parse, 'signature-invalid'), 'cosign bundle signature: bundle is not JSON');
  });
});

describe('expiryNote', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const notation = (code: Exclude<CheckCode, 'ok'>, message: string): SignatureEvidence => ({
    mechanism: 'notation-jws',
    foundAt: { via: 'referrers-api' },
    signer: { kind: 'certificate', subject: 'CN=ci', notAfter: '2026-05-01T00:00:00.000Z' },
    verified: false,
    attempts: [{ trust: { kind: 'trust-policy', label: 'policy', source: 'object' }, ok: false, checks: [failed('expiry', code, message)] }],
  });

  it('gives the certificate validity when a certificate expired', () => {
    assert.equal(expiryNote([notation('notation.cert-expired', 'expired')], now), ' (certificate valid until 2026-05-01, 31 days ago)');
  });

  it('says nothing of certificates when the signature passed its own expiry: its message already says when', () => {
    assert.equal(expiryNote([notation('notation.signature-expired', 'the signature expired on 2026-05-15T00:00:00Z')], now), '');
  });
});
