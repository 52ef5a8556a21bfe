import { RE2JS } from 're2js';
import { failed, passed } from '../evidence.js';
import type { Check, TrustRef } from '../evidence.js';
import { cosignError } from './codes.js';
import type { IdentityPattern } from './trust.js';

/** What a certificate says about its holder, as cosign reads it. */
export interface CertificateIdentity {
  /** every SAN: email, DNS, URI, IP and UTF-8 otherName values */
  readonly sans: readonly string[];
  /** Fulcio OIDC issuer extension (1.3.6.1.4.1.57264.1.8, else .1.1) */
  readonly issuer?: string;
}

export interface CompiledIdentity {
  readonly pattern: IdentityPattern;
  readonly issuer?: RE2JS;
  readonly subject?: RE2JS;
}

/**
 * Compiles one pattern pair with Go RE2 syntax (re2js). Throws
 * VerifyError('cosign.identity-pattern-invalid') for syntax Go would reject, such as lookahead
 * or backreferences; nothing is translated or approximated.
 */
export function compileIdentity(pattern: IdentityPattern): CompiledIdentity {
  return { pattern, issuer: compileOne(pattern.issuer, 'issuer'), subject: compileOne(pattern.subject, 'subject') };
}

function compileOne(expr: string, side: string): RE2JS | undefined {
  if (expr === '') return undefined;
  try {
    return RE2JS.compile(expr);
  } catch (e) {
    throw cosignError('cosign.identity-pattern-invalid', `${side} pattern ${JSON.stringify(expr)} is not valid RE2: ${(e as Error).message}`, e);
  }
}

/** A pattern that matches exactly this value (for `--certificate-identity`, not `-regexp`). */
export function exactPattern(value: string): string {
  return `^${RE2JS.quote(value)}$`;
}

/** The TrustRef label of one identity pattern pair. */
export function identityRef(pattern: IdentityPattern, source: TrustRef['source']): TrustRef {
  return { kind: 'identity', label: `issuer ${pattern.issuer || '(any)'} subject ${pattern.subject || '(any)'}`, source };
}

/**
 * cosign's CheckCertificatePolicy: the issuer pattern must match the issuer extension and the
 * subject pattern any one SAN, each unanchored (Go's MatchString finds a match anywhere; anchor
 * with ^…$ to match whole values).
 */
export function matchIdentity(compiled: CompiledIdentity, identity: CertificateIdentity): Check {
  const { pattern } = compiled;
  if (compiled.issuer && !(identity.issuer !== undefined && compiled.issuer.matcher(identity.issuer).find())) {
    return failed('identity', 'cosign.identity-mismatch', `expected issuer matching ${pattern.issuer}, found ${identity.issuer ?? '(none)'}`);
  }
  if (compiled.subject && !identity.sans.some((san) => compiled.subject?.matcher(san).find())) {
    return failed('identity', 'cosign.identity-mismatch', `expected a SAN matching ${pattern.subject}, found ${identity.sans.join(', ') || '(none)'}`);
  }
  return passed('identity', `issuer ${identity.issuer ?? '(none)'} and SAN ${identity.sans.join(', ')} match`);
}
