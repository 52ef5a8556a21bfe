/** JWS JSON (flattened) serialization of a Notary Project signature envelope. */
import { decodeBase64Std, decodeBase64Url } from './base64url.js';
import { fail } from './codes.js';
import type { ParsedEnvelope, SignatureAlg } from './envelope.js';
import { checkProtectedHeaders, HDR_AUTHENTIC_SIGNING_TIME, HDR_EXPIRY, HDR_SIGNING_AGENT, HDR_SIGNING_SCHEME, HDR_SIGNING_TIME, HDR_TIMESTAMP } from './envelope.js';

const JWS_ALGS: readonly SignatureAlg[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
// RFC 3339 date-time; JavaScript's Date.parse accepts far more, so the shape is checked first.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail('notation.envelope-invalid', `${what}: expected JSON, found a parse error (${(e as Error).message})`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function time(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !RFC3339.test(v)) return fail('notation.envelope-invalid', `${name}: expected an RFC 3339 time, found ${JSON.stringify(v)}`);
  const t = new Date(v);
  if (Number.isNaN(t.getTime())) fail('notation.envelope-invalid', `${name}: expected an RFC 3339 time, found ${JSON.stringify(v)}`);
  return t;
}

export function parseJws(bytes: Uint8Array): ParsedEnvelope {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('notation.envelope-invalid', 'JWS envelope: expected UTF-8 JSON, found invalid UTF-8');
  }
  const env = parseJson(text, 'JWS envelope');
  if (!isRecord(env)) return fail('notation.envelope-invalid', 'JWS envelope: expected a JSON object, found another value');
  if ('signatures' in env) fail('notation.envelope-unsupported', 'JWS envelope: expected the flattened serialization, found the general one (signatures)');
  const { protected: prot, payload, signature, header } = env;
  if (typeof prot !== 'string' || typeof payload !== 'string' || typeof signature !== 'string') {
    return fail('notation.envelope-invalid', 'JWS envelope: expected string fields protected, payload and signature, found one missing or of another type');
  }
  if (!isRecord(header)) return fail('notation.envelope-invalid', 'JWS envelope: expected an unprotected header object, found none');

  const hdr = parseJson(decodeBase64Url(prot, 'JWS protected header').toString('utf8'), 'JWS protected header');
  if (!isRecord(hdr)) return fail('notation.envelope-invalid', 'JWS protected header: expected a JSON object, found another value');
  const alg = hdr.alg;
  if (typeof alg !== 'string' || !(JWS_ALGS as readonly string[]).includes(alg)) {
    return fail('notation.envelope-unsupported', `JWS alg: expected one of ${JWS_ALGS.join(', ')}, found ${JSON.stringify(alg)}`);
  }
  const crit = hdr.crit;
  if (!Array.isArray(crit) || !crit.every((c): c is string => typeof c === 'string')) {
    return fail('notation.envelope-invalid', `JWS crit: expected an array of strings, found ${JSON.stringify(crit)}`);
  }
  const fields = checkProtectedHeaders({
    alg: alg as SignatureAlg,
    cty: hdr.cty,
    crit,
    present: (l) => Object.hasOwn(hdr, l),
    signingScheme: hdr[HDR_SIGNING_SCHEME],
    signingTime: time(hdr[HDR_SIGNING_TIME], HDR_SIGNING_TIME),
    authenticSigningTime: time(hdr[HDR_AUTHENTIC_SIGNING_TIME], HDR_AUTHENTIC_SIGNING_TIME),
    expiry: time(hdr[HDR_EXPIRY], HDR_EXPIRY),
  });

  const x5c = header.x5c;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c): c is string => typeof c === 'string')) {
    return fail('notation.envelope-invalid', 'JWS x5c: expected a non-empty array of base64 certificates, found none');
  }
  const certChain = x5c.map((c, i) => decodeBase64Std(c, `JWS x5c[${i}]`));
  const ts = header[HDR_TIMESTAMP];
  if (ts !== undefined && typeof ts !== 'string') fail('notation.envelope-invalid', `${HDR_TIMESTAMP}: expected a base64 string, found another type`);
  const agent = header[HDR_SIGNING_AGENT];
  const sig = decodeBase64Url(signature, 'JWS signature');
  const payloadBytes = decodeBase64Url(payload, 'JWS payload');
  return {
    format: 'jws',
    alg: alg as SignatureAlg,
    ...fields,
    payload: payloadBytes,
    certChain,
    signature: sig,
    signedBytes: Buffer.from(`${prot}.${payload}`, 'ascii'),
    ...(typeof ts === 'string' ? { timestampToken: decodeBase64Std(ts, HDR_TIMESTAMP) } : {}),
    ...(typeof agent === 'string' ? { signingAgent: agent } : {}),
  };
}
