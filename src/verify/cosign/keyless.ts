import { isVerifyError } from '../../errors.js';
import { failed } from '../evidence.js';
import type { Check, TrustRef } from '../evidence.js';
import type { LeafCertificate } from './certificate.js';
import { compileIdentity, identityRef, matchIdentity } from './identity.js';
import { attemptOf } from './result.js';
import type { JudgedAttempt } from './result.js';
import type { KeylessTrust } from './trust.js';

/**
 * One attempt per identity pattern pair (OR-ed), each carrying the identity-independent checks
 * (chain, SCT, tlog, signature) and the claim checks. With no pattern at all, a single attempt
 * passes the identity check with code cosign.identity-unconstrained so the verdict can call it weak.
 * Flux would skip `claims` only; every other check is its own too.
 */
export function judgeIdentities(trust: KeylessTrust, leaf: LeafCertificate, shared: readonly Check[], claims: readonly Check[]): JudgedAttempt[] {
  const source = trust.identitySource ?? 'object';
  const judge = (ref: TrustRef, identity: Check): JudgedAttempt => {
    const attempt = attemptOf(ref, [...shared, identity, ...claims]);
    return { attempt, fluxOk: [...shared, identity].every((c) => c.ok) };
  };
  if (trust.identities.length === 0) {
    const any: Check = {
      check: 'identity',
      ok: true,
      code: 'cosign.identity-unconstrained',
      message: `any identity accepted (no matchOIDCIdentity): signer ${leaf.identity.sans.join(', ') || '(no SAN)'} from ${leaf.identity.issuer ?? '(no issuer)'}`,
    };
    return [judge({ kind: 'identity', label: 'any identity (no matchOIDCIdentity)', source }, any)];
  }
  return trust.identities.map((pattern) => {
    const ref = identityRef(pattern, source);
    try {
      return judge(ref, matchIdentity(compileIdentity(pattern), leaf.identity));
    } catch (e) {
      // compileIdentity refuses a pattern with this one code; anything else is not the identity's finding
      if (!isVerifyError(e) || e.code !== 'cosign.identity-pattern-invalid') throw e;
      return judge(ref, failed('identity', e.code, e.message));
    }
  });
}
