import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import type { Report } from '../../src/report/model.js';
import { repoRoot } from '../helpers/paths.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';
import { runPlugin } from '../lab/plugin.js';
import { kubectlBin, runTool } from '../lab/tools.js';

/**
 * docs/rbac.yaml against a real API server: the users it binds can audit with no forbidden problem,
 * and a user without its Secrets rule is told exactly what to grant, in words `kubectl auth can-i`
 * agrees with. Users are impersonated from the lab's admin context (its token file is fixed at
 * start); no controller runs and no registry answers: Secrets are read before the registry is.
 */
const pub = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const dockerConfig = JSON.stringify({ auths: { '127.0.0.1:1': { auth: Buffer.from('u:p').toString('base64') } } });

const fleet = `
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
# docs/rbac.yaml's form 3 is a Role in flux-system (no controller runs here)
apiVersion: v1
kind: Namespace
metadata: {name: flux-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-b}
---
apiVersion: v1
kind: Secret
metadata: {name: cosign-pub, namespace: apps}
stringData: {cosign.pub: ${JSON.stringify(pub)}}
---
apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: apps}
type: kubernetes.io/dockerconfigjson
stringData: {.dockerconfigjson: ${JSON.stringify(dockerConfig)}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: puller, namespace: apps}
imagePullSecrets: [{name: regcred}]
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: apps}
spec:
  url: oci://127.0.0.1:1/podinfo
  insecure: true
  interval: 10m
  ref: {tag: "1.0.0"}
  secretRef: {name: regcred}
  serviceAccountName: puller
  verify: {provider: cosign, secretRef: {name: cosign-pub}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: podinfo, namespace: apps}
spec: {interval: 10m, prune: true, path: ./, sourceRef: {kind: OCIRepository, name: podinfo}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec: {interval: 10m, chartRef: {kind: OCIRepository, name: podinfo}}
---
apiVersion: v1
kind: Secret
metadata: {name: team-keys, namespace: team-b}
stringData: {cosign.pub: ${JSON.stringify(pub)}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: app, namespace: team-b}
spec:
  url: oci://127.0.0.1:1/app
  insecure: true
  interval: 10m
  ref: {tag: "2.0.0"}
  verify: {provider: cosign, secretRef: {name: team-keys}}
`;

/** the ClusterRole of docs/rbac.yaml without its secrets rule, bound to the group no-secrets */
function withoutSecrets(docs: readonly Record<string, unknown>[]): string {
  const role = structuredClone(docs.find((d) => d['kind'] === 'ClusterRole')) as { metadata: { name: string }; rules: { resources: string[] }[] };
  role.metadata.name = 'kv-auditor-no-secrets';
  role.rules = role.rules.filter((r) => !r.resources.includes('secrets'));
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'kv-auditor-no-secrets' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'no-secrets' }],
  };
  return `${stringify(role)}---\n${stringify(binding)}`;
}

describe('docs/rbac.yaml on a real API server', () => {
  let cluster: RunningCluster;
  const rbacFile = join(repoRoot(), 'docs', 'rbac.yaml');

  async function audit(...args: string[]): Promise<{ report: Report; code: number }> {
    const r = await runPlugin(['--kubeconfig', cluster.kubeconfig, '--context', 'admin', '-o', 'json', ...args]);
    assert.ok(r.code === 0 || r.code === 1 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
    return { report: JSON.parse(r.stdout) as Report, code: r.code };
  }
  const finding = (report: Report, kind: string, ns: string, name: string): Report['nodes'][number]['finding'] => {
    const n = report.nodes.find((x) => x.kind === kind && x.namespace === ns && x.name === name);
    assert.ok(n, `${kind} ${ns}/${name} not in the report: ${report.nodes.map((x) => x.id).join(', ')}`);
    return n.finding;
  };
  const unreadable = (report: Report): string[] => report.nodes.filter((n) => n.finding.reasons.includes('trust-unreadable')).map((n) => `${n.id}: ${n.finding.message}`);
  const forbidden = (report: Report): string[] => report.problems.filter((p) => p.code === 'kube.forbidden').map((p) => p.message);

  before(async () => {
    cluster = await startCluster();
    await cluster.kubectl(['apply', '-f', '-'], { input: fleet });
    await cluster.kubectl(['apply', '-f', rbacFile]);
    const docs = parseAllDocuments(readFileSync(rbacFile, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
    await cluster.kubectl(['apply', '-f', '-'], { input: withoutSecrets(docs) });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('the ClusterRole: kubectl verify -A reads every object and Secret, nothing forbidden', async () => {
    const { report } = await audit('-A', '--as', 'auditor', '--as-group', 'flux-auditors');
    assert.deepEqual(report.problems, []);
    assert.deepEqual(unreadable(report), []);
    // the Secrets were read: the registry is what fails, not the trust material
    for (const [ns, name] of [['apps', 'podinfo'], ['team-b', 'app']] as const) {
      const f = finding(report, 'OCIRepository', ns, name);
      assert.ok(!f.reasons.includes('trust-unreadable') && !f.reasons.includes('trust-missing'), `${ns}/${name}: ${f.reasons.join(',')} ${f.message}`);
    }
    finding(report, 'Kustomization', 'apps', 'podinfo');
    finding(report, 'HelmRelease', 'apps', 'podinfo');
    // form 3: the version reads are allowed (no Deployment exists here, so they find nothing, unrefused)
    assert.equal(report.flux?.from, 'unknown');
    assert.doesNotMatch(report.flux?.detail ?? '', /Deployment flux-system\/source-controller: forbidden|customresourcedefinitions|CRD [^:]*: forbidden/, report.flux?.detail);
    assert.match(report.flux?.detail ?? '', /has no app\.kubernetes\.io\/version label/);
  });

  it('without the Secrets rule: trust-unreadable, naming the grant and the can-i that checks it', async () => {
    const { report } = await audit('-A', '--as', 'bob', '--as-group', 'no-secrets');
    assert.deepEqual(forbidden(report), [], 'the Flux kinds are still listed');
    const f = finding(report, 'OCIRepository', 'apps', 'podinfo');
    assert.equal(f.state, 'error');
    assert.equal(f.reasons[0], 'trust-unreadable');
    const grant = 'grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as bob)';
    assert.ok(f.message.includes(grant), f.message);
    assert.ok(!f.message.includes('\n') && !f.message.includes(pub.split('\n')[1] as string), 'one line, no Secret value');
    assert.match(finding(report, 'OCIRepository', 'team-b', 'app').message, /grant get on secrets in namespace team-b \(kubectl auth can-i get secrets\/team-keys -n team-b --as bob\)/);

    // the check the message suggests says no for bob, and yes for a member of flux-auditors
    const canI = /\(kubectl (auth can-i [^)]*)\)/.exec(f.message)?.[1]?.split(' ') ?? [];
    const ask = (extra: string[]): Promise<{ code: number; stdout: string }> => runTool(kubectlBin(), ['--kubeconfig', cluster.kubeconfig, '--context', 'admin', ...canI, ...extra]);
    const no = await ask([]);
    assert.equal(no.stdout.trim(), 'no');
    const yes = await ask(['--as-group', 'flux-auditors']);
    assert.equal(yes.stdout.trim(), 'yes');
  });

  it('the namespaced Role: kubectl verify -n apps reads the Secrets it names, nothing forbidden', async () => {
    const { report } = await audit('-n', 'apps', '--as', 'jane@example.com');
    assert.deepEqual(report.problems, []);
    assert.deepEqual(unreadable(report), []);
    finding(report, 'OCIRepository', 'apps', 'podinfo');
  });

  it('the namespaced Role, used cluster-wide: each kind names the list to grant', async () => {
    const { report, code } = await audit('-A', '--as', 'jane@example.com');
    assert.equal(code, 3, 'nothing could be read');
    const messages = forbidden(report);
    assert.ok(
      messages.some((m) => m.endsWith('; grant list on ocirepositories.source.toolkit.fluxcd.io cluster-wide, with a ClusterRoleBinding (kubectl auth can-i list ocirepositories.source.toolkit.fluxcd.io -A --as jane@example.com)')),
      messages.join('\n'),
    );
    const other = await audit('-n', 'team-b', '--as', 'jane@example.com');
    assert.ok(forbidden(other.report).some((m) => m.endsWith('; grant list on kustomizations.kustomize.toolkit.fluxcd.io in namespace team-b (kubectl auth can-i list kustomizations.kustomize.toolkit.fluxcd.io -n team-b --as jane@example.com)')), forbidden(other.report).join('\n'));
  });
});
