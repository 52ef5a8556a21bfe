import { VerifyError } from '../../errors.js';

/**
 * Stable codes for cosign evidence. A failed Check carries one of these; verdict/ maps them to
 * reasons, so renaming one is a breaking change.
 */
export type CosignCode =
  /** the input is not a cosign signature at all (wrong media type): callers skip it */
  | 'cosign.media-type'
  /** the artifact digest handed in is not sha256:<64 hex> */
  | 'cosign.artifact-digest-invalid'
  /** a trusted public key is not a usable PEM key */
  | 'cosign.key-invalid'
  /** the signature does not verify with this key or certificate */
  | 'cosign.signature-mismatch'
  /** it verifies only with the key's own hash (sha384/sha512), but Flux and cosign hash with sha256 */
  | 'cosign.signature-digest-algorithm'
  /** no signature annotation on a legacy layer */
  | 'cosign.signature-missing'
  /** the signature annotation is not base64 */
  | 'cosign.signature-malformed'
  /** legacy payload names another image digest */
  | 'cosign.claim-digest-mismatch'
  /** legacy payload critical.type is not "cosign container image signature" */
  | 'cosign.claim-type'
  /** payload is not JSON of the expected shape */
  | 'cosign.payload-invalid'
  /** bundle bytes are not a valid Sigstore bundle */
  | 'cosign.bundle-invalid'
  /** a bundle this engine does not verify (unknown media type version, messageSignature without the artifact) */
  | 'cosign.bundle-unsupported'
  /** no in-toto subject names the artifact digest (or the artifact bytes do not hash to it) */
  | 'cosign.subject-mismatch'
  /** signed with a key where a certificate was expected, or the reverse */
  | 'cosign.material-mismatch'
  /** certificate identity matches none of the issuer/subject patterns */
  | 'cosign.identity-mismatch'
  /** an issuer/subject pattern is not valid Go RE2 syntax */
  | 'cosign.identity-pattern-invalid'
  /** passed, but no identity pattern constrained the signer (any Fulcio identity is accepted) */
  | 'cosign.identity-unconstrained'
  /** no certificate where keyless verification needs one */
  | 'cosign.certificate-missing'
  /** certificate does not chain to a trusted CA, or its SCT is missing or invalid */
  | 'cosign.certificate-untrusted'
  /** certificate was not valid at the trusted signing time */
  | 'cosign.certificate-expired'
  /** transparency-log entry, SET or inclusion proof is invalid or does not match the signature */
  | 'cosign.tlog-invalid'
  /** a transparency-log entry is required and there is none */
  | 'cosign.tlog-missing'
  /** no trusted timestamp (tlog integrated time or RFC 3161) where one is required */
  | 'cosign.timestamp-missing'
  /** an RFC 3161 timestamp is invalid or untrusted */
  | 'cosign.timestamp-invalid'
  /** trust material handed in is unusable (e.g. a malformed trusted root) */
  | 'cosign.trust-invalid';

export function cosignError(code: CosignCode, message: string, cause?: unknown): VerifyError<CosignCode> {
  return new VerifyError<CosignCode>(code, message, cause === undefined ? undefined : { cause });
}
