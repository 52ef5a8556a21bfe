import type { RegistryErrorCode } from '../registry/errors.js';
import type { CosignCode } from '../verify/cosign/codes.js';
import type { GitRemoteCode } from '../git/errors.js';
import type { GitCode } from '../verify/git/codes.js';
import type { NotationCode } from '../verify/notation/codes.js';
import type { TrustCode } from '../verify/trust/codes.js';
import type { ReasonCode } from './reasons.js';

/** What audit/ reports of signature discovery: none found, or one that could not be read. */
export type DiscoveryCode = 'signature.none' | 'signature.too-large' | 'signature.unreadable';

/** Every code evidence can carry, as the modules that make them define them. */
export type EvidenceCode = DiscoveryCode | CosignCode | NotationCode | TrustCode | GitCode | RegistryErrorCode | GitRemoteCode;

/**
 * Evidence, registry and trust codes → reasons, one entry per code (TypeScript fails on a code
 * without one). A code nobody defined (a newer tool's, a typo) is a failure of its own
 * (`check-failed`; `registry-error` for the registry's families), never a pass.
 */
export const EVIDENCE_REASONS = {
  // signature discovery (audit/)
  'signature.none': 'no-signature',
  // one signature that could not be read (over the size caps, a missing blob, not a signature
  // manifest): the signature's own finding, never a registry error; the others are still judged
  'signature.too-large': 'signature-invalid',
  'signature.unreadable': 'signature-invalid',

  // cosign (src/verify/cosign/codes.ts)
  'cosign.media-type': 'signature-invalid',
  'cosign.artifact-digest-invalid': 'check-failed',
  'cosign.key-invalid': 'trust-invalid',
  'cosign.signature-mismatch': 'wrong-key',
  'cosign.signature-digest-algorithm': 'signature-unsupported',
  'cosign.signature-missing': 'signature-invalid',
  'cosign.signature-malformed': 'signature-invalid',
  'cosign.claim-digest-mismatch': 'tampered',
  'cosign.claim-type': 'signature-invalid',
  'cosign.payload-invalid': 'signature-invalid',
  'cosign.bundle-invalid': 'signature-invalid',
  'cosign.bundle-unsupported': 'signature-unsupported',
  'cosign.subject-mismatch': 'tampered',
  // a key where a certificate was expected, or the reverse: not signed by the trusted material
  'cosign.material-mismatch': 'wrong-key',
  'cosign.identity-mismatch': 'identity-mismatch',
  'cosign.identity-pattern-invalid': 'trust-invalid',
  'cosign.identity-unconstrained': 'weak',
  'cosign.certificate-missing': 'signature-invalid',
  'cosign.certificate-untrusted': 'untrusted',
  'cosign.certificate-expired': 'expired',
  // the log entry does not match the signature: something was changed after logging
  'cosign.tlog-invalid': 'tampered',
  'cosign.tlog-missing': 'untrusted',
  'cosign.timestamp-missing': 'untrusted',
  'cosign.timestamp-invalid': 'untrusted',
  'cosign.trust-invalid': 'trust-invalid',

  // notation (src/verify/notation/codes.ts)
  'notation.envelope-invalid': 'signature-invalid',
  'notation.envelope-unsupported': 'signature-unsupported',
  // the signer's key is in the envelope, so a bad signature means changed bytes, not a wrong key
  'notation.signature-invalid': 'tampered',
  'notation.payload-mismatch': 'tampered',
  'notation.chain-invalid': 'untrusted',
  'notation.cert-expired': 'expired',
  'notation.cert-not-yet-valid': 'expired',
  'notation.signature-expired': 'expired',
  'notation.untrusted-cert': 'untrusted',
  'notation.identity-mismatch': 'identity-mismatch',
  'notation.policy-invalid': 'trust-invalid',
  'notation.no-applicable-policy': 'trust-invalid',
  'notation.trust-store-invalid': 'trust-invalid',
  'notation.timestamp-missing': 'untrusted',
  'notation.timestamp-invalid': 'untrusted',
  'notation.timestamp-unsupported': 'signature-unsupported',
  'notation.revocation-not-checked': 'untrusted',
  'notation.secret-invalid': 'trust-invalid',
  'notation.no-signature': 'no-signature',
  'notation.attempts-exhausted': 'check-failed',
  'notation.internal': 'check-failed',

  // Git commits and tags (src/verify/git/codes.ts)
  'git.unsigned': 'no-signature',
  'git.tag-not-annotated': 'no-signature',
  'git.signature-unsupported': 'signature-unsupported',
  'git.signature-malformed': 'signature-invalid',
  'git.no-matching-key': 'wrong-key',
  'git.no-keys': 'wrong-key',
  // the key named by the signature is trusted, so a failing check means changed bytes
  'git.signature-mismatch': 'tampered',
  'git.key-expired': 'expired',
  'git.key-revoked': 'untrusted',
  'git.signature-expired': 'expired',
  'git.key-unreadable': 'trust-invalid',
  'git.ssh-namespace': 'signature-invalid',
  'git.ssh-unsupported': 'signature-unsupported',
  'git.algorithm-unsupported': 'signature-unsupported',

  // Git remotes (src/git/errors.ts): a remote that cannot be read says nothing about a signature;
  // an object whose bytes do not hash to its id is tampered, as a registry digest mismatch
  'git-remote.bad-url': 'remote-error',
  'git-remote.unreachable': 'remote-error',
  'git-remote.tls': 'remote-error',
  'git-remote.timeout': 'remote-error',
  'git-remote.auth': 'remote-auth',
  'git-remote.not-found': 'remote-error',
  'git-remote.ref-not-found': 'remote-error',
  'git-remote.server-error': 'remote-error',
  'git-remote.protocol': 'remote-error',
  'git-remote.object-mismatch': 'tampered',
  'git-remote.too-large': 'remote-error',
  'git-remote.unsupported': 'remote-error',

  // trust material (src/verify/trust/codes.ts)
  'trust.root-invalid': 'trust-invalid',

  // registry (src/registry/errors.ts): auth apart from everything else; a digest that does not
  // match its content is the same finding as a tampered signature
  'registry.unauthorized': 'registry-auth',
  'registry.forbidden': 'registry-auth',
  'registry.credentials': 'registry-auth',
  'registry.digest-mismatch': 'tampered',
  'registry.bad-reference': 'registry-error',
  'registry.not-found': 'registry-error',
  'registry.unreachable': 'registry-error',
  'registry.tls': 'registry-error',
  'registry.timeout': 'registry-error',
  'registry.rate-limited': 'registry-error',
  'registry.server-error': 'registry-error',
  'registry.protocol': 'registry-error',
  'registry.too-large': 'registry-error',
  'registry.media-type': 'registry-error',
  'registry.no-match': 'registry-error',
  'registry.bad-constraint': 'registry-error',
  'layout.not-found': 'registry-error',
  'layout.invalid': 'registry-error',
  'layout.unreadable': 'registry-error',
} as const satisfies Record<EvidenceCode, ReasonCode>;

// a Map, so that codes such as `__proto__` or `constructor` find nothing
const EXACT: ReadonlyMap<string, ReasonCode> = new Map(Object.entries(EVIDENCE_REASONS));

/** The reason for a verification, registry or layout code. */
export function reasonForCode(code: string): ReasonCode {
  const exact = EXACT.get(code);
  if (exact !== undefined) return exact;
  if (code.startsWith('registry.') || code.startsWith('layout.')) return 'registry-error';
  return 'check-failed';
}

/**
 * The reason for a problem reading trust material (PlanOutcome.trustProblem). audit/ reports
 * Secret reads as `secret.<state>` (SecretResult: not-found, forbidden, unavailable, error) or
 * passes a kube/ or verify/ code through; any other code counts as invalid material.
 */
export function reasonForTrustProblem(code: string): ReasonCode {
  if (/(^|[.-])(forbidden|unauthorized|unavailable|unreachable)$/.test(code)) return 'trust-unreadable';
  if (/(^|[.-])(not-found|missing|no-keys|empty)$/.test(code)) return 'trust-missing';
  if (code === 'secret.error' || code === 'kube.api') return 'trust-unreadable';
  const mapped = EXACT.get(code);
  return mapped === 'trust-invalid' || mapped === 'trust-missing' || mapped === 'trust-unreadable' ? mapped : 'trust-invalid';
}
