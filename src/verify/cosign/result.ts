import { isVerifyError } from '../../errors.js';
import type { Attempt, FoundAt, Mechanism, SignatureEvidence, Signer } from '../evidence.js';
import type { CosignCode } from './codes.js';

/** One attempt plus whether Flux, which skips some of our checks, would have accepted it. */
export interface JudgedAttempt {
  readonly attempt: Attempt;
  readonly fluxOk: boolean;
}

export function attemptOf(trust: Attempt['trust'], checks: Attempt['checks']): Attempt {
  return { trust, checks, ok: checks.length > 0 && checks.every((c) => c.ok) };
}

/**
 * Evidence from judged attempts. fluxVerified is set only where Flux's conclusion differs from
 * ours; Flux skips checks but adds none, so it can only be more lenient.
 */
export function conclude(mechanism: Mechanism, foundAt: FoundAt, signer: Signer | undefined, judged: readonly JudgedAttempt[]): SignatureEvidence {
  const verified = judged.some((j) => j.attempt.ok);
  const fluxVerified = verified || judged.some((j) => j.fluxOk);
  return {
    mechanism,
    foundAt,
    ...(signer ? { signer } : {}),
    verified,
    ...(fluxVerified !== verified ? { fluxVerified } : {}),
    attempts: judged.map((j) => j.attempt),
  };
}

export function unreadable(mechanism: Mechanism, foundAt: FoundAt, code: CosignCode, message: string): SignatureEvidence {
  return { mechanism, foundAt, verified: false, attempts: [], error: { code, message } };
}

/**
 * The one place a thrown error becomes evidence: a VerifyError keeps its code, anything else
 * (a library failing on hostile input) gets `fallback`. Nothing escapes the entry points.
 */
export function guard(mechanism: Mechanism, foundAt: FoundAt, fallback: CosignCode, run: () => SignatureEvidence): SignatureEvidence {
  try {
    return run();
  } catch (e) {
    if (isVerifyError(e)) return unreadable(mechanism, foundAt, e.code as CosignCode, e.message);
    return unreadable(mechanism, foundAt, fallback, `unexpected failure reading the signature: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}
