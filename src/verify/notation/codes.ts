import { VerifyError } from '../../errors.js';

/** Stable codes for every way a Notary Project signature can fail; the report maps them to reasons. */
export type NotationCode =
  | 'notation.envelope-invalid'
  | 'notation.envelope-unsupported'
  | 'notation.signature-invalid'
  | 'notation.payload-mismatch'
  | 'notation.chain-invalid'
  | 'notation.cert-expired'
  | 'notation.cert-not-yet-valid'
  | 'notation.untrusted-cert'
  | 'notation.identity-mismatch'
  | 'notation.signature-expired'
  | 'notation.policy-invalid'
  | 'notation.no-applicable-policy'
  | 'notation.trust-store-invalid'
  | 'notation.timestamp-missing'
  | 'notation.timestamp-invalid'
  | 'notation.timestamp-unsupported'
  | 'notation.revocation-not-checked'
  | 'notation.secret-invalid'
  | 'notation.no-signature'
  | 'notation.attempts-exhausted'
  | 'notation.internal';

export class NotationError extends VerifyError<NotationCode> {}

export function fail(code: NotationCode, message: string, cause?: unknown): never {
  throw new NotationError(code, message, cause === undefined ? undefined : { cause });
}
