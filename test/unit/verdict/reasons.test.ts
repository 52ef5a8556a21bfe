import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReasonCode, REASON_CODES, reasonForCode, reasonForTrustProblem, REASONS, summarise } from '../../../src/verdict/index.js';
import type { Finding, ReasonCode } from '../../../src/verdict/index.js';

const REQUIRED = [
  'verified', 'no-signature', 'wrong-key', 'identity-mismatch', 'expired', 'tampered', 'untrusted', 'not-enforced', 'weak',
  'trust-unreadable', 'trust-missing', 'trust-invalid', 'registry-error', 'registry-auth', 'flux-disagrees', 'stale-flux-condition',
  'drift', 'not-reconciled', 'dangling-ref', 'suspended', 'unsupported', 'pending',
];

describe('the reason table', () => {
  it('has every required reason, each with a label, a severity and one next step', () => {
    for (const r of REQUIRED) assert.ok(isReasonCode(r), r);
    for (const c of REASON_CODES) {
      const info = REASONS[c];
      assert.ok(info.label.length > 0 && info.next.length > 0, c);
      assert.ok(['ok', 'info', 'warning', 'error'].includes(info.severity), c);
      assert.ok(!info.next.includes('\n'), c);
    }
    assert.equal(REASONS.verified.severity, 'ok');
    assert.deepEqual(REASON_CODES.filter((c) => REASONS[c].severity === 'ok'), ['verified']);
    assert.equal(isReasonCode('toString'), false);
  });
});

// every code verify/ and registry/ define today (src/verify/cosign/codes.ts, src/verify/notation/codes.ts,
// src/verify/trust/codes.ts, src/registry/errors.ts) with the reason it must map to
const CODES: Record<string, ReasonCode> = {
  'signature.none': 'no-signature',
  'cosign.media-type': 'signature-invalid',
  'cosign.artifact-digest-invalid': 'check-failed',
  'cosign.key-invalid': 'trust-invalid',
  'cosign.signature-mismatch': 'wrong-key',
  'cosign.signature-digest-algorithm': 'signature-unsupported',
  'cosign.signature-missing': 'signature-invalid',
  'cosign.signature-malformed': 'signature-invalid',
  'cosign.claim-digest-mismatch': 'tampered',
  'cosign.claim-type': 'signature-invalid',
  'cosign.payload-invalid': 'signature-invalid',
  'cosign.bundle-invalid': 'signature-invalid',
  'cosign.bundle-unsupported': 'signature-unsupported',
  'cosign.subject-mismatch': 'tampered',
  'cosign.material-mismatch': 'wrong-key',
  'cosign.identity-mismatch': 'identity-mismatch',
  'cosign.identity-pattern-invalid': 'trust-invalid',
  'cosign.identity-unconstrained': 'weak',
  'cosign.certificate-missing': 'signature-invalid',
  'cosign.certificate-untrusted': 'untrusted',
  'cosign.certificate-expired': 'expired',
  'cosign.tlog-invalid': 'tampered',
  'cosign.tlog-missing': 'untrusted',
  'cosign.timestamp-missing': 'untrusted',
  'cosign.timestamp-invalid': 'untrusted',
  'cosign.trust-invalid': 'trust-invalid',
  'notation.envelope-invalid': 'signature-invalid',
  'notation.envelope-unsupported': 'signature-unsupported',
  'notation.signature-invalid': 'tampered',
  'notation.payload-mismatch': 'tampered',
  'notation.chain-invalid': 'untrusted',
  'notation.cert-expired': 'expired',
  'notation.cert-not-yet-valid': 'expired',
  'notation.untrusted-cert': 'untrusted',
  'notation.identity-mismatch': 'identity-mismatch',
  'notation.signature-expired': 'expired',
  'notation.policy-invalid': 'trust-invalid',
  'notation.no-applicable-policy': 'trust-invalid',
  'notation.trust-store-invalid': 'trust-invalid',
  'notation.timestamp-missing': 'untrusted',
  'notation.timestamp-invalid': 'untrusted',
  'notation.timestamp-unsupported': 'signature-unsupported',
  'notation.revocation-not-checked': 'untrusted',
  'notation.secret-invalid': 'trust-invalid',
  'notation.no-signature': 'no-signature',
  'notation.attempts-exhausted': 'check-failed',
  'notation.internal': 'check-failed',
  'trust.root-invalid': 'trust-invalid',
  'registry.bad-reference': 'registry-error',
  'registry.unauthorized': 'registry-auth',
  'registry.forbidden': 'registry-auth',
  'registry.not-found': 'registry-error',
  'registry.unreachable': 'registry-error',
  'registry.tls': 'registry-error',
  'registry.timeout': 'registry-error',
  'registry.rate-limited': 'registry-error',
  'registry.server-error': 'registry-error',
  'registry.protocol': 'registry-error',
  'registry.digest-mismatch': 'tampered',
  'registry.too-large': 'registry-error',
  'registry.media-type': 'registry-error',
  'registry.credentials': 'registry-auth',
  'registry.no-match': 'registry-error',
  'registry.bad-constraint': 'registry-error',
  'layout.not-found': 'registry-error',
  'layout.invalid': 'registry-error',
  'layout.unreadable': 'registry-error',
};

describe('reasonForCode', () => {
  for (const [code, want] of Object.entries(CODES)) {
    it(`${code} → ${want}`, () => assert.equal(reasonForCode(code), want));
  }
  it('maps every code but identity-unconstrained to a failure', () => {
    for (const code of Object.keys(CODES)) {
      if (code === 'cosign.identity-unconstrained') continue;
      assert.equal(REASONS[reasonForCode(code)].severity, 'error', code);
    }
  });
  it('unknown codes fail, never verify', () => {
    for (const code of ['', 'ok', 'verified', 'cosign.future', 'notation.future', 'something', '__proto__', 'constructor']) {
      assert.equal(reasonForCode(code), 'check-failed', code);
    }
    assert.equal(reasonForCode('registry.future'), 'registry-error');
    assert.equal(reasonForCode('layout.future'), 'registry-error');
  });
});

describe('reasonForTrustProblem', () => {
  const table: [string, ReasonCode][] = [
    ['secret.forbidden', 'trust-unreadable'],
    ['kube.forbidden', 'trust-unreadable'],
    ['kube.unauthorized', 'trust-unreadable'],
    ['secret.unavailable', 'trust-unreadable'],
    ['secret.error', 'trust-unreadable'],
    ['secret.not-found', 'trust-missing'],
    ['kube.not-found', 'trust-missing'],
    ['trust.no-keys', 'trust-missing'],
    ['cosign.key-invalid', 'trust-invalid'],
    ['notation.secret-invalid', 'trust-invalid'],
    ['trust.root-invalid', 'trust-invalid'],
    ['whatever', 'trust-invalid'],
    ['ok', 'trust-invalid'],
  ];
  for (const [code, want] of table) it(`${code} → ${want}`, () => assert.equal(reasonForTrustProblem(code), want));
});

describe('summarise', () => {
  it('counts findings by state', () => {
    const states: Finding['state'][] = ['verified', 'verified', 'failed', 'not-enforced', 'weak', 'error', 'pending', 'pending', 'unsupported'];
    assert.deepEqual(summarise(states.map((state) => ({ state }))), { verified: 2, failed: 1, notEnforced: 1, weak: 1, errors: 1, pending: 2, unsupported: 1 });
    assert.deepEqual(summarise([]), { verified: 0, failed: 0, notEnforced: 0, weak: 0, errors: 0, pending: 0, unsupported: 0 });
  });
});
