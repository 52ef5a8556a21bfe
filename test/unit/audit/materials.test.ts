import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { registryOptions, SecretCache, trustFromPlan } from '../../../src/audit/materials.js';
import type { PlanTrust, RegistryAccess } from '../../../src/graph/types.js';
import type { ObjectSource, SecretResult } from '../../../src/kube/types.js';

// An in-memory object source: the Secrets a test names, and a count of reads.
function source(secrets: Record<string, SecretResult>, pullSecrets: Record<string, string[]> = {}): ObjectSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    description: {},
    list: async () => ({ objects: [], problems: [] }),
    getSecret: async (ns, name) => {
      reads.push(`${ns}/${name}`);
      return secrets[`${ns}/${name}`] ?? { state: 'not-found', message: `Secret ${ns}/${name} not found` };
    },
    getImagePullSecrets: async (ns, sa) => ({ names: pullSecrets[`${ns}/${sa}`] ?? [] }),
  };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const keyTrust: PlanTrust = { provider: 'cosign', mode: 'cosign-key', namespace: 'apps', secretRef: 'cosign-pub', matchOIDCIdentity: [], origin: 'object' };

describe('trustFromPlan', () => {
  it('takes every .pub key of the Secret, in key order, labelled by Secret and key', async () => {
    const src = source({ 'apps/cosign-pub': { state: 'found', type: 'Opaque', data: { 'b.pub': bytes(pem), 'a.pub': bytes(pem), 'cosign.key': bytes('PRIVATE'), 'notes.txt': bytes('x') } } });
    const t = await trustFromPlan(keyTrust, new SecretCache(src));
    assert.ok(!('code' in t) && t.cosign?.kind === 'key');
    assert.deepEqual(t.cosign.keys.map((k) => k.ref.label), ['apps/cosign-pub · a.pub', 'apps/cosign-pub · b.pub']);
  });

  it('reports a Secret without .pub keys, a missing and a forbidden Secret as distinct problems', async () => {
    const cases: [SecretResult | undefined, string][] = [
      [{ state: 'found', type: 'Opaque', data: { 'cosign.key': bytes('PRIVATE') } }, 'trust.no-keys'],
      [undefined, 'secret.not-found'],
      [{ state: 'forbidden', message: 'secrets "cosign-pub" is forbidden' }, 'secret.forbidden'],
      [{ state: 'unavailable', message: 'not in the files' }, 'secret.unavailable'],
    ];
    for (const [secret, code] of cases) {
      const t = await trustFromPlan(keyTrust, new SecretCache(source(secret ? { 'apps/cosign-pub': secret } : {})));
      assert.ok('code' in t, code);
      assert.equal(t.code, code);
      assert.equal(t.secret, 'apps/cosign-pub');
      assert.ok(!t.message.includes('PRIVATE'), 'secret values never reach messages');
    }
  });

  it('uses the public-good root for keyless unless trustedRootSecretRef names one, and rejects a bad one', async () => {
    const keyless: PlanTrust = { provider: 'cosign', mode: 'cosign-keyless', namespace: 'apps', matchOIDCIdentity: [{ issuer: '^https://token.actions.githubusercontent.com$', subject: '^https://github.com/org/' }], origin: 'object' };
    const t = await trustFromPlan(keyless, new SecretCache(source({})));
    assert.ok(!('code' in t) && t.cosign?.kind === 'keyless');
    assert.equal(t.cosign.trustedRootRef.source, 'builtin');
    assert.equal(t.cosign.identities.length, 1);
    const bad = await trustFromPlan({ ...keyless, trustedRootSecretRef: 'root' }, new SecretCache(source({ 'apps/root': { state: 'found', type: 'Opaque', data: { 'trusted_root.json': bytes('{not json') } } })));
    assert.ok('code' in bad && bad.code === 'trust.invalid', JSON.stringify(bad));
  });

  it('reads a notation Secret with Flux’s rules and messages', async () => {
    const notation: PlanTrust = { provider: 'notation', mode: 'notation', namespace: 'apps', secretRef: 'trust', matchOIDCIdentity: [], origin: 'object' };
    const t = await trustFromPlan(notation, new SecretCache(source({ 'apps/trust': { state: 'found', type: 'Opaque', data: { 'ca.crt': bytes('x') } } })));
    assert.ok('code' in t);
    assert.equal(t.message, "'trustpolicy.json' not found in secret 'apps/trust'");
  });
});

describe('registryOptions', () => {
  const access: RegistryAccess = { namespace: 'apps', provider: 'generic', secretRef: 'regcred', serviceAccountName: 'puller', insecure: true, secretFormats: 'dockerconfigjson' };

  it('reads each Secret once, however many plans name it', async () => {
    const config = JSON.stringify({ auths: { 'reg.example': { username: 'ci', password: 'hunter2' } } });
    const src = source({ 'apps/regcred': { state: 'found', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': bytes(config) } } });
    const cache = new SecretCache(src);
    const a = await registryOptions(access, 'reg.example', 'app', cache);
    await registryOptions(access, 'reg.example', 'other', cache);
    assert.deepEqual(src.reads, ['apps/regcred']);
    assert.equal(a.options.credential && typeof a.options.credential === 'object' ? a.options.credential.kind : '', 'basic');
    assert.equal(a.options.insecure, true);
  });

  it('falls through to the ServiceAccount’s imagePullSecrets and reports one it cannot read', async () => {
    const config = JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('sa:pw').toString('base64') } } });
    const src = source({ 'apps/sa-pull': { state: 'found', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': bytes(config) } } }, { 'apps/puller': ['sa-pull'] });
    const r = await registryOptions(access, 'reg.example', 'app', new SecretCache(src));
    assert.equal(r.problems[0]?.code, 'secret.not-found');
    assert.ok(r.options.credential && typeof r.options.credential === 'object' && r.options.credential.kind === 'basic');
    assert.ok(!JSON.stringify(r.problems).includes('pw'));
  });
});
