import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadTrustStore, parseCose, parseJws, verifyNotationSignature, verifyTimestampToken, NotationError } from '../../../../src/verify/notation/index.js';
import type { NotationVerifyInput, StoreResult } from '../../../../src/verify/notation/index.js';
import { FOUND, TIMESTAMP_TARGET, doc, fixtureStore, read, statement, stores } from './helpers.js';

const SIG = (f: string): Buffer => read('verifier-testdata', 'timestamp', 'sigEnv', f);
const TOKEN = (f: string): Buffer => read('verifier-testdata', 'timestamp', 'countersignature', f);
const media = (f: string): string => (f.startsWith('cose') || f === 'timestampAfterNotAfter.sig' ? 'application/cose' : 'application/jose+json');

// The envelopes' signing certificates sit in ca/valid-trust-store; timestamps chain to tsa/test-timestamp.
// Upstream exercises only the timestamp step; here the whole evaluation runs, so the envelope's own
// (self-signed) leaf is added to the ca store to get past authenticity.
function caStore(file: string): StoreResult {
  const env = media(file) === 'application/cose' ? parseCose(SIG(file)) : parseJws(SIG(file));
  const base = fixtureStore('ca', 'valid-trust-store');
  const leaf = loadTrustStore('ca', 'valid-trust-store', [{ name: 'leaf.der', bytes: env.certChain[0] ?? Buffer.alloc(0) }]);
  assert.ok(base.ok && leaf.ok, 'ca store loads');
  return { ok: true, certs: [...base.certs, ...leaf.certs] };
}

function tsRun(file: string, over: Partial<NotationVerifyInput> = {}, verifyTimestamp = 'always', tsaStore = 'test-timestamp', extra: Record<string, StoreResult> = {}) {
  return verifyNotationSignature({
    envelope: SIG(file),
    envelopeMediaType: media(file),
    target: TIMESTAMP_TARGET,
    reference: `localhost:5000/net-monitor@${TIMESTAMP_TARGET.digest}`,
    policy: doc(statement({ signatureVerification: { level: 'strict', verifyTimestamp }, trustStores: ['ca:valid-trust-store', `tsa:${tsaStore}`] })),
    trustStore: stores({ 'ca:valid-trust-store': caStore(file), 'tsa:test-timestamp': fixtureStore('tsa', 'test-timestamp'), 'tsa:test-mismatch': fixtureStore('tsa', 'test-mismatch'), ...extra }),
    now: new Date('2026-01-01T00:00:00Z'),
    foundAt: FOUND,
    ...over,
  });
}
const timestampCheck = (r: ReturnType<typeof tsRun>) => r.evidence.attempts[0]?.checks.find((c) => c.check === 'timestamp');

describe('EXPECTED.md: timestamp vectors (authentic timestamp step)', () => {
  for (const f of ['jwsWithTimestamp.sig', 'coseWithTimestamp.sig', 'jwsExpiredWithTimestamp.sig', 'coseExpiredWithTimestamp.sig']) {
    test(`${f} passes with tsa:test-timestamp`, () => {
      const r = tsRun(f);
      assert.equal(timestampCheck(r)?.ok, true, JSON.stringify(r.evidence.attempts));
      assert.equal(r.outcome, 'verified', JSON.stringify(r.evidence.attempts));
    });
  }
  test('coseWithTimestamp.sig also passes with verifyTimestamp afterCertExpiry', () => {
    assert.equal(tsRun('coseWithTimestamp.sig', {}, 'afterCertExpiry').outcome, 'verified');
  });
  test('coseExpiredWithTimestamp.sig with afterCertExpiry needs and uses the timestamp', () => {
    const r = tsRun('coseExpiredWithTimestamp.sig', {}, 'afterCertExpiry');
    assert.equal(r.outcome, 'verified');
    assert.match(timestampCheck(r)?.message ?? '', /timestamp 2024-06-18/);
  });
  test('coseExpiredWithTimestamp.sig fails without a tsa store: expired now', () => {
    const r = tsRun('coseExpiredWithTimestamp.sig', {
      policy: doc(statement({ trustStores: ['ca:valid-trust-store'] })),
    });
    assert.equal(r.code, 'notation.cert-expired');
    assert.match(timestampCheck(r)?.message ?? '', /CN=testTSA.*expired at 2024-06-18T07:30:31/);
  });
  test('withoutTimestamp.sig fails with verifyTimestamp always', () => {
    const r = tsRun('withoutTimestamp.sig');
    assert.equal(r.code, 'notation.timestamp-missing');
    assert.match(timestampCheck(r)?.message ?? '', /no timestamp countersignature was found/);
  });
  test('timestampBeforeNotBefore.sig fails: the timestamp is before notBefore', () => {
    assert.equal(tsRun('timestampBeforeNotBefore.sig').code, 'notation.cert-not-yet-valid');
  });
  test('timestampAfterNotAfter.sig fails: the timestamp is after notAfter', () => {
    assert.equal(tsRun('timestampAfterNotAfter.sig').code, 'notation.cert-expired');
  });
  test('coseWithTimestamp.sig with tsa:test-mismatch fails: unknown authority', () => {
    const r = tsRun('coseWithTimestamp.sig', {}, 'always', 'test-mismatch');
    assert.equal(r.code, 'notation.timestamp-invalid');
    assert.match(timestampCheck(r)?.message ?? '', /certificate signed by unknown authority/);
  });
  test('coseWithTimestamp.sig with tsa:does-not-exist fails: the store does not exist', () => {
    const r = tsRun('coseWithTimestamp.sig', {}, 'always', 'does-not-exist');
    assert.equal(r.code, 'notation.timestamp-invalid');
    assert.match(timestampCheck(r)?.message ?? '', /does not exist/);
  });
  test('an empty tsa store fails', () => {
    const r = tsRun('coseWithTimestamp.sig', {}, 'always', 'empty', { 'tsa:empty': { ok: false, message: 'no trusted TSA certificate found in trust store' } });
    assert.equal(r.code, 'notation.timestamp-invalid');
  });
  test('trust store value "tsa" without a name is an invalid policy', async () => {
    const { validateTrustPolicy } = await import('../../../../src/verify/notation/index.js');
    const r = validateTrustPolicy({ version: '1.0', trustPolicies: [statement({ trustStores: ['ca:valid-trust-store', 'tsa'] })] });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.message, /missing separator in trust store value "tsa"/);
  });
});

describe('EXPECTED.md: standalone timestamp tokens over withoutTimestamp.sig', () => {
  const signature = parseJws(SIG('withoutTimestamp.sig')).signature;
  const roots = (): StoreResult => fixtureStore('tsa', 'test-timestamp');
  const check = (file: string, pattern: RegExp) => {
    const r = roots();
    assert.ok(r.ok);
    assert.throws(() => verifyTimestampToken(TOKEN(file), signature, r.certs), (e: unknown) => {
      assert.ok(e instanceof NotationError);
      assert.equal(e.code, 'notation.timestamp-invalid');
      assert.match(e.message, pattern);
      return true;
    });
  };
  test('TimeStampToken.p7s: mismatched message', () => check('TimeStampToken.p7s', /invalid TSTInfo: mismatched message/));
  test('TimeStampTokenWithInvalideContentType.p7s: unexpected content type', () => check('TimeStampTokenWithInvalideContentType.p7s', /unexpected content type: 1\.2\.840\.113549\.1\.7\.1\. Expected to be id-ct-TSTInfo/));
  test('TimeStampTokenWithInvalidTSTInfo.p7s: TSTInfo does not parse', () => check('TimeStampTokenWithInvalidTSTInfo.p7s', /invalid TSTInfo/));
  test('TimeStampTokenWithoutCertificate.p7s: signing certificate not found', () => check('TimeStampTokenWithoutCertificate.p7s', /signing certificate not found in the timestamp token/));
});

describe('EXPECTED.md: trust store vectors', () => {
  for (const [type, name] of [['ca', 'valid-trust-store'], ['ca', 'valid-trust-store-2'], ['signingAuthority', 'valid-trust-store'], ['signingAuthority', 'valid-trust-store-2'], ['ca', 'valid-trust-store-self-signed'], ['tsa', 'test-timestamp'], ['tsa', 'test-mismatch']] as const) {
    test(`${type}/${name} loads`, () => {
      const r = fixtureStore(type, name);
      assert.equal(r.ok, true, r.ok ? '' : r.message);
    });
  }
  test('ca/valid-trust-store holds 6 certificates (.crt + .der + .pem files)', () => {
    const r = fixtureStore('ca', 'valid-trust-store');
    assert.ok(r.ok);
    assert.equal(r.certs.length, 6);
  });
  const fails = (type: 'ca' | 'tsa', name: string, pattern: RegExp) => () => {
    const r = fixtureStore(type, name);
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.message, pattern);
  };
  test('ca/trust-store-with-invalid-certs fails to read', fails('ca', 'trust-store-with-invalid-certs', /error while reading certificates from "invalid"/));
  test('ca/trust-store-with-leaf-certs fails: not a CA', fails('ca', 'trust-store-with-leaf-certs', /is not a CA certificate or self-signed signing certificate/));
  test('ca/trust-store-with-leaf-certs-in-single-file fails: a non-CA leaf', fails('ca', 'trust-store-with-leaf-certs-in-single-file', /is not a CA certificate or self-signed signing certificate/));
  test('tsa/test-nonCA fails: not a root CA', fails('tsa', 'test-nonCA', /is not a root CA certificate/));
  test('tsa/test-nonSelfIssued fails: issuer differs from subject', fails('tsa', 'test-nonSelfIssued', /is not a root CA certificate/));
});
