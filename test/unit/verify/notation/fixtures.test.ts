import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseCose, parseJws, verifyNotationSignature } from '../../../../src/verify/notation/index.js';
import type { NotationVerifyInput } from '../../../../src/verify/notation/index.js';
import { ALPINE_STORE, EXAMPLE_TARGET, FOUND, LAYOUT_TARGET, NOW, doc, fixtureStore, read, statement, stores } from './helpers.js';

function run(over: Partial<NotationVerifyInput> & Pick<NotationVerifyInput, 'envelope' | 'envelopeMediaType'>) {
  return verifyNotationSignature({
    target: LAYOUT_TARGET,
    reference: `local/oci-layout@${LAYOUT_TARGET.digest}`,
    policy: doc(statement({ registryScopes: ['*'] })),
    trustStore: stores({ 'ca:valid-trust-store': ALPINE_STORE() }),
    now: NOW,
    foundAt: FOUND,
    ...over,
  });
}

const JWS = { envelope: read('jws_signature.sig'), envelopeMediaType: 'application/jose+json' };
const COSE = { envelope: read('cose_signature.sig'), envelopeMediaType: 'application/cose' };

describe('EXPECTED.md: envelopes', () => {
  test('the oci-layout manifest is the 481-byte blob the payloads name', () => {
    const m = read('oci-layout', 'blobs', 'sha256', LAYOUT_TARGET.digest.slice(7));
    assert.equal(m.length, 481);
    assert.equal(`sha256:${createHash('sha256').update(m).digest('hex')}`, LAYOUT_TARGET.digest);
  });

  test('jws_signature.sig parses: notary.x509, PS256, signing time with an offset, alpine leaf', () => {
    const e = parseJws(JWS.envelope);
    assert.equal(e.signingScheme, 'notary.x509');
    assert.equal(e.alg, 'PS256');
    assert.equal(e.signingTime?.toISOString(), '2023-03-14T08:10:02.000Z');
    assert.equal(e.certChain.length, 1);
    assert.equal(e.signingAgent, 'Notation/1.0.0');
    assert.equal(e.expiry, undefined);
    assert.equal(e.timestampToken, undefined);
  });

  test('cose_signature.sig parses: tag 1 signing time 1678769122', () => {
    const e = parseCose(COSE.envelope);
    assert.equal(e.alg, 'PS256');
    assert.equal(e.signingTime?.getTime(), 1678769122 * 1000);
    assert.equal(e.signingAgent, 'Notation/1.0.0');
  });

  for (const [name, env] of [['jws_signature.sig', JWS], ['cose_signature.sig', COSE]] as const) {
    for (const scopes of [['*'], ['local/oci-layout']]) {
      test(`${name} verifies at strict with scope ${scopes.join(',')}`, () => {
        const r = run({ ...env, policy: doc(statement({ registryScopes: scopes })) });
        assert.equal(r.outcome, 'verified', JSON.stringify(r.evidence.attempts));
        assert.equal(r.level, 'strict');
        assert.equal(r.evidence.verified, true);
        assert.equal(r.evidence.signer?.subject, 'CN=alpine,O=Notary,L=Seattle,ST=WA,C=US');
        assert.equal(r.evidence.signer?.notBefore, '2000-08-29T13:50:00.000Z');
        assert.equal(r.evidence.signer?.notAfter, '2123-08-29T13:50:00.000Z');
        assert.match(r.evidence.signer?.certFingerprint ?? '', /^[0-9a-f]{64}$/);
        assert.deepEqual(r.evidence.attempts[0]?.checks.map((c) => c.check), ['policy', 'integrity', 'authenticity', 'expiry', 'timestamp', 'revocation']);
      });
    }

    test(`${name}: any other digest is rejected (payload mismatch)`, () => {
      const r = run({ ...env, target: { ...LAYOUT_TARGET, digest: `sha256:${'0'.repeat(64)}` } });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.code, 'notation.payload-mismatch');
    });
    test(`${name}: another size or media type is rejected`, () => {
      assert.equal(run({ ...env, target: { ...LAYOUT_TARGET, size: 482 } }).code, 'notation.payload-mismatch');
      assert.equal(run({ ...env, target: { ...LAYOUT_TARGET, mediaType: 'application/vnd.oci.image.index.v1+json' } }).code, 'notation.payload-mismatch');
    });
    test(`${name}: an empty trust store fails authenticity`, () => {
      const r = run({ ...env, trustStore: stores({ 'ca:valid-trust-store': { ok: false, message: 'no x509 certificates were found' } }) });
      assert.equal(r.code, 'notation.untrusted-cert');
    });
    test(`${name}: a store holding other certificates fails authenticity`, () => {
      const r = run({ ...env, trustStore: stores({ 'ca:valid-trust-store': fixtureStore('ca', 'valid-trust-store') }) });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.code, 'notation.untrusted-cert');
    });
    test(`${name}: a registry scope that does not match is no applicable policy`, () => {
      const r = run({ ...env, policy: doc(statement({ registryScopes: ['example/software'] })) });
      assert.equal(r.code, 'notation.no-applicable-policy');
    });
    test(`${name}: a media type that does not match the envelope is rejected`, () => {
      const r = run({ ...env, envelopeMediaType: env.envelopeMediaType === 'application/cose' ? 'application/jose+json' : 'application/cose' });
      assert.equal(r.code, 'notation.envelope-invalid');
      assert.ok(r.evidence.error);
    });
  }

  test('example_localVerify_cose.sig verifies at strict with the Example_localVerify policy', () => {
    const r = run({
      envelope: read('example_localVerify_cose.sig'),
      envelopeMediaType: 'application/cose',
      target: EXAMPLE_TARGET,
      reference: `example/software@${EXAMPLE_TARGET.digest}`,
      policy: doc(statement({ registryScopes: ['example/software'], signatureVerification: { level: 'strict', override: { revocation: 'skip' } } })),
    });
    assert.equal(r.outcome, 'verified', JSON.stringify(r.evidence.attempts));
    assert.equal(r.statement, 'test-statement-name');
    assert.equal(parseCose(read('example_localVerify_cose.sig')).signingTime?.toISOString(), '2023-01-09T01:27:34.000Z');
  });

  test('example_localVerify_cose.sig against the layout manifest is a payload mismatch', () => {
    const r = run({ envelope: read('example_localVerify_cose.sig'), envelopeMediaType: 'application/cose' });
    assert.equal(r.code, 'notation.payload-mismatch');
  });

  test('after the alpine cert expires the chain is no longer valid now (strict)', () => {
    const r = run({ ...JWS, now: new Date('2124-01-01T00:00:00Z') });
    assert.equal(r.code, 'notation.cert-expired');
  });
});
