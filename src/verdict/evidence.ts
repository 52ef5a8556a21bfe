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
  'git-openpgp': 'OpenPGP',
  'git-ssh': 'SSH',
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
/** a failing check, or a signature that could not be read (its code a registry's or discovery's, mapped by codes.ts) */
type Failing = Omit<Check, 'code'> & { readonly code: string };

function failures(signatures: readonly SignatureEvidence[]): { s: SignatureEvidence; a?: Attempt; c: Failing }[] {
  const out: { s: SignatureEvidence; a?: Attempt; c: Failing }[] = [];
  for (const s of signatures) {
    if (s.error) out.push({ s, c: { check: 'read', ok: false, code: s.error.code, message: s.error.message } });
    for (const a of s.attempts) for (const c of a.checks) if (!c.ok) out.push({ s, a, c });
  }
  return out;
}

/**
 * One line for a failure, chosen to explain `primary`: for a wrong key every key tried is named with
 * its own failing check (Flux names none), otherwise the first check failing for that reason, with
 * its trust material. Signatures that could not be read are counted apart: they were not judged.
 */
export function describeFailure(o: VerificationOutcome, primary: ReasonCode): string {
  const all = failures(o.signatures);
  if (primary === 'wrong-key') {
    const byKey = new Map<string, string>();
    for (const f of all) if (f.a && !byKey.has(f.a.trust.label)) byKey.set(f.a.trust.label, firstLine(f.c.message));
    const judged = o.signatures.filter((s) => s.error === undefined).length;
    const unread = o.signatures.length - judged;
    if (byKey.size > 0) {
      const keys = byKey.size === 1 ? 'the key tried' : `the ${byKey.size} keys tried`;
      const why = [...byKey].map(([label, message]) => `${label}: ${message}`).join('; ');
      const more = unread > 0 ? `; ${unread} more signature${unread === 1 ? '' : 's'} could not be read` : '';
      return `none of ${judged} signature${judged === 1 ? '' : 's'} verifies with ${keys} (${why})${more}`;
    }
  }
  const f = all.find((x) => reasonForCode(x.c.code) === primary) ?? all[0];
  if (f === undefined) return firstLine(o.message);
  const message = firstLine(f.c.message);
  // a signature that could not be read says what it is in its own message ("cosign bundle not read, …")
  if (!f.a && message.startsWith(MECHANISM[f.s.mechanism])) return message;
  return `${MECHANISM[f.s.mechanism]} signature${f.a ? `, ${f.a.trust.label}` : ''}: ${message}`;
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

/** codes that mean a certificate was not valid, as opposed to a signature past its own expiry */
const CERTIFICATE_VALIDITY: ReadonlySet<string> = new Set(['cosign.certificate-expired', 'notation.cert-expired', 'notation.cert-not-yet-valid']);

/**
 * The latest certificate expiry among the signers, for the `expired` message; nothing when no
 * certificate was out of its validity (a notation signature past its own expiry time says so itself).
 */
export function expiryNote(signatures: readonly SignatureEvidence[], now: Date): string {
  if (!failures(signatures).some((f) => CERTIFICATE_VALIDITY.has(f.c.code))) return '';
  const ends = signatures.map((s) => s.signer?.notAfter).filter((t): t is string => t !== undefined && !Number.isNaN(Date.parse(t)));
  if (ends.length === 0) return '';
  const last = ends.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  const days = Math.floor((now.getTime() - Date.parse(last)) / 86_400_000);
  return days >= 0 ? ` (certificate valid until ${last.slice(0, 10)}, ${days} day${days === 1 ? '' : 's'} ago)` : ` (certificate valid until ${last.slice(0, 10)})`;
}
