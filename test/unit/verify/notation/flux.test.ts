import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { applyAttemptRule, readFluxNotationSecret, verifyNotationSignature } from '../../../../src/verify/notation/index.js';
import type { NotationOutcome } from '../../../../src/verify/notation/index.js';
import { FOUND, LAYOUT_TARGET, NOW, read, statement } from './helpers.js';

const enc = (s: string): Uint8Array => Buffer.from(s);
const POLICY = JSON.stringify({ version: '1.0', trustPolicies: [statement({ trustStores: ['signingAuthority:anything'] })] });

describe('Flux Secret checks (flux.md §4.1)', () => {
  test('missing trustpolicy.json', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'ca.crt': read('alpine-notation-example.crt.pem') });
    assert.deepEqual(r, { ok: false, code: 'notation.secret-invalid', message: "'trustpolicy.json' not found in secret 'apps/notation'" });
  });
  test('trustpolicy.json that is not JSON', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc('{'), 'ca.crt': read('alpine-notation-example.crt.pem') });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.message, /^error occurred while parsing trustpolicy.json: /);
  });
  test('no .crt or .pem keys', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc(POLICY), 'ca.txt': read('alpine-notation-example.crt.pem') });
    assert.deepEqual(r, { ok: false, code: 'notation.secret-invalid', message: "no certificates found in secret 'apps/notation'" });
  });
  test('a policy that notation rejects', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc('{"trustPolicies":[]}'), 'ca.pem': read('alpine-notation-example.crt.pem') });
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.message, 'trust policy document has empty version, version must be specified');
  });
  test('a certificate key that does not parse', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc(POLICY), 'bad.crt': enc('nope') });
    assert.equal(r.ok ? '' : r.code, 'notation.secret-invalid');
  });
  test('skip statements are cleaned of stores and identities (CleanTrustPolicy)', () => {
    const doc = JSON.stringify({ version: '1.0', trustPolicies: [statement({ signatureVerification: { level: 'skip' } })] });
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc(doc), 'ca.crt': read('alpine-notation-example.crt.pem') });
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.value.policy.statements[0]?.trustStores.length, 0);
    assert.equal(r.value.warnings.length, 1);
  });
});

describe('Flux trust store semantics', () => {
  test('every Secret certificate answers every named store, whatever its name', () => {
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc(JSON.stringify({ version: '1.0', trustPolicies: [statement({ trustStores: ['ca:whatever-name'] })] })), 'alpine.pem': read('alpine-notation-example.crt.pem') });
    assert.ok(r.ok);
    const v = verifyNotationSignature({
      envelope: read('jws_signature.sig'), envelopeMediaType: 'application/jose+json', target: LAYOUT_TARGET,
      reference: `local/oci-layout@${LAYOUT_TARGET.digest}`, policy: r.value.policy, trustStore: r.value.trustStore, now: NOW, foundAt: FOUND,
    });
    assert.equal(v.outcome, 'verified', JSON.stringify(v.evidence.attempts));
    // Flux does not check that Secret certificates are CAs, and ignores the store name.
  });
  test('audit with an untrusted signer is ignored (Flux accepts, no SourceVerified)', () => {
    const doc = JSON.stringify({ version: '1.0', trustPolicies: [statement({ signatureVerification: { level: 'audit' } })] });
    const r = readFluxNotationSecret('apps', 'notation', { 'trustpolicy.json': enc(doc), 'other.crt': read('verifier-testdata', 'truststore', 'x509', 'ca', 'valid-trust-store', 'GlobalSignRootCA.crt') });
    assert.ok(r.ok);
    const v = verifyNotationSignature({
      envelope: read('cose_signature.sig'), envelopeMediaType: 'application/cose', target: LAYOUT_TARGET,
      reference: `local/oci-layout@${LAYOUT_TARGET.digest}`, policy: r.value.policy, trustStore: r.value.trustStore, now: NOW, foundAt: FOUND,
    });
    assert.equal(v.outcome, 'ignored');
    assert.equal(v.evidence.verified, false);
    assert.equal(v.logged[0]?.code, 'notation.untrusted-cert');
  });
});

describe('attempt rule (MaxSignatureAttempts: 3)', () => {
  const results = (...o: NotationOutcome[]) => (i: number) => ({ outcome: o[i] as NotationOutcome, i });
  test('no signatures', () => {
    const r = applyAttemptRule('reg/app@sha256:00', 0, results());
    assert.equal(r.code, 'notation.no-signature');
    assert.match(r.message, /no signature is associated with "reg\/app@sha256:00", make sure the artifact was signed successfully/);
  });
  test('the first that verifies wins and later ones are not tried', () => {
    const r = applyAttemptRule('ref', 4, results('failed', 'verified', 'failed', 'verified'));
    assert.equal(r.outcome, 'verified');
    assert.equal(r.results.length, 2);
    assert.equal(r.chosen?.i, 1);
  });
  test('an ignored (audit) result also ends the loop', () => {
    assert.equal(applyAttemptRule('ref', 2, results('ignored', 'verified')).outcome, 'ignored');
  });
  test('at most 3 are tried', () => {
    const r = applyAttemptRule('ref', 5, results('failed', 'failed', 'failed', 'verified'));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.code, 'notation.attempts-exhausted');
    assert.equal(r.results.length, 3);
  });
  test('all fail', () => {
    const r = applyAttemptRule('ref', 2, results('failed', 'failed'));
    assert.equal(r.outcome, 'failed');
    assert.equal(r.results.length, 2);
  });
});
