/**
 * The published report (`-o json`, `-o yaml`, docs/report-schema.md), field by field, as plain types
 * that import nothing: the internal types of graph/, kube/, verdict/ and verify/ are mapped onto these
 * in audit/report.ts, so renaming an internal field fails to compile there instead of changing the
 * output. A change here is a change of the published schema: removing or renaming a field, or changing
 * its meaning, bumps `schemaVersion`; adding one gets a line in the doc's changelog.
 */

export const REPORT_SCHEMA_VERSION = 3;

export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  /** the run's clock, ISO 8601 */
  readonly generatedAt: string;
  readonly tool: { readonly name: 'kubectl-verify'; readonly version: string };
  /** where the objects came from */
  readonly source: ReportSource;
  readonly scope: ReportScope;
  /** trust material given by flags, replacing what the objects name; empty when none */
  readonly trustOverrides: readonly string[];
  readonly summary: Summary;
  /** the source-controller whose rules `finding.versionNotes` were read at; absent for files and the demo without --flux-version */
  readonly flux?: ReportFlux;
  /** what kept objects from being read: RBAC, missing CRDs, API errors, bad files */
  readonly problems: readonly ReportProblem[];
  readonly nodes: readonly ReportNode[];
}

/** Which Flux the version rules were read at (docs/flux-rules.md "Version rules"). */
export interface ReportFlux {
  /** source-controller version, `MAJOR.MINOR.PATCH`: the one the rules were read at; absent when unknown */
  readonly version?: string;
  /** deployment: its image tag; crd-label: the flux2 version on the gitrepositories CRD, mapped; flag: --flux-version; unknown */
  readonly from: 'deployment' | 'crd-label' | 'flag' | 'unknown';
  /** where it was read or why it could not be, e.g. `Deployment flux-system/source-controller, image ghcr.io/fluxcd/source-controller:v1.9.4` */
  readonly detail?: string;
  /** with --flux-version: the version the cluster runs, when known */
  readonly running?: string;
}

export interface ReportSource {
  readonly context?: string;
  readonly cluster?: string;
  readonly server?: string;
  readonly files?: readonly string[];
  /** the built-in demo fleet (`--demo`), at the capture's clock */
  readonly demo?: { readonly capturedAt: string };
}

export interface ReportScope {
  readonly namespace?: string;
  readonly allNamespaces: boolean;
  readonly selector?: string;
}

/** The Flux kinds the plugin reads. */
export type FluxKind = 'Kustomization' | 'HelmRelease' | 'OCIRepository' | 'HelmRepository' | 'HelmChart' | 'GitRepository' | 'Bucket' | 'ExternalArtifact' | 'ArtifactGenerator';

export interface ReportProblem {
  /** kube.forbidden, kube.unauthorized, kube.crd-missing, kube.unreachable, kube.not-found, kube.api, file.invalid, … */
  readonly code: string;
  readonly message: string;
  readonly kind?: FluxKind | 'Secret' | 'ServiceAccount';
  readonly namespace?: string;
}

export interface ReportNode {
  /** `Kind/namespace/name` */
  readonly id: string;
  /** a dangling reference keeps the kind as spelled, which may be one Flux does not know */
  readonly kind: string;
  /** the version that was read */
  readonly apiVersion?: string;
  readonly namespace: string;
  readonly name: string;
  /** object: read from the input; dangling: referenced but absent; generated-chart: a HelmRelease's HelmChart not in the input */
  readonly type: 'object' | 'dangling' | 'generated-chart';
  readonly sourceIds: readonly string[];
  readonly consumerIds: readonly string[];
  readonly notes: readonly ReportNote[];
  /** the OCI artifact and how it is resolved, when the node has one */
  readonly artifact?: ReportArtifact;
  /** a GitRepository's repository, ref and commits, when the node is one (or a consumer applied another commit) */
  readonly git?: ReportGit;
  readonly trust?: ReportTrust;
  /** every signature found for the digest the node runs (or would run), with each check */
  readonly signatures: readonly ReportSignature[];
  /** signatures of the registry's current digest, when it differs from the running one */
  readonly nextSignatures?: readonly ReportSignature[];
  readonly finding: Finding;
}

export type NoteCode = 'graph.dangling-ref' | 'graph.source-missing' | 'graph.generated-chart' | 'graph.verify-ignored' | 'graph.unsupported-source' | 'graph.git-source' | 'graph.unverifiable-source' | 'graph.field-ignored';

/** A fact known before any fetch. */
export interface ReportNote {
  readonly code: NoteCode;
  readonly message: string;
}

/** A node's artifact: the reference, and what it resolves to at the registry now. */
export interface ReportArtifact {
  /** `oci://host/repository`, without tag or digest */
  readonly url: string;
  /** Flux's precedence applied: digest > semver > tag > latest */
  readonly ref: ReportRef;
  /** what Flux runs, from `status.artifact.revision`; for HelmCharts only the chart version */
  readonly running?: RunningRevision;
  /** HelmCharts from an OCI HelmRepository */
  readonly chart?: { readonly name: string; readonly version: string };
  readonly registryDigest?: string;
  /**
   * the tag resolution picked: for a semver ref the highest match (as pushed, Helm's `_` included),
   * for a tag ref the tag itself; absent for a digest ref or when the registry could not be read
   */
  readonly registryTag?: string;
}

export type ReportRef =
  | { readonly kind: 'digest'; readonly digest: string }
  | { readonly kind: 'semver'; readonly constraint: string; readonly filter?: string; readonly helmTags: boolean }
  | { readonly kind: 'tag'; readonly tag: string };

export interface RunningRevision {
  /** as Flux wrote it */
  readonly revision: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** A GitRepository as verified: what Flux runs, what the remote has now, what spec.verify asks. */
export interface ReportGit {
  /** spec.url, as written */
  readonly url: string;
  /** spec.ref with Flux's precedence applied: commit > name > tag > semver > branch (default `master`) */
  readonly ref: ReportGitRef;
  /** spec.verify.mode as Flux reads it (`head` is `HEAD`); absent when Flux verifies nothing */
  readonly mode?: 'HEAD' | 'Tag' | 'TagAndHEAD';
  /** spec.verify.secretRef as `namespace/name`: the OpenPGP (`*.asc`, any other name) and SSH (`*.sshpub`) keys */
  readonly verifySecret?: string;
  /** what Flux runs, from status.artifact.revision */
  readonly running?: { readonly revision: string; readonly commit?: string };
  /** what the ref resolves to on the remote now */
  readonly remoteCommit?: string;
  /** the tag the ref resolved to (tag, semver, `refs/tags/…`), and its tag object when annotated */
  readonly remoteTag?: { readonly name: string; readonly object?: string };
  /** the remote could not be read */
  readonly remoteError?: { readonly code: string; readonly message: string };
}

export type ReportGitRef =
  | { readonly kind: 'commit'; readonly commit: string; readonly branch?: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'tag'; readonly tag: string }
  | { readonly kind: 'semver'; readonly constraint: string }
  | { readonly kind: 'branch'; readonly branch: string };

/** What `spec.verify` names. */
export interface ReportTrust {
  readonly provider: 'cosign' | 'notation';
  readonly mode: 'cosign-key' | 'cosign-keyless' | 'notation';
  /** Secrets are read in this namespace */
  readonly namespace: string;
  readonly secretRef?: string;
  readonly matchOIDCIdentity: readonly { readonly issuer: string; readonly subject: string }[];
  readonly trustedRootSecretRef?: string;
  readonly origin: 'object' | 'helmrelease-template';
}

export type Mechanism = 'cosign-bundle' | 'cosign-legacy' | 'notation-jws' | 'notation-cose' | 'git-openpgp' | 'git-ssh';

export interface FoundAt {
  readonly via: 'referrers-api' | 'referrers-tag' | 'sig-tag' | 'layout' | 'file' | 'git-commit' | 'git-tag';
  readonly digest?: string;
  readonly tag?: string;
}

export interface Signer {
  readonly kind: 'key' | 'certificate' | 'openpgp-key' | 'ssh-key';
  readonly keyFingerprint?: string;
  /** OpenPGP: the primary key's 16-hex key ID, as Flux's SourceVerified names it */
  readonly keyId?: string;
  readonly userIds?: readonly string[];
  readonly keyAlgorithm?: string;
  readonly subject?: string;
  readonly san?: string;
  readonly issuer?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly certFingerprint?: string;
}

export interface TrustRef {
  readonly kind: 'key' | 'identity' | 'trusted-root' | 'trust-policy' | 'certificate';
  readonly label: string;
  readonly fingerprint?: string;
  readonly source: 'object' | 'flag' | 'builtin';
}

export interface Check {
  readonly check: string;
  readonly ok: boolean;
  /** a stable evidence code (`cosign.signature-mismatch`), `ok` when the check passed */
  readonly code: string;
  readonly message: string;
}

export interface Attempt {
  readonly trust: TrustRef;
  readonly ok: boolean;
  readonly checks: readonly Check[];
}

export interface ReportSignature {
  readonly mechanism: Mechanism;
  readonly foundAt: FoundAt;
  readonly signer?: Signer;
  /** true only when at least one attempt passed every check */
  readonly verified: boolean;
  /** Flux's conclusion, only where its rules differ from ours */
  readonly fluxVerified?: boolean;
  readonly attempts: readonly Attempt[];
  /** the signature could not be read at all */
  readonly error?: { readonly code: string; readonly message: string };
}

export type FindingState = 'verified' | 'failed' | 'not-enforced' | 'weak' | 'error' | 'pending' | 'unsupported' | 'unverifiable';

/** The reason codes, primary first in a finding; the table with labels is in docs/report-schema.md. */
export type ReasonCode =
  | 'verified'
  | 'override'
  | 'no-signature'
  | 'wrong-key'
  | 'identity-mismatch'
  | 'expired'
  | 'tampered'
  | 'untrusted'
  | 'signature-invalid'
  | 'signature-unsupported'
  | 'check-failed'
  | 'not-enforced'
  | 'weak'
  | 'trust-unreadable'
  | 'trust-missing'
  | 'trust-invalid'
  | 'registry-error'
  | 'registry-auth'
  | 'remote-error'
  | 'remote-auth'
  | 'flux-unstable'
  | 'flux-refuses'
  | 'private-key'
  | 'stale-verification'
  | 'update-refused'
  | 'signing-method'
  | 'flux-disagrees'
  | 'stale-flux-condition'
  | 'drift'
  | 'applied-unverified'
  | 'behind'
  | 'not-reconciled'
  | 'dangling-ref'
  | 'suspended'
  | 'unsupported'
  | 'unverifiable'
  | 'not-applicable'
  | 'pending'
  | 'flux-version';

export interface FluxCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface FluxView {
  readonly ready?: FluxCondition;
  /** with the revision its message names */
  readonly sourceVerified?: FluxCondition & { readonly revision?: string };
  /** our verdict equals Flux's; absent when there is nothing to compare */
  readonly agrees?: boolean;
  /** the condition describes another revision or generation */
  readonly stale: boolean;
}

export interface Drift {
  readonly runningDigest?: string;
  readonly registryDigest?: string;
  readonly nextReconcile: 'accepted' | 'refused' | 'unknown';
}

export interface Finding {
  readonly state: FindingState;
  /** primary first; no duplicates */
  readonly reasons: readonly ReasonCode[];
  readonly message: string;
  readonly next: string;
  readonly flux: FluxView;
  readonly running?: { readonly revision?: string; readonly digest?: string };
  readonly drift?: Drift;
  readonly appliedRevision?: string;
  readonly appliedIsVerified?: boolean;
  /** where the source-controller of `Report.flux` decides differently from the rules this finding follows */
  readonly versionNotes?: readonly VersionNote[];
}

/** One version rule that applies to a node (docs/flux-rules.md "Version rules"). */
export interface VersionNote {
  /** the rule's stable id, e.g. `cosign-bundle` */
  readonly rule: string;
  /** the first source-controller release with the behaviour the finding follows */
  readonly from: string;
  readonly message: string;
}

export interface Summary {
  readonly verified: number;
  readonly failed: number;
  readonly notEnforced: number;
  readonly weak: number;
  readonly errors: number;
  readonly pending: number;
  readonly unsupported: number;
  /** sources no Flux release can verify (Bucket, HTTP HelmRepository charts, ExternalArtifact) and their consumers */
  readonly unverifiable: number;
}
