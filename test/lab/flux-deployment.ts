import type { RunningCluster } from './cluster.js';

/**
 * A `flux-system/source-controller` Deployment as `flux install` writes it (flux2 v2.9.4
 * `manifests/bases/source-controller`: labels, container `manager`, image from ghcr.io), for the plugin
 * to read the running version from. The lab runs the real source-controller out of cluster and has no
 * kube-controller-manager: the API server only stores this object, nothing runs from it.
 */
export function fluxDeploymentYaml(image: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: flux-system}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  namespace: flux-system
  labels:
    app.kubernetes.io/component: source-controller
    app.kubernetes.io/instance: flux-system
    app.kubernetes.io/part-of: flux
    app.kubernetes.io/version: v2.9.4
    control-plane: controller
spec:
  replicas: 1
  selector:
    matchLabels: {app: source-controller}
  template:
    metadata:
      labels: {app: source-controller}
    spec:
      containers:
        - name: manager
          image: ${image}
          args: [--events-addr=http://notification-controller.flux-system.svc.cluster.local./, --watch-all-namespaces=true, --storage-path=/data]
`;
}

export async function applyFluxDeployment(cluster: RunningCluster, image: string): Promise<void> {
  await cluster.kubectl(['apply', '-f', '-'], { input: fluxDeploymentYaml(image) });
}

export async function deleteFluxDeployment(cluster: RunningCluster): Promise<void> {
  await cluster.kubectl(['delete', 'deployment', 'source-controller', '-n', 'flux-system', '--wait=false']);
}
