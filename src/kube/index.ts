/** kube/: where Flux objects come from — the cluster or files — as the typed model in types.ts. */
export type * from './types.js';
export { fluxKinds } from './types.js';
export { loadKubeConfig, type KubeFlags, type KubeEnvironment, type ResolvedKubeConfig, type Impersonation } from './kubeconfig.js';
export { createClusterSource, type ClusterSourceOptions } from './cluster.js';
export { createFileSource, type FileSource, type FileSourceOptions } from './files.js';
export { normalize, type NormalizeOptions, type NormalizeResult } from './normalize.js';
export { KubeError, isKubeError, type KubeCode } from './errors.js';
export { parseRequestTimeout } from './duration.js';
export { parseSelector, matchesSelector, type Selector } from './selector.js';
export { kindTable, type KindInfo } from './kinds.js';
