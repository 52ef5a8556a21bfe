import { isKubeError, KubeError, toProblem } from './errors.js';
import type { DiscoveryCache, ServedResources } from './discovery-cache.js';
import type { KubeHttp } from './http.js';
import { kindTable, type KindInfo } from './kinds.js';
import { isRecord } from './read.js';
import type { KubeProblem } from './types.js';

/**
 * Which version of each Flux kind to read: API discovery of the three Flux groups, then for each kind
 * the first version the plugin understands that the server serves. A kind the server does not serve
 * is a `kube.crd-missing` problem; one served only in versions the plugin cannot read is
 * `kube.unsupported-version`. Where discovery itself is forbidden, the kind is `probe`d: the lister
 * tries the versions in order and treats 404 as "not this one".
 */
export type KindPlan = { readonly info: KindInfo; readonly version: string } | { readonly info: KindInfo; readonly probe: readonly string[] };

export interface DiscoveryResult {
  readonly plans: readonly KindPlan[];
  readonly problems: readonly KubeProblem[];
  /** answered from the disk cache without asking the server: a list that 404s means it is stale */
  readonly fromCache?: boolean;
}

export interface DiscoveryOptions {
  readonly cache?: DiscoveryCache;
  /** ask the server even when the cache has an answer (the cached one turned out stale) */
  readonly fresh?: boolean;
}

/**
 * Aggregated discovery (Kubernetes 1.26+, GA in 1.30): every group, version and resource in one
 * answer to GET /apis, as kubectl asks for it. Older servers answer the same request with a plain
 * APIGroupList, and the groups are then discovered one by one.
 */
const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** failures that are about the connection or the credentials, not about one group */
const CLUSTER_WIDE = new Set(['kube.unreachable', 'kube.tls', 'kube.timeout', 'kube.unauthorized', 'kube.auth-plugin']);

const controllerOf: Readonly<Record<string, string>> = {
  'source.toolkit.fluxcd.io': 'source-controller',
  'helm.toolkit.fluxcd.io': 'helm-controller',
  'kustomize.toolkit.fluxcd.io': 'kustomize-controller',
};

type GroupAnswer = { readonly group: string; readonly resources: ReadonlyMap<string, readonly string[]> } | { readonly group: string; readonly error: KubeError };

export async function discoverKinds(http: KubeHttp, signal?: AbortSignal, opts: DiscoveryOptions = {}): Promise<DiscoveryResult> {
  const groups = [...new Set(kindTable.map((k) => k.group))];
  const cached = opts.cache && !opts.fresh ? opts.cache.read() : undefined;
  if (cached) return { ...plansFrom(groups.map((g) => servedAnswer(g, cached))), fromCache: true };
  const answers = (await aggregated(http, groups, signal)) ?? (await Promise.all(groups.map((g) => discoverGroup(http, g, signal))));
  // only a complete answer is kept: a group that failed for another reason than "not served" is asked again next run
  if (opts.cache && answers.every((a) => !('error' in a) || a.error.code === 'kube.not-found')) {
    opts.cache.write(new Map(answers.flatMap((a) => ('resources' in a ? [[a.group, a.resources] as const] : []))));
  }
  return plansFrom(answers);
}

function servedAnswer(group: string, served: ServedResources): GroupAnswer {
  const resources = served.get(group);
  return resources ? { group, resources } : { group, error: new KubeError('kube.not-found', `discover ${group}: not served`) };
}

function plansFrom(answers: readonly GroupAnswer[]): DiscoveryResult {
  const wide = answers.find((a): a is Extract<GroupAnswer, { error: KubeError }> => 'error' in a && CLUSTER_WIDE.has(a.error.code));
  // one problem for the whole run: every kind would fail the same way
  if (wide) return { plans: [], problems: [toProblem(wide.error, {})] };

  const plans: KindPlan[] = [];
  const problems: KubeProblem[] = [];
  for (const info of kindTable) {
    const answer = answers.find((a) => a.group === info.group) as GroupAnswer;
    if ('error' in answer) {
      if (answer.error.code === 'kube.not-found') {
        if (!info.optional) problems.push(crdMissing(info, `the API group ${info.group} is not served`));
      } else {
        plans.push({ info, probe: info.versions });
      }
      continue;
    }
    const served = answer.resources.get(info.plural) ?? [];
    const version = info.versions.find((v) => served.includes(v));
    if (version) plans.push({ info, version });
    else if (served.length > 0) {
      problems.push({
        code: 'kube.unsupported-version',
        message: `${info.kind} is served as ${served.map((v) => `${info.group}/${v}`).join(', ')}; this plugin reads ${info.versions.join(', ')}`,
        kind: info.kind,
      });
    } else if (!info.optional) {
      problems.push(crdMissing(info, `${info.group} serves no ${info.plural}`));
    }
  }
  return { plans, problems };
}

function crdMissing(info: KindInfo, why: string): KubeProblem {
  return {
    code: 'kube.crd-missing',
    message: `no ${info.kind} CRD on the cluster: ${why} (is Flux's ${controllerOf[info.group] ?? 'controller'} installed?)`,
    kind: info.kind,
  };
}

/**
 * The Flux groups from one aggregated discovery answer; undefined when the server does not give one
 * (an older server, or discovery refused: the per-group path then decides, probing where forbidden).
 * A failure of the connection or the credentials is every group's answer.
 */
async function aggregated(http: KubeHttp, groups: readonly string[], signal?: AbortSignal): Promise<GroupAnswer[] | undefined> {
  let doc: unknown;
  try {
    doc = await http.getJson('/apis', 'discover API groups', signal, AGGREGATED_ACCEPT);
  } catch (e) {
    if (isKubeError(e) && e.code === 'kube.aborted') throw e;
    const wide = isKubeError(e) && CLUSTER_WIDE.has(e.code) ? e : undefined;
    return wide ? groups.map((group) => ({ group, error: wide })) : undefined;
  }
  if (!isRecord(doc) || doc['kind'] !== 'APIGroupDiscoveryList' || !Array.isArray(doc['items'])) return undefined;
  const byGroup = new Map<string, Map<string, string[]>>();
  for (const item of doc['items']) {
    const md = isRecord(item) ? item['metadata'] : undefined;
    const name = isRecord(md) && typeof md['name'] === 'string' ? md['name'] : undefined;
    if (name === undefined || !groups.includes(name) || !isRecord(item) || !Array.isArray(item['versions'])) continue;
    const resources = new Map<string, string[]>();
    for (const v of item['versions']) {
      if (!isRecord(v) || typeof v['version'] !== 'string' || !Array.isArray(v['resources'])) continue;
      // a version the server lists but cannot serve right now (freshness Stale) is still listed: a list will say
      for (const r of v['resources']) {
        if (!isRecord(r) || typeof r['resource'] !== 'string') continue;
        const verbs = Array.isArray(r['verbs']) ? r['verbs'] : ['list'];
        if (!verbs.includes('list')) continue;
        resources.set(r['resource'], [...(resources.get(r['resource']) ?? []), v['version']]);
      }
    }
    byGroup.set(name, resources);
  }
  return groups.map((group) => {
    const resources = byGroup.get(group);
    return resources ? { group, resources } : { group, error: new KubeError('kube.not-found', `discover ${group}: not served`) };
  });
}

/** plural → versions serving it, within one group */
async function discoverGroup(http: KubeHttp, group: string, signal?: AbortSignal): Promise<GroupAnswer> {
  try {
    const doc = await http.getJson(`/apis/${group}`, `discover ${group}`, signal);
    const versions = isRecord(doc) && Array.isArray(doc['versions']) ? doc['versions'].flatMap((v: unknown) => (isRecord(v) && typeof v['version'] === 'string' ? [v['version']] : [])) : [];
    const resources = new Map<string, string[]>();
    const lists = await Promise.all(
      versions.map(async (version) => {
        try {
          return { version, list: await http.getJson(`/apis/${group}/${version}`, `discover ${group}/${version}`, signal) };
        } catch (e) {
          // a version listed by the group but gone by now (a CRD being updated) is simply not served
          if (isKubeError(e) && e.code === 'kube.not-found') return { version, list: undefined };
          throw e;
        }
      }),
    );
    for (const { version, list } of lists) {
      const items = isRecord(list) && Array.isArray(list['resources']) ? list['resources'] : [];
      for (const r of items) {
        if (!isRecord(r) || typeof r['name'] !== 'string' || r['name'].includes('/')) continue;
        const verbs = Array.isArray(r['verbs']) ? r['verbs'] : ['list'];
        if (!verbs.includes('list')) continue;
        resources.set(r['name'], [...(resources.get(r['name']) ?? []), version]);
      }
    }
    return { group, resources };
  } catch (e) {
    if (isKubeError(e) && e.code === 'kube.aborted') throw e;
    return { group, error: isKubeError(e) ? e : new KubeError('kube.api', `discover ${group}: ${String(e)}`) };
  }
}
