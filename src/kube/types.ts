/**
 * Flux objects as the rest of the plugin sees them: one typed, version-normalised shape per kind,
 * whether they were read from a cluster or from YAML files. Fields follow the Flux APIs
 * (source.toolkit.fluxcd.io/v1, helm.toolkit.fluxcd.io/v2, kustomize.toolkit.fluxcd.io/v1); older
 * versions are converted into these on reading. `raw` keeps the object as read, for the YAML view.
 */

export type SourceKind = 'OCIRepository' | 'HelmRepository' | 'HelmChart' | 'GitRepository' | 'Bucket' | 'ExternalArtifact' | 'ArtifactGenerator';
export type ConsumerKind = 'Kustomization' | 'HelmRelease';
export type FluxKind = SourceKind | ConsumerKind;

export const fluxKinds: readonly FluxKind[] = ['Kustomization', 'HelmRelease', 'OCIRepository', 'HelmRepository', 'HelmChart', 'GitRepository', 'Bucket', 'ExternalArtifact', 'ArtifactGenerator'];

/** A reference from one object to another; namespace is already defaulted to the referrer's. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime?: string;
}

export interface Artifact {
  /** OCIRepository: `<tag>@sha256:<hex>` (or `sha256:<hex>`, or the legacy `<tag>/<hex>`); HelmChart: the chart version */
  readonly revision: string;
  readonly digest?: string;
  readonly url?: string;
  readonly lastUpdateTime?: string;
  readonly size?: number;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface IdentityMatch {
  readonly issuer: string;
  readonly subject: string;
}

/** spec.verify of OCIRepository and HelmChart (and, without identities, of a HelmRelease chart template). */
export interface Verification {
  readonly provider: 'cosign' | 'notation';
  /** name of a Secret in the object's namespace */
  readonly secretRef?: string;
  readonly matchOIDCIdentity: readonly IdentityMatch[];
  readonly trustedRootSecretRef?: string;
}

export interface ObjectMeta {
  readonly kind: FluxKind;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly suspend: boolean;
  readonly conditions: readonly Condition[];
  readonly observedGeneration?: number;
  /** the object as read (cluster JSON or the YAML document), for the YAML view; never includes Secret data */
  readonly raw: unknown;
  /** where it came from: `cluster` or `file:<path>` */
  readonly origin: string;
}

export interface OCIRepositoryRef {
  readonly digest?: string;
  readonly semver?: string;
  readonly semverFilter?: string;
  readonly tag?: string;
}

export interface OCIRepository extends ObjectMeta {
  readonly kind: 'OCIRepository';
  readonly url: string;
  readonly ref?: OCIRepositoryRef;
  readonly layerSelector?: { readonly mediaType?: string; readonly operation?: string };
  readonly provider: string;
  readonly secretRef?: string;
  readonly serviceAccountName?: string;
  readonly certSecretRef?: string;
  readonly proxySecretRef?: string;
  readonly insecure: boolean;
  readonly verify?: Verification;
  readonly artifact?: Artifact;
}

export interface HelmRepository extends ObjectMeta {
  readonly kind: 'HelmRepository';
  readonly url: string;
  readonly type: 'default' | 'oci';
  readonly provider: string;
  readonly secretRef?: string;
  readonly certSecretRef?: string;
  readonly insecure: boolean;
  readonly artifact?: Artifact;
}

export interface HelmChart extends ObjectMeta {
  readonly kind: 'HelmChart';
  readonly chart: string;
  readonly version: string;
  readonly sourceRef: ObjectRef;
  readonly verify?: Verification;
  readonly valuesFiles: readonly string[];
  readonly artifact?: Artifact;
}

export interface HelmRelease extends ObjectMeta {
  readonly kind: 'HelmRelease';
  /** spec.chart.spec, when the release templates a HelmChart */
  readonly chartTemplate?: {
    readonly chart: string;
    readonly version: string;
    readonly sourceRef: ObjectRef;
    /** HelmChartTemplateVerification: provider and secretRef only, matchOIDCIdentity is always empty */
    readonly verify?: Verification;
  };
  /** spec.chartRef */
  readonly chartRef?: ObjectRef;
  /** status.helmChart as `namespace/name` */
  readonly helmChart?: string;
  readonly lastAttemptedRevision?: string;
  readonly lastAttemptedRevisionDigest?: string;
  /** status.history[0] */
  readonly lastRelease?: { readonly chartName?: string; readonly chartVersion?: string; readonly ociDigest?: string; readonly status?: string };
  /** v2beta1/2 only */
  readonly lastAppliedRevision?: string;
}

export interface Kustomization extends ObjectMeta {
  readonly kind: 'Kustomization';
  readonly sourceRef: ObjectRef;
  readonly path?: string;
  readonly lastAppliedRevision?: string;
  readonly lastAppliedOriginRevision?: string;
  readonly lastAttemptedRevision?: string;
}

/** spec.ref of a GitRepository, as written (precedence is applied where it is used: commit > name > tag > semver > branch). */
export interface GitRepositoryRef {
  readonly branch?: string;
  readonly tag?: string;
  readonly semver?: string;
  readonly name?: string;
  readonly commit?: string;
}

export interface GitRepository extends ObjectMeta {
  readonly kind: 'GitRepository';
  readonly url: string;
  readonly ref?: GitRepositoryRef;
  /** spec.secretRef: HTTPS basic/bearer, SSH identity + known_hosts, ca.crt */
  readonly secretRef?: string;
  readonly proxySecretRef?: string;
  /** spec.provider: generic (default), azure, github */
  readonly provider: string;
  /**
   * spec.verify as written: `mode` kept raw (`head`, `HEAD`, `Tag`, `TagAndHEAD`, or empty, which
   * source-controller treats as no verification) and the key Secret's name
   */
  readonly verify?: { readonly mode: string; readonly secretRef?: string };
  /** status.sourceVerificationMode: the mode of the last verification (v1.1.0 and later) */
  readonly sourceVerificationMode?: string;
  readonly artifact?: Artifact;
}

/** Bucket, ExternalArtifact: shown with what Flux reports; no Flux release verifies them. */
export interface OtherSource extends ObjectMeta {
  readonly kind: 'Bucket' | 'ExternalArtifact';
  readonly url?: string;
  readonly verify?: Verification;
  readonly artifact?: Artifact;
  /**
   * ExternalArtifact spec.sourceRef: the object that produced it (source-watcher's ArtifactGenerator,
   * or another controller's kind); namespace defaulted to the artifact's
   */
  readonly sourceRef?: ObjectRef & { readonly apiVersion?: string };
}

/** One input of an ArtifactGenerator (spec.sources[]); namespace defaulted to the generator's. */
export interface GeneratorSource extends ObjectRef {
  /** how the generator's copy operations name it (`@alias/…`) */
  readonly alias: string;
}

/**
 * source-watcher's ArtifactGenerator (source.extensions.fluxcd.io/v1beta1): builds ExternalArtifacts
 * from its inputs' artifacts without looking at their verification (docs: notes in verdict/other.ts).
 */
export interface ArtifactGenerator extends ObjectMeta {
  readonly kind: 'ArtifactGenerator';
  readonly sources: readonly GeneratorSource[];
}

export type FluxObject = OCIRepository | HelmRepository | HelmChart | HelmRelease | Kustomization | GitRepository | OtherSource | ArtifactGenerator;

/** Something that kept objects from being read: a visible state, never an empty list. */
export interface KubeProblem {
  /** kube.forbidden, kube.unauthorized, kube.crd-missing, kube.unreachable, kube.not-found, kube.api, file.invalid, … */
  readonly code: string;
  readonly message: string;
  readonly kind?: FluxKind | 'Secret' | 'ServiceAccount';
  readonly namespace?: string;
}

/** A Secret as read for trust or registry access. Values stay bytes and never reach output. */
export type SecretResult =
  | { readonly state: 'found'; readonly type: string; readonly data: Readonly<Record<string, Uint8Array>> }
  | { readonly state: 'not-found' | 'forbidden' | 'unavailable' | 'error'; readonly message: string };

export interface Scope {
  /** undefined means every namespace (-A) */
  readonly namespace?: string;
  readonly labelSelector?: string;
}

/** Where objects come from: the cluster or files. Both give the same shapes. */
export interface ObjectSource {
  /** for the report header: context/cluster or the files read */
  readonly description: { readonly context?: string; readonly cluster?: string; readonly server?: string; readonly files?: readonly string[]; readonly demo?: { readonly capturedAt: string } };
  list(scope: Scope, signal?: AbortSignal): Promise<{ readonly objects: readonly FluxObject[]; readonly problems: readonly KubeProblem[] }>;
  getSecret(namespace: string, name: string, signal?: AbortSignal): Promise<SecretResult>;
  /** names of the ServiceAccount's imagePullSecrets */
  getImagePullSecrets(namespace: string, serviceAccount: string, signal?: AbortSignal): Promise<{ readonly names: readonly string[] } | { readonly problem: KubeProblem }>;
  /**
   * `-w` (sources that can be watched): lists `scope` once, then follows it. The returned source's list()
   * answers from what the watches have seen, without asking again (its first call waits for the first
   * lists); a failing watch is among its problems. `onChange` runs when an object changed or a watch
   * started or stopped failing. stop() ends the watches.
   */
  watch?(scope: Scope, onChange: () => void): ObjectSource & { stop(): void };
  /**
   * Which source-controller runs (kube/flux-version.ts): its Deployment's image, else the CRD's flux2
   * label, else unknown with the reason. Never rejects but on cancellation. Absent for files and the demo.
   */
  fluxVersion?(signal?: AbortSignal): Promise<FluxVersionInfo>;
}

/** The running source-controller, as ObjectSource.fluxVersion reads it (kube/flux-version.ts). */
export interface FluxVersionInfo {
  /** `MAJOR.MINOR.PATCH`, without `v`; absent when unknown */
  readonly version?: string;
  readonly from: 'deployment' | 'crd-label' | 'unknown';
  /** where it was read, or why it could not be */
  readonly detail: string;
  /** mapped from the flux2 distribution's version, not read from the controller itself */
  readonly inferred?: boolean;
}
