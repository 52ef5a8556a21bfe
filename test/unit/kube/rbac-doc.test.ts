import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kindTable } from '../../../src/kube/kinds.js';
import { repoRoot } from '../../helpers/paths.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
}

const docs = parseAllDocuments(readFileSync(join(repoRoot(), 'docs', 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as Doc);
const roles = docs.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
const auditors = roles.filter((r) => r.metadata.name === 'kubectl-verify-auditor');
const allows = (rules: readonly Rule[], group: string, resource: string, verb: string): Rule | undefined =>
  rules.find((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));

// docs/rbac.yaml must keep pace with what the plugin reads: a kind added to kinds.ts without a rule
// here would be a forbidden problem for every auditor.
describe('docs/rbac.yaml', () => {
  it('has the cluster-wide role and the namespaced example, each bound', () => {
    assert.deepEqual(roles.map((r) => `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name}`), ['ClusterRole//kubectl-verify-auditor', 'Role/apps/kubectl-verify-auditor', 'Role/flux-system/kubectl-verify-flux-version']);
    assert.ok(docs.some((d) => d.kind === 'ClusterRoleBinding'));
    assert.ok(docs.some((d) => d.kind === 'RoleBinding' && d.metadata.namespace === 'apps'));
  });

  it('each role may list every Flux kind the plugin lists, and get ServiceAccounts and Secrets', () => {
    for (const role of auditors) {
      const rules = role.rules ?? [];
      for (const k of kindTable) assert.ok(allows(rules, k.group, k.plural, 'list'), `${role.kind}: no list on ${k.plural}.${k.group}`);
      assert.ok(allows(rules, '', 'serviceaccounts', 'get'), `${role.kind}: no get on serviceaccounts`);
      assert.ok(allows(rules, '', 'secrets', 'get'), `${role.kind}: no get on secrets`);
    }
  });

  it('grants nothing but reads, never lists Secrets, and names the Secrets in the namespaced example', () => {
    for (const role of roles) {
      for (const r of role.rules ?? []) assert.deepEqual(r.verbs.filter((v) => !['get', 'list', 'watch'].includes(v)), [], `${role.kind} grants ${r.verbs.join(',')}`);
      const secrets = (role.rules ?? []).filter((r) => r.resources.includes('secrets'));
      if (!auditors.includes(role)) {
        assert.deepEqual(secrets, [], `${role.metadata.name} reads no Secret`);
        continue;
      }
      assert.deepEqual(secrets.flatMap((r) => r.verbs), ['get'], `${role.kind}: secrets may only be got`);
      if (role.kind === 'Role' && role.metadata.name === 'kubectl-verify-auditor') assert.deepEqual(secrets[0]?.resourceNames, ['cosign-pub', 'regcred']);
    }
  });

  it('may read which Flux runs: the source-controller Deployment in flux-system, the gitrepositories CRD cluster-wide', () => {
    const version = roles.find((r) => r.metadata.name === 'kubectl-verify-flux-version');
    const deployments = version?.rules?.find((r) => r.resources.includes('deployments'));
    assert.equal(version?.metadata.namespace, 'flux-system');
    assert.deepEqual(deployments && { groups: deployments.apiGroups, verbs: deployments.verbs, names: deployments.resourceNames }, { groups: ['apps'], verbs: ['get'], names: ['source-controller'] });
    const crd = allows(roles[0]?.rules ?? [], 'apiextensions.k8s.io', 'customresourcedefinitions', 'get');
    assert.deepEqual(crd?.resourceNames, ['gitrepositories.source.toolkit.fluxcd.io']);
    assert.ok(docs.some((d) => d.kind === 'RoleBinding' && d.metadata.namespace === 'flux-system'));
  });
});
