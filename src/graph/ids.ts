import type { ObjectRef } from '../kube/types.js';
import type { NodeId } from './types.js';

export function nodeId(kind: string, namespace: string, name: string): NodeId {
  return `${kind}/${namespace}/${name}`;
}

export function refId(ref: ObjectRef): NodeId {
  return nodeId(ref.kind, ref.namespace, ref.name);
}

// consumers first, then sources in the order a reader follows them down the tree
const KIND_ORDER: readonly string[] = ['Kustomization', 'HelmRelease', 'OCIRepository', 'HelmChart', 'HelmRepository', 'GitRepository', 'Bucket', 'ExternalArtifact'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Total order on nodes: kind rank, then kind, namespace, name (code-unit order, locale-free). */
export function compareNodes(a: { kind: string; namespace: string; name: string }, b: { kind: string; namespace: string; name: string }): number {
  return kindRank(a.kind) - kindRank(b.kind) || byText(a.kind, b.kind) || byText(a.namespace, b.namespace) || byText(a.name, b.name);
}
