import { fail } from './codes.js';

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64STD = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64url without padding, as JWS requires; Buffer.from alone would skip bad characters. */
export function decodeBase64Url(text: string, what: string): Buffer {
  if (!B64URL.test(text) || text.length % 4 === 1) fail('notation.envelope-invalid', `${what}: expected base64url without padding, found invalid characters or length`);
  const out = Buffer.from(text, 'base64url');
  // Reject non-canonical trailing bits so one envelope has exactly one encoding.
  if (out.toString('base64url') !== text) fail('notation.envelope-invalid', `${what}: expected canonical base64url, found non-zero trailing bits`);
  return out;
}

/** Strict standard base64 (with padding), as the JWS unprotected header uses for x5c and timestamps. */
export function decodeBase64Std(text: string, what: string): Buffer {
  if (!B64STD.test(text) || text.length % 4 !== 0) fail('notation.envelope-invalid', `${what}: expected standard base64, found invalid characters or length`);
  const out = Buffer.from(text, 'base64');
  if (out.toString('base64') !== text) fail('notation.envelope-invalid', `${what}: expected canonical base64, found non-zero trailing bits`);
  return out;
}
