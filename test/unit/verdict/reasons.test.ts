import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isReasonCode, REASON_CODES, reasonForCode, reasonForTrustProblem, REASONS, summarise } from '../../../src/verdict/index.js';
import type { Finding, ReasonCode } from '../../../src/verdict/index.js';
import { EVIDENCE_REASONS } from '../../../src/verdict/codes.js';

describe('the reason table', () => {
  it('gives every reason a label, a severity and one next step', () => {
    for (const c of REASON_CODES) {
      const info = REASONS[c];
      assert.ok(info.label.length > 0 && info.next.length > 0, c);
      assert.ok(['ok', 'info', 'warning', 'error'].includes(info.severity), c);
      assert.ok(!info.next.includes('\n'), c);
    }
    assert.equal(REASONS.verified.severity, 'ok');
    assert.deepEqual(REASON_CODES.filter((c) => REASONS[c].severity === 'ok'), ['verified']);
    assert.equal(isReasonCode('wrong-key'), true);
    assert.equal(isReasonCode('toString'), false);
  });
});

// the table is exhaustive by type (EVIDENCE_REASONS satisfies Record<EvidenceCode, ReasonCode>); these pin the
// judgements that are not obvious from the codes' names
const PINNED: [string, ReasonCode][] = [
  ['cosign.signature-mismatch', 'wrong-key'],
  ['cosign.material-mismatch', 'wrong-key'],
  ['cosign.tlog-invalid', 'tampered'],
  ['notation.signature-invalid', 'tampered'],
  ['notation.cert-not-yet-valid', 'expired'],
  ['registry.digest-mismatch', 'tampered'],
  ['registry.credentials', 'registry-auth'],
  ['signature.too-large', 'signature-invalid'],
];

describe('reasonForCode', () => {
  for (const [code, want] of PINNED) {
    it(`${code} → ${want}`, () => assert.equal(reasonForCode(code), want));
  }
  it('finds every code of the table', () => {
    for (const [code, want] of Object.entries(EVIDENCE_REASONS)) assert.equal(reasonForCode(code), want, code);
  });
  it('maps every code but identity-unconstrained to a failure', () => {
    for (const code of Object.keys(EVIDENCE_REASONS)) {
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
    const states: Finding['state'][] = ['verified', 'verified', 'failed', 'not-enforced', 'weak', 'error', 'pending', 'pending', 'unsupported', 'unverifiable', 'unverifiable', 'unverifiable'];
    assert.deepEqual(summarise(states.map((state) => ({ state }))), { verified: 2, failed: 1, notEnforced: 1, weak: 1, errors: 1, pending: 2, unsupported: 1, unverifiable: 3 });
    assert.deepEqual(summarise([]), { verified: 0, failed: 0, notEnforced: 0, weak: 0, errors: 0, pending: 0, unsupported: 0, unverifiable: 0 });
  });
});
