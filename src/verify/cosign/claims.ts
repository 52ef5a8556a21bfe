import { failed, passed } from '../evidence.js';
import type { Check } from '../evidence.js';

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isSha256Digest(digest: string): boolean {
  return DIGEST.test(digest);
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/**
 * cosign's SimpleClaimVerifier on a legacy payload: critical.type, then the signed
 * docker-manifest-digest against the artifact digest. docker-reference is not compared (cosign
 * does not either). Flux skips both checks.
 */
export function legacyClaimChecks(payload: Uint8Array, artifactDigest: string): Check[] {
  const doc = parseJson(payload);
  if (typeof field(doc, 'critical') !== 'object' || field(doc, 'critical') === null) {
    return [failed('claim', 'cosign.payload-invalid', 'expected a simple-signing JSON payload with a "critical" object, found something else')];
  }
  const checks: Check[] = [];
  const type = field(doc, 'critical', 'type');
  checks.push(
    type === SIMPLE_SIGNING_TYPE
      ? passed('claim-type', `payload type is "${SIMPLE_SIGNING_TYPE}"`)
      : failed('claim-type', 'cosign.claim-type', `expected payload type "${SIMPLE_SIGNING_TYPE}", found ${JSON.stringify(type) ?? 'none'}`),
  );
  const named = field(doc, 'critical', 'image', 'docker-manifest-digest');
  checks.push(
    named === artifactDigest
      ? passed('claim', `payload names ${artifactDigest}`)
      : failed('claim', 'cosign.claim-digest-mismatch', `expected payload to name ${artifactDigest}, found ${typeof named === 'string' ? named : 'no docker-manifest-digest'}`),
  );
  return checks;
}

/**
 * cosign's IntotoSubjectClaimVerifier on a DSSE payload: some subject's digest.sha256 equals the
 * artifact digest. predicateType is not checked, as cosign and Flux do not: an attestation signed
 * by a trusted key or identity counts as a signature. The predicate type is named in the message.
 */
export function dsseSubjectCheck(payloadType: string, payload: Uint8Array, artifactDigest: string): Check {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return failed('subject', 'cosign.payload-invalid', `expected DSSE payloadType ${IN_TOTO_PAYLOAD_TYPE}, found ${payloadType || '(empty)'}`);
  }
  const doc = parseJson(payload);
  const subjects = field(doc, 'subject');
  if (!Array.isArray(subjects)) return failed('subject', 'cosign.payload-invalid', 'expected an in-toto statement with a subject list, found none');
  const want = artifactDigest.slice('sha256:'.length);
  const found = subjects.map((s) => field(s, 'digest', 'sha256')).filter((d): d is string => typeof d === 'string');
  const predicateType = field(doc, 'predicateType');
  const predicate = typeof predicateType === 'string' ? ` (predicateType ${predicateType}, not checked)` : '';
  return found.includes(want)
    ? passed('subject', `in-toto subject names ${artifactDigest}${predicate}`)
    : failed('subject', 'cosign.subject-mismatch', `expected an in-toto subject sha256:${want}, found ${found.map((d) => `sha256:${d}`).join(', ') || 'none'}`);
}
