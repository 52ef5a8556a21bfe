import { shortDigest } from '../graph/revision.js';
import type { Attempt, Check, SignatureEvidence } from '../verify/evidence.js';
import { reasonForCode } from './codes.js';
import { firstLine } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { VerificationOutcome } from './types.js';

/** Reads Evidence for the one-line messages: which signature, which key or identity, which check. */

const MECHANISM: Readonly<Record<SignatureEvidence['mechanism'], string>> = {
  'cosign-bundle': 'cosign bundle',
  'cosign-legacy': 'cosign legacy',
  'notation-jws': 'notation JWS',
  'notation-cose': 'notation COSE',
};

function signerText(s: SignatureEvidence, a: Attempt): string {
  const fp = a.trust.fingerprint ?? s.signer?.keyFingerprint;
  const who = s.signer?.kind === 'certificate' && (s.signer.san ?? s.signer.subject) !== undefined ? `, signer ${s.signer.san ?? s.signer.subject}${s.signer.issuer ? ` (issuer ${s.signer.issuer})` : ''}` : '';
  return `${a.trust.label}${fp ? ` ${fp}` : ''}${who}`;
}

/** The first signature and attempt that passed, when any did. */
export function passing(signatures: readonly SignatureEvidence[]): { signature: SignatureEvidence; attempt: Attempt } | undefined {
  for (const s of signatures) {
    if (!s.verified) continue;
    const attempt = s.attempts.find((a) => a.ok);
    if (attempt) return { signature: s, attempt };
  }
  return undefined;
}

export function describeVerified(o: VerificationOutcome): string {
  const p = passing(o.signatures);
  const of = o.digest ? ` for ${shortDigest(o.digest)}` : '';
  if (!p) return `${firstLine(o.message)}${of}`;
  return `${MECHANISM[p.signature.mechanism]} signature verified with ${signerText(p.signature, p.attempt)}${of}`;
}

/** Every failing check, with the attempt and signature it belongs to. */
function failures(signatures: readonly SignatureEvidence[]): { s: SignatureEvidence; a?: Attempt; c: Check }[] {
  const out: { s: SignatureEvidence; a?: Attempt; c: Check }[] = [];
  for (const s of signatures) {
    if (s.error) out.push({ s, c: { check: 'read', ok: false, code: s.error.code, message: s.error.message } });
    for (const a of s.attempts) for (const c of a.checks) if (!c.ok) out.push({ s, a, c });
  }
  return out;
}

/**
 * One line for a failure, chosen to explain `primary`: for a wrong key every key tried is named
 * (Flux names none), otherwise the first check failing for that reason, with its trust material.
 */
export function describeFailure(o: VerificationOutcome, primary: ReasonCode): string {
  const all = failures(o.signatures);
  if (primary === 'wrong-key') {
    const keys = [...new Set(all.filter((f) => reasonForCode(f.c.code) === 'wrong-key' && f.a).map((f) => (f.a as Attempt).trust.label))];
    const n = o.signatures.length;
    if (keys.length > 0) return `none of ${n} signature${n === 1 ? '' : 's'} verifies with ${keys.length === 1 ? 'the key' : `any of the ${keys.length} keys`} ${keys.join(', ')}`;
  }
  const f = all.find((x) => reasonForCode(x.c.code) === primary) ?? all[0];
  if (f === undefined) return firstLine(o.message);
  return `${MECHANISM[f.s.mechanism]} signature${f.a ? `, ${f.a.trust.label}` : ''}: ${firstLine(f.c.message)}`;
}

/** Signatures Flux's rules accept although ours do not (it skips the legacy payload claim). */
export function fluxWouldAccept(signatures: readonly SignatureEvidence[]): SignatureEvidence | undefined {
  return signatures.find((s) => !s.verified && s.fluxVerified === true);
}

/** A passing attempt whose identity was not constrained: any Fulcio identity would have passed. */
export function unconstrained(signatures: readonly SignatureEvidence[]): boolean {
  const p = passing(signatures);
  return p !== undefined && p.attempt.checks.some((c) => c.code === 'cosign.identity-unconstrained');
}

/** The latest certificate expiry among the signers, for the `expired` message. */
export function expiryNote(signatures: readonly SignatureEvidence[], now: Date): string {
  const ends = signatures.map((s) => s.signer?.notAfter).filter((t): t is string => t !== undefined && !Number.isNaN(Date.parse(t)));
  if (ends.length === 0) return '';
  const last = ends.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  const days = Math.floor((now.getTime() - Date.parse(last)) / 86_400_000);
  return days >= 0 ? ` (certificate valid until ${last.slice(0, 10)}, ${days} day${days === 1 ? '' : 's'} ago)` : ` (certificate valid until ${last.slice(0, 10)})`;
}
