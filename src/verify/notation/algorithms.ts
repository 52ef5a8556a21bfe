/** Which signature algorithm a leaf key implies, and checking a signature with it. */
import { constants, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SignatureAlg } from './envelope.js';

const RSA_ALG: Readonly<Record<number, SignatureAlg>> = { 2048: 'PS256', 3072: 'PS384', 4096: 'PS512' };
const EC_ALG: Readonly<Record<string, SignatureAlg>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };
const HASH: Readonly<Record<SignatureAlg, { hash: string; len: number }>> = {
  PS256: { hash: 'sha256', len: 32 }, PS384: { hash: 'sha384', len: 48 }, PS512: { hash: 'sha512', len: 64 },
  ES256: { hash: 'sha256', len: 32 }, ES384: { hash: 'sha384', len: 48 }, ES512: { hash: 'sha512', len: 64 },
};

/** The algorithm notation requires for this key, or a description of why the key is unsupported. */
export function algorithmForKey(key: KeyObject): { alg: SignatureAlg } | { unsupported: string } {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const alg = d.modulusLength === undefined ? undefined : RSA_ALG[d.modulusLength];
    return alg ? { alg } : { unsupported: `RSA ${d.modulusLength ?? '?'} bits (expected 2048, 3072 or 4096)` };
  }
  if (key.asymmetricKeyType === 'ec') {
    const alg = d.namedCurve === undefined ? undefined : EC_ALG[d.namedCurve];
    return alg ? { alg } : { unsupported: `EC curve ${d.namedCurve ?? '?'} (expected P-256, P-384 or P-521)` };
  }
  return { unsupported: `${key.asymmetricKeyType ?? 'unknown'} key (expected RSA or EC)` };
}

/** PS* uses PSS with salt length equal to the hash length; ES* signatures are raw r||s. */
export function verifySignature(alg: SignatureAlg, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const { hash, len } = HASH[alg];
  try {
    if (alg.startsWith('PS')) {
      return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: len }, signature);
    }
    return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
