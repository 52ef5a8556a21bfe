import type { FluxKind, FluxObject, HelmRelease, IdentityMatch, ObjectRef, Verification } from '../kube/types.js';
import type { InvalidReference, RefSelector, RegistryRepository } from '../registry/reference.js';

/** `Kind/namespace/name`: unique across the graph, stable across runs. */
export type NodeId = string;

/**
 * Why an edge exists: the field of the consumer that names the source. `generatorSource`: an
 * ArtifactGenerator's spec.sources[] entry (an ExternalArtifact links to its generator by `sourceRef`).
 */
export type EdgeVia = 'sourceRef' | 'chartTemplate' | 'chartRef' | 'generatorSource';

export interface Edge {
  /** the consumer */
  readonly from: NodeId;
  /** the source it uses */
  readonly to: NodeId;
  readonly via: EdgeVia;
}

/**
 * Facts the graph can state about a node before anything is fetched. Codes are stable: verdict/
 * maps them to reasons.
 */
export type GraphNoteCode =
  /** the node stands for an object named by a reference but absent from the input */
  | 'graph.dangling-ref'
  /** one of the sources this node uses is absent from the input */
  | 'graph.source-missing'
  /** the node stands for the HelmChart a HelmRelease template generates, absent from the input */
  | 'graph.generated-chart'
  /** spec.verify is set, but Flux does not verify this kind of source (HTTP HelmRepository: "not implemented") */
  | 'graph.verify-ignored'
  /** a source kind whose artifacts we do not verify (Git; HelmCharts from it) */
  | 'graph.unsupported-source'
  /** a HelmChart built from a GitRepository: judged by that repository's commit */
  | 'graph.git-source'
  /**
   * a source no Flux release verifies: Bucket, HTTP HelmRepository and its charts without spec.verify,
   * charts from a Bucket, ExternalArtifact, ArtifactGenerator
   */
  | 'graph.unverifiable-source'
  /** a field that Flux no longer reads was set (HelmChart verify.trustedRootSecretRef, removed in v1.9.0) */
  | 'graph.field-ignored';

export interface GraphNote {
  readonly code: GraphNoteCode;
  readonly message: string;
}

/** The revision Flux runs, as read from `status.artifact.revision`. */
export interface RunningRevision {
  /** as Flux wrote it */
  readonly revision: string;
  readonly tag?: string;
  /** `sha256:<hex>` (or `sha512:<hex>`) when the revision names a manifest digest */
  readonly digest?: string;
}

/** What to resolve at the registry: Flux's ref precedence already applied (the one selector type of registry/). */
export type PlanRef = RefSelector;

/**
 * The artifact's repository, parsed once from `url` by registry/'s parser: what registry/ is handed.
 * Kept beside PlanArtifact, not in it, because the report's artifact is PlanArtifact as is (until the
 * report has types of its own, a field there is a field in the JSON).
 */
export type PlanLocation = RegistryRepository | InvalidReference;

export interface PlanArtifact {
  /** `oci://host/repository`, without tag or digest, as the object writes it (the report shows it) */
  readonly url: string;
  readonly ref: PlanRef;
  /** what Flux runs now; for HelmCharts only the chart version (Flux stores no OCI digest for charts) */
  readonly running?: RunningRevision;
  /** set for HelmCharts from an OCI HelmRepository */
  readonly chart?: { readonly name: string; readonly version: string };
}

/**
 * How the registry is reached, as Flux reaches it. Secret names are relative to `namespace`.
 * Nothing here is read yet: audit/ reads the Secrets once per distinct name.
 */
export interface RegistryAccess {
  readonly namespace: string;
  readonly provider: string;
  readonly secretRef?: string;
  /** generic provider: the ServiceAccount's imagePullSecrets join the keychain */
  readonly serviceAccountName?: string;
  readonly certSecretRef?: string;
  readonly proxySecretRef?: string;
  readonly insecure: boolean;
  /** OCI HelmRepositories also accept plain username/password Secrets */
  readonly secretFormats: 'dockerconfigjson' | 'dockerconfigjson-or-basic-auth';
}

/** Where the trust material is defined; template trust carries no identities by construction. */
export type TrustOrigin = 'object' | 'helmrelease-template';

export interface PlanTrust {
  readonly provider: Verification['provider'];
  /** cosign with a key Secret, cosign keyless, or a notation trust policy */
  readonly mode: 'cosign-key' | 'cosign-keyless' | 'notation';
  /** Secrets are read in this namespace */
  readonly namespace: string;
  readonly secretRef?: string;
  readonly matchOIDCIdentity: readonly IdentityMatch[];
  readonly trustedRootSecretRef?: string;
  readonly origin: TrustOrigin;
}

/** spec.ref of a GitRepository with source-controller's precedence applied. */
export type GitPlanRef =
  | { readonly kind: 'commit'; readonly commit: string; readonly branch?: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'semver'; readonly constraint: string }
  | { readonly kind: 'branch'; readonly branch: string };

/** The commit Flux runs, from status.artifact.revision (`main@sha1:<hex>`, `sha1:<hex>`, legacy `main/<hex>`). */
export interface GitRunning {
  readonly revision: string;
  readonly commit?: string;
  /** the part before `@sha1:` (branch, tag or absolute ref name) */
  readonly refName?: string;
}

/** One GitRepository verification: identical (url, ref, access, keys, running commit) share one plan. */
export interface GitPlan {
  readonly id: string;
  readonly url: string;
  readonly ref: GitPlanRef;
  readonly access: { readonly namespace: string; readonly provider: string; readonly secretRef?: string; readonly proxySecretRef?: string };
  /** undefined: Flux verifies nothing (no spec.verify, or an empty mode) */
  readonly verify?: { readonly mode: 'HEAD' | 'Tag' | 'TagAndHEAD'; readonly written?: string; readonly namespace: string; readonly secretRef?: string };
  readonly running?: GitRunning;
  readonly nodeIds: readonly NodeId[];
}

/** One verification to run: identical (artifact, access, trust) triples share one plan. */
export interface VerifyPlan {
  /** stable within one input: the reference plus a counter when several plans share it */
  readonly id: string;
  readonly artifact: PlanArtifact;
  /**
   * `artifact.url` parsed: where registry/ reads. buildGraph always sets it; optional only so that
   * plans written by hand (report tests) need not spell it out.
   */
  readonly location?: PlanLocation;
  readonly access: RegistryAccess;
  /** undefined: the object names no trust material, so Flux enforces nothing */
  readonly trust?: PlanTrust;
  /** every node whose finding this plan decides, in graph order */
  readonly nodeIds: readonly NodeId[];
}

interface NodeBase {
  readonly id: NodeId;
  readonly namespace: string;
  readonly name: string;
  /** sources this node uses (edges consumer → source) */
  readonly sourceIds: readonly NodeId[];
  /** consumers using this node */
  readonly consumerIds: readonly NodeId[];
  readonly notes: readonly GraphNote[];
  /**
   * the plan deciding this node's verdict, when it has an OCI artifact; for a consumer, the plan for
   * the digest it applied when that is not the digest its source runs (see appliedPlan)
   */
  readonly planId?: string;
  /** the Git plan deciding this node's verdict (a GitRepository, or a consumer that applied another commit) */
  readonly gitPlanId?: string;
  /** copies of the plan's artifact/trust facts, so a node alone says what it runs (a consumer: applied) and trusts */
  readonly running?: RunningRevision;
  readonly trust?: PlanTrust;
}

/** An object from the input. */
export interface ObjectNode extends NodeBase {
  readonly type: 'object';
  readonly kind: FluxKind;
  readonly object: FluxObject;
}

/** An object named by a reference but absent from the input. */
export interface DanglingNode extends NodeBase {
  readonly type: 'dangling';
  /** as the reference spells it; may be a kind Flux does not know */
  readonly kind: string;
  readonly ref: ObjectRef;
}

/** The HelmChart a HelmRelease template makes, when it is absent from the input. */
export interface GeneratedChartNode extends NodeBase {
  readonly type: 'generated-chart';
  readonly kind: 'HelmChart';
  readonly release: NodeId;
  readonly template: NonNullable<HelmRelease['chartTemplate']>;
}

export type GraphNode = ObjectNode | DanglingNode | GeneratedChartNode;

export interface Graph {
  /** deterministic: kind (consumers first), namespace, name */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly Edge[];
  /** nodes nobody uses, in node order */
  readonly roots: readonly NodeId[];
  readonly plans: readonly VerifyPlan[];
  readonly gitPlans: readonly GitPlan[];
}
