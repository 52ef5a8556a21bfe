import type { CosignCode } from './cosign/codes.js';
import type { GitCode } from './git/codes.js';
import type { NotationCode } from './notation/codes.js';
import type { TrustCode } from './trust/codes.js';
/**
 * Evidence: what verify/ established about one signature, and why. Every verifier returns these
 * values instead of throwing, so the layers above never see an exception for a failed check.
 * The shapes are serialised into the report as they are: keep them plain data.
 */

/** How the signature is packaged. */
export type Mechanism = 'cosign-bundle' | 'cosign-legacy' | 'notation-jws' | 'notation-cose' | 'git-openpgp' | 'git-ssh';

/** Where the signature was found. */
export interface FoundAt {
  /** referrers-api: OCI 1.1 referrers endpoint; referrers-tag: the sha256-<hex> fallback index;
   *  sig-tag: cosign's sha256-<hex>.sig tag; layout: an OCI image layout on disk; file: given directly;
   *  git-commit / git-tag: the signature inside a Git commit or annotated tag object */
  readonly via: 'referrers-api' | 'referrers-tag' | 'sig-tag' | 'layout' | 'file' | 'git-commit' | 'git-tag';
  /** digest of the signature manifest (or of the file), when known; Git: `sha1:<hex>` of the signed object */
  readonly digest?: string;
  readonly tag?: string;
}

/** Who signed, as far as the signature itself says (unverified until a check passes). */
export interface Signer {
  readonly kind: 'key' | 'certificate' | 'openpgp-key' | 'ssh-key';
  /** SHA256:<base64> of the SPKI DER, as `cosign` and ssh print key fingerprints; OpenPGP: the
   *  signing key's fingerprint in upper-case hex, as gpg prints it; SSH: `SHA256:<base64>` as ssh-keygen -l */
  readonly keyFingerprint?: string;
  /** OpenPGP: the primary key's 64-bit key ID in 16 upper-case hex digits, the ID Flux's SourceVerified names */
  readonly keyId?: string;
  /** OpenPGP: the primary key's user IDs */
  readonly userIds?: readonly string[];
  readonly keyAlgorithm?: string;
  readonly subject?: string;
  readonly san?: string;
  readonly issuer?: string;
  /** certificate validity, ISO 8601 */
  readonly notBefore?: string;
  readonly notAfter?: string;
  /** SHA-256 hex of the leaf certificate DER */
  readonly certFingerprint?: string;
}

/** Where a piece of trust material came from: the Flux object (a Secret it names) or a flag. */
export interface TrustRef {
  readonly kind: 'key' | 'identity' | 'trusted-root' | 'trust-policy' | 'certificate';
  /** human label: "apps/cosign-pub · cosign.pub", "--key old.pub", "issuer ^https://… subject …" */
  readonly label: string;
  readonly fingerprint?: string;
  readonly source: 'object' | 'flag' | 'builtin';
}

/** Every code a check can end with: verify/'s own closed unions, which verdict/ maps to reasons by type. */
export type CheckCode = 'ok' | CosignCode | NotationCode | TrustCode | GitCode;

/** One check within an attempt: signature, claim, identity, tlog, timestamp, chain, expiry, policy… */
export interface Check {
  readonly check: string;
  readonly ok: boolean;
  /** stable code, e.g. cosign.signature-mismatch; "ok" when the check passed */
  readonly code: CheckCode;
  readonly message: string;
}

/** The signature checked against one piece of trust material (one key, one identity, one policy). */
export interface Attempt {
  readonly trust: TrustRef;
  readonly ok: boolean;
  readonly checks: readonly Check[];
}

export interface SignatureEvidence {
  readonly mechanism: Mechanism;
  readonly foundAt: FoundAt;
  readonly signer?: Signer;
  /** true only when at least one attempt passed every check */
  readonly verified: boolean;
  /** what Flux's source-controller concludes for this signature, where its rules differ from ours
   *  (it skips the legacy payload claim); absent when Flux agrees */
  readonly fluxVerified?: boolean;
  readonly attempts: readonly Attempt[];
  /** set when the signature could not be read at all (malformed, oversized, wrong media type) */
  readonly error?: { readonly code: string; readonly message: string };
}

export function passed(check: string, message: string): Check {
  return { check, ok: true, code: 'ok', message };
}

export function failed(check: string, code: Exclude<CheckCode, 'ok'>, message: string): Check {
  return { check, ok: false, code, message };
}
