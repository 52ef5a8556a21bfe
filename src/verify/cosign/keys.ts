import { constants, createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { cosignError } from './codes.js';
import type { CosignCode } from './codes.js';

/** A trusted public key, parsed once. */
export interface PublicKeyInfo {
  readonly key: KeyObject;
  /** SHA256:<base64 of sha256(SPKI DER)>, as cosign and ssh print fingerprints */
  readonly fingerprint: string;
  /** base64 of sha256(SPKI DER): what cosign writes into a bundle's publicKey.hint */
  readonly hint: string;
  /** ecdsa-p256, ecdsa-p384, ecdsa-p521, rsa-<bits>, ed25519 */
  readonly algorithm: string;
  readonly spki: Buffer;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;
const CURVES: Record<string, string> = { prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384', secp521r1: 'ecdsa-p521' };

/**
 * Parses a PEM public key as cosign reads one: PKIX "PUBLIC KEY" or PKCS#1 "RSA PUBLIC KEY",
 * exactly one block. Private keys and certificates are refused even though node:crypto would
 * derive a public key from them: trust material must say plainly what it is.
 * Throws VerifyError('cosign.key-invalid').
 */
export function parsePublicKeyPem(pem: string): PublicKeyInfo {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length !== 1) throw cosignError('cosign.key-invalid', `expected one PEM block, found ${blocks.length}`);
  const [, label, body] = blocks[0] as RegExpMatchArray;
  const der = Buffer.from((body ?? '').replace(/\s+/g, ''), 'base64');
  let key: KeyObject;
  try {
    if (label === 'PUBLIC KEY') key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    else if (label === 'RSA PUBLIC KEY') key = createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    else throw cosignError('cosign.key-invalid', `expected a PUBLIC KEY or RSA PUBLIC KEY PEM block, found ${label ?? '?'}`);
  } catch (e) {
    if (e instanceof Error && 'code' in e && String(e.code).startsWith('cosign.')) throw e;
    throw cosignError('cosign.key-invalid', `PEM ${label ?? ''} block does not hold a valid public key`, e);
  }
  const algorithm = keyAlgorithm(key);
  const spki = key.export({ format: 'der', type: 'spki' });
  const digest = createHash('sha256').update(spki).digest('base64');
  return { key, spki, algorithm, hint: digest, fingerprint: `SHA256:${digest.replace(/=+$/, '')}` };
}

function keyAlgorithm(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const name = CURVES[details.namedCurve ?? ''];
      if (!name) throw cosignError('cosign.key-invalid', `unsupported ECDSA curve ${details.namedCurve ?? '?'}: cosign accepts P-256, P-384, P-521`);
      return name;
    }
    case 'rsa':
      return `rsa-${details.modulusLength ?? '?'}`;
    case 'ed25519':
      return 'ed25519';
    default:
      throw cosignError('cosign.key-invalid', `unsupported key type ${key.asymmetricKeyType ?? '?'}: cosign accepts ECDSA, RSA and Ed25519`);
  }
}

/** Fingerprint of an arbitrary key object (e.g. a certificate's), same format as PublicKeyInfo. */
export function fingerprintOf(key: KeyObject): string {
  const spki = key.export({ format: 'der', type: 'spki' });
  return `SHA256:${createHash('sha256').update(spki).digest('base64').replace(/=+$/, '')}`;
}

export type SignatureResult = { readonly ok: true } | { readonly ok: false; readonly code: CosignCode; readonly message: string };

const NATIVE_HASH: Record<string, string> = { 'ecdsa-p384': 'sha384', 'ecdsa-p521': 'sha512' };

/**
 * Verifies a raw signature over `data` the way Flux loads a verifier: SHA-256 always, ECDSA
 * ASN.1 DER, RSA PKCS#1 v1.5, pure Ed25519. (cosign's default verifier for an RSA key is PKCS#1
 * v1.5; PSS is only used when asked for explicitly, which neither cosign verify nor Flux does.)
 * When a P-384/P-521 signature verifies only with the curve's own hash, say so: that is the
 * cert-manager#5566 case, which Flux rejects.
 */
export function verifyWithKey(info: { key: KeyObject; algorithm: string }, data: Uint8Array, signature: Uint8Array): SignatureResult {
  if (attempt(info, 'sha256', data, signature)) return { ok: true };
  const native = NATIVE_HASH[info.algorithm];
  if (native && attempt(info, native, data, signature)) {
    return { ok: false, code: 'cosign.signature-digest-algorithm', message: `expected a ${info.algorithm} signature over sha256, found one over ${native} (Flux hard-codes sha256)` };
  }
  return { ok: false, code: 'cosign.signature-mismatch', message: `signature does not verify with this ${info.algorithm} key` };
}

function attempt(info: { key: KeyObject; algorithm: string }, hash: string, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (info.algorithm === 'ed25519') return cryptoVerify(null, data, info.key, signature);
    if (info.algorithm.startsWith('rsa')) return cryptoVerify(hash, data, { key: info.key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return cryptoVerify(hash, data, { key: info.key, dsaEncoding: 'der' }, signature);
  } catch {
    // node:crypto throws on some malformed signatures instead of returning false
    return false;
  }
}
