/**
 * How Flux's source-controller runs notation: the Secret's shape and messages, its in-memory trust
 * store (every certificate for every named store), CleanTrustPolicy for skip statements, and the
 * "first signature that verifies wins, at most 3 attempts" rule.
 */
import { parseCertificateFile } from './certificate.js';
import type { Certificate } from './certificate.js';
import { NotationError } from './codes.js';
import type { NotationCode } from './codes.js';
import { validateTrustPolicy } from './trustpolicy.js';
import type { TrustPolicyDocument } from './trustpolicy.js';
import type { TrustStore } from './truststore.js';
import type { NotationOutcome } from './verify.js';

export const FLUX_MAX_SIGNATURE_ATTEMPTS = 3;
export const TRUST_POLICY_KEY = 'trustpolicy.json';

export interface FluxNotationTrust {
  readonly policy: TrustPolicyDocument;
  readonly trustStore: TrustStore;
  readonly certificates: readonly Certificate[];
  /** Secret keys whose certificates were read, in key order */
  readonly certificateKeys: readonly string[];
  /** notes such as CleanTrustPolicy's removals, which Flux only logs */
  readonly warnings: readonly string[];
}

export type FluxSecretResult = { ok: true; value: FluxNotationTrust } | { ok: false; code: NotationCode; message: string };

/** CleanTrustPolicy: skip statements lose their trust stores and identities (Flux logs a warning). */
export function cleanTrustPolicy(doc: unknown): { doc: unknown; warnings: string[] } {
  const warnings: string[] = [];
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { trustPolicies?: unknown }).trustPolicies)) return { doc, warnings };
  const d = doc as { trustPolicies: unknown[] };
  const trustPolicies = d.trustPolicies.map((s) => {
    if (typeof s !== 'object' || s === null) return s;
    const st = s as Record<string, unknown>;
    const sv = st.signatureVerification as { level?: unknown } | undefined;
    if (sv?.level !== 'skip') return s;
    const hasStores = Array.isArray(st.trustStores) && st.trustStores.length > 0;
    const hasIds = Array.isArray(st.trustedIdentities) && st.trustedIdentities.length > 0;
    if (hasStores || hasIds) warnings.push(`trust policy statement ${JSON.stringify(st.name)} is set to skip signature verification but configured with trust stores and/or trusted identities; Flux ignores them`);
    return { ...st, trustStores: [], trustedIdentities: [] };
  });
  return { doc: { ...(doc as object), trustPolicies }, warnings };
}

/** Flux's trust store ignores store type and name: every Secret certificate answers every store. */
export function fluxTrustStore(certs: readonly Certificate[]): TrustStore {
  return () => (certs.length > 0 ? { ok: true, certs } : { ok: false, message: 'no certificates in the Secret' });
}

/**
 * The Secret checks of source-controller for verify.provider notation, with its messages, then the
 * policy validation notation's verifier.New does.
 */
export function readFluxNotationSecret(namespace: string, name: string, data: Readonly<Record<string, Uint8Array>>): FluxSecretResult {
  const id = `${namespace}/${name}`;
  const raw = data[TRUST_POLICY_KEY];
  if (raw === undefined) return { ok: false, code: 'notation.secret-invalid', message: `'${TRUST_POLICY_KEY}' not found in secret '${id}'` };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as unknown;
  } catch (e) {
    return { ok: false, code: 'notation.secret-invalid', message: `error occurred while parsing ${TRUST_POLICY_KEY}: ${(e as Error).message}` };
  }
  const { doc, warnings } = cleanTrustPolicy(json);
  const keys = Object.keys(data).filter((k) => k.endsWith('.crt') || k.endsWith('.pem')).sort();
  if (keys.length === 0) return { ok: false, code: 'notation.secret-invalid', message: `no certificates found in secret '${id}'` };
  const certificates: Certificate[] = [];
  for (const k of keys) {
    try {
      certificates.push(...parseCertificateFile(data[k] as Uint8Array, `secret '${id}' key ${k}`, 'notation.secret-invalid'));
    } catch (e) {
      if (e instanceof NotationError) return { ok: false, code: e.code, message: e.message };
      throw e;
    }
  }
  const policy = validateTrustPolicy(doc);
  if (!policy.ok) return policy;
  return { ok: true, value: { policy: policy.value, trustStore: fluxTrustStore(certificates), certificates, certificateKeys: keys, warnings } };
}

export interface AttemptRuleResult<R> {
  /** the results of the signatures actually tried, in order */
  readonly results: readonly R[];
  /** the signature that decided the outcome, when one verified (or was ignored under audit) */
  readonly chosen?: R;
  readonly outcome: NotationOutcome;
  readonly code?: NotationCode;
  readonly message: string;
}

/**
 * notation's Verify loop as Flux configures it: signatures are tried in order, the first that passes
 * (verified, or ignored under audit) wins, and at most `max` are tried.
 */
export function applyAttemptRule<R extends { readonly outcome: NotationOutcome }>(
  reference: string, count: number, verifyOne: (index: number) => R, max = FLUX_MAX_SIGNATURE_ATTEMPTS,
): AttemptRuleResult<R> {
  if (count === 0) return { results: [], outcome: 'failed', code: 'notation.no-signature', message: `no signature is associated with ${JSON.stringify(reference)}, make sure the artifact was signed successfully` };
  const results: R[] = [];
  for (let i = 0; i < count; i++) {
    if (i >= max) {
      return { results, outcome: 'failed', code: 'notation.attempts-exhausted', message: `signature evaluation stopped: expected a verifying signature within the configured limit of ${max}, found ${count} signatures and none of the first ${max} verified` };
    }
    const r = verifyOne(i);
    results.push(r);
    if (r.outcome !== 'failed') return { results, chosen: r, outcome: r.outcome, message: r.outcome === 'verified' ? `signature ${i + 1} of ${count} verified` : `signature ${i + 1} of ${count} ignored by the policy level` };
  }
  return { results, outcome: 'failed', code: 'notation.signature-invalid', message: `signature verification failed: expected one of ${count} signatures to verify, found none` };
}
