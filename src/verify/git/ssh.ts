import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { failed, passed } from '../evidence.js';
import type { Check } from '../evidence.js';

/**
 * SSH signatures as source-controller ≥ 1.9 checks them: authorized_keys parsing as
 * x/crypto/ssh ParseAuthorizedKey, SSHSIG as hiddeco/sshsig v0.2.0 (namespace "git").
 */

export interface SshPublicKey {
  /** the key type inside the wire blob (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa…) */
  readonly type: string;
  readonly blob: Uint8Array;
  /** SHA256:<unpadded base64>, as ssh-keygen -l */
  readonly fingerprint: string;
  readonly comment: string;
}

export class SshReadError extends Error {}

/** Reads SSH wire types: string, uint32, mpint. */
class Wire {
  private at = 0;
  constructor(private readonly b: Uint8Array) {}
  get done(): boolean {
    return this.at === this.b.length;
  }
  rest(): Uint8Array {
    const r = this.b.subarray(this.at);
    this.at = this.b.length;
    return r;
  }
  u32(): number {
    if (this.at + 4 > this.b.length) throw new SshReadError('ssh: short read');
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 4).getUint32(0);
    this.at += 4;
    return v;
  }
  bytes(n: number): Uint8Array {
    if (this.at + n > this.b.length) throw new SshReadError('ssh: short read');
    const r = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return r;
  }
  string(): Uint8Array {
    return this.bytes(this.u32());
  }
  text(): string {
    return Buffer.from(this.string()).toString('latin1');
  }
}

function fingerprintOf(blob: Uint8Array): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

const KEY_TYPES = new Set([
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-ed25519',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ssh-ed25519@openssh.com',
]);

/** x/crypto ParsePublicKey, enough to reject what it rejects: unknown types, short or trailing data. */
function parseKeyBlob(blob: Uint8Array): string {
  const w = new Wire(blob);
  const type = w.text();
  if (type.endsWith('-cert-v01@openssh.com')) {
    // certificates parse in x/crypto; their signature check is not implemented here
    if (!KEY_TYPES.has(type.replace('-cert-v01@openssh.com', ''))) throw new SshReadError(`ssh: unknown key algorithm: ${type}`);
    return type;
  }
  if (!KEY_TYPES.has(type)) throw new SshReadError(`ssh: unknown key algorithm: ${type}`);
  const fields = { 'ssh-rsa': 2, 'ssh-dss': 4, 'ssh-ed25519': 1, 'sk-ssh-ed25519@openssh.com': 2 }[type] ?? (type.startsWith('sk-') ? 3 : 2);
  for (let i = 0; i < fields; i++) w.string();
  if (!w.done) throw new SshReadError('ssh: trailing junk in public key');
  return type;
}

const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** x/crypto parseAuthorizedKey: the base64 field (after the key type), then the comment. */
function parseKeyField(s: string): { blob: Uint8Array; type: string; comment: string } {
  const t = s.trim();
  const sp = t.search(/[ \t]/);
  const field = sp < 0 ? t : t.slice(0, sp);
  if (!STD_B64.test(field)) throw new SshReadError('illegal base64 data');
  const blob = new Uint8Array(Buffer.from(field, 'base64'));
  const type = parseKeyBlob(blob);
  return { blob, type, comment: sp < 0 ? '' : t.slice(sp).trim() };
}

/**
 * x/crypto ssh.ParseAuthorizedKey on one line: the key type field is skipped unread (so an
 * allowed_signers line `principal keytype base64` also parses, its principal taken as options).
 */
function parseAuthorizedLine(line: string): SshPublicKey {
  let lastErr: Error | undefined;
  const sp = line.search(/[ \t]/);
  if (sp >= 0) {
    try {
      const k = parseKeyField(line.slice(sp));
      return { type: k.type, blob: k.blob, fingerprint: fingerprintOf(k.blob), comment: k.comment };
    } catch (e) {
      lastErr = e as Error;
    }
    let i = 0;
    let inQuote = false;
    for (; i < line.length; i++) {
      const c = line[i];
      if (!inQuote && (c === ' ' || c === '\t')) break;
      if (c === '"' && (i === 0 || line[i - 1] !== '\\')) inQuote = !inQuote;
    }
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i < line.length) {
      const rest = line.slice(i);
      const sp2 = rest.search(/[ \t]/);
      if (sp2 >= 0) {
        try {
          const k = parseKeyField(rest.slice(sp2));
          return { type: k.type, blob: k.blob, fingerprint: fingerprintOf(k.blob), comment: k.comment };
        } catch (e) {
          lastErr = e as Error;
        }
      }
    }
  }
  throw new SshReadError(lastErr ? `ssh: no key found; last parsing error for ignored line: ${lastErr.message}` : 'ssh: no key found');
}

/** pkg/git signature.ParseAuthorizedKeys: one key a line, blank and # lines skipped, any bad line fails the whole value. */
export function parseAuthorizedKeys(text: string): SshPublicKey[] {
  const keys: SshPublicKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      keys.push(parseAuthorizedLine(line.split('\r')[0] ?? ''));
    } catch (e) {
      throw new SshReadError(`unable to parse authorized key: ${(e as Error).message}`);
    }
  }
  return keys;
}

export interface SshSignature {
  readonly version: number;
  readonly publicKey: Uint8Array;
  readonly keyType: string;
  readonly fingerprint: string;
  readonly namespace: string;
  readonly hashAlgorithm: string;
  readonly format: string;
  readonly blob: Uint8Array;
  readonly rest: Uint8Array;
}

/** sshsig.Unarmor + ParseSignature: PEM, magic, version 1, sha256|sha512, RSA only with rsa-sha2-*. */
export function parseSshSignature(armored: string): SshSignature {
  const m = /-----BEGIN ([^-\n]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/.exec(armored);
  if (!m) throw new SshReadError('invalid PEM block');
  if (m[1] !== 'SSH SIGNATURE') throw new SshReadError(`invalid PEM type "${m[1] ?? ''}": expected "SSH SIGNATURE"`);
  const b64 = (m[2] ?? '').replace(/\s+/g, '');
  if (!STD_B64.test(b64)) throw new SshReadError('invalid PEM block');
  const w = new Wire(new Uint8Array(Buffer.from(b64, 'base64')));
  const magic = Buffer.from(w.bytes(6)).toString('latin1');
  const version = w.u32();
  const publicKey = w.string();
  const namespace = w.text();
  w.string(); // reserved
  const hashAlgorithm = w.text();
  const sigField = w.string();
  if (!w.done) throw new SshReadError('ssh: parse error in message type 0');
  if (version !== 1) throw new SshReadError(`unsupported signature version ${String(version)}: expected 1`);
  if (magic !== 'SSHSIG') throw new SshReadError(`invalid magic preamble "${magic}": expected "SSHSIG"`);
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') throw new SshReadError(`unsupported hash algorithm "${hashAlgorithm}": must be "sha256" or "sha512"`);
  const sw = new Wire(sigField);
  const format = sw.text();
  const blob = sw.string();
  const rest = sw.rest();
  const keyType = parseKeyBlob(publicKey);
  if (keyType === 'ssh-rsa' && format !== 'rsa-sha2-256' && format !== 'rsa-sha2-512') {
    throw new SshReadError(`invalid signature format "${format}": expected "rsa-sha2-256" or "rsa-sha2-512"`);
  }
  return { version, publicKey, keyType, fingerprint: fingerprintOf(publicKey), namespace, hashAlgorithm, format, blob, rest };
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

/** An mpint as unsigned big-endian bytes, left-padded to `size` when given. */
function unsigned(b: Uint8Array, size?: number): Uint8Array {
  let s = b;
  while (s.length > 1 && s[0] === 0) s = s.subarray(1);
  if (size === undefined || s.length >= size) return s;
  const out = new Uint8Array(size);
  out.set(s, size - s.length);
  return out;
}

const CURVES: Record<string, { crv: string; size: number; hash: string }> = {
  'ecdsa-sha2-nistp256': { crv: 'P-256', size: 32, hash: 'sha256' },
  'ecdsa-sha2-nistp384': { crv: 'P-384', size: 48, hash: 'sha384' },
  'ecdsa-sha2-nistp521': { crv: 'P-521', size: 66, hash: 'sha512' },
};

class Unsupported extends Error {}

function keyObject(blob: Uint8Array): { key: KeyObject; type: string } {
  const w = new Wire(blob);
  const type = w.text();
  if (type === 'ssh-ed25519') return { type, key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(w.string()) }, format: 'jwk' }) };
  if (type === 'ssh-rsa') {
    const e = unsigned(w.string());
    const n = unsigned(w.string());
    return { type, key: createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' }) };
  }
  const curve = CURVES[type];
  if (curve) {
    w.string(); // curve name
    const q = w.string();
    if (q[0] !== 4 || q.length !== 1 + 2 * curve.size) throw new SshReadError('ssh: invalid ecdsa point');
    return { type, key: createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64url(q.subarray(1, 1 + curve.size)), y: b64url(q.subarray(1 + curve.size)) }, format: 'jwk' }) };
  }
  throw new Unsupported(`key type ${type} is not implemented by this verifier`);
}

/** The SSHSIG signed blob: "SSHSIG" ‖ string(namespace) ‖ string("") ‖ string(hash alg) ‖ string(H(message)). */
function signedData(namespace: string, hashAlgorithm: string, payload: Uint8Array): Uint8Array {
  const h = createHash(hashAlgorithm).update(payload).digest();
  const str = (b: Uint8Array): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  return Buffer.concat([Buffer.from('SSHSIG'), str(Buffer.from(namespace)), str(new Uint8Array(0)), str(Buffer.from(hashAlgorithm)), str(h)]);
}

/** x/crypto PublicKey.Verify for the types implemented; the error texts are x/crypto's. */
function verifyRaw(blob: Uint8Array, sig: SshSignature, data: Uint8Array): void {
  const { key, type } = keyObject(blob);
  if (type === 'ssh-ed25519') {
    if (sig.format !== type) throw new SshReadError(`ssh: signature type ${sig.format} for key type ${type}`);
    if (!cryptoVerify(null, data, key, sig.blob)) throw new SshReadError('ssh: signature did not verify');
    return;
  }
  if (type === 'ssh-rsa') {
    const hash = sig.format === 'rsa-sha2-256' ? 'sha256' : sig.format === 'rsa-sha2-512' ? 'sha512' : undefined;
    if (!hash) throw new SshReadError(`ssh: signature type ${sig.format} for key type ${type}`);
    if (!cryptoVerify(hash, data, key, sig.blob)) throw new SshReadError('crypto/rsa: verification error');
    return;
  }
  const curve = CURVES[type];
  if (!curve) throw new Unsupported(`key type ${type} is not implemented by this verifier`);
  if (sig.format !== type) throw new SshReadError(`ssh: signature type ${sig.format} for key type ${type}`);
  const w = new Wire(sig.blob);
  const r = unsigned(w.string(), curve.size);
  const s = unsigned(w.string(), curve.size);
  const rs = Buffer.concat([r, s]);
  if (rs.length !== 2 * curve.size || !cryptoVerify(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' }, rs)) throw new SshReadError('ssh: signature did not verify');
}

export interface SshJudgement {
  readonly checks: readonly Check[];
  readonly fluxOk: boolean;
  /** sshsig's error for Flux's joined message (the same sentinel text for every key that does not match) */
  readonly fluxError?: string;
}

/** sshsig.Verify: key fingerprint first, then namespace "git", then the signature itself. */
export function judgeSsh(key: SshPublicKey, sig: SshSignature, payload: Uint8Array): SshJudgement {
  if (key.fingerprint !== sig.fingerprint) {
    return { checks: [failed('key', 'git.no-matching-key', `signed by ${sig.fingerprint}, not this key`)], fluxOk: false, fluxError: 'public key does not match' };
  }
  const checks: Check[] = [passed('key', `signed by this key (${sig.keyType})`)];
  if (sig.namespace !== 'git') {
    checks.push(failed('namespace', 'git.ssh-namespace', `signature namespace is "${sig.namespace}", Git signatures use "git"`));
    return { checks, fluxOk: false, fluxError: 'namespace does not match' };
  }
  checks.push(passed('namespace', 'namespace git'));
  try {
    verifyRaw(key.blob, sig, signedData('git', sig.hashAlgorithm, payload));
    checks.push(passed('signature', `${sig.format} over ${sig.hashAlgorithm}`));
    return { checks, fluxOk: true };
  } catch (e) {
    if (e instanceof Unsupported) {
      checks.push(failed('signature', 'git.algorithm-unsupported', e.message));
      // x/crypto would check it; we cannot tell what Flux concludes, so we do not claim success
      return { checks, fluxOk: false, fluxError: e.message };
    }
    const msg = e instanceof Error ? e.message : String(e);
    checks.push(failed('signature', 'git.signature-mismatch', `the signature does not verify: ${msg}`));
    return { checks, fluxOk: false, fluxError: msg };
  }
}
