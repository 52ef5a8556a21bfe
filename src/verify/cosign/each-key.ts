import { failed } from '../evidence.js';
import type { Check, FoundAt, Mechanism, SignatureEvidence, Signer } from '../evidence.js';
import { parsePublicKeyPem } from './keys.js';
import type { PublicKeyInfo } from './keys.js';
import { attemptOf, conclude } from './result.js';
import type { JudgedAttempt } from './result.js';
import type { TrustedKey } from './trust.js';

/** What one key concluded about one signature. */
export interface KeyJudgement {
  readonly checks: readonly Check[];
  /** the signature itself verified with this key, which then names the signer */
  readonly signed: boolean;
  /** Flux's view where it differs from the checks (it skips some); defaults to the checks' verdict */
  readonly fluxOk?: boolean;
}

/**
 * Tries every key, as Flux does, and records each: a key that does not parse is an attempt of its
 * own; the first key whose signature verifies is the signer.
 */
export function judgeEachKey(mechanism: Mechanism, foundAt: FoundAt, keys: readonly TrustedKey[], judge: (info: PublicKeyInfo) => KeyJudgement): SignatureEvidence {
  const judged: JudgedAttempt[] = [];
  let signer: Signer | undefined;
  for (const trusted of keys) {
    let info: PublicKeyInfo;
    try {
      info = parsePublicKeyPem(trusted.pem);
    } catch (e) {
      judged.push({ attempt: attemptOf(trusted.ref, [failed('key', 'cosign.key-invalid', (e as Error).message)]), fluxOk: false });
      continue;
    }
    const j = judge(info);
    if (j.signed) signer ??= { kind: 'key', keyFingerprint: info.fingerprint, keyAlgorithm: info.algorithm };
    const attempt = attemptOf({ ...trusted.ref, fingerprint: info.fingerprint }, j.checks);
    judged.push({ attempt, fluxOk: j.fluxOk ?? attempt.ok });
  }
  return conclude(mechanism, foundAt, signer, judged);
}
