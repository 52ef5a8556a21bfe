import type { DiscoveryCache } from './discovery-cache.js';
import { discoverKinds, type DiscoveryResult, type KindPlan } from './discovery.js';
import { isKubeError, KubeError, toProblem } from './errors.js';
import { createKubeHttp, type KubeHttp, type KubeHttpOptions } from './http.js';
import { readFluxVersion } from './flux-version.js';
import type { KindInfo } from './kinds.js';
import type { ResolvedKubeConfig } from './kubeconfig.js';
import { normalize } from './normalize.js';
import { isRecord } from './read.js';
import { decodeSecret, pullSecretNames } from './secret.js';
import { parseSelector } from './selector.js';
import type { FluxObject, KubeProblem, ObjectSource, Scope, SecretResult } from './types.js';
import { watchCluster, type BackoffOptions, type Listing } from './watch.js';

/**
 * Flux objects read from the API server. Every failure of one kind or namespace becomes a KubeProblem
 * next to what could be read; only cancellation and a bad selector are thrown.
 */
export interface ClusterSourceOptions extends KubeHttpOptions {
  /** items per page; default 500, as kubectl */
  readonly pageSize?: number;
  /** API discovery kept between runs (discovery-cache.ts); without it every run asks the server */
  readonly discoveryCache?: DiscoveryCache;
  /** -w: the reconnect backoff (default 1 s doubling to 30 s) and how long a stream must last to reset it (tests) */
  readonly watch?: { readonly backoff?: BackoffOptions; readonly healthyMs?: number };
}

export function createClusterSource(resolved: ResolvedKubeConfig, opts: ClusterSourceOptions = {}): ObjectSource {
  const http = createKubeHttp(resolved, opts);
  const pageSize = opts.pageSize ?? 500;
  // discovery is asked once per source; a failed discovery is asked again on the next list
  let discovery: Promise<DiscoveryResult> | undefined;
  const cache = opts.discoveryCache ? { cache: opts.discoveryCache } : {};

  return {
    description: { ...(resolved.context !== undefined && { context: resolved.context }), cluster: resolved.cluster, server: resolved.server },

    async list(scope, signal) {
      parseSelector(scope.labelSelector);
      discovery ??= discoverKinds(http, signal, cache);
      let found = await discovery;
      if (found.plans.length === 0 && found.problems.length > 0) discovery = undefined;
      let perKind = await Promise.all(found.plans.map((plan) => listPlan(http, plan, scope, pageSize, signal)));
      // a cached answer is stale when a CRD came, went or changed versions since: ask the server once, as
      // kubectl invalidates its cache when a resource is not found
      const stale = (p: KubeProblem): boolean => p.code === 'kube.crd-missing' || p.code === 'kube.unsupported-version' || p.code === 'kube.not-found';
      if (found.fromCache && [...found.problems, ...perKind.flatMap((k) => k.problems)].some(stale)) {
        discovery = discoverKinds(http, signal, { ...cache, fresh: true });
        found = await discovery;
        perKind = await Promise.all(found.plans.map((plan) => listPlan(http, plan, scope, pageSize, signal)));
      }
      return {
        objects: perKind.flatMap((k) => k.objects),
        problems: [...found.problems, ...perKind.flatMap((k) => k.problems)],
      };
    },

    async getSecret(namespace, name, signal): Promise<SecretResult> {
      try {
        const obj = await http.getJson(`/api/v1/namespaces/${enc(namespace)}/secrets/${enc(name)}`, `get Secret ${namespace}/${name}`, signal);
        return decodeSecret(obj, `${namespace}/${name}`);
      } catch (e) {
        if (!isKubeError(e) || e.code === 'kube.aborted') throw e;
        if (e.code === 'kube.not-found') return { state: 'not-found', message: `Secret ${namespace}/${name} not found` };
        if (e.code === 'kube.forbidden') return { state: 'forbidden', message: e.message };
        return { state: 'error', message: e.message };
      }
    },

    async getImagePullSecrets(namespace, serviceAccount, signal) {
      try {
        const obj = await http.getJson(`/api/v1/namespaces/${enc(namespace)}/serviceaccounts/${enc(serviceAccount)}`, `get ServiceAccount ${namespace}/${serviceAccount}`, signal);
        return { names: pullSecretNames(obj) };
      } catch (e) {
        if (!isKubeError(e) || e.code === 'kube.aborted') throw e;
        const problem = toProblem(e, { kind: 'ServiceAccount', namespace });
        return { problem: e.code === 'kube.not-found' ? { ...problem, message: `ServiceAccount ${namespace}/${serviceAccount} not found` } : problem };
      }
    },

    fluxVersion(signal) {
      return readFluxVersion(http, {}, signal);
    },

    watch(scope, onChange) {
      parseSelector(scope.labelSelector);
      return watchCluster(
        {
          scope,
          base: this,
          discover: (fresh, signal) => discoverKinds(http, signal, fresh ? { ...cache, fresh: true } : cache),
          listKind: (plan, signal) => listPlanRaw(http, plan, scope, pageSize, signal),
          relist: (info, version, signal) => listAll(http, info, version, scope, pageSize, signal),
          openWatch: (info, version, rv, signal) => openWatch(http, info, version, scope, rv, signal),
          decode: (item, info, version) => normalize({ apiVersion: `${info.group}/${version}`, kind: info.kind, ...item }, { origin: 'cluster' }),
          ...opts.watch,
        },
        onChange,
      );
    },
  };
}

/**
 * One watch of a kind from `resourceVersion`, with bookmarks and the list's selector. The server ends it
 * after timeoutSeconds, drawn from 5–10 minutes as client-go's reflector draws it, so that watches of
 * many clients do not all reopen at once; a stream silent for longer than that is taken for dead.
 */
function openWatch(http: KubeHttp, info: KindInfo, version: string, scope: Scope, resourceVersion: string, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
  const base = `/apis/${info.group}/${version}${scope.namespace !== undefined ? `/namespaces/${enc(scope.namespace)}` : ''}/${info.plural}`;
  const what = `watch ${info.plural}.${info.group} ${scope.namespace !== undefined ? `in namespace ${scope.namespace}` : 'in all namespaces'}`;
  const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
  const q = new URLSearchParams({ watch: '1', allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) });
  if (resourceVersion !== '') q.set('resourceVersion', resourceVersion);
  if (scope.labelSelector) q.set('labelSelector', scope.labelSelector);
  return http.openStream(`${base}?${q.toString()}`, what, { signal, idleMs: (timeoutSeconds + 30) * 1000 });
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

async function listPlan(http: KubeHttp, plan: KindPlan, scope: Scope, pageSize: number, signal?: AbortSignal): Promise<{ objects: FluxObject[]; problems: KubeProblem[] }> {
  const r = await listPlanRaw(http, plan, scope, pageSize, signal);
  return 'listing' in r ? toObjects(r.listing.items, plan.info, r.version) : { objects: [], problems: [...r.problems] };
}

/** One kind's items as served, in the version that served them (probing when discovery was refused). */
async function listPlanRaw(http: KubeHttp, plan: KindPlan, scope: Scope, pageSize: number, signal?: AbortSignal): Promise<{ version: string; listing: Listing } | { problems: KubeProblem[] }> {
  const where = { kind: plan.info.kind, ...(scope.namespace !== undefined && { namespace: scope.namespace }) };
  const versions = 'version' in plan ? [plan.version] : plan.probe;
  for (const version of versions) {
    try {
      return { version, listing: await listAll(http, plan.info, version, scope, pageSize, signal) };
    } catch (e) {
      if (isKubeError(e) && e.code === 'kube.aborted') throw e;
      // probing (discovery was forbidden): 404 means "not this version", try the next
      if ('probe' in plan && isKubeError(e) && e.code === 'kube.not-found') {
        continue;
      }
      return { problems: [toProblem(e, where)] };
    }
  }
  if (plan.info.optional) return { problems: [] };
  return {
    problems: [{ code: 'kube.crd-missing', message: `no ${plan.info.kind} CRD on the cluster: none of ${plan.info.versions.map((v) => `${plan.info.group}/${v}`).join(', ')} is served`, kind: plan.info.kind }],
  };
}

/** Every page of one list; a continue token that expired (410) restarts the list once. */
async function listAll(http: KubeHttp, info: KindInfo, version: string, scope: Scope, pageSize: number, signal?: AbortSignal): Promise<Listing> {
  const base = `/apis/${info.group}/${version}${scope.namespace !== undefined ? `/namespaces/${enc(scope.namespace)}` : ''}/${info.plural}`;
  const what = `list ${info.plural}.${info.group} ${scope.namespace !== undefined ? `in namespace ${scope.namespace}` : 'in all namespaces'}`;
  for (let attempt = 0; ; attempt++) {
    const items: unknown[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    try {
      do {
        const q = new URLSearchParams({ limit: String(pageSize) });
        if (scope.labelSelector) q.set('labelSelector', scope.labelSelector);
        if (token) q.set('continue', token);
        const page = await http.getJson(`${base}?${q.toString()}`, what, signal);
        if (!isRecord(page) || !Array.isArray(page['items'])) throw new KubeError('kube.api', `${what}: the answer is not a list`);
        items.push(...(page['items'] as unknown[]));
        const md = page['metadata'];
        // every page is served at the first page's resourceVersion: the one a watch starts from
        if (isRecord(md) && typeof md['resourceVersion'] === 'string' && resourceVersion === '') resourceVersion = md['resourceVersion'];
        token = isRecord(md) && typeof md['continue'] === 'string' && md['continue'] !== '' ? md['continue'] : undefined;
      } while (token);
      return { items, resourceVersion };
    } catch (e) {
      if (attempt === 0 && isKubeError(e) && e.code === 'kube.gone') continue;
      throw e;
    }
  }
}

function toObjects(items: readonly unknown[], info: KindInfo, version: string): { objects: FluxObject[]; problems: KubeProblem[] } {
  const objects: FluxObject[] = [];
  const problems: KubeProblem[] = [];
  for (const item of items) {
    // list items of custom resources carry apiVersion and kind; set them where a server left them out
    const raw = isRecord(item) ? { apiVersion: `${info.group}/${version}`, kind: info.kind, ...item } : item;
    const r = normalize(raw, { origin: 'cluster' });
    if ('object' in r) objects.push(r.object);
    else if ('problem' in r) problems.push(r.problem);
  }
  return { objects, problems };
}
