import type { FluxKind } from './types.js';

/**
 * Where each Flux kind lives in the API and which of its versions the normaliser understands,
 * newest first: the cluster source reads the first of these that the server serves.
 */
export interface KindInfo {
  readonly kind: FluxKind;
  readonly group: string;
  /** the resource name in URLs */
  readonly plural: string;
  readonly versions: readonly string[];
  /** absent CRD is normal (a kind newer than many clusters): no problem is reported for it */
  readonly optional: boolean;
}

export const SOURCE_GROUP = 'source.toolkit.fluxcd.io';
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
/** source-watcher's API group (ArtifactGenerator) */
export const SOURCE_EXTENSIONS_GROUP = 'source.extensions.fluxcd.io';

export const kindTable: readonly KindInfo[] = [
  { kind: 'Kustomization', group: KUSTOMIZE_GROUP, plural: 'kustomizations', versions: ['v1'], optional: false },
  { kind: 'HelmRelease', group: HELM_GROUP, plural: 'helmreleases', versions: ['v2', 'v2beta2', 'v2beta1'], optional: false },
  { kind: 'OCIRepository', group: SOURCE_GROUP, plural: 'ocirepositories', versions: ['v1', 'v1beta2'], optional: false },
  { kind: 'HelmRepository', group: SOURCE_GROUP, plural: 'helmrepositories', versions: ['v1', 'v1beta2'], optional: false },
  { kind: 'HelmChart', group: SOURCE_GROUP, plural: 'helmcharts', versions: ['v1', 'v1beta2'], optional: false },
  { kind: 'GitRepository', group: SOURCE_GROUP, plural: 'gitrepositories', versions: ['v1', 'v1beta2'], optional: false },
  { kind: 'Bucket', group: SOURCE_GROUP, plural: 'buckets', versions: ['v1', 'v1beta2'], optional: false },
  // Flux 2.7 added ExternalArtifact; older clusters simply have none
  { kind: 'ExternalArtifact', group: SOURCE_GROUP, plural: 'externalartifacts', versions: ['v1'], optional: true },
  // source-watcher (Flux 2.7 and later, not installed by default) writes ExternalArtifacts from these
  { kind: 'ArtifactGenerator', group: SOURCE_EXTENSIONS_GROUP, plural: 'artifactgenerators', versions: ['v1beta1'], optional: true },
];

export function kindInfo(kind: FluxKind): KindInfo {
  const info = kindTable.find((k) => k.kind === kind);
  if (!info) throw new Error(`unknown Flux kind ${kind}`);
  return info;
}

/** The table entry for an apiVersion/kind pair, or undefined when it is not a Flux kind at all. */
export function lookupKind(apiVersion: string, kind: string): KindInfo | undefined {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return kindTable.find((k) => k.kind === kind && k.group === group);
}

export function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
}
