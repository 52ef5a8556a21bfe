import type { TrustedRoot } from '../trust/trusted-root.js';
import type { TrustRef } from '../evidence.js';

/** One public key the object (or a flag) names, as PEM text. */
export interface TrustedKey {
  readonly ref: TrustRef;
  readonly pem: string;
}

/**
 * One `matchOIDCIdentity` entry: Go RE2 patterns, matched unanchored as cosign does. An empty
 * string puts no constraint on that side, as in cosign's CheckOpts.
 */
export interface IdentityPattern {
  readonly issuer: string;
  readonly subject: string;
}

/**
 * Key-based trust. Flux tries every key, offline, with the tlog ignored; that is the default here.
 * Give `trustedRoot` to have Rekor SETs and tlog entries that are present checked against its logs,
 * and `requireTlog` to fail signatures that carry none (cosign verify --key without
 * --insecure-ignore-tlog).
 */
export interface KeyTrust {
  readonly kind: 'key';
  readonly keys: readonly TrustedKey[];
  readonly trustedRoot?: TrustedRoot;
  readonly requireTlog?: boolean;
}

/**
 * Keyless trust: Fulcio certificate chained to `trustedRoot`, with an SCT, a tlog entry and a
 * trusted timestamp (cosign's thresholds), and an identity matching one of `identities` (OR-ed).
 * An empty list accepts any identity, as Flux does when matchOIDCIdentity is omitted; the evidence
 * then flags the attempt as unconstrained.
 */
export interface KeylessTrust {
  readonly kind: 'keyless';
  readonly identities: readonly IdentityPattern[];
  readonly trustedRoot: TrustedRoot;
  readonly trustedRootRef: TrustRef;
  /** where the identities came from; defaults to the Flux object */
  readonly identitySource?: TrustRef['source'];
}

export type CosignTrust = KeyTrust | KeylessTrust;

/** Options every cosign entry point takes. */
export interface CosignVerifyOptions {
  /** the time of the run; verify/ never reads the clock */
  readonly now: Date;
}
