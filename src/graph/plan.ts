import type { HelmRelease, HelmRepository, Kustomization, OCIRepository, Verification } from '../kube/types.js';
import { chartRef, chartUrl, HELM_CHART_LAYER } from './helm.js';
import { asDigest, parseRevision } from './revision.js';
import { parseRepositoryUrl } from '../registry/reference.js';
import type { PlanArtifact, PlanLocation, PlanRef, PlanTrust, RegistryAccess, RunningRevision, TrustOrigin } from './types.js';

/** What a plan is made of, before identical ones are merged. */
export interface PlanInput {
  readonly artifact: PlanArtifact;
  /** `artifact.url` parsed once, here */
  readonly location: PlanLocation;
  readonly access: RegistryAccess;
  readonly trust?: PlanTrust;
}

export function trustOf(verify: Verification | undefined, namespace: string, origin: TrustOrigin, keepTrustedRoot: boolean): PlanTrust | undefined {
  if (verify === undefined) return undefined;
  const mode = verify.provider === 'notation' ? 'notation' : verify.secretRef === undefined ? 'cosign-keyless' : 'cosign-key';
  return {
    provider: verify.provider,
    mode,
    namespace,
    ...(verify.secretRef === undefined ? {} : { secretRef: verify.secretRef }),
    // identities constrain keyless certificates only; Flux ignores them for keys and notation
    matchOIDCIdentity: mode === 'cosign-keyless' ? verify.matchOIDCIdentity : [],
    ...(keepTrustedRoot && verify.trustedRootSecretRef !== undefined ? { trustedRootSecretRef: verify.trustedRootSecretRef } : {}),
    origin,
  };
}

/** getArtifactRef's precedence: digest > semver > tag > latest. */
export function ociRef(o: OCIRepository): PlanRef {
  const r = o.ref;
  if (r?.digest !== undefined && r.digest !== '') return { kind: 'digest', digest: asDigest(r.digest) ?? r.digest };
  if (r?.semver !== undefined && r.semver !== '') {
    return {
      kind: 'semver',
      constraint: r.semver,
      ...(r.semverFilter !== undefined && r.semverFilter !== '' ? { filter: r.semverFilter } : {}),
      helmTags: o.layerSelector?.mediaType === HELM_CHART_LAYER,
    };
  }
  if (r?.tag !== undefined && r.tag !== '') return { kind: 'tag', tag: r.tag };
  return { kind: 'tag', tag: 'latest' };
}

export function ociRepositoryPlan(o: OCIRepository): PlanInput {
  const running = o.artifact === undefined ? undefined : parseRevision(o.artifact.revision);
  const trust = trustOf(o.verify, o.namespace, 'object', true);
  const url = o.url.replace(/\/+$/, '');
  return {
    artifact: { url, ref: ociRef(o), ...(running ? { running } : {}) },
    location: parseRepositoryUrl(url),
    access: {
      namespace: o.namespace,
      provider: o.provider,
      ...(o.secretRef === undefined ? {} : { secretRef: o.secretRef }),
      ...(o.serviceAccountName === undefined ? {} : { serviceAccountName: o.serviceAccountName }),
      ...(o.certSecretRef === undefined ? {} : { certSecretRef: o.certSecretRef }),
      ...(o.proxySecretRef === undefined ? {} : { proxySecretRef: o.proxySecretRef }),
      insecure: o.insecure,
      secretFormats: 'dockerconfigjson',
    },
    ...(trust ? { trust } : {}),
  };
}

export interface ChartSpec {
  /** the HelmChart's namespace, where its verify Secret is read */
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  readonly verify?: Verification;
  /** status.artifact.revision: the chart version, never a digest */
  readonly revision?: string;
}

/** A chart from a HelmRepository of type oci; registry access is the repository's. */
export function helmChartPlan(c: ChartSpec, repo: HelmRepository, origin: TrustOrigin): PlanInput {
  // no released HelmChart CRD has verify.trustedRootSecretRef (it was added and removed on main before
  // source-controller v1.9.0): Flux does not read it for charts
  const trust = trustOf(c.verify, c.namespace, origin, false);
  const running: RunningRevision | undefined = c.revision === undefined ? undefined : { revision: c.revision };
  const url = chartUrl(repo.url, c.chart);
  return {
    artifact: {
      url,
      ref: chartRef(c.version),
      ...(running ? { running } : {}),
      chart: { name: c.chart, version: c.version === '' ? '*' : c.version },
    },
    location: parseRepositoryUrl(url),
    access: {
      namespace: repo.namespace,
      provider: repo.provider,
      ...(repo.secretRef === undefined ? {} : { secretRef: repo.secretRef }),
      ...(repo.certSecretRef === undefined ? {} : { certSecretRef: repo.certSecretRef }),
      insecure: repo.insecure,
      secretFormats: 'dockerconfigjson-or-basic-auth',
    },
    ...(trust ? { trust } : {}),
  };
}

/** What the consumer last applied, most specific first: a deployed OCI digest before a version. */
export function appliedRevisionOf(o: Kustomization | HelmRelease): string | undefined {
  if (o.kind === 'Kustomization') return o.lastAppliedRevision;
  return o.lastRelease?.ociDigest ?? o.lastAttemptedRevisionDigest ?? o.lastAttemptedRevision ?? o.lastAppliedRevision ?? o.lastRelease?.chartVersion;
}

/**
 * What a consumer applied is an artifact too: when its applied revision names a manifest digest
 * other than the one its source runs (suspended, or not reconciled since the source moved), that
 * digest is verified with the source's URL, access and trust. Charts (HelmChart sources) record only
 * a version, never a digest, so they get no plan: a version cannot be verified.
 */
export function appliedPlan(source: PlanInput, applied: string): PlanInput | undefined {
  if (source.artifact.chart !== undefined) return undefined;
  const revision = parseRevision(applied);
  const digest = revision.digest;
  if (digest === undefined || digest === source.artifact.running?.digest) return undefined;
  return {
    artifact: { url: source.artifact.url, ref: { kind: 'digest', digest }, running: { ...revision, digest } },
    location: source.location,
    access: source.access,
    ...(source.trust ? { trust: source.trust } : {}),
  };
}

/** The reference as people write it, for plan ids and messages. */
export function describeArtifact(a: PlanArtifact): string {
  switch (a.ref.kind) {
    case 'digest':
      return `${a.url}@${a.ref.digest}`;
    case 'tag':
      return `${a.url}:${a.ref.tag}`;
    case 'semver':
      return `${a.url} semver ${a.ref.constraint}${a.ref.filter === undefined ? '' : ` filter ${a.ref.filter}`}`;
  }
}

/**
 * The identity of a plan: reference, running digest, access and trust. Two objects that differ only
 * in name share one verification; the running digest is part of it because each digest is verified.
 */
export function planKey(p: PlanInput): string {
  return JSON.stringify([p.artifact.url, p.artifact.ref, p.artifact.running?.digest ?? null, p.access, p.trust ?? null]);
}
