import { isKubeError } from './errors.js';
import type { KubeHttp } from './http.js';
import { isRecord } from './read.js';
import type { FluxVersionInfo } from './types.js';

/**
 * Which source-controller the cluster runs, read as the flux CLI reads it (flux2 `cmd/flux/version.go`:
 * the image tag of the controller's Deployment; `cmd/flux/cluster_info.go`: the `app.kubernetes.io/version`
 * label of the gitrepositories CRD, which is the flux2 distribution's version). Reading it never fails an
 * audit: a Deployment that is absent or forbidden degrades to the CRD label, then to unknown, and `detail`
 * says why. docs/flux-rules.md "Version rules" says what depends on it.
 */
export type { FluxVersionInfo };

/** A version as `[major, minor, patch]`; prereleases are not compared (the rules name releases only). */
export type Semver = readonly [number, number, number];

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** `v1.9.4`, `1.9.4`, `v1.9.0-rc.1` → [1, 9, 4]; anything else undefined. */
export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function formatSemver(v: Semver): string {
  return `${v[0]}.${v[1]}.${v[2]}`;
}

/** < 0 when a is older than b, 0 equal, > 0 newer. Both must parse (callers hold parsed versions). */
export function compareSemver(a: Semver, b: Semver): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The source-controller each flux2 release ships (flux2 `manifests/bases/source-controller/kustomization.yaml`
 * at the tag; the "flux2 from" column of docs/flux-rules.md's Version rules). Not every patch: a flux2 version between two rows of one minor maps
 * to the earlier row, the oldest source-controller it can ship. Adding a flux2 release is one row here.
 */
export const FLUX2_SOURCE_CONTROLLER: readonly { readonly flux2: string; readonly sourceController: string }[] = [
  { flux2: '0.35.0', sourceController: '0.30.0' },
  { flux2: '0.36.0', sourceController: '0.31.0' },
  { flux2: '0.39.0', sourceController: '0.34.0' },
  { flux2: '2.0.0', sourceController: '1.0.0' },
  { flux2: '2.1.0', sourceController: '1.1.0' },
  { flux2: '2.2.0', sourceController: '1.2.2' },
  { flux2: '2.3.0', sourceController: '1.3.0' },
  { flux2: '2.4.0', sourceController: '1.4.1' },
  { flux2: '2.5.0', sourceController: '1.5.0' },
  { flux2: '2.6.0', sourceController: '1.6.0' },
  { flux2: '2.7.0', sourceController: '1.7.0' },
  { flux2: '2.7.5', sourceController: '1.7.4' },
  { flux2: '2.8.0', sourceController: '1.8.0' },
  { flux2: '2.8.8', sourceController: '1.8.5' },
  { flux2: '2.9.0', sourceController: '1.9.1' },
  { flux2: '2.9.4', sourceController: '1.9.4' },
];

export type Flux2Mapping =
  | { readonly sourceController: string; readonly exact: boolean; readonly row: string }
  | { readonly problem: string };

/**
 * The source-controller a flux2 version ships: the table's row for that minor at or below the patch
 * (exact when the row is that version). A minor the table does not know is a problem, named: guessing
 * would read the rules at a version nobody runs.
 */
export function sourceControllerForFlux2(flux2: Semver): Flux2Mapping {
  const rows = FLUX2_SOURCE_CONTROLLER.map((r) => ({ ...r, v: parseSemver(r.flux2) as Semver }));
  const sameMinor = rows.filter((r) => r.v[0] === flux2[0] && r.v[1] === flux2[1] && compareSemver(r.v, flux2) <= 0);
  const row = sameMinor.at(-1);
  if (!row) {
    const last = rows.at(-1) as (typeof rows)[number];
    const newer = compareSemver(flux2, last.v) > 0;
    return { problem: `flux2 v${formatSemver(flux2)} is ${newer ? 'newer than' : 'not in'} the plugin's table of releases (${newer ? `last: flux2 v${last.flux2}` : `flux2 v${rows[0]?.flux2 ?? ''} to v${last.flux2}, by minor`})` };
  }
  return { sourceController: row.sourceController, exact: compareSemver(row.v, flux2) === 0, row: row.flux2 };
}

/** The tag of an image reference as a version: `ghcr.io/fluxcd/source-controller:v1.9.4@sha256:…` → 1.9.4. */
export function versionFromImage(image: string): Semver | undefined {
  const noDigest = image.split('@')[0] ?? '';
  // the tag follows the last ':' after the last '/', so a registry port is not taken for a tag
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : parseSemver(noDigest.slice(colon + 1));
}

const CRD = 'gitrepositories.source.toolkit.fluxcd.io';
const COMPONENT = 'app.kubernetes.io/component=source-controller';

export interface FluxVersionOptions {
  /** the namespace Flux's controllers run in; default flux-system */
  readonly namespace?: string;
}

/** Reads the running source-controller's version: Deployment image, else CRD label, else unknown. */
export async function readFluxVersion(http: Pick<KubeHttp, 'getJson'>, opts: FluxVersionOptions = {}, signal?: AbortSignal): Promise<FluxVersionInfo> {
  const ns = opts.namespace ?? 'flux-system';
  const why: string[] = [];
  const fromDeployment = await deploymentVersion(http, ns, why, signal);
  if (fromDeployment) return fromDeployment;
  const fromCrd = await crdVersion(http, why, signal);
  if (fromCrd) return { ...fromCrd, detail: `${fromCrd.detail} (${why.join('; ')})` };
  return { from: 'unknown', detail: why.join('; ') };
}

async function deploymentVersion(http: Pick<KubeHttp, 'getJson'>, ns: string, why: string[], signal?: AbortSignal): Promise<FluxVersionInfo | undefined> {
  const base = `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`;
  let deployment: unknown;
  try {
    deployment = await http.getJson(`${base}/source-controller`, `get Deployment ${ns}/source-controller`, signal);
  } catch (e) {
    rethrowAbort(e);
    if (!(isKubeError(e) && e.code === 'kube.not-found')) {
      why.push(`Deployment ${ns}/source-controller: ${message(e)}`);
      return undefined;
    }
    // a renamed install: flux2 labels each controller with its component; listing needs `list`, which a
    // tenant may lack (the name alone needs only `get`)
    try {
      const listed = await http.getJson(`${base}?${new URLSearchParams({ labelSelector: COMPONENT }).toString()}`, `list Deployments in ${ns} with ${COMPONENT}`, signal);
      const items = isRecord(listed) && Array.isArray(listed['items']) ? (listed['items'] as unknown[]) : [];
      if (items.length === 0) {
        why.push(`no Deployment source-controller (nor one labelled ${COMPONENT}) in namespace ${ns}`);
        return undefined;
      }
      deployment = items[0];
    } catch (e2) {
      rethrowAbort(e2);
      why.push(`no Deployment ${ns}/source-controller, and listing by ${COMPONENT}: ${message(e2)}`);
      return undefined;
    }
  }
  const name = isRecord(deployment) && isRecord(deployment['metadata']) && typeof deployment['metadata']['name'] === 'string' ? deployment['metadata']['name'] : 'source-controller';
  const image = managerImage(deployment);
  if (image === undefined) {
    why.push(`Deployment ${ns}/${name} has no container image to read`);
    return undefined;
  }
  const v = versionFromImage(image);
  if (!v) {
    why.push(`Deployment ${ns}/${name} runs ${image}, whose tag is not a version`);
    return undefined;
  }
  return { version: formatSemver(v), from: 'deployment', detail: `Deployment ${ns}/${name}, image ${image}` };
}

/** The image of container `manager` (flux2's name for it), else the only container's, else one named like the controller. */
function managerImage(deployment: unknown): string | undefined {
  const spec = isRecord(deployment) && isRecord(deployment['spec']) ? deployment['spec'] : undefined;
  const template = spec && isRecord(spec['template']) && isRecord(spec['template']['spec']) ? spec['template']['spec'] : undefined;
  const containers = template && Array.isArray(template['containers']) ? template['containers'].filter(isRecord) : [];
  const image = (c: Record<string, unknown> | undefined): string | undefined => (c && typeof c['image'] === 'string' ? c['image'] : undefined);
  return image(containers.find((c) => c['name'] === 'manager')) ?? (containers.length === 1 ? image(containers[0]) : image(containers.find((c) => /source-controller/.test(String(c['image'])))));
}

async function crdVersion(http: Pick<KubeHttp, 'getJson'>, why: string[], signal?: AbortSignal): Promise<FluxVersionInfo | undefined> {
  let crd: unknown;
  try {
    crd = await http.getJson(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD}`, `get CustomResourceDefinition ${CRD}`, signal);
  } catch (e) {
    rethrowAbort(e);
    why.push(`CRD ${CRD}: ${message(e)}`);
    return undefined;
  }
  const labels = isRecord(crd) && isRecord(crd['metadata']) && isRecord(crd['metadata']['labels']) ? crd['metadata']['labels'] : {};
  const label = labels['app.kubernetes.io/version'];
  if (typeof label !== 'string') {
    why.push(`CRD ${CRD} has no app.kubernetes.io/version label`);
    return undefined;
  }
  const flux2 = parseSemver(label);
  if (!flux2) {
    why.push(`CRD ${CRD} label app.kubernetes.io/version=${label} is not a version`);
    return undefined;
  }
  const mapped = sourceControllerForFlux2(flux2);
  if ('problem' in mapped) {
    why.push(`CRD ${CRD} says flux2 ${label}, but ${mapped.problem}`);
    return undefined;
  }
  const how = mapped.exact ? `which ships source-controller v${mapped.sourceController}` : `inferred: flux2 v${mapped.row} ships source-controller v${mapped.sourceController}, the oldest this minor can run`;
  return { version: mapped.sourceController, from: 'crd-label', detail: `CRD ${CRD} label app.kubernetes.io/version=${label}, ${how}`, inferred: true };
}

function rethrowAbort(e: unknown): void {
  if (isKubeError(e) && e.code === 'kube.aborted') throw e;
  if (e instanceof Error && e.name === 'AbortError') throw e;
}

function message(e: unknown): string {
  if (isKubeError(e)) return e.code === 'kube.forbidden' ? `forbidden (${e.message})` : e.message;
  return e instanceof Error ? e.message : String(e);
}
