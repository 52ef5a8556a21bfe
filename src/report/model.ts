import type { GraphNote, PlanArtifact, PlanTrust } from '../graph/types.js';
import type { KubeProblem } from '../kube/types.js';
import type { Finding, Summary } from '../verdict/types.js';
import type { SignatureEvidence } from '../verify/evidence.js';

/**
 * The one serialisable document every view renders and `-o json|yaml` prints as is. Versioned:
 * a change that removes or renames a field bumps `schemaVersion` (docs/report-schema.md).
 */
export const REPORT_SCHEMA_VERSION = 2;

export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly generatedAt: string;
  readonly tool: { readonly name: 'kubectl-verify'; readonly version: string };
  /** where the objects came from */
  readonly source: { readonly context?: string; readonly cluster?: string; readonly server?: string; readonly files?: readonly string[]; readonly demo?: { readonly capturedAt: string } };
  readonly scope: { readonly namespace?: string; readonly allNamespaces: boolean; readonly selector?: string };
  /** trust material given by flags, replacing what the objects name; empty when none */
  readonly trustOverrides: readonly string[];
  readonly summary: Summary;
  /** what kept objects from being read: RBAC, missing CRDs, API errors, bad files */
  readonly problems: readonly KubeProblem[];
  readonly nodes: readonly ReportNode[];
}

export interface ReportNode {
  /** `Kind/namespace/name` */
  readonly id: string;
  readonly kind: string;
  readonly apiVersion?: string;
  readonly namespace: string;
  readonly name: string;
  /** object: read from the input; dangling: referenced but absent; generated-chart: a HelmRelease's HelmChart not in the input */
  readonly type: 'object' | 'dangling' | 'generated-chart';
  readonly sourceIds: readonly string[];
  readonly consumerIds: readonly string[];
  readonly notes: readonly GraphNote[];
  /** the OCI artifact and how it is resolved, when the node has one */
  readonly artifact?: ReportArtifact;
  readonly trust?: PlanTrust;
  /** every signature found for the digest the node runs (or would run), with each check */
  readonly signatures: readonly SignatureEvidence[];
  /** signatures of the registry's current digest, when it differs from the running one */
  readonly nextSignatures?: readonly SignatureEvidence[];
  readonly finding: Finding;
}

/** A node's artifact: the plan's reference, and what that reference resolves to at the registry now. */
export interface ReportArtifact extends PlanArtifact {
  readonly registryDigest?: string;
  /**
   * the tag resolution picked: for a semver ref the highest match (as pushed, Helm's `_` included),
   * for a tag ref the tag itself; absent for a digest ref or when the registry could not be read
   */
  readonly registryTag?: string;
}
