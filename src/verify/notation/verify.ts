/**
 * One Notary Project signature checked against a trust policy, in notation's order: integrity →
 * authenticity → expiry → authentic timestamp → revocation, each step enforced, logged or skipped as
 * the policy statement's level says. Pure: bytes, parsed policy, trust store and `now` in; Evidence out.
 */
import type { Attempt, Check, FoundAt, Mechanism, SignatureEvidence, Signer, TrustRef } from '../evidence.js';
import { failed, passed } from '../evidence.js';
import { algorithmForKey, verifySignature } from './algorithms.js';
import { hasExtension, parseCertificate } from './certificate.js';
import type { Certificate } from './certificate.js';
import { validateCodeSigningChain } from './chain.js';
import { NotationError } from './codes.js';
import type { NotationCode } from './codes.js';
import { parseCose } from './cose.js';
import { isSubsetDn } from './dn.js';
import { COSE_MEDIA_TYPE, JWS_MEDIA_TYPE } from './envelope.js';
import type { ParsedEnvelope } from './envelope.js';
import { parseJws } from './jws.js';
import { checkTarget, parsePayload } from './payload.js';
import type { Descriptor } from './payload.js';
import { verifyTimestampToken } from './timestamp.js';
import { actionFor, selectStatement } from './trustpolicy.js';
import type { Action, Level, StoreType, TrustPolicyDocument, TrustPolicyStatement, VerificationType } from './trustpolicy.js';
import type { TrustStore } from './truststore.js';

export type NotationOutcome = 'verified' | 'failed' | 'ignored';

export interface NotationVerifyInput {
  readonly envelope: Uint8Array;
  /** the signature manifest's layer media type: application/jose+json or application/cose */
  readonly envelopeMediaType: string;
  /** descriptor of the signed manifest, as resolved from the registry */
  readonly target: Descriptor;
  /** host[:port]/repo[@digest|:tag]; its repository selects the policy statement */
  readonly reference: string;
  readonly policy: TrustPolicyDocument;
  readonly trustStore: TrustStore;
  readonly now: Date;
  readonly foundAt: FoundAt;
  /** where the policy came from, for the report ("apps/notation-trust · trustpolicy.json") */
  readonly trustLabel?: string;
  readonly trustSource?: TrustRef['source'];
}

export interface NotationResult {
  readonly evidence: SignatureEvidence;
  readonly outcome: NotationOutcome;
  readonly statement?: string;
  readonly level?: Level;
  /** the first enforced failure, when outcome is failed */
  readonly code?: NotationCode;
  /** failures the level only logged (they are also in the attempt's checks, marked "logged") */
  readonly logged: readonly Check[];
}

/** A failed step: which verification type it belongs to decides whether it is enforced. */
class StepFailure {
  constructor(readonly type: VerificationType, readonly check: string, readonly code: NotationCode, readonly message: string) {}
}

function step(type: VerificationType, check: string, fn: () => string): Check | StepFailure {
  try {
    return passed(check, fn());
  } catch (e) {
    if (e instanceof NotationError) return new StepFailure(type, check, e.code, e.message);
    return new StepFailure(type, check, 'notation.internal', `unexpected error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function signerOf(leaf: Certificate): Signer {
  return {
    kind: 'certificate',
    subject: leaf.subject,
    issuer: leaf.issuer,
    notBefore: leaf.notBefore.toISOString(),
    notAfter: leaf.notAfter.toISOString(),
    certFingerprint: leaf.sha256,
    keyAlgorithm: leaf.node.publicKey.asymmetricKeyType ?? 'unknown',
  };
}

/** 2026-05-01T00:00:00Z: milliseconds say nothing to a reader of a signing time */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function mechanismOf(mediaType: string): Mechanism {
  return mediaType === COSE_MEDIA_TYPE ? 'notation-cose' : 'notation-jws';
}

function parseEnvelope(mediaType: string, bytes: Uint8Array): ParsedEnvelope {
  if (mediaType === JWS_MEDIA_TYPE) return parseJws(bytes);
  if (mediaType === COSE_MEDIA_TYPE) return parseCose(bytes);
  throw new NotationError('notation.envelope-unsupported', `envelope media type: expected ${JWS_MEDIA_TYPE} or ${COSE_MEDIA_TYPE}, found ${JSON.stringify(mediaType)}`);
}

/** Validity of every chain certificate at one instant (or over a range). */
function checkValidity(chain: readonly Certificate[], earliest: Date, latest: Date, what: string): void {
  for (const c of chain) {
    if (latest > c.notAfter) {
      throw new NotationError('notation.cert-expired', `${what} is after certificate ${JSON.stringify(c.subject)} validity period, it was expired at ${c.notAfter.toISOString()} (found ${latest.toISOString()})`);
    }
    if (earliest < c.notBefore) {
      throw new NotationError('notation.cert-not-yet-valid', `${what} is before certificate ${JSON.stringify(c.subject)} validity period, it is not valid until ${c.notBefore.toISOString()} (found ${earliest.toISOString()})`);
    }
  }
}

function storeCerts(statement: TrustPolicyStatement, store: TrustStore, type: StoreType, code: NotationCode): Certificate[] {
  const refs = statement.trustStores.filter((s) => s.type === type);
  if (refs.length === 0) throw new NotationError(code, `trust policy statement ${JSON.stringify(statement.name)}: expected a ${type} trust store, found ${statement.trustStores.map((s) => s.value).join(', ') || 'none'}`);
  const out: Certificate[] = [];
  for (const ref of refs) {
    const r = store(ref);
    if (!r.ok) throw new NotationError(code, `trust store ${ref.value}: ${r.message}`);
    out.push(...r.certs);
  }
  return out;
}

function authenticity(env: ParsedEnvelope, chain: readonly Certificate[], statement: TrustPolicyStatement, store: TrustStore): string {
  const type: StoreType = env.signingScheme === 'notary.x509' ? 'ca' : 'signingAuthority';
  const trusted = storeCerts(statement, store, type, 'notation.untrusted-cert');
  const anchor = chain.find((c) => trusted.some((t) => t.der.equals(c.der)));
  if (!anchor) {
    throw new NotationError('notation.untrusted-cert', `signing certificate chain: expected a certificate of ${type} stores ${statement.trustStores.filter((s) => s.type === type).map((s) => s.value).join(', ')}, found none of ${chain.length} (leaf ${JSON.stringify(chain[0]?.subject)})`);
  }
  const leaf = chain[0] as Certificate;
  if (statement.trustedIdentities.some((i) => i.kind === 'any')) return `chain anchored at ${JSON.stringify(anchor.subject)} in ${type} store; any identity trusted (*)`;
  const match = leaf.subjectDnUsable ? statement.trustedIdentities.find((i) => i.kind === 'x509.subject' && isSubsetDn(i.dn, leaf.subjectDn)) : undefined;
  if (!match || match.kind !== 'x509.subject') {
    const wanted = statement.trustedIdentities.map((i) => (i.kind === 'x509.subject' ? i.value : '*')).join(' | ');
    throw new NotationError('notation.identity-mismatch', `signing certificate subject: expected one of the trusted identities [${wanted}] of statement ${JSON.stringify(statement.name)}, found ${JSON.stringify(leaf.subject)}`);
  }
  return `chain anchored at ${JSON.stringify(anchor.subject)}; leaf ${JSON.stringify(leaf.subject)} matches ${JSON.stringify(match.value)}`;
}

function authenticTimestamp(env: ParsedEnvelope, chain: readonly Certificate[], statement: TrustPolicyStatement, store: TrustStore, now: Date): string {
  if (env.signingScheme === 'notary.x509.signingAuthority') {
    const t = env.authenticSigningTime as Date;
    checkValidity(chain, t, t, `authentic signing time ${t.toISOString()}`);
    return `authentic signing time ${t.toISOString()} lies inside the chain's validity`;
  }
  const hasTsa = statement.trustStores.some((s) => s.type === 'tsa');
  if (!hasTsa) {
    checkValidity(chain, now, now, `verification time ${now.toISOString()}`);
    return `no tsa store in the policy: chain valid at ${now.toISOString()}`;
  }
  if (statement.verifyTimestamp === 'afterCertExpiry') {
    try {
      checkValidity(chain, now, now, 'now');
      return `verifyTimestamp afterCertExpiry: chain still valid at ${now.toISOString()}, timestamp not needed`;
    } catch {
      // expired: fall through to the timestamp, which must then prove the signing time
    }
  }
  if (!env.timestampToken) throw new NotationError('notation.timestamp-missing', 'timestamp: expected a timestamp countersignature (tsa store in the policy), found no timestamp countersignature was found in the signature envelope');
  const roots = storeCerts(statement, store, 'tsa', 'notation.timestamp-invalid');
  const ts = verifyTimestampToken(env.timestampToken, env.signature, roots);
  checkValidity(chain, ts.earliest, ts.latest, `timestamp ${ts.genTime.toISOString()}`);
  return `timestamp ${ts.genTime.toISOString()} by ${JSON.stringify(ts.tsaSubject)} lies inside the chain's validity`;
}

const AIA = '1.3.6.1.5.5.7.1.1';
const CRL_DP = '2.5.29.31';

function revocation(chain: readonly Certificate[]): string {
  const revocable = chain.filter((c) => hasExtension(c, AIA) || hasExtension(c, CRL_DP));
  if (revocable.length === 0) return 'chain has no OCSP or CRL endpoints: non-revocable, nothing to check';
  throw new NotationError('notation.revocation-not-checked', `revocation: expected an OCSP/CRL answer for ${revocable.map((c) => JSON.stringify(c.subject)).join(', ')}, found not checked (verification runs offline)`);
}

export function verifyNotationSignature(input: NotationVerifyInput): NotationResult {
  const mechanism = mechanismOf(input.envelopeMediaType);
  const selected = selectStatement(input.policy, input.reference);
  const trustLabel = input.trustLabel ?? 'trust policy';
  const trust = (label: string): TrustRef => ({ kind: 'trust-policy', label, source: input.trustSource ?? 'object' });
  if (!selected.ok) {
    const attempt: Attempt = { trust: trust(trustLabel), ok: false, checks: [failed('policy', selected.code, selected.message)] };
    return { evidence: { mechanism, foundAt: input.foundAt, verified: false, attempts: [attempt] }, outcome: 'failed', code: selected.code, logged: [] };
  }
  const statement = selected.value;
  const ref = trust(`${trustLabel} · statement ${statement.name} (${statement.level})`);
  const base = { statement: statement.name, level: statement.level };
  if (statement.level === 'skip') {
    const attempt: Attempt = { trust: ref, ok: false, checks: [passed('policy', `statement ${JSON.stringify(statement.name)} has level skip: the signature is not verified`)] };
    return { evidence: { mechanism, foundAt: input.foundAt, verified: false, attempts: [attempt] }, outcome: 'ignored', ...base, logged: [] };
  }

  const checks: Check[] = [passed('policy', `statement ${JSON.stringify(statement.name)} applies to ${input.reference} at level ${statement.level}`)];
  const logged: Check[] = [];
  let signer: Signer | undefined;
  let error: { code: string; message: string } | undefined;
  let outcome: NotationOutcome = 'verified';
  let code: NotationCode | undefined;

  /** Record a step under its action; returns false when the attempt must stop here. */
  const record = (r: Check | StepFailure, action: Action): boolean => {
    if (!(r instanceof StepFailure)) { checks.push(r); return true; }
    if (action === 'enforce') {
      checks.push(failed(r.check, r.code, r.message));
      outcome = 'failed';
      code = r.code;
      return false;
    }
    const c = failed(r.check, r.code, `logged only (level ${statement.level}): ${r.message}`);
    checks.push(c);
    logged.push(c);
    // notation only logs this under audit; Flux then accepts the artifact without SourceVerified.
    if (r.type === 'authenticity') outcome = 'ignored';
    return true;
  };

  let env: ParsedEnvelope | undefined;
  let chain: Certificate[] = [];
  const integrity = step('integrity', 'integrity', () => {
    env = parseEnvelope(input.envelopeMediaType, input.envelope);
    chain = env.certChain.map((der, i) => parseCertificate(der, `certificate ${i} of the envelope`));
    signer = signerOf(chain[0] as Certificate);
    validateCodeSigningChain(chain);
    const leaf = chain[0] as Certificate;
    const want = algorithmForKey(leaf.node.publicKey);
    if ('unsupported' in want) throw new NotationError('notation.chain-invalid', `leaf key: expected RSA 2048/3072/4096 or EC P-256/384/521, found ${want.unsupported}`);
    if (want.alg !== env.alg) throw new NotationError('notation.signature-invalid', `signature algorithm: expected ${want.alg} for the leaf key, found ${env.alg}`);
    if (!verifySignature(env.alg, leaf.node.publicKey, env.signedBytes, env.signature)) {
      throw new NotationError('notation.signature-invalid', `signature: expected a valid ${env.alg} signature by ${JSON.stringify(leaf.subject)}, found one that does not verify`);
    }
    checkTarget(parsePayload(env.payload), input.target);
    return `${env.format.toUpperCase()} ${env.alg} signature by ${JSON.stringify(leaf.subject)} verifies over ${input.target.digest}`;
  });
  if (integrity instanceof StepFailure && env === undefined) error = { code: integrity.code, message: integrity.message };

  if (record(integrity, 'enforce') && env !== undefined) {
    const e: ParsedEnvelope = env;
    const steps: readonly [VerificationType, string, () => string][] = [
      ['authenticity', 'authenticity', () => authenticity(e, chain, statement, input.trustStore)],
      ['expiry', 'expiry', () => {
        if (e.expiry === undefined) return 'no signature expiry set';
        // notation's words ("digital signature has expired on …"): the signer set this time, not a certificate
        if (input.now >= e.expiry) throw new NotationError('notation.signature-expired', `the signature expired on ${isoSeconds(e.expiry)} (the expiry its signer set; checked at ${isoSeconds(input.now)})`);
        return `signature valid until ${e.expiry.toISOString()}`;
      }],
      ['authenticTimestamp', 'timestamp', () => authenticTimestamp(e, chain, statement, input.trustStore, input.now)],
      ['revocation', 'revocation', () => revocation(chain)],
    ];
    for (const [type, check, fn] of steps) {
      const action = actionFor(statement, type);
      if (action === 'skip') { checks.push(passed(check, `${type} skipped by the policy`)); continue; }
      if (!record(step(type, check, fn), action)) break;
    }
  }

  const verified = outcome === 'verified';
  const attempt: Attempt = { trust: ref, ok: verified, checks };
  const evidence: SignatureEvidence = {
    mechanism, foundAt: input.foundAt, verified, attempts: [attempt],
    ...(signer ? { signer } : {}),
    ...(error ? { error } : {}),
  };
  return { evidence, outcome, ...base, ...(code ? { code } : {}), logged };
}
