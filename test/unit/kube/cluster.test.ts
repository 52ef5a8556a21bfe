import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createClusterSource } from '../../../src/kube/cluster.js';
import { DISCOVERY_TTL_MS, openDiscoveryCache } from '../../../src/kube/discovery-cache.js';
import { KubeError } from '../../../src/kube/errors.js';
import { loadKubeConfig, type KubeFlags } from '../../../src/kube/kubeconfig.js';
import type { ObjectSource } from '../../../src/kube/types.js';
import { repoRoot } from '../../helpers/paths.js';

/**
 * The cluster source against a scripted API server on loopback: discovery, paging, every failure
 * class, Secrets. The real kube-apiserver is in test/e2e/kube-cluster.test.ts. Served over HTTPS
 * (testdata/loopback.crt) because credentials are only sent over TLS (insecure-credentials.test.ts).
 */

interface Answer {
  readonly status?: number;
  readonly body?: unknown;
  readonly raw?: string;
  readonly delayMs?: number;
}
type Route = (path: string, query: URLSearchParams) => Answer | undefined;

let server: Server;
let base: string;
const caFile = join(repoRoot(), 'test', 'unit', 'kube', 'testdata', 'loopback.crt');
let route: Route;
let seen: { path: string; query: URLSearchParams; headers: IncomingHttpHeaders }[];

const SOURCE = 'source.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const SECRET_VALUE = 'SUPER-SECRET-VALUE-42';

function status(code: number, message: string, reason = 'Forbidden'): Answer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code } };
}

function group(name: string, versions: string[]): Answer {
  return { body: { kind: 'APIGroup', name, versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })), preferredVersion: { version: versions[0] } } };
}

function resources(plurals: string[]): Answer {
  return { body: { kind: 'APIResourceList', resources: plurals.flatMap((p) => [{ name: p, namespaced: true, verbs: ['get', 'list', 'watch'] }, { name: `${p}/status`, verbs: ['get'] }]) } };
}

function list(items: unknown[], cont?: string): Answer {
  return { body: { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '1', ...(cont && { continue: cont }) }, items } };
}

const ociItem = (name: string, ns: string, version = 'v1') => ({ apiVersion: `${SOURCE}/${version}`, kind: 'OCIRepository', metadata: { name, namespace: ns, labels: { app: name } }, spec: { url: `oci://reg/${name}` } });

/** a Flux installation: sources v1 (+ OCIRepository v1beta2), helm v2, kustomize v1 */
const fullDiscovery: Route = (path) => {
  if (path === `/apis/${SOURCE}`) return group(SOURCE, ['v1', 'v1beta2']);
  if (path === `/apis/${SOURCE}/v1`) return resources(['ocirepositories', 'helmrepositories', 'helmcharts', 'gitrepositories', 'buckets']);
  if (path === `/apis/${SOURCE}/v1beta2`) return resources(['ocirepositories']);
  if (path === `/apis/${HELM}`) return group(HELM, ['v2']);
  if (path === `/apis/${HELM}/v2`) return resources(['helmreleases']);
  if (path === `/apis/${KUSTOMIZE}`) return group(KUSTOMIZE, ['v1']);
  if (path === `/apis/${KUSTOMIZE}/v1`) return resources(['kustomizations']);
  return undefined;
};

/** every list empty unless `extra` answers */
function cluster(extra: Route = () => undefined, discovery: Route = fullDiscovery): Route {
  return (path, q) => extra(path, q) ?? discovery(path, q) ?? (/\/(ocirepositories|helmrepositories|helmcharts|gitrepositories|buckets|helmreleases|kustomizations)$/.test(path) ? list([]) : status(404, 'the server could not find the requested resource', 'NotFound'));
}

before(async () => {
  const tls = { cert: readFileSync(caFile), key: readFileSync(join(repoRoot(), 'test', 'unit', 'kube', 'testdata', 'loopback.key')) };
  server = createHttpsServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, query: url.searchParams, headers: req.headers });
    const a = route(url.pathname, url.searchParams) ?? status(404, 'not found', 'NotFound');
    const send = (): void => {
      res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json' });
      res.end(a.raw ?? JSON.stringify(a.body ?? {}));
    };
    if (a.delayMs) setTimeout(send, a.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

beforeEach(async () => {
  // a request a previous test cancelled may still be inside a TLS handshake the server has not
  // finished: wait until every connection is gone, so it cannot land in this test's `seen`
  server.closeAllConnections();
  const open = (): Promise<number> => new Promise((r) => server.getConnections((_e, n) => r(n)));
  for (let i = 0; i < 200 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
  seen = [];
  route = cluster();
});

function source(flags: KubeFlags = {}, pageSize?: number): ObjectSource {
  const resolved = loadKubeConfig({ server: base, certificateAuthority: caFile, token: 'test-token', namespace: 'apps', ...flags }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
  return createClusterSource(resolved, pageSize === undefined ? {} : { pageSize });
}

describe('cluster source: discovery and listing', () => {
  it('lists every kind in the preferred version, paginated, with the selector and credentials', async () => {
    route = cluster((path, q) => {
      if (path === `/apis/${SOURCE}/v1/namespaces/apps/ocirepositories`) {
        if (!q.get('continue')) return list([ociItem('a', 'apps'), ociItem('b', 'apps')], 'page2');
        if (q.get('continue') === 'page2') return list([ociItem('c', 'apps')]);
      }
      return undefined;
    });
    const src = source({ selector: 'app in (a,b,c)', as: 'alice', asGroups: ['g1', 'g2'] }, 2);
    const { objects, problems } = await src.list({ namespace: 'apps', labelSelector: 'app in (a,b,c)' });
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => o.name), ['a', 'b', 'c']);
    assert.equal(objects[0]?.origin, 'cluster');
    assert.equal(objects[0]?.apiVersion, `${SOURCE}/v1`);
    const lists = seen.filter((s) => s.path.endsWith('/ocirepositories'));
    assert.equal(lists.length, 2);
    assert.equal(lists[0]?.query.get('limit'), '2');
    assert.equal(lists[0]?.query.get('labelSelector'), 'app in (a,b,c)');
    assert.equal(lists[1]?.query.get('continue'), 'page2');
    const h = lists[0]?.headers ?? {};
    assert.equal(h['authorization'], 'Bearer test-token');
    assert.equal(h['impersonate-user'], 'alice');
    assert.equal(h['impersonate-group'], 'g1, g2');
    assert.match(String(h['user-agent']), /^kubectl-verify\//);
    // each kind in one namespace
    for (const plural of ['helmreleases', 'kustomizations', 'helmcharts', 'helmrepositories', 'gitrepositories', 'buckets']) {
      assert.ok(seen.some((s) => s.path.endsWith(`/namespaces/apps/${plural}`)), plural);
    }
    // ExternalArtifact is not served here: not asked, and no problem (its CRD is optional)
    assert.ok(!seen.some((s) => s.path.includes('externalartifacts')));
  });

  it('-A lists across namespaces', async () => {
    route = cluster((path) => (path === `/apis/${SOURCE}/v1/ocirepositories` ? list([ociItem('a', 'x'), ociItem('b', 'y')]) : undefined));
    const { objects } = await source({ allNamespaces: true }).list({});
    assert.deepEqual(objects.map((o) => `${o.namespace}/${o.name}`), ['x/a', 'y/b']);
    assert.ok(seen.every((s) => !s.path.includes('/namespaces/')));
  });

  it('reads the older version when the newer is not served (OCIRepository v1beta2, HelmRelease v2beta1)', async () => {
    const old: Route = (path) => {
      if (path === `/apis/${SOURCE}`) return group(SOURCE, ['v1', 'v1beta2']);
      if (path === `/apis/${SOURCE}/v1`) return resources(['helmrepositories', 'helmcharts', 'gitrepositories', 'buckets']);
      if (path === `/apis/${SOURCE}/v1beta2`) return resources(['ocirepositories', 'helmrepositories']);
      if (path === `/apis/${HELM}`) return group(HELM, ['v2beta1']);
      if (path === `/apis/${HELM}/v2beta1`) return resources(['helmreleases']);
      if (path === `/apis/${KUSTOMIZE}`) return group(KUSTOMIZE, ['v1']);
      if (path === `/apis/${KUSTOMIZE}/v1`) return resources(['kustomizations']);
      return undefined;
    };
    route = cluster((path) => {
      if (path === `/apis/${SOURCE}/v1beta2/namespaces/apps/ocirepositories`) return list([ociItem('old', 'apps', 'v1beta2')]);
      if (path === `/apis/${HELM}/v2beta1/namespaces/apps/helmreleases`) {
        return list([{ metadata: { name: 'hr', namespace: 'apps' }, spec: { chart: { spec: { chart: 'c', sourceRef: { kind: 'HelmRepository', name: 'r' } } } }, status: { lastAppliedRevision: '1.0.0' } }]);
      }
      return undefined;
    }, old);
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.apiVersion}`).sort(), [`HelmRelease ${HELM}/v2beta1`, `OCIRepository ${SOURCE}/v1beta2`]);
    const hr = objects.find((o) => o.kind === 'HelmRelease');
    assert.equal(hr?.kind === 'HelmRelease' && hr.lastAppliedRevision, '1.0.0');
  });

  it('a group that is not served: kube.crd-missing per kind, other kinds still listed', async () => {
    route = cluster((path) => {
      if (path.startsWith(`/apis/${KUSTOMIZE}`)) return status(404, 'the server could not find the requested resource', 'NotFound');
      if (path === `/apis/${SOURCE}/v1/namespaces/apps/ocirepositories`) return list([ociItem('a', 'apps')]);
      return undefined;
    });
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(objects.map((o) => o.name), ['a']);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'kube.crd-missing');
    assert.equal(problems[0]?.kind, 'Kustomization');
    assert.match(problems[0]?.message ?? '', /kustomize-controller/);
  });

  it('a kind served only in a version the plugin does not read: kube.unsupported-version', async () => {
    route = cluster(undefined, (path, q) => {
      if (path === `/apis/${KUSTOMIZE}`) return group(KUSTOMIZE, ['v1beta1']);
      if (path === `/apis/${KUSTOMIZE}/v1beta1`) return resources(['kustomizations']);
      return fullDiscovery(path, q);
    });
    const { problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems.map((p) => [p.code, p.kind]), [['kube.unsupported-version', 'Kustomization']]);
  });

  it('403 on one kind: kube.forbidden with the Status message, the rest listed', async () => {
    const msg = `helmreleases.${HELM} is forbidden: User "x" cannot list resource "helmreleases" in API group "${HELM}" in the namespace "apps"`;
    route = cluster((path) => {
      if (path.endsWith('/helmreleases')) return status(403, msg);
      if (path.endsWith('/ocirepositories')) return list([ociItem('a', 'apps')]);
      return undefined;
    });
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(objects.map((o) => o.name), ['a']);
    const grant = `grant list on helmreleases.${HELM} in namespace apps (kubectl auth can-i list helmreleases.${HELM} -n apps --as x)`;
    assert.deepEqual(problems, [{ code: 'kube.forbidden', message: `${msg}; ${grant}`, kind: 'HelmRelease', namespace: 'apps' }]);
  });

  it('401: one kube.unauthorized problem for the run', async () => {
    route = () => status(401, 'Unauthorized', 'Unauthorized');
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.equal(objects.length, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'kube.unauthorized');
    assert.match(problems[0]?.message ?? '', new RegExp(base.replace(/[.]/g, '\\.')));
  });

  it('discovery forbidden: the versions are probed by listing', async () => {
    route = (path) => {
      if (path.startsWith('/apis/') && path.split('/').length <= 4) return status(403, 'discovery is forbidden');
      if (path === `/apis/${SOURCE}/v1/namespaces/apps/ocirepositories`) return status(404, 'not found', 'NotFound');
      if (path === `/apis/${SOURCE}/v1beta2/namespaces/apps/ocirepositories`) return list([ociItem('b2', 'apps', 'v1beta2')]);
      if (path.endsWith('/externalartifacts')) return status(404, 'not found', 'NotFound');
      if (/\/v1\/namespaces\/apps\/\w+$/.test(path) || path.endsWith('/helmreleases')) return list([]);
      return status(404, 'not found', 'NotFound');
    };
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => o.name), ['b2']);
  });

  it('an expired continue token restarts the list once', async () => {
    let restarted = 0;
    route = cluster((path, q) => {
      if (!path.endsWith('/ocirepositories')) return undefined;
      if (q.get('continue') === 'stale') return status(410, 'The provided continue parameter is too old', 'Expired');
      if (restarted++ === 0) return list([ociItem('lost', 'apps')], 'stale');
      return list([ociItem('fresh', 'apps')]);
    });
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => o.name), ['fresh']);
  });

  it('a malformed item is a problem; its neighbours are kept', async () => {
    route = cluster((path) => (path.endsWith('/ocirepositories') ? list([ociItem('ok', 'apps'), { ...ociItem('bad', 'apps'), spec: { url: 7 } }]) : undefined));
    const { objects, problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(objects.map((o) => o.name), ['ok']);
    assert.equal(problems[0]?.code, 'kube.malformed');
    assert.match(problems[0]?.message ?? '', /OCIRepository apps\/bad \(cluster\): spec\.url/);
  });

  it('a 500 is kube.api with the Status message', async () => {
    route = cluster((path) => (path.endsWith('/helmcharts') ? status(500, 'etcdserver: request timed out', 'InternalError') : undefined));
    const { problems } = await source().list({ namespace: 'apps' });
    assert.equal(problems[0]?.code, 'kube.api');
    assert.match(problems[0]?.message ?? '', /etcdserver: request timed out/);
  });
});

/** GET /apis as a 1.30+ server answers kubectl's aggregated-discovery Accept header */
function aggregatedDiscovery(groups: Record<string, Record<string, string[]>>): Route {
  return (path) => {
    if (path !== '/apis') return undefined;
    const items = Object.entries(groups).map(([name, byVersion]) => ({
      metadata: { name },
      versions: Object.entries(byVersion).map(([version, plurals]) => ({ version, resources: plurals.map((resource) => ({ resource, verbs: ['get', 'list', 'watch'], scope: 'Namespaced' })), freshness: 'Current' })),
    }));
    return { body: { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', items } };
  };
}

const fluxGroups = { [SOURCE]: { v1: ['ocirepositories', 'helmrepositories', 'helmcharts', 'gitrepositories', 'buckets'], v1beta2: ['ocirepositories'] }, [HELM]: { v2: ['helmreleases'] }, [KUSTOMIZE]: { v1: ['kustomizations'] } };
const isDiscovery = (p: string): boolean => p === '/apis' || /^\/apis\/[^/]+(\/[^/]+)?$/.test(p);

describe('cluster source: aggregated discovery and its disk cache', () => {
  it('one GET /apis with the aggregated Accept header replaces the per-group discovery', async () => {
    route = cluster(() => undefined, aggregatedDiscovery(fluxGroups));
    const { problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems, []);
    const discovery = seen.filter((s) => isDiscovery(s.path));
    assert.deepEqual(discovery.map((s) => s.path), ['/apis']);
    assert.match(String(discovery[0]?.headers['accept']), /^application\/json;g=apidiscovery\.k8s\.io;v=v2;as=APIGroupDiscoveryList,/);
    assert.equal(seen.filter((s) => !isDiscovery(s.path)).length, 7, 'one list per served kind');
  });

  it('a group absent from the aggregated answer is kube.crd-missing, as before', async () => {
    route = cluster(() => undefined, aggregatedDiscovery({ [SOURCE]: fluxGroups[SOURCE], [HELM]: fluxGroups[HELM] }));
    const { problems } = await source().list({ namespace: 'apps' });
    assert.deepEqual(problems.map((p) => `${p.code} ${p.kind}`), ['kube.crd-missing Kustomization']);
  });

  it('a second run reads discovery from the cache and asks the server nothing but the lists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-disc-'));
    try {
      route = cluster(() => undefined, aggregatedDiscovery(fluxGroups));
      const resolved = loadKubeConfig({ server: base, certificateAuthority: caFile, token: 'test-token', namespace: 'apps' }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
      await createClusterSource(resolved, { discoveryCache: openDiscoveryCache(dir, base) }).list({ namespace: 'apps' });
      seen = [];
      const { objects, problems } = await createClusterSource(resolved, { discoveryCache: openDiscoveryCache(dir, base) }).list({ namespace: 'apps' });
      assert.deepEqual(problems, []);
      assert.deepEqual(objects, []);
      assert.equal(seen.filter((s) => isDiscovery(s.path)).length, 0);
      assert.equal(seen.length, 7);
      // only names are stored, owner-readable
      const files = readdirSync(join(dir, 'discovery'));
      assert.equal(files.length, 1);
      assert.equal(statSync(join(dir, 'discovery', files[0] as string)).mode & 0o077, 0);
      assert.doesNotMatch(readFileSync(join(dir, 'discovery', files[0] as string), 'utf8'), /test-token/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stale cache (a CRD version gone) is refreshed once and the list is right', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-disc-'));
    try {
      // the cache says OCIRepository is served only as v1beta2; the server has dropped it
      openDiscoveryCache(dir, base).write(new Map([[SOURCE, new Map([['ocirepositories', ['v1beta2']]])], [HELM, new Map([['helmreleases', ['v2']]])], [KUSTOMIZE, new Map([['kustomizations', ['v1']]])]]));
      route = cluster((path) => (path === `/apis/${SOURCE}/v1beta2/namespaces/apps/ocirepositories` ? status(404, 'the server could not find the requested resource', 'NotFound') : path === `/apis/${SOURCE}/v1/namespaces/apps/ocirepositories` ? list([ociItem('a', 'apps')]) : undefined), aggregatedDiscovery({ [SOURCE]: { v1: fluxGroups[SOURCE].v1 }, [HELM]: fluxGroups[HELM], [KUSTOMIZE]: fluxGroups[KUSTOMIZE] }));
      const resolved = loadKubeConfig({ server: base, certificateAuthority: caFile, token: 'test-token', namespace: 'apps' }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
      const { objects, problems } = await createClusterSource(resolved, { discoveryCache: openDiscoveryCache(dir, base) }).list({ namespace: 'apps' });
      assert.deepEqual(problems, []);
      assert.deepEqual(objects.map((o) => o.name), ['a']);
      assert.equal(seen.filter((s) => s.path === '/apis').length, 1);
      // and the refreshed answer was kept
      assert.deepEqual([...(openDiscoveryCache(dir, base).read()?.get(SOURCE)?.get('ocirepositories') ?? [])], ['v1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an answer older than six hours, another server, or a broken file is not used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-disc-'));
    try {
      let t = 1_000_000;
      const c = openDiscoveryCache(dir, 'https://a:6443', () => t);
      c.write(new Map([[SOURCE, new Map([['ocirepositories', ['v1']]])]]));
      assert.ok(c.read());
      assert.equal(openDiscoveryCache(dir, 'https://b:6443', () => t).read(), undefined);
      t += DISCOVERY_TTL_MS;
      assert.equal(c.read(), undefined);
      const file = join(dir, 'discovery', readdirSync(join(dir, 'discovery'))[0] as string);
      writeFileSync(file, '{not json');
      assert.equal(openDiscoveryCache(dir, 'https://a:6443', () => 0).read(), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unwritable cache directory costs nothing but the cache', async () => {
    route = cluster(() => undefined, aggregatedDiscovery(fluxGroups));
    const resolved = loadKubeConfig({ server: base, certificateAuthority: caFile, token: 'test-token', namespace: 'apps' }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
    // a regular file where the cache directory should be: nothing can be created under it
    const dir = mkdtempSync(join(tmpdir(), 'kv-disc-'));
    try {
      writeFileSync(join(dir, 'file'), '');
      const { problems } = await createClusterSource(resolved, { discoveryCache: openDiscoveryCache(join(dir, 'file'), base) }).list({ namespace: 'apps' });
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cluster source: transport failures', () => {
  it('--request-timeout: kube.timeout', async () => {
    route = cluster((path) => (path.endsWith('/buckets') ? { ...list([]), delayMs: 2000 } : undefined));
    const t0 = Date.now();
    const { problems } = await source({ requestTimeout: '300ms' }).list({ namespace: 'apps' });
    assert.ok(Date.now() - t0 < 1900);
    assert.deepEqual(problems.map((p) => [p.code, p.kind]), [['kube.timeout', 'Bucket']]);
    assert.match(problems[0]?.message ?? '', /300ms/);
  });

  it('a closed port: one kube.unreachable problem', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const resolved = loadKubeConfig({ server: `https://127.0.0.1:${port}`, token: 't' }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' });
    const { objects, problems } = await createClusterSource(resolved).list({ namespace: 'apps' });
    assert.equal(objects.length, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.code, 'kube.unreachable');
    assert.match(problems[0]?.message ?? '', /ECONNREFUSED/);
  });

  it('cancellation rejects with kube.aborted', async () => {
    route = cluster(() => ({ ...list([]), delayMs: 1000 }));
    const ac = new AbortController();
    const p = source().list({ namespace: 'apps' }, ac.signal);
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: unknown) => e instanceof KubeError && e.code === 'kube.aborted');
  });

  it('a bad selector is thrown before any request', async () => {
    await assert.rejects(source().list({ labelSelector: 'a in (' }), (e: unknown) => e instanceof KubeError && e.code === 'kube.invalid-selector');
    assert.equal(seen.length, 0);
  });
});

describe('cluster source: exec credential plugins', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'kv-exec-'));
    writeFileSync(join(dir, 'cred.sh'), '#!/bin/sh\necho \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-token"}}\'\n');
    writeFileSync(join(dir, 'fail.sh'), '#!/bin/sh\necho "no login session" >&2\nexit 3\n');
    chmodSync(join(dir, 'cred.sh'), 0o755);
    chmodSync(join(dir, 'fail.sh'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function withExec(script: string): ObjectSource {
    const kubeconfig = join(dir, `${script}.kubeconfig`);
    writeFileSync(
      kubeconfig,
      `current-context: c
clusters: [{name: c, cluster: {server: "${base}", certificate-authority: "${caFile}"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./${script}, interactiveMode: Never}}}]
contexts: [{name: c, context: {cluster: c, user: u, namespace: apps}}]
`,
    );
    return createClusterSource(loadKubeConfig({ kubeconfig }, { env: {}, home: '/nonexistent', serviceAccountDir: '/nonexistent' }));
  }

  it('the token an exec plugin prints is sent', async () => {
    const { problems } = await withExec('cred.sh').list({ namespace: 'apps' });
    assert.deepEqual(problems, []);
    assert.ok(seen.length > 0);
    assert.ok(seen.every((s) => s.headers['authorization'] === 'Bearer exec-token'));
  });

  it('a failing plugin is one kube.auth-plugin problem, and nothing is sent', async () => {
    const { problems } = await withExec('fail.sh').list({ namespace: 'apps' });
    assert.deepEqual(problems.map((p) => p.code), ['kube.auth-plugin']);
    assert.equal(seen.length, 0);
  });
});

describe('cluster source: Secrets and ServiceAccounts', () => {
  const secretPath = '/api/v1/namespaces/apps/secrets/cosign-pub';

  it('found: type and data decoded to bytes', async () => {
    route = (path) => (path === secretPath ? { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cosign-pub' }, type: 'Opaque', data: { 'cosign.pub': Buffer.from(SECRET_VALUE).toString('base64') } } } : undefined);
    const s = await source().getSecret('apps', 'cosign-pub');
    assert.equal(s.state, 'found');
    assert.equal(s.type, 'Opaque');
    assert.equal(Buffer.from(s.data['cosign.pub'] as Uint8Array).toString(), SECRET_VALUE);
  });

  it('not found, forbidden (with the Status message), error', async () => {
    route = () => status(404, 'secrets "cosign-pub" not found', 'NotFound');
    const nf = await source().getSecret('apps', 'cosign-pub');
    assert.deepEqual(nf, { state: 'not-found', message: 'Secret apps/cosign-pub not found' });
    const msg = 'secrets "cosign-pub" is forbidden: User "restricted" cannot get resource "secrets" in API group "" in the namespace "apps"';
    route = () => status(403, msg);
    const grant = 'grant get on secrets in namespace apps (kubectl auth can-i get secrets/cosign-pub -n apps --as restricted)';
    assert.deepEqual(await source().getSecret('apps', 'cosign-pub'), { state: 'forbidden', message: `${msg}; ${grant}` });
    route = () => status(500, 'boom', 'InternalError');
    assert.equal((await source().getSecret('apps', 'cosign-pub')).state, 'error');
  });

  it('secret values never reach a message: truncated JSON, bad base64', async () => {
    route = (path) => (path === secretPath ? { raw: `{"kind":"Secret","data":{"cosign.pub":"${Buffer.from(SECRET_VALUE).toString('base64')}` } : undefined);
    const truncated = await source().getSecret('apps', 'cosign-pub');
    assert.equal(truncated.state, 'error');
    assert.ok(!truncated.message.includes(Buffer.from(SECRET_VALUE).toString('base64')), truncated.message);
    route = (path) => (path === secretPath ? { body: { kind: 'Secret', data: { 'cosign.pub': `${SECRET_VALUE}!` } } } : undefined);
    const bad = await source().getSecret('apps', 'cosign-pub');
    assert.equal(bad.state, 'error');
    assert.ok(!bad.message.includes(SECRET_VALUE), bad.message);
    assert.match(bad.message, /"cosign\.pub"/);
    // an error status whose body carries a value: only the Status message is used
    route = () => ({ status: 500, body: { kind: 'Secret', data: { k: SECRET_VALUE } } });
    const odd = await source().getSecret('apps', 'cosign-pub');
    assert.equal(odd.state, 'error');
    assert.ok(!odd.message.includes(SECRET_VALUE), odd.message);
  });

  it('imagePullSecrets of a ServiceAccount; a missing one is a problem', async () => {
    route = (path) => (path === '/api/v1/namespaces/apps/serviceaccounts/puller' ? { body: { kind: 'ServiceAccount', imagePullSecrets: [{ name: 'regcred' }] } } : status(404, 'serviceaccounts "x" not found', 'NotFound'));
    assert.deepEqual(await source().getImagePullSecrets('apps', 'puller'), { names: ['regcred'] });
    const missing = await source().getImagePullSecrets('apps', 'nobody');
    assert.ok('problem' in missing);
    assert.equal(missing.problem.code, 'kube.not-found');
    assert.equal(missing.problem.kind, 'ServiceAccount');
  });

  it('the description names the cluster and server', () => {
    assert.deepEqual(source().description, { cluster: 'command-line', server: base });
  });
});
