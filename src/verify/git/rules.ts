/**
 * The source-controller behaviours that changed between versions and that the Git verifier
 * reproduces. The lead picks the rules from the cluster's Flux version.
 */
export interface GitFluxRules {
  /** ≥ 1.9.0: `.sshpub` Secret entries are SSH authorized_keys, and SSH signatures are verified */
  readonly sshKeys: boolean;
  /** ≥ 1.9.0: unreadable entries are skipped; before, the first one in Go map order fails the check */
  readonly skipUnreadableKeys: boolean;
  /** ≥ 1.9.0: the no-match error ends with ": no matching key" */
  readonly noMatchingKeySuffix: boolean;
}

/** source-controller v1.9.x (pkg/git v0.52.0). */
export const LATEST_GIT_RULES: GitFluxRules = { sshKeys: true, skipUnreadableKeys: true, noMatchingKeySuffix: true };

/** source-controller v1.0 … v1.8.x (pkg/git ≤ v0.43.x): OpenPGP only, unreadable keys fatal. */
export const LEGACY_GIT_RULES: GitFluxRules = { sshKeys: false, skipUnreadableKeys: false, noMatchingKeySuffix: false };
