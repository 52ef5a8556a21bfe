import { VerifyError } from '../errors.js';

/**
 * Stable codes for everything registry/ can fail with. Integrity codes (digest-mismatch, too-large,
 * media-type) are shared by both backends on purpose: a tampered blob is the same finding whether it
 * came over the network or from a directory. `layout.*` covers what only an image layout can get wrong.
 */
export type RegistryErrorCode =
  | 'registry.bad-reference'
  | 'registry.unauthorized'
  | 'registry.forbidden'
  | 'registry.not-found'
  | 'registry.unreachable'
  | 'registry.tls'
  | 'registry.timeout'
  | 'registry.rate-limited'
  | 'registry.server-error'
  | 'registry.protocol'
  | 'registry.digest-mismatch'
  | 'registry.too-large'
  | 'registry.media-type'
  | 'registry.credentials'
  | 'registry.no-match'
  | 'registry.bad-constraint'
  | 'layout.not-found'
  | 'layout.invalid'
  | 'layout.unreadable';

export type RegistryError = VerifyError<RegistryErrorCode>;

export function registryError(code: RegistryErrorCode, message: string, cause?: unknown): RegistryError {
  return new VerifyError(code, message, cause === undefined ? undefined : { cause });
}

export function isRegistryError(e: unknown, code?: RegistryErrorCode): e is RegistryError {
  if (!(e instanceof VerifyError)) return false;
  return code === undefined ? /^(registry|layout)\./.test(e.code) : e.code === code;
}
