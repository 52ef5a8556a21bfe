import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type ApiRequest, type RunningCluster } from '../lab/cluster.js';
import { runPlugin } from '../lab/plugin.js';
import { labBin, runTool } from '../lab/tools.js';

/**
 * What `kubectl verify -A` asks of the API server, against the real kube-apiserver's audit log: the
 * lists kubectl makes for the same kinds, one GET per Secret named (however many objects name it),
 * and discovery only when its disk cache is cold (one aggregated request), as kubectl's own.
 */

const KINDS = ['ocirepositories', 'helmrepositories', 'helmcharts', 'gitrepositories', 'buckets', 'externalartifacts', 'helmreleases', 'kustomizations'];

// the registry is a closed port: this suite is about the API server, and refused connections are quick
const objects = ['kv-a', 'kv-b'].flatMap((ns) => [
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`,
  `apiVersion: v1\nkind: Secret\nmetadata: {name: cosign-pub, namespace: ${ns}}\nstringData: {cosign.pub: "not a key"}`,
  `apiVersion: v1\nkind: Secret\nmetadata: {name: regcred, namespace: ${ns}}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '{"auths":{}}'}`,
  ...[1, 2, 3].map((i) => `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: app${i}, namespace: ${ns}}\nspec: {interval: 10m, url: "oci://127.0.0.1:1/app${i}", insecure: true, ref: {tag: "1.0.0"}, secretRef: {name: regcred}, verify: {provider: cosign, secretRef: {name: cosign-pub}}}`),
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: ${ns}}\nspec: {interval: 10m, type: oci, url: "oci://127.0.0.1:1/charts"}`,
  `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata: {name: podinfo, namespace: ${ns}}\nspec: {interval: 10m, chart: podinfo, version: "6.x", sourceRef: {kind: HelmRepository, name: charts}, verify: {provider: cosign, secretRef: {name: cosign-pub}}}`,
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: app1, namespace: ${ns}}\nspec: {interval: 10m, prune: true, sourceRef: {kind: OCIRepository, name: app1}}`,
]);
const SECRETS_NAMED = 4; // cosign-pub and regcred in each of the two namespaces

let cluster: RunningCluster;
let home: string;

function since(mark: number, agent: RegExp): ApiRequest[] {
  return cluster.apiRequests().slice(mark).filter((r) => agent.test(r.userAgent));
}

// which Flux runs (src/kube/flux-version.ts): source-controller's Deployment by name, by label when absent, then the CRD's label
const VERSION_READS = ['get /apis/apps/v1/namespaces/flux-system/deployments/source-controller', 'list /apis/apps/v1/namespaces/flux-system/deployments', 'get /apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io'];

function classify(rs: readonly ApiRequest[]): { discovery: string[]; lists: string[]; secrets: string[]; version: string[]; other: string[] } {
  const out = { discovery: [] as string[], lists: [] as string[], secrets: [] as string[], version: [] as string[], other: [] as string[] };
  for (const r of rs) {
    const path = r.uri.split('?')[0] ?? '';
    if (VERSION_READS.includes(`${r.verb} ${path}`)) out.version.push(`${r.verb} ${path}`);
    else if (r.verb === 'list' && KINDS.some((k) => path.endsWith(`/${k}`))) out.lists.push(path);
    else if (r.verb === 'get' && path.includes('/secrets/')) out.secrets.push(path);
    else if (r.verb === 'get' && (path === '/api' || path === '/apis' || /^\/apis?\/[^/]+(\/[^/]+)?$/.test(path))) out.discovery.push(path);
    else out.other.push(`${r.verb} ${r.uri}`);
  }
  return out;
}

async function plugin(): Promise<{ code: number; requests: ApiRequest[] }> {
  const mark = cluster.apiRequests().length;
  const r = await runPlugin(['-A', '-o', 'json'], { KUBECONFIG: cluster.kubeconfig, HOME: home, XDG_CACHE_HOME: join(home, 'cache'), NO_COLOR: '1' });
  assert.ok(r.code === 1, `findings expected (nothing here can verify), got exit ${r.code}: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { nodes: unknown[] };
  assert.equal(report.nodes.length, 12, "every object is in the report");
  return { code: r.code, requests: since(mark, /^kubectl-verify\//) };
}

async function kubectlGet(): Promise<ApiRequest[]> {
  const mark = cluster.apiRequests().length;
  const r = await runTool(labBin('kubectl'), ['get', KINDS.join(','), '-A', '-o', 'json'], { env: { KUBECONFIG: cluster.kubeconfig, HOME: home } });
  assert.equal(r.code, 0, r.stderr);
  return since(mark, /^kubectl\//);
}

describe('API requests of kubectl verify -A, beside kubectl get', () => {
  before(async () => {
    cluster = await startCluster();
    home = mkdtempSync(join(tmpdir(), 'kv-api-home-'));
    await cluster.kubectl(['apply', '-f', '-'], { input: objects.join('\n---\n') });
  });
  after(async () => {
    await cluster?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('cold: one aggregated discovery request, one list per kind, one GET per Secret named', async () => {
    const { requests } = await plugin();
    const c = classify(requests);
    assert.deepEqual(c.discovery, ['/apis']);
    assert.equal(c.lists.length, KINDS.length, c.lists.join('\n'));
    assert.equal(new Set(c.lists).size, KINDS.length);
    assert.equal(c.secrets.length, SECRETS_NAMED, c.secrets.join('\n'));
    assert.equal(new Set(c.secrets).size, SECRETS_NAMED);
    // no source-controller Deployment here: by name, by label, then the CRD
    assert.deepEqual(c.version, VERSION_READS);
    assert.deepEqual(c.other, []);
  });

  it('warm: no discovery at all; the lists are exactly the ones kubectl get makes with its cache warm', async () => {
    // kubectl's first run fills its own discovery cache (under HOME/.kube/cache); the second is the floor
    await kubectlGet();
    const floor = classify(await kubectlGet());
    const { requests } = await plugin();
    const c = classify(requests);
    assert.deepEqual(c.discovery, []);
    assert.deepEqual(floor.discovery, []);
    assert.deepEqual([...c.lists].sort(), [...floor.lists].sort());
    assert.equal(c.secrets.length, SECRETS_NAMED);
    assert.deepEqual(c.version, VERSION_READS);
    assert.deepEqual(c.other, []);
    process.stderr.write(`API requests: kubectl get ${floor.lists.length + floor.discovery.length + floor.other.length}; kubectl verify -A ${requests.length} (${c.lists.length} lists + ${c.secrets.length} Secrets + ${c.version.length} version reads)\n`);
  });
});
