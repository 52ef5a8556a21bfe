/** The parts of a Notary Project envelope that verification needs, whatever its encoding. */
import { fail } from './codes.js';

export const JWS_MEDIA_TYPE = 'application/jose+json';
export const COSE_MEDIA_TYPE = 'application/cose';
export const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

export const HDR_SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const HDR_SIGNING_TIME = 'io.cncf.notary.signingTime';
export const HDR_AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const HDR_EXPIRY = 'io.cncf.notary.expiry';
export const HDR_TIMESTAMP = 'io.cncf.notary.timestampSignature';
export const HDR_SIGNING_AGENT = 'io.cncf.notary.signingAgent';

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';
export type SignatureAlg = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export interface ParsedEnvelope {
  readonly format: 'jws' | 'cose';
  readonly alg: SignatureAlg;
  readonly signingScheme: SigningScheme;
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
  readonly payload: Buffer;
  /** DER certificates, leaf first */
  readonly certChain: readonly Buffer[];
  readonly signature: Buffer;
  /** the exact bytes the signature covers (JWS signing input or COSE Sig_structure) */
  readonly signedBytes: Buffer;
  readonly timestampToken?: Buffer;
  readonly signingAgent?: string;
}

/** Header values as both encodings present them, before the shared rules are applied. */
export interface RawHeaders {
  readonly alg: SignatureAlg;
  readonly cty: unknown;
  /** labels in `crit` and whether each is present in the protected header */
  readonly crit: readonly string[];
  readonly present: (label: string) => boolean;
  readonly signingScheme: unknown;
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
}

export interface SchemeFields {
  readonly signingScheme: SigningScheme;
  readonly signingTime?: Date;
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
}

/** notation-core-go's protected-header rules, shared by JWS and COSE. */
export function checkProtectedHeaders(h: RawHeaders): SchemeFields {
  const bad = (m: string): never => fail('notation.envelope-invalid', m);
  if (h.cty !== PAYLOAD_CONTENT_TYPE) bad(`content type: expected ${PAYLOAD_CONTENT_TYPE}, found ${JSON.stringify(h.cty)}`);
  if (!h.crit.includes(HDR_SIGNING_SCHEME)) bad(`crit: expected it to list ${HDR_SIGNING_SCHEME}, found ${JSON.stringify(h.crit)}`);
  if (new Set(h.crit).size !== h.crit.length) bad(`crit: expected unique entries, found ${JSON.stringify(h.crit)}`);
  for (const c of h.crit) if (!h.present(c)) bad(`crit: expected header ${JSON.stringify(c)} to be present, found it missing`);
  const scheme = h.signingScheme;
  if (scheme !== 'notary.x509' && scheme !== 'notary.x509.signingAuthority') {
    if (typeof scheme === 'string') fail('notation.envelope-unsupported', `signing scheme: expected notary.x509 or notary.x509.signingAuthority, found ${JSON.stringify(scheme)}`);
    return bad(`signing scheme: expected a string, found ${JSON.stringify(scheme)}`);
  }
  if (scheme === 'notary.x509') {
    if (h.present(HDR_AUTHENTIC_SIGNING_TIME)) bad(`${HDR_AUTHENTIC_SIGNING_TIME}: expected absent under notary.x509, found present`);
    if (h.signingTime === undefined) bad(`${HDR_SIGNING_TIME}: expected present under notary.x509, found missing`);
  } else {
    if (h.present(HDR_SIGNING_TIME)) bad(`${HDR_SIGNING_TIME}: expected absent under notary.x509.signingAuthority, found present`);
    if (h.authenticSigningTime === undefined) bad(`${HDR_AUTHENTIC_SIGNING_TIME}: expected present under notary.x509.signingAuthority, found missing`);
    if (!h.crit.includes(HDR_AUTHENTIC_SIGNING_TIME)) bad(`crit: expected it to list ${HDR_AUTHENTIC_SIGNING_TIME}, found ${JSON.stringify(h.crit)}`);
  }
  if (h.expiry !== undefined) {
    if (!h.crit.includes(HDR_EXPIRY)) bad(`crit: expected it to list ${HDR_EXPIRY}, found ${JSON.stringify(h.crit)}`);
    const signed = h.signingTime ?? h.authenticSigningTime;
    if (signed !== undefined && h.expiry.getTime() <= signed.getTime()) bad(`expiry: expected after signing time ${signed.toISOString()}, found ${h.expiry.toISOString()}`);
  }
  const out: { -readonly [K in keyof SchemeFields]: SchemeFields[K] } = { signingScheme: scheme };
  if (h.signingTime) out.signingTime = h.signingTime;
  if (h.authenticSigningTime) out.authenticSigningTime = h.authenticSigningTime;
  if (h.expiry) out.expiry = h.expiry;
  return out;
}
