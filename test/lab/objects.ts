/**
 * Flux objects and Secrets as YAML documents (each starting with `---`), for the lab's fleets. Flow
 * style keeps every fleet readable as a list of one-line objects.
 */
export function secretYaml(ns: string, name: string, data: Readonly<Record<string, string>>): string {
  return ['---', 'apiVersion: v1', 'kind: Secret', `metadata: {name: ${name}, namespace: ${ns}}`, 'data:', ...Object.entries(data).map(([k, v]) => `  ${k}: ${v}`)].join('\n');
}

export interface OciRepoOptions {
  /** spec.verify in flow style, e.g. `{provider: cosign, secretRef: {name: keys}}` */
  readonly verify?: string;
  /** metadata.labels in flow style */
  readonly labels?: string;
  /** further spec lines, indented by two spaces */
  readonly extra?: readonly string[];
}

/** An OCIRepository on a plain-HTTP lab registry; `url` is `host/repository` without a scheme. */
export function ociRepoYaml(ns: string, name: string, url: string, tag: string, opts: OciRepoOptions = {}): string {
  return [
    '---', 'apiVersion: source.toolkit.fluxcd.io/v1', 'kind: OCIRepository', `metadata: {name: ${name}, namespace: ${ns}${opts.labels ? `, labels: ${opts.labels}` : ''}}`,
    'spec:', '  interval: 10m', `  url: oci://${url}`, '  insecure: true', `  ref: {tag: "${tag}"}`, ...(opts.verify ? [`  verify: ${opts.verify}`] : []), ...(opts.extra ?? []),
  ].join('\n');
}

/** A Kustomization applying an OCIRepository's content. */
export function kustomizationYaml(ns: string, name: string, source: string, targetNamespace?: string): string {
  return [
    '---', 'apiVersion: kustomize.toolkit.fluxcd.io/v1', 'kind: Kustomization', `metadata: {name: ${name}, namespace: ${ns}}`,
    'spec:', '  interval: 10m', '  prune: true', '  path: ./', ...(targetNamespace ? [`  targetNamespace: ${targetNamespace}`] : []), `  sourceRef: {kind: OCIRepository, name: ${source}}`,
  ].join('\n');
}
