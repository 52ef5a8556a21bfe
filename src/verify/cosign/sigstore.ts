import type { SignedEntity, Signer as SigstoreSigner, TrustMaterial, VerifierOptions } from '@sigstore/verify';
import { Verifier } from '@sigstore/verify';
import { failed, passed } from '../evidence.js';
import type { Check } from '../evidence.js';
import type { CosignVerifyOptions } from './trust.js';
import type { CosignCode } from './codes.js';

/** The checks @sigstore/verify's Verifier runs, in its order. */
const STEPS = ['timestamp', 'certificate', 'tlog', 'signature'] as const;
type Step = (typeof STEPS)[number];

export interface SigstoreOutcome {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly signer?: SigstoreSigner;
}

/**
 * Runs @sigstore/verify (no identity policy: identities are matched with RE2 by the caller) and
 * turns its single error into a checklist. The Verifier works in a fixed order — timestamps,
 * signing key or certificate, tlog, signature — so every step before the failing one passed.
 */
export function runSigstore(entity: SignedEntity, material: TrustMaterial, options: VerifierOptions, labels: Partial<Record<Step, string>> = {}): SigstoreOutcome {
  try {
    const signer = new Verifier(material, options).verify(entity);
    return { ok: true, signer, checks: STEPS.map((s) => passed(stepName(s, entity), labels[s] ?? okMessage(s, entity, options))) };
  } catch (e) {
    const { step, code } = classify(e);
    const at = STEPS.indexOf(step);
    const checks = STEPS.slice(0, at).map((s) => passed(stepName(s, entity), labels[s] ?? okMessage(s, entity, options)));
    checks.push(failed(stepName(step, entity), code, describe(e)));
    return { ok: false, checks };
  }
}

function stepName(step: Step, entity: SignedEntity): string {
  if (step === 'certificate' && entity.key.$case === 'public-key') return 'key';
  return step;
}

function okMessage(step: Step, entity: SignedEntity, options: VerifierOptions): string {
  switch (step) {
    case 'timestamp':
      return entity.timestamps.length === 0 ? `no trusted timestamp required (threshold ${options.timestampThreshold ?? 1})` : `${entity.timestamps.length} trusted timestamp(s) verified`;
    case 'certificate':
      return entity.key.$case === 'certificate' ? 'certificate chains to a trusted Fulcio CA at the signing time, SCT verified' : 'public key found';
    case 'tlog':
      return entity.tlogEntries.length === 0 ? 'no transparency-log entry checked (not required for key-based verification, as in Flux)' : `${entity.tlogEntries.length} transparency-log entry(ies) verified against the trusted root`;
    case 'signature':
      return 'signature verifies';
  }
}

function classify(e: unknown): { step: Step; code: CosignCode } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const text = describe(e);
  switch (code) {
    case 'TIMESTAMP_ERROR':
      return { step: 'timestamp', code: /expected \d+ timestamps/.test(text) ? 'cosign.timestamp-missing' : 'cosign.timestamp-invalid' };
    case 'CERTIFICATE_ERROR':
      return { step: 'certificate', code: /expired|not valid/.test(text) ? 'cosign.certificate-expired' : 'cosign.certificate-untrusted' };
    case 'PUBLIC_KEY_ERROR':
      return { step: 'certificate', code: 'cosign.signature-mismatch' };
    case 'SIGNATURE_ERROR':
      return { step: 'signature', code: 'cosign.signature-mismatch' };
    case 'TLOG_ERROR':
      return { step: 'tlog', code: /expected \d+ tlog entries/.test(text) ? 'cosign.tlog-missing' : 'cosign.tlog-invalid' };
    default:
      if (code.startsWith('TLOG_')) return { step: 'tlog', code: 'cosign.tlog-invalid' };
      // anything else the library throws (malformed ASN.1 inside an entry, …) is a broken bundle
      return { step: 'signature', code: 'cosign.bundle-invalid' };
  }
}

/** The error's message followed by its causes' messages, on one line. */
function describe(e: unknown): string {
  const parts: string[] = [];
  for (let cur: unknown = e; cur instanceof Error && parts.length < 4; cur = cur.cause) parts.push(cur.message);
  return parts.join(': ') || String(e);
}

/** Rekor integrated times later than this past `now` are refused (clock skew allowance). */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export function futureTimeChecks(entity: SignedEntity, options: CosignVerifyOptions): Check[] {
  const limit = options.now.getTime() + MAX_CLOCK_SKEW_MS;
  const late = entity.tlogEntries.map((e) => Number(e.integratedTime) * 1000).filter((t) => t > limit);
  return late.length === 0 ? [] : [failed('timestamp', 'cosign.tlog-invalid', `expected tlog integrated times before ${options.now.toISOString()}, found ${new Date(Math.max(...late)).toISOString()}`)];
}
