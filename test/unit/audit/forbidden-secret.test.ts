import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryOptions, SecretCache, trustFromPlan } from '../../../src/audit/materials.js';
import type { PlanTrust, RegistryAccess } from '../../../src/graph/types.js';
import type { ObjectSource, SecretResult } from '../../../src/kube/types.js';

const forbidden = (name: string, ns: string): SecretResult => ({
  state: 'forbidden',
  message: `secrets "${name}" is forbidden: User "auditor" cannot get resource "secrets" in API group "" in the namespace "${ns}"; grant get on secrets in namespace ${ns} (kubectl auth can-i get secrets/${name} -n ${ns} --as auditor)`,
});

function source(secrets: Record<string, SecretResult>): ObjectSource {
  return {
    description: {},
    list: async () => ({ objects: [], problems: [] }),
    getSecret: async (ns, name) => secrets[`${ns}/${name}`] ?? { state: 'not-found', message: 'not found' },
    getImagePullSecrets: async () => ({ names: [] }),
  };
}

const keyTrust: PlanTrust = { provider: 'cosign', mode: 'cosign-key', namespace: 'apps', secretRef: 'cosign-pub', matchOIDCIdentity: [], origin: 'object' };

describe('a Secret the user may not read', () => {
  it('says in one line what to grant, for the user the API server refused', async () => {
    const t = await trustFromPlan(keyTrust, new SecretCache(source({ 'apps/cosign-pub': forbidden('cosign-pub', 'apps') })));
    assert.ok('code' in t);
    assert.equal(t.code, 'secret.forbidden');
    assert.equal(t.secret, 'apps/cosign-pub');
    assert.equal(t.message, 'verification Secret is forbidden to user "auditor": grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as auditor)');
  });

  it('names the Secret to grant even when the source does not say who was refused', async () => {
    const t = await trustFromPlan(keyTrust, new SecretCache(source({ 'apps/cosign-pub': { state: 'forbidden', message: 'no' } })));
    assert.ok('code' in t);
    assert.equal(t.message, 'verification Secret is forbidden: grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps)');
  });

  it('does the same for a pull Secret', async () => {
    const access: RegistryAccess = { namespace: 'apps', provider: 'generic', secretRef: 'regcred', insecure: false, secretFormats: 'dockerconfigjson' };
    const r = await registryOptions(access, 'ghcr.io', 'org/app', new SecretCache(source({ 'apps/regcred': forbidden('regcred', 'apps') })));
    assert.deepEqual(r.problems.map((p) => p.message), ['registry Secret is forbidden to user "auditor": grant get on secrets in namespace apps (kubectl auth can-i get secrets/regcred -n apps --as auditor)']);
  });
});
