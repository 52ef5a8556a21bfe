import type * as OpenPgp from 'openpgp';
import type { Config, Key, KeyID, PublicKeyPacket, SignaturePacket, Subkey } from 'openpgp';
import { failed, passed } from '../evidence.js';
import type { Check } from '../evidence.js';

let loaded: typeof OpenPgp | undefined;

/** openpgp.js takes ~200 ms to load: only when a Git OpenPGP key or signature is read. */
async function load(): Promise<void> {
  loaded ??= await import('openpgp');
}

function lib(): typeof OpenPgp {
  if (!loaded) throw new Error('openpgp.js used before load()');
  return loaded;
}

/**
 * OpenPGP the way source-controller checks it: go-crypto's ReadArmoredKeyRing and
 * CheckArmoredDetachedSignature (ProtonMail/go-crypto v1.4.1). openpgp.js parses packets and checks
 * the cryptography; the choice of keys, self-signatures, revocation and expiry follow go-crypto
 * and are decided here, because openpgp.js's own key checks differ (signing time, key size,
 * algorithm policy).
 */

/**
 * openpgp.js's defaults are stricter than go-crypto (SHA-1, DSA, small RSA, some curves, notations).
 * A config per call, never the global one: go-crypto reads SHA-1 and rejects MD5/RIPEMD-160
 * (algorithm.HashIdToHashWithSha1), and knows no notation without a config.
 */
function goCryptoConfig(): Config {
  const weak = new Set([lib().enums.hash.md5, lib().enums.hash.ripemd]);
  return {
    ...lib().config,
    minRSABits: 0,
    rejectHashAlgorithms: weak,
    rejectMessageHashAlgorithms: weak,
    rejectPublicKeyAlgorithms: new Set(),
    rejectCurves: new Set(),
    knownNotations: [],
    ignoreUnsupportedPackets: true,
    ignoreMalformedPackets: false,
  };
}

/** No date: openpgp.js then skips its own time checks, which go-crypto makes differently. */
const NO_DATE = null as unknown as Date;

export interface ArmorBlock {
  readonly type: string;
  readonly body: Uint8Array;
}

/** go-crypto's error text for a failed read, for Flux's "unable to read armored key ring: …". */
export class PgpReadError extends Error {}

/**
 * The first armored block of `text` (go-crypto armor.Decode): leading garbage skipped, a header
 * block without ':' sends it to the next BEGIN line, the body ends at the first `-----END` line.
 */
export function firstArmorBlock(text: string): ArmorBlock | undefined {
  const lines = text.split(/\r?\n/);
  let i = 0;
  for (;;) {
    while (i < lines.length) {
      const l = (lines[i] ?? '').trim();
      if (l.length > '-----BEGIN '.length + '-----'.length && l.startsWith('-----BEGIN ') && l.endsWith('-----')) break;
      i++;
    }
    if (i >= lines.length) return undefined;
    const begin = (lines[i] ?? '').trim();
    const type = begin.slice('-----BEGIN '.length, -'-----'.length);
    i++;
    let headersOk = true;
    while (i < lines.length) {
      const l = (lines[i] ?? '').trim();
      i++;
      if (l === '') break;
      if (!l.includes(':')) {
        headersOk = false;
        i--;
        break;
      }
    }
    if (!headersOk) continue;
    const b64: string[] = [];
    let ended = false;
    for (; i < lines.length; i++) {
      const l = (lines[i] ?? '').trim();
      if (l.startsWith('-----END')) {
        ended = true;
        break;
      }
      if (l.startsWith('=') && l.length === 5) continue; // CRC-24, optional
      b64.push(l);
    }
    if (!ended) throw new PgpReadError('openpgp: invalid data: armor invalid');
    const joined = b64.join('');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(joined)) throw new PgpReadError('openpgp: invalid data: armor invalid');
    return { type, body: new Uint8Array(Buffer.from(joined, 'base64')) };
  }
}

/** One key usable for signatures, as go-crypto's Key value: the entity, the (sub)key, its self-signature. */
interface SigningKey {
  readonly entity: PgpEntity;
  readonly packet: PublicKeyPacket;
  /** primary: the primary identity's self-signature; subkey: the newest binding signature */
  readonly selfSignature: SignaturePacket | undefined;
  readonly revocations: readonly SignaturePacket[];
  readonly isSubkey: boolean;
}

/** One entity of a keyring whose self-signatures verified (go-crypto drops the others). */
export interface PgpEntity {
  readonly primary: PublicKeyPacket;
  /** primary key ID, 16 upper-case hex */
  readonly keyId: string;
  /** primary key fingerprint, upper-case hex */
  readonly fingerprint: string;
  readonly userIds: readonly string[];
  readonly algorithm: string;
  readonly primarySelfSignature: SignaturePacket | undefined;
  readonly primaryIdentityRevocations: readonly SignaturePacket[];
  readonly revocations: readonly SignaturePacket[];
  readonly keys: readonly SigningKey[];
}

export interface PgpKeyring {
  readonly entities: readonly PgpEntity[];
  /** entities go-crypto would skip, with why (an invalid self-signature…), for the evidence */
  readonly skipped: readonly string[];
}

function hexId(id: KeyID): string {
  return id.toHex().toUpperCase();
}

function algorithmName(p: PublicKeyPacket): string {
  const info = p.getAlgorithmInfo() as { algorithm: string; bits?: number; curve?: string };
  return [info.algorithm, info.curve ?? (info.bits !== undefined ? String(info.bits) : undefined)].filter(Boolean).join(' ');
}

async function verifies(sig: SignaturePacket, key: PublicKeyPacket, type: number, data: object, cfg: Config): Promise<boolean> {
  try {
    await sig.verify(key, type, data, NO_DATE, undefined, cfg);
    return true;
  } catch {
    return false;
  }
}

function canSign(p: PublicKeyPacket): boolean {
  const a = lib().enums.publicKey;
  return ![a.elgamal, a.ecdh, a.x25519, a.x448, a.rsaEncrypt].includes(p.algorithm);
}

/** go-crypto shouldPreferIdentity: fewer revocations, then the primary-UID flag, then the newest self-signature. */
function preferIdentity(cur: Ident | undefined, cand: Ident): boolean {
  if (!cur) return true;
  if (cur.revocations.length !== cand.revocations.length) return cur.revocations.length > cand.revocations.length;
  if (!cur.self) return true;
  const curPrimary = cur.self.isPrimaryUserID === true;
  const candPrimary = cand.self?.isPrimaryUserID === true;
  if (curPrimary && !candPrimary) return false;
  if (!curPrimary && candPrimary) return true;
  return (cand.self?.created?.getTime() ?? 0) > (cur.self.created?.getTime() ?? 0);
}

interface Ident {
  readonly id: string;
  readonly self: SignaturePacket | undefined;
  readonly revocations: SignaturePacket[];
}

function newest(sigs: readonly SignaturePacket[]): SignaturePacket | undefined {
  let best: SignaturePacket | undefined;
  for (const s of sigs) if (!best || (s.created?.getTime() ?? 0) > (best.created?.getTime() ?? 0)) best = s;
  return best;
}

/** One entity as go-crypto ReadEntity accepts it, or the reason it is skipped. */
async function entityOf(key: Key, cfg: Config): Promise<PgpEntity | string> {
  const primary = key.keyPacket as PublicKeyPacket;
  const keyId = hexId(primary.getKeyID());
  if (!canSign(primary)) return `key ${keyId}: primary key cannot be used for signatures`;
  const t = lib().enums.signature;
  const idents: Ident[] = [];
  for (const user of key.users) {
    if (!user.userID) continue; // user attributes are ignored by go-crypto
    const data = { userID: user.userID, key: primary };
    const selfCerts = user.selfCertifications;
    const revs = user.revocationSignatures.filter((s) => s.issuerKeyID.equals(primary.getKeyID()));
    for (const s of [...selfCerts, ...revs]) {
      if (!(await verifies(s, primary, s.signatureType ?? t.certGeneric, data, cfg))) return `key ${keyId}: user ID self-signature invalid`;
    }
    if (selfCerts.length === 0 && revs.length === 0) continue;
    idents.push({ id: user.userID.userID, self: newest(selfCerts), revocations: revs });
  }
  if (idents.length === 0 && primary.version < 6) return `key ${keyId}: v${String(primary.version)} entity without any identities`;
  for (const r of key.revocationSignatures) {
    if (!(await verifies(r, primary, t.keyRevocation, { key: primary }, cfg))) return `key ${keyId}: revocation signature signed by alternate key`;
  }
  let primaryIdent: Ident | undefined;
  for (const i of idents) if (preferIdentity(primaryIdent, i)) primaryIdent = i;
  let primarySelf = primaryIdent?.self;
  if (primary.version === 6) {
    const direct = (key as unknown as { directSignatures: SignaturePacket[] }).directSignatures.filter((s) => s.signatureType === t.key);
    primarySelf = newest(direct);
    if (!primarySelf || !(await verifies(primarySelf, primary, t.key, { key: primary }, cfg))) return `key ${keyId}: no valid direct-key self-signature for v6 primary key`;
  }
  const entity = {
    primary,
    keyId,
    fingerprint: primary.getFingerprint().toUpperCase(),
    userIds: idents.map((i) => i.id),
    algorithm: algorithmName(primary),
    primarySelfSignature: primarySelf,
    primaryIdentityRevocations: primaryIdent?.revocations ?? [],
    revocations: key.revocationSignatures,
    keys: [] as SigningKey[],
  };
  entity.keys.push({ entity, packet: primary, selfSignature: primarySelf, revocations: key.revocationSignatures, isSubkey: false });
  for (const sub of key.subkeys) {
    const r = await subkeyOf(entity, sub, cfg);
    if (typeof r === 'string') return `key ${keyId}: ${r}`;
    entity.keys.push(r);
  }
  return entity;
}

/** go-crypto addSubkey + VerifyKeySignature: every binding and revocation must verify; a signing subkey needs its back-signature. */
async function subkeyOf(entity: PgpEntity, sub: Subkey, cfg: Config): Promise<SigningKey | string> {
  const t = lib().enums.signature;
  const packet = sub.keyPacket as unknown as PublicKeyPacket;
  const data = { key: entity.primary, bind: packet };
  for (const b of sub.bindingSignatures) {
    if (!(await verifies(b, entity.primary, t.subkeyBinding, data, cfg))) return 'subkey signature invalid';
    if (flags(b) & lib().enums.keyFlags.signData) {
      const back = b.embeddedSignature;
      if (!back) return 'subkey signature invalid: signing subkey is missing cross-signature';
      if (!(await verifies(back, packet, t.keyBinding, data, cfg))) return 'subkey signature invalid: cross-signature invalid';
    }
  }
  for (const r of sub.revocationSignatures) {
    if (!(await verifies(r, entity.primary, t.subkeyRevocation, data, cfg))) return 'subkey signature invalid';
  }
  const self = newest(sub.bindingSignatures);
  if (!self) return 'subkey packet not followed by signature';
  return { entity, packet, selfSignature: self, revocations: sub.revocationSignatures, isSubkey: true };
}

function flags(sig: SignaturePacket | undefined): number {
  return sig?.keyFlags?.[0] ?? 0;
}

/**
 * go-crypto ReadArmoredKeyRing on one Secret value: the first armored block only, which must be a
 * key block; entities that fail go-crypto's structural checks are skipped, the read fails only
 * when none is left.
 */
export async function readPgpKeyring(text: string): Promise<PgpKeyring> {
  await load();
  const block = firstArmorBlock(text);
  if (!block) throw new PgpReadError('openpgp: invalid argument: no armored data found');
  if (block.type !== 'PGP PUBLIC KEY BLOCK' && block.type !== 'PGP PRIVATE KEY BLOCK') {
    throw new PgpReadError(`openpgp: invalid argument: expected public or private key block, got: ${block.type}`);
  }
  const cfg = goCryptoConfig();
  let keys: Key[];
  try {
    keys = await lib().readKeys({ binaryKeys: block.body, config: cfg });
  } catch (e) {
    throw new PgpReadError(`openpgp: invalid data: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : 'unreadable'}`);
  }
  const entities: PgpEntity[] = [];
  const skipped: string[] = [];
  for (const k of keys) {
    const e = await entityOf(k, cfg);
    if (typeof e === 'string') skipped.push(e);
    else entities.push(e);
  }
  if (entities.length === 0) throw new PgpReadError(`openpgp: invalid data: ${skipped[0] ?? 'no key found'}`);
  return { entities, skipped };
}

export interface PgpSignature {
  readonly packets: readonly SignaturePacket[];
}

/** go-crypto readArmored(signature, "PGP SIGNATURE") then the signature packets. */
export async function readPgpSignature(armored: string): Promise<PgpSignature> {
  await load();
  const block = firstArmorBlock(armored);
  if (!block) throw new PgpReadError('openpgp: invalid argument: no armored data found');
  if (block.type !== 'PGP SIGNATURE') throw new PgpReadError(`openpgp: invalid argument: expected 'PGP SIGNATURE', got: ${block.type}`);
  try {
    const sig = await lib().readSignature({ binarySignature: block.body, config: goCryptoConfig() });
    return { packets: sig.packets as unknown as SignaturePacket[] };
  } catch (e) {
    throw new PgpReadError(`openpgp: invalid data: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : 'unreadable'}`);
  }
}

/** The signer, named the way gpg (fingerprint of the signing key) and Flux (primary key ID) do. */
export interface PgpSigner {
  readonly keyId: string;
  readonly fingerprint: string;
  readonly signingKeyFingerprint: string;
  readonly userIds: readonly string[];
  readonly algorithm: string;
}

export interface PgpJudgement {
  readonly checks: readonly Check[];
  /** go-crypto returned no error: Flux accepts the object with this keyring */
  readonly fluxOk: boolean;
  /** a key of this keyring carries the signature's issuer ID (then named, verified or not) */
  readonly signer?: PgpSigner;
}

function unix(d: Date | null | undefined): number {
  return Math.floor((d?.getTime() ?? 0) / 1000);
}

/** go-crypto PublicKey.KeyExpired: created in the future, or past creation + lifetime. */
function keyExpiry(p: PublicKeyPacket, self: SignaturePacket | undefined, now: Date): { expired: boolean; at?: Date } {
  const created = unix(p.created);
  if (created > unix(now)) return { expired: true, at: p.created };
  const life = self?.keyExpirationTime ?? 0;
  if (!life) return { expired: false };
  const at = new Date((created + life) * 1000);
  return { expired: unix(now) > created + life, at };
}

/** go-crypto Signature.SigExpired. */
function sigExpired(s: SignaturePacket, now: Date): boolean {
  const created = unix(s.created);
  if (created > unix(now)) return true;
  const life = s.signatureExpirationTime ?? 0;
  return life ? unix(now) > created + life : false;
}

/** go-crypto revoked(): a key-compromise revocation always counts, others from their creation on. */
function revoked(revs: readonly SignaturePacket[], now: Date): boolean {
  return revs.some((r) => r.reasonForRevocationFlag === lib().enums.reasonForRevocation.keyCompromised || !sigExpired(r, now));
}

function iso(d: Date | undefined): string {
  return d ? d.toISOString() : '?';
}

function signerOf(k: SigningKey): PgpSigner {
  return {
    keyId: k.entity.keyId,
    fingerprint: k.entity.fingerprint,
    signingKeyFingerprint: k.packet.getFingerprint().toUpperCase(),
    userIds: k.entity.userIds,
    algorithm: algorithmName(k.packet),
  };
}

/**
 * go-crypto verifyDetachedSignature against one keyring: the first signature packet whose issuer
 * has a signing-capable key here is the one checked; then checkMessageSignatureDetails at `now`.
 * Each of go-crypto's reasons becomes a check of its own, where Flux only sees "no matching key".
 */
export async function judgePgp(keyring: PgpKeyring, sig: PgpSignature, payload: Uint8Array, now: Date): Promise<PgpJudgement> {
  await load();
  const cfg = goCryptoConfig();
  const all = keyring.entities.flatMap((e) => e.keys);
  let chosen: SignaturePacket | undefined;
  let candidates: SigningKey[] = [];
  const issuers: string[] = [];
  let notSigning: SigningKey | undefined;
  for (const p of sig.packets) {
    const issuer = p.issuerKeyID;
    issuers.push(hexId(issuer));
    const byId = all.filter((k) => k.packet.getKeyID().equals(issuer));
    candidates = byId.filter((k) => k.selfSignature?.keyFlags != null && (flags(k.selfSignature) & lib().enums.keyFlags.signData) !== 0);
    notSigning ??= byId.find((k) => !candidates.includes(k));
    if (candidates.length > 0) {
      chosen = p;
      break;
    }
  }
  const held = keyring.entities.map((e) => e.keyId).join(', ');
  if (!chosen) {
    const why = notSigning
      ? `key ${notSigning.packet.getKeyID().toHex().toUpperCase()} has the issuer's ID but is not marked for signing`
      : `signature issuer ${issuers.join(', ') || '(none)'} is not among this entry's keys (${held})`;
    return { checks: [failed('issuer', 'git.no-matching-key', why)], fluxOk: false };
  }
  const checks: Check[] = [];
  const literal = new (lib().LiteralDataPacket)();
  // setBytes is public at run time; the typings mark it private
  (literal as unknown as { setBytes(b: Uint8Array, f: number): void }).setBytes(payload, lib().enums.literal.binary);
  let good: SigningKey | undefined;
  let lastError = '';
  for (const k of candidates) {
    try {
      await chosen.verify(k.packet, chosen.signatureType ?? lib().enums.signature.binary, literal, NO_DATE, true, cfg);
      good = k;
      break;
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
  }
  const named = candidates[0];
  if (!good || !named) {
    const code = /insecure|unknown critical|not supported|unsupported/i.test(lastError) ? 'git.algorithm-unsupported' : 'git.signature-mismatch';
    checks.push(failed('signature', code, `the signature does not verify with key ${named?.entity.keyId ?? '?'}: ${lastError}`));
    return { checks, fluxOk: false, ...(named ? { signer: signerOf(named) } : {}) };
  }
  const who = good.isSubkey ? `subkey ${good.packet.getKeyID().toHex().toUpperCase()} of ${good.entity.keyId}` : `key ${good.entity.keyId}`;
  checks.push(passed('signature', `signed by ${who}`));

  const e = good.entity;
  const primaryRevoked = revoked(e.revocations, now);
  const subRevoked = good.isSubkey && revoked(good.revocations, now);
  const uidRevoked = revoked(e.primaryIdentityRevocations, now);
  checks.push(
    primaryRevoked || subRevoked || uidRevoked
      ? failed('revocation', 'git.key-revoked', primaryRevoked ? `key ${e.keyId} is revoked` : subRevoked ? `the signing subkey of ${e.keyId} is revoked` : `the primary user ID of ${e.keyId} is revoked`)
      : passed('revocation', 'no revocation in the keyring'),
  );
  const pExp = keyExpiry(e.primary, e.primarySelfSignature, now);
  const sExp = good.isSubkey ? keyExpiry(good.packet, good.selfSignature, now) : { expired: false };
  checks.push(
    pExp.expired
      ? failed('expiry', 'git.key-expired', `key ${e.keyId} expired ${iso(pExp.at)}`)
      : sExp.expired
        ? failed('expiry', 'git.key-expired', `the signing subkey of ${e.keyId} expired ${iso(sExp.at)}`)
        : passed('expiry', pExp.at ? `key valid until ${iso(pExp.at)}` : 'key does not expire'),
  );
  const related = [chosen, e.primarySelfSignature, ...(good.isSubkey ? [good.selfSignature, good.selfSignature?.embeddedSignature ?? undefined] : [])];
  const expiredSig = related.find((s) => s && sigExpired(s, now));
  checks.push(
    expiredSig
      ? failed('signature-expiry', 'git.signature-expired', expiredSig === chosen ? 'the signature has expired (or is dated in the future)' : `a self-signature of key ${e.keyId} has expired`)
      : passed('signature-expiry', 'signature and self-signatures current'),
  );
  const critical = related.flatMap((s) => s?.rawNotations.filter((n) => n.critical) ?? []);
  if (critical.length > 0) checks.push(failed('notation', 'git.signature-unsupported', `unknown critical notation ${critical[0]?.name ?? ''}`));
  return { checks, fluxOk: checks.every((c) => c.ok), signer: signerOf(good) };
}
