import { isKubeError, KubeError, toProblem } from './errors.js';
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
}

/** failures that are about the connection or the credentials, not about one group */
const CLUSTER_WIDE = new Set(['kube.unreachable', 'kube.tls', 'kube.timeout', 'kube.unauthorized', 'kube.auth-plugin']);

const controllerOf: Readonly<Record<string, string>> = {
  'source.toolkit.fluxcd.io': 'source-controller',
  'helm.toolkit.fluxcd.io': 'helm-controller',
  'kustomize.toolkit.fluxcd.io': 'kustomize-controller',
};

type GroupAnswer = { readonly group: string; readonly resources: ReadonlyMap<string, readonly string[]> } | { readonly group: string; readonly error: KubeError };

export async function discoverKinds(http: KubeHttp, signal?: AbortSignal): Promise<DiscoveryResult> {
  const groups = [...new Set(kindTable.map((k) => k.group))];
  const answers = await Promise.all(groups.map((g) => discoverGroup(http, g, signal)));
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
