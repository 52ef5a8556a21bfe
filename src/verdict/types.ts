import type { SecretEntry } from '../verify/cosign/flux-key.js';
import type { SignatureEvidence } from '../verify/evidence.js';
import type { ReasonCode } from './reasons.js';

/** What verifying one digest established (audit/ fills it from verify/'s Evidence). */
export interface VerificationOutcome {
  readonly state: 'verified' | 'failed' | 'error';
  /** `ok` when verified; else a cosign/notation/registry/signature code */
  readonly code: string;
  readonly message: string;
  /** the manifest digest that was verified */
  readonly digest?: string;
  readonly signatures: readonly SignatureEvidence[];
  /** the notation policy level and notation's outcome, when notation trust was used */
  readonly notation?: { readonly level?: string; readonly outcome: 'verified' | 'failed' | 'ignored' };
}

/** Everything audit/ learned for one plan. */
export interface PlanOutcome {
  /** the digest Flux runs (status.artifact), or for HelmCharts the tag as Flux verifies it */
  readonly running?: VerificationOutcome;
  /** what the ref resolves to now */
  readonly registryDigest?: string;
  /** the tag that resolution picked (semver), or the ref's own tag; absent for a digest ref */
  readonly registryTag?: string;
  readonly registryError?: { readonly code: string; readonly message: string };
  /** the registry's digest, when it differs from the running one */
  readonly next?: VerificationOutcome;
  /** the trust material could not be read or used; `secret` is `namespace/name` */
  readonly trustProblem?: { readonly code: string; readonly message: string; readonly secret?: string };
  /** the cosign key Secret's entries as Flux reads them (names and kinds, never values) */
  readonly trustSecret?: { readonly id: string; readonly entries: readonly SecretEntry[] };
  /** object: the Secrets and identities spec.verify names; flag: --key etc. replaced them */
  readonly trustFrom: 'object' | 'flag';
  /** the flags that replaced the object's trust, as typed (`--key cosign.pub`) */
  readonly overrides?: readonly string[];
}

/** One GitRepository verification as source-controller would make it, on one commit (and its tag). */
export interface GitVerification {
  /** the commit checked */
  readonly commit: string;
  /** our cryptographic verdict over every object the mode names */
  readonly verified: boolean;
  /** the SourceVerified condition Flux would write for it */
  readonly flux: { readonly status: 'True' | 'False'; readonly reason: string; readonly message: string };
  /** tag first (Tag, TagAndHEAD), then the commit (HEAD, TagAndHEAD); a failing tag stops, as in Flux */
  readonly steps: readonly { readonly target: 'tag' | 'commit'; readonly verified: boolean; readonly fluxOk: boolean; readonly fluxKeyId?: string; readonly evidence: SignatureEvidence }[];
}

/** Everything audit/ learned for one Git plan. */
export interface GitPlanOutcome {
  /** what the ref resolves to on the remote now */
  readonly remote?: { readonly commit: string; readonly refName?: string; readonly tag?: { readonly name: string; readonly object?: string }; readonly revision: string };
  readonly remoteError?: { readonly code: string; readonly message: string };
  /** the auth or proxy Secret could not be used, or the provider's credentials cannot be had here */
  readonly accessProblem?: { readonly code: string; readonly message: string; readonly secret?: string | undefined };
  /** the keys Secret could not be read */
  readonly trustProblem?: { readonly code: string; readonly message: string; readonly secret?: string };
  /** entries of the keys Secret that are not keys (names only) */
  readonly unreadableKeys?: readonly { readonly name: string; readonly message: string }[];
  /** the commit Flux runs (or, with no artifact yet, the remote's) */
  readonly running?: GitVerification;
  /** the remote's commit, when the ref has moved since */
  readonly next?: GitVerification;
  /** the objects could not be fetched */
  readonly fetchError?: { readonly code: string; readonly message: string };
}

export type FindingState = 'verified' | 'failed' | 'not-enforced' | 'weak' | 'error' | 'pending' | 'unsupported' | 'unverifiable';

export interface FluxCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface FluxView {
  readonly ready?: FluxCondition;
  /** with the revision its message names (`verified signature of revision …`, or the digest a failure names) */
  readonly sourceVerified?: FluxCondition & { readonly revision?: string };
  /** our verdict equals Flux's; undefined when Flux gives none (no spec.verify, not yet verified) */
  readonly agrees: boolean | undefined;
  /** SourceVerified describes another revision or generation than the one Flux runs */
  readonly stale: boolean;
}

export interface Drift {
  readonly runningDigest?: string;
  readonly registryDigest?: string;
  /** what Flux will do with the registry's digest on its next reconcile */
  readonly nextReconcile: 'accepted' | 'refused' | 'unknown';
}

export interface Finding {
  readonly state: FindingState;
  /** primary first; no duplicates */
  readonly reasons: readonly ReasonCode[];
  /** one line: which key or identity, which check */
  readonly message: string;
  /** one suggested step */
  readonly next: string;
  readonly flux: FluxView;
  /** what the node runs (sources) */
  readonly running?: { readonly revision?: string; readonly digest?: string };
  readonly drift?: Drift;
  /** consumers: the revision they applied, and whether it is the digest we verified */
  readonly appliedRevision?: string;
  readonly appliedIsVerified?: boolean;
  /** where the source-controller the report names decides differently (verdict/flux-versions.ts); set by audit/report.ts */
  readonly versionNotes?: readonly { readonly rule: string; readonly from: string; readonly message: string }[];
}

export interface Summary {
  readonly verified: number;
  readonly failed: number;
  readonly notEnforced: number;
  readonly weak: number;
  readonly errors: number;
  readonly pending: number;
  readonly unsupported: number;
  readonly unverifiable: number;
}

export interface FindingContext {
  /** verdicts never read the clock */
  readonly now: Date;
  /** the objects were read from files, not from a cluster: status may simply not be there */
  readonly fromFiles?: boolean;
  /** consumers: the findings of the sources they use, in the order of the node's sourceIds */
  readonly sourceFindings?: readonly Finding[];
}
