import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClusterSource } from '../../src/kube/cluster.js';
import { loadKubeConfig, type KubeFlags } from '../../src/kube/kubeconfig.js';
import type { FluxObject, HelmRelease, OCIRepository, ObjectSource } from '../../src/kube/types.js';
import { startCluster, type RunningCluster } from '../lab/cluster.js';

/**
 * The cluster source against a real kube-apiserver with the Flux CRDs of the pinned release: every
 * kind listed, -A, selectors, paging, Secrets through RBAC, impersonation, and the failure classes
 * (forbidden, unauthorized, CRD missing, TLS, unreachable). This suite owns its cluster.
 */

const SECRET_VALUE = 'e2e-secret-value-7f3a';
let cluster: RunningCluster;
let scratch: string;

/** only the given flags and the lab's kubeconfig: never the machine's KUBECONFIG or home */
function source(flags: KubeFlags = {}, pageSize?: number): ObjectSource {
  const resolved = loadKubeConfig({ kubeconfig: cluster.kubeconfig, ...flags }, { env: {}, home: scratch, serviceAccountDir: join(scratch, 'no-sa') });
  return createClusterSource(resolved, pageSize === undefined ? {} : { pageSize });
}

function names(objects: readonly FluxObject[], kind?: string): string[] {
  return objects.filter((o) => !kind || o.kind === kind).map((o) => `${o.namespace}/${o.name}`).sort();
}

const fixtures = `
apiVersion: v1
kind: Namespace
metadata: {name: kv-a}
---
apiVersion: v1
kind: Namespace
metadata: {name: kv-b}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: kv-a, labels: {app: podinfo, tier: web}}
spec:
  url: oci://registry.example/podinfo
  interval: 10m
  ref: {semver: ">=6.0.0"}
  verify:
    provider: cosign
    secretRef: {name: cosign-pub}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: keyless, namespace: kv-b, labels: {app: keyless}}
spec:
  url: oci://registry.example/keyless
  interval: 10m
  ref: {tag: "1.0.0"}
  verify:
    provider: cosign
    matchOIDCIdentity: [{issuer: "^https://token.actions.githubusercontent.com$", subject: "^https://github.com/org/.*$"}]
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: kv-a}
spec: {url: oci://registry.example/charts, type: oci, interval: 10m}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata: {name: kv-a-prom, namespace: kv-a}
spec:
  chart: prometheus
  version: 25.x
  interval: 10m
  sourceRef: {kind: HelmRepository, name: charts}
  verify: {provider: notation, secretRef: {name: notation-trust}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: prom, namespace: kv-a}
spec:
  interval: 10m
  chart:
    spec:
      chart: prometheus
      sourceRef: {kind: HelmRepository, name: charts}
      verify: {provider: cosign, secretRef: {name: cosign-pub}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: by-ref, namespace: kv-b}
spec:
  interval: 10m
  chartRef: {kind: OCIRepository, name: keyless}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: podinfo, namespace: kv-a, labels: {app: podinfo}}
spec:
  interval: 10m
  prune: true
  path: ./
  sourceRef: {kind: OCIRepository, name: podinfo}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: kv-a}
spec: {url: "https://git.example/repo", interval: 10m, ref: {branch: main}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: Bucket
metadata: {name: bucket, namespace: kv-a}
spec: {endpoint: minio.example, bucketName: manifests, interval: 10m}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: ExternalArtifact
metadata: {name: ea, namespace: kv-a}
spec: {}
---
apiVersion: v1
kind: Secret
metadata: {name: cosign-pub, namespace: kv-a}
type: Opaque
stringData: {cosign.pub: "${SECRET_VALUE}"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: puller, namespace: kv-a}
imagePullSecrets: [{name: regcred}, {name: other}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kv-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: lab-restricted}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: kv-readers}
`;

const status = {
  status: {
    observedGeneration: 1,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Succeeded', message: "stored artifact for digest '6.5.0@sha256:abc'", lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'SourceVerified', status: 'True', reason: 'Succeeded', message: 'verified signature of revision 6.5.0@sha256:abc', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
    artifact: { revision: `6.5.0@sha256:${'ab'.repeat(32)}`, digest: `sha256:${'cd'.repeat(32)}`, path: 'ocirepository/kv-a/podinfo/x.tar.gz', url: 'http://localhost/x.tar.gz', lastUpdateTime: '2026-01-01T00:00:00Z', size: 1234 },
  },
};

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'kv-kube-e2e-'));
  cluster = await startCluster();
  await cluster.kubectl(['apply', '-f', '-'], { input: fixtures });
  // what source-controller would write, so that status is read from a real API answer
  await cluster.kubectl(['patch', 'ocirepository', 'podinfo', '-n', 'kv-a', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
  // enough objects to need several pages
  const many = Array.from({ length: 7 }, (_, i) => `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: page-${i}, namespace: kv-b, labels: {paged: "yes"}}
spec: {url: "https://charts.example/${i}", interval: 10m}
`).join('---\n');
  await cluster.kubectl(['apply', '-f', '-'], { input: many });
});

after(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('kube cluster source against kube-apiserver', () => {
  it('lists each kind in one namespace, normalised', async () => {
    const { objects, problems } = await source({ context: 'admin' }).list({ namespace: 'kv-a' });
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.name}`).sort(), [
      'Bucket bucket',
      'ExternalArtifact ea',
      'GitRepository repo',
      'HelmChart kv-a-prom',
      'HelmRelease prom',
      'HelmRepository charts',
      'Kustomization podinfo',
      'OCIRepository podinfo',
    ]);
    const oci = objects.find((o): o is OCIRepository => o.kind === 'OCIRepository');
    assert.ok(oci);
    assert.equal(oci.apiVersion, 'source.toolkit.fluxcd.io/v1');
    assert.equal(oci.origin, 'cluster');
    assert.equal(oci.provider, 'generic');
    assert.deepEqual(oci.verify, { provider: 'cosign', secretRef: 'cosign-pub', matchOIDCIdentity: [], trustedRootSecretRef: undefined });
    assert.equal(oci.artifact?.revision, `6.5.0@sha256:${'ab'.repeat(32)}`);
    assert.deepEqual(oci.conditions.map((c) => [c.type, c.status]), [['Ready', 'True'], ['SourceVerified', 'True']]);
    assert.ok(oci.uid);
    const hr = objects.find((o): o is HelmRelease => o.kind === 'HelmRelease');
    assert.equal(hr?.chartTemplate?.version, '*');
    assert.deepEqual(hr?.chartTemplate?.sourceRef, { kind: 'HelmRepository', name: 'charts', namespace: 'kv-a' });
    // no managedFields in the YAML view
    assert.equal(JSON.stringify(oci.raw).includes('managedFields'), false);
  });

  it('-A lists every namespace; pages are followed', async () => {
    const { objects, problems } = await source({ context: 'admin' }, 3).list({});
    assert.deepEqual(problems, []);
    assert.deepEqual(names(objects, 'OCIRepository'), ['kv-a/podinfo', 'kv-b/keyless']);
    assert.equal(objects.filter((o) => o.kind === 'HelmRepository').length, 8);
    const byRef = objects.find((o): o is HelmRelease => o.kind === 'HelmRelease' && o.name === 'by-ref');
    assert.deepEqual(byRef?.chartRef, { kind: 'OCIRepository', name: 'keyless', namespace: 'kv-b' });
  });

  it('label selectors are applied by the server', async () => {
    const { objects } = await source({ context: 'admin' }).list({ labelSelector: 'app=podinfo' });
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['Kustomization', 'OCIRepository']);
    // as in Kubernetes, != also matches objects without the label (the Kustomization has no tier)
    const set = await source({ context: 'admin' }).list({ labelSelector: 'app in (podinfo,keyless),tier!=web' });
    assert.deepEqual(set.objects.map((o) => `${o.kind} ${o.namespace}/${o.name}`).sort(), ['Kustomization kv-a/podinfo', 'OCIRepository kv-b/keyless']);
    const paged = await source({ context: 'admin' }, 2).list({ namespace: 'kv-b', labelSelector: 'paged' });
    assert.equal(paged.objects.length, 7);
  });

  it('getSecret: found, not found, forbidden for the restricted context', async () => {
    const found = await source({ context: 'admin' }).getSecret('kv-a', 'cosign-pub');
    assert.equal(found.state, 'found');
    assert.equal(found.type, 'Opaque');
    assert.equal(Buffer.from(found.data['cosign.pub'] as Uint8Array).toString(), SECRET_VALUE);
    const missing = await source({ context: 'admin' }).getSecret('kv-a', 'nope');
    assert.equal(missing.state, 'not-found');
    const denied = await source({ context: 'restricted' }).getSecret('kv-a', 'cosign-pub');
    assert.equal(denied.state, 'forbidden');
    assert.match(denied.message, /secrets "cosign-pub" is forbidden: User "restricted" cannot get resource "secrets"/);
    assert.ok(!denied.message.includes(SECRET_VALUE));
  });

  it('the restricted context lists Flux kinds and reads ServiceAccounts', async () => {
    const src = source({ context: 'restricted' });
    const { objects, problems } = await src.list({ namespace: 'kv-a' });
    assert.deepEqual(problems, []);
    assert.equal(objects.length, 8);
    assert.deepEqual(await src.getImagePullSecrets('kv-a', 'puller'), { names: ['regcred', 'other'] });
    const none = await src.getImagePullSecrets('kv-a', 'nobody');
    assert.ok('problem' in none && none.problem.code === 'kube.not-found');
  });

  it('RBAC denial on list: kube.forbidden per kind with the Status message (impersonating a user with no rights)', async () => {
    const { objects, problems } = await source({ context: 'admin', as: 'nobody' }).list({ namespace: 'kv-a' });
    assert.equal(objects.length, 0);
    assert.equal(problems.length, 8);
    assert.ok(problems.every((p) => p.code === 'kube.forbidden' && p.namespace === 'kv-a'));
    const oci = problems.find((p) => p.kind === 'OCIRepository');
    assert.match(oci?.message ?? '', /^ocirepositories\.source\.toolkit\.fluxcd\.io is forbidden: User "nobody" cannot list resource "ocirepositories" in API group "source\.toolkit\.fluxcd\.io" in the namespace "kv-a"/);
  });

  it('impersonated groups are sent (--as-group)', async () => {
    const { objects, problems } = await source({ context: 'admin', as: 'someone', asGroups: ['kv-readers'] }).list({ namespace: 'kv-a' });
    assert.deepEqual(problems, []);
    assert.equal(objects.length, 8);
    const secret = await source({ context: 'admin', as: 'someone', asGroups: ['kv-readers'] }).getSecret('kv-a', 'cosign-pub');
    assert.equal(secret.state, 'forbidden');
  });

  it('a wrong token: one kube.unauthorized problem', async () => {
    const { problems } = await source({ context: 'admin', token: 'not-a-token' }).list({ namespace: 'kv-a' });
    assert.deepEqual(problems.map((p) => p.code), ['kube.unauthorized']);
  });

  it('TLS: the wrong CA is kube.tls; --insecure-skip-tls-verify gets through', async () => {
    const otherCa = join(scratch, 'other-ca.pem');
    // any valid certificate that did not issue the serving one: the apiserver's own is self-signed,
    // so take a CA bundle of the system, or fall back to a bogus PEM (also a TLS failure)
    writeFileSync(otherCa, readSomeCa());
    const { problems } = await source({ context: 'admin', certificateAuthority: otherCa }).list({ namespace: 'kv-a' });
    assert.deepEqual(problems.map((p) => p.code), ['kube.tls']);
    const noCa = createClusterSource(loadKubeConfig({ server: cluster.server, token: 'x' }, { env: {}, home: scratch, serviceAccountDir: join(scratch, 'no-sa') }));
    const r = await noCa.list({ namespace: 'kv-a' });
    assert.deepEqual(r.problems.map((p) => p.code), ['kube.tls']);
    const insecure = await source({ context: 'admin', insecureSkipTlsVerify: true }).list({ namespace: 'kv-a' });
    assert.deepEqual(insecure.problems, []);
    assert.equal(insecure.objects.length, 8);
  });

  it('an unreachable server (a kubeconfig pointing at a closed port): one kube.unreachable problem', async () => {
    const port = await closedPort();
    const kc = readFileSync(cluster.kubeconfig, 'utf8').replace(cluster.server, `https://127.0.0.1:${port}`);
    const path = join(scratch, 'closed.kubeconfig');
    writeFileSync(path, kc);
    const src = createClusterSource(loadKubeConfig({ kubeconfig: path }, { env: {}, home: scratch, serviceAccountDir: join(scratch, 'no-sa') }));
    const { objects, problems } = await src.list({ namespace: 'kv-a' });
    assert.equal(objects.length, 0);
    assert.deepEqual(problems.map((p) => p.code), ['kube.unreachable']);
    const secret = await src.getSecret('kv-a', 'cosign-pub');
    assert.equal(secret.state, 'error');
  });

  // last: it removes a CRD from this suite's own cluster
  it('a CRD that is deleted: kube.crd-missing naming the kind, the rest still listed', async () => {
    await cluster.kubectl(['delete', 'crd', 'buckets.source.toolkit.fluxcd.io', '--wait=true']);
    let last: Awaited<ReturnType<ObjectSource['list']>> | undefined;
    // discovery drops the resource shortly after the CRD is gone
    for (let i = 0; i < 40; i++) {
      last = await source({ context: 'admin' }).list({ namespace: 'kv-a' });
      if (last.problems.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(last);
    assert.deepEqual(last.problems.map((p) => [p.code, p.kind]), [['kube.crd-missing', 'Bucket']]);
    assert.match(last.problems[0]?.message ?? '', /Bucket/);
    assert.equal(last.objects.length, 7);
  });
});

function readSomeCa(): string {
  for (const p of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt']) {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      // try the next
    }
  }
  return '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
