import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { actionFor, parseDn, parseIdentityDn, parseTrustPolicy, repositoryOf, selectStatement, validateTrustPolicy } from '../../../../src/verify/notation/index.js';
import { statement } from './helpers.js';

const v = (trustPolicies: unknown[], version: unknown = '1.0') => validateTrustPolicy({ version, trustPolicies });
const ID = 'x509.subject: C=US, ST=WA, O=Acme';

describe('trust policy validation', () => {
  const table: readonly [string, () => ReturnType<typeof v>, RegExp][] = [
    ['empty version', () => v([statement()], ''), /^trust policy document has empty version, version must be specified$/],
    ['missing version', () => validateTrustPolicy({ trustPolicies: [statement()] }), /has empty version/],
    ['unsupported version', () => v([statement()], '2.0'), /unsupported version "2.0"/],
    ['no statements', () => v([]), /zero trust policy statements/],
    ['statement without name', () => v([statement({ name: '' })]), /missing a name/],
    ['duplicate names', () => v([statement({ registryScopes: ['a.io/x'] }), statement({ registryScopes: ['a.io/y'] })]), /same name "test-statement-name", statement names must be unique/],
    ['no scopes', () => v([statement({ registryScopes: [] })]), /zero registry scopes/],
    ['* with other scopes', () => v([statement({ registryScopes: ['*', 'a.io/x'] })]), /wildcard registry scope '\*'/],
    ['scope with a tag', () => v([statement({ registryScopes: ['a.io/x:1.0'] })]), /registry scope "a.io\/x:1.0" is not valid/],
    ['scope with a digest', () => v([statement({ registryScopes: [`a.io/x@sha256:${'0'.repeat(64)}`] })]), /is not valid/],
    ['scope with a wildcard inside', () => v([statement({ registryScopes: ['a.io/*'] })]), /is not valid/],
    ['scope without a repository', () => v([statement({ registryScopes: ['a.io'] })]), /is not valid/],
    ['scope with a scheme', () => v([statement({ registryScopes: ['https://a.io/x'] })]), /is not valid/],
    ['scope in two statements', () => v([statement({ name: 'a', registryScopes: ['a.io/x'] }), statement({ name: 'b', registryScopes: ['a.io/x'] })]), /present in multiple trust policy statements/],
    ['two * statements', () => v([statement({ name: 'a' }), statement({ name: 'b' })]), /"\*" is present in multiple/],
    ['invalid level', () => v([statement({ signatureVerification: { level: 'lenient' } })]), /invalid signatureVerification value "lenient"/],
    ['missing signatureVerification', () => v([statement({ signatureVerification: undefined })]), /missing signatureVerification/],
    ['override of integrity', () => v([statement({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })]), /"integrity" verification can not be overridden/],
    ['override with unknown type', () => v([statement({ signatureVerification: { level: 'strict', override: { speed: 'log' } } })]), /verification type "speed"/],
    ['override with unknown action', () => v([statement({ signatureVerification: { level: 'strict', override: { expiry: 'warn' } } })]), /verification action "warn"/],
    ['skip authenticity', () => v([statement({ signatureVerification: { level: 'strict', override: { authenticity: 'skip' } } })]), /"authenticity" verification can not be skipped/],
    ['override on skip', () => v([statement({ signatureVerification: { level: 'skip', override: { revocation: 'log' } }, trustStores: [], trustedIdentities: [] })]), /"skip" can't be used to customize/],
    ['bad verifyTimestamp', () => v([statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } })]), /verifyTimestamp/],
    ['skip with stores', () => v([statement({ signatureVerification: { level: 'skip' }, trustedIdentities: [] })]), /set to skip signature verification but configured with trust stores/],
    ['skip with identities', () => v([statement({ signatureVerification: { level: 'skip' }, trustStores: [] })]), /set to skip/],
    ['strict without stores', () => v([statement({ trustStores: [] })]), /either missing trust stores or trusted identities/],
    ['strict without identities', () => v([statement({ trustedIdentities: [] })]), /either missing trust stores or trusted identities/],
    ['store without separator', () => v([statement({ trustStores: ['tsa'] })]), /missing separator in trust store value "tsa"/],
    ['unknown store type', () => v([statement({ trustStores: ['x509:foo'] })]), /unsupported trust store type "x509"/],
    ['bad store name', () => v([statement({ trustStores: ['ca:my store'] })]), /unsupported trust store name "my store".*\[a-zA-Z0-9_.-\]\+/],
    ['* with other identities', () => v([statement({ trustedIdentities: ['*', ID] })]), /wildcard identity cannot be used in conjunction/],
    ['identity without separator', () => v([statement({ trustedIdentities: ['C=US'] })]), /missing separator/],
    ['unsupported identity type', () => v([statement({ trustedIdentities: ['x509.san: foo'] })]), /unsupported trusted identity type "x509.san"/],
    ['empty identity value', () => v([statement({ trustedIdentities: ['x509.subject: '] })]), /without an identity value/],
    ['identity missing C', () => v([statement({ trustedIdentities: ['x509.subject: ST=WA, O=Acme'] })]), /mandatory RDN attribute for "C"/],
    ['identity missing ST', () => v([statement({ trustedIdentities: ['x509.subject: C=US, O=Acme'] })]), /"ST"/],
    ['identity missing O', () => v([statement({ trustedIdentities: ['x509.subject: C=US, ST=WA'] })]), /"O"/],
    ['identity with #hex value', () => v([statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=#0403414243'] })]), /hex-encoded/],
    ['identity with multi-valued RDN', () => v([statement({ trustedIdentities: ['x509.subject: C=US+ST=WA, O=Acme'] })]), /multi-valued/],
    ['identity with duplicate attribute', () => v([statement({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, O=Other'] })]), /duplicate RDN attribute "O"/],
    ['overlapping identities', () => v([statement({ trustedIdentities: [ID, `${ID}, CN=leaf`] })]), /overlapping x509 trustedIdentities/],
    ['identical identities', () => v([statement({ trustedIdentities: [ID, ID] })]), /overlapping/],
  ];
  for (const [name, run, pattern] of table) {
    test(`rejects: ${name}`, () => {
      const r = run();
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.code, 'notation.policy-invalid');
        assert.match(r.message, pattern);
      }
    });
  }

  const accepts: readonly [string, () => ReturnType<typeof v>][] = [
    ['the EXPECTED.md example policy', () => v([statement({ registryScopes: ['example/software'], signatureVerification: { level: 'strict', override: { revocation: 'skip' } } })])],
    ['skip without stores or identities', () => v([statement({ signatureVerification: { level: 'skip' }, trustStores: [], trustedIdentities: [] })])],
    ['host:port scopes and local scopes', () => v([statement({ registryScopes: ['localhost:5000/net-monitor', 'local/oci-layout', 'index.docker.io/library/alpine'] })])],
    ['all store types and names with _.-', () => v([statement({ trustStores: ['ca:a_b.c-d', 'signingAuthority:x', 'tsa:y'] })])],
    ['non-overlapping identities, S alias, quoted and escaped values', () => v([statement({ trustedIdentities: ['x509.subject: C=US, S=WA, O=Acme', 'x509.subject: C=US, ST=WA, O="Other, Inc."', 'x509.subject: C=US, ST=WA, O=Third\\, Ltd'] })])],
    ['overrides of every overridable type', () => v([statement({ signatureVerification: { level: 'audit', override: { authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'enforce', revocation: 'skip' }, verifyTimestamp: 'afterCertExpiry' } })])],
  ];
  for (const [name, run] of accepts) {
    test(`accepts: ${name}`, () => {
      const r = run();
      assert.equal(r.ok, true, r.ok ? '' : r.message);
    });
  }

  test('parseTrustPolicy: non-JSON is policy-invalid', () => {
    const r = parseTrustPolicy('{"version":');
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.code, 'notation.policy-invalid');
  });
});

describe('levels and overrides', () => {
  test('the §7.6 table', () => {
    const row = (level: 'strict' | 'permissive' | 'audit' | 'skip') => (['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const).map((t) => actionFor({ level, override: {} }, t));
    assert.deepEqual(row('strict'), ['enforce', 'enforce', 'enforce', 'enforce', 'enforce']);
    assert.deepEqual(row('permissive'), ['enforce', 'enforce', 'log', 'log', 'log']);
    assert.deepEqual(row('audit'), ['enforce', 'log', 'log', 'log', 'log']);
    assert.deepEqual(row('skip'), ['skip', 'skip', 'skip', 'skip', 'skip']);
    assert.equal(actionFor({ level: 'audit', override: { expiry: 'enforce' } }, 'expiry'), 'enforce');
  });
});

describe('policy selection', () => {
  const doc = (() => {
    const r = v([statement({ name: 'exact', registryScopes: ['reg.io/app', 'localhost:5000/app'] }), statement({ name: 'any', registryScopes: ['*'] })]);
    assert.ok(r.ok);
    return r.value;
  })();
  test('exact scope wins over *', () => {
    const s = selectStatement(doc, `reg.io/app@sha256:${'1'.repeat(64)}`);
    assert.equal(s.ok && s.value.name, 'exact');
  });
  test('a host:port reference with a tag selects by repository', () => {
    const s = selectStatement(doc, 'localhost:5000/app:1.0');
    assert.equal(s.ok && s.value.name, 'exact');
  });
  test('anything else falls to *', () => {
    const s = selectStatement(doc, 'reg.io/other@sha256:00');
    assert.equal(s.ok && s.value.name, 'any');
  });
  test('no exact scope and no * is no applicable policy', () => {
    const only = v([statement({ registryScopes: ['reg.io/app'] })]);
    assert.ok(only.ok);
    const s = selectStatement(only.value, 'reg.io/appx@sha256:00');
    assert.equal(s.ok, false);
    assert.equal(s.ok ? '' : s.code, 'notation.no-applicable-policy');
  });
  test('repositoryOf', () => {
    assert.equal(repositoryOf('localhost:5000/a/b@sha256:00'), 'localhost:5000/a/b');
    assert.equal(repositoryOf('localhost:5000/a/b:tag'), 'localhost:5000/a/b');
    assert.equal(repositoryOf('reg.io/a'), 'reg.io/a');
  });
});

describe('distinguished names', () => {
  test('RFC 4514 escapes, quotes, hex escapes and spaces', () => {
    const r = parseDn('CN=a\\,b , O="x, y", L=caf\\C3\\A9, ST= WA ,C=US');
    assert.ok(r.ok);
    assert.deepEqual(Object.fromEntries(r.dn), { CN: 'a,b', O: 'x, y', L: 'café', ST: 'WA', C: 'US' });
  });
  test('errors', () => {
    for (const bad of ['C', 'C=US,', '=US', 'C=US,"O"=x', 'C=a\\zz', 'C="unterminated']) assert.equal(parseDn(bad).ok, false, bad);
    assert.equal(parseIdentityDn('C=US, ST=WA, O=x').ok, true);
  });
});
