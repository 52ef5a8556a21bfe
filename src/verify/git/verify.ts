import { failed } from '../evidence.js';
import type { Attempt, Check, FoundAt, Mechanism, SignatureEvidence, Signer, TrustRef } from '../evidence.js';
import type { GitCode } from './codes.js';
import { PGP_SUFFIX, SSH_SUFFIX } from './keys.js';
import type { GitKeyEntry, GitKeyring } from './keys.js';
import { signedParts } from './object.js';
import type { GitSignatureType, RawGitObject } from './object.js';
import { judgePgp, readPgpSignature } from './pgp.js';
import type { PgpJudgement, PgpSignature } from './pgp.js';
import { LATEST_GIT_RULES } from './rules.js';
import type { GitFluxRules } from './rules.js';
import { judgeSsh, parseSshSignature } from './ssh.js';
import type { SshJudgement, SshSignature } from './ssh.js';

export interface GitVerifyOptions {
  readonly now: Date;
  /** "namespace/name" of the verify Secret */
  readonly secretLabel: string;
  readonly rules: GitFluxRules;
  /** the tag's name, for a tag object */
  readonly tagName?: string;
}

export interface GitObjectResult {
  readonly evidence: SignatureEvidence;
  /** our verdict: some Secret entry verifies the signature and passes every check (fail closed) */
  readonly verified: boolean;
  /** what source-controller concludes for this object under `rules` */
  readonly fluxOk: boolean;
  /** the key Flux names on success: OpenPGP primary key ID (16 upper-case hex) or SSH `SHA256:…` */
  readonly fluxKeyId?: string;
  /** Flux's error text after "failed: " */
  readonly fluxError?: string;
  /** Flux < 1.9 only: the outcome depends on Go's random map order (an unreadable entry beside a good one) */
  readonly fluxOrderDependent?: boolean;
}

function trustOf(secretLabel: string, name: string, fingerprint?: string): TrustRef {
  return { kind: 'key', label: `${secretLabel} · ${name}`, ...(fingerprint ? { fingerprint } : {}), source: 'object' };
}

function attemptOf(trust: TrustRef, checks: readonly Check[]): Attempt {
  return { trust, checks, ok: checks.length > 0 && checks.every((c) => c.ok) };
}

function unreadableCheck(e: Extract<GitKeyEntry, { kind: 'unreadable' }>): Check {
  const what = e.as === 'ssh' ? 'SSH authorized_keys' : 'an armored OpenPGP keyring';
  return failed('key', 'git.key-unreadable', `cannot be read as ${what}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
}

/** One attempt for the whole Secret, when the signature itself decides (unsigned, unsupported, malformed). */
function secretWide(o: GitVerifyOptions, code: GitCode, message: string): Attempt {
  return attemptOf({ kind: 'key', label: o.secretLabel, source: 'object' }, [failed('signature', code, message)]);
}

interface Judged {
  readonly attempt: Attempt;
  readonly entry: GitKeyEntry;
  readonly pgp?: PgpJudgement;
  readonly ssh?: readonly { readonly fingerprint: string; readonly j: SshJudgement }[];
}

function pgpAttempts(entries: readonly GitKeyEntry[], o: GitVerifyOptions, judge: (e: Extract<GitKeyEntry, { kind: 'openpgp' }>) => Promise<PgpJudgement>): Promise<Judged[]> {
  const anyPgp = entries.some((e) => e.kind === 'openpgp' || (e.kind === 'unreadable' && e.as === 'openpgp'));
  return Promise.all(
    entries.map(async (entry): Promise<Judged> => {
      if (entry.kind === 'unreadable') return { entry, attempt: attemptOf(trustOf(o.secretLabel, entry.name), [unreadableCheck(entry)]) };
      if (entry.kind === 'ssh') {
        const code = anyPgp ? 'git.no-matching-key' : 'git.no-keys';
        return { entry, attempt: attemptOf(trustOf(o.secretLabel, entry.name), [failed('key', code, `an SSH key entry (${SSH_SUFFIX}); the signature is OpenPGP`)]) };
      }
      const pgp = await judge(entry);
      const fp = pgp.signer?.fingerprint ?? (entry.keyring.entities.length === 1 ? entry.keyring.entities[0]?.fingerprint : undefined);
      const skipped = entry.keyring.skipped.map((s) => failed('key', 'git.key-unreadable', `skipped, as Flux does: ${s}`));
      // a skipped entity only matters when nothing else in the entry signed
      const checks = pgp.signer ? pgp.checks : [...pgp.checks, ...skipped];
      return { entry, pgp, attempt: attemptOf(trustOf(o.secretLabel, entry.name, fp), checks) };
    }),
  );
}

function sshAttempts(entries: readonly GitKeyEntry[], sig: SshSignature, payload: Uint8Array, o: GitVerifyOptions): Judged[] {
  const anySsh = entries.some((e) => e.kind === 'ssh' || (e.kind === 'unreadable' && e.as === 'ssh'));
  return entries.map((entry): Judged => {
    if (entry.kind === 'unreadable') return { entry, attempt: attemptOf(trustOf(o.secretLabel, entry.name), [unreadableCheck(entry)]) };
    if (entry.kind === 'openpgp') {
      const code = anySsh ? 'git.no-matching-key' : 'git.no-keys';
      const why = o.rules.sshKeys ? `an OpenPGP keyring (names not ending ${SSH_SUFFIX}); the signature is SSH` : 'an OpenPGP keyring; this Flux version reads no SSH keys';
      return { entry, attempt: attemptOf(trustOf(o.secretLabel, entry.name, entry.keyring.entities[0]?.fingerprint), [failed('key', code, why)]) };
    }
    const ssh = entry.keys.map((k) => ({ fingerprint: k.fingerprint, j: judgeSsh(k, sig, payload) }));
    const match = ssh.find((s) => s.j.fluxError !== 'public key does not match');
    if (match) return { entry, ssh, attempt: attemptOf(trustOf(o.secretLabel, entry.name, match.fingerprint), match.j.checks) };
    const held = entry.keys.map((k) => k.fingerprint).join(', ') || 'no keys';
    const check = failed('key', entry.keys.length === 0 ? 'git.no-keys' : 'git.no-matching-key', `signed by ${sig.fingerprint}; this entry holds ${held}`);
    return { entry, ssh, attempt: attemptOf(trustOf(o.secretLabel, entry.name, entry.keys.length === 1 ? entry.keys[0]?.fingerprint : undefined), [check]) };
  });
}

interface FluxOutcome {
  readonly ok: boolean;
  readonly keyId?: string;
  readonly error?: string;
  readonly orderDependent?: boolean;
}

/**
 * pkg/git VerifyPGPSignature (≥ v0.50) or verifySignature (≤ v0.43) over the entries Flux reads as
 * keyrings, in the given order (Flux's is Go map order).
 */
function fluxPgp(judged: readonly Judged[], rules: GitFluxRules, what: 'commit' | 'tag'): FluxOutcome {
  const wrap = (e: string): string => `unable to verify Git ${what}: ${e}`;
  let readError: string | undefined;
  let attempted = false;
  let okAt = -1;
  let keyId: string | undefined;
  const rings = judged.filter((j) => j.entry.kind === 'openpgp' || (j.entry.kind === 'unreadable' && j.entry.as === 'openpgp'));
  let firstUnreadable = -1;
  for (const [i, j] of rings.entries()) {
    if (j.entry.kind === 'unreadable') {
      if (firstUnreadable < 0) firstUnreadable = i;
      readError ??= `unable to read armored key ring: ${j.entry.message}`;
      if (!rules.skipUnreadableKeys) break;
      continue;
    }
    attempted = true;
    if (j.pgp?.fluxOk) {
      okAt = i;
      keyId = j.pgp.signer?.keyId;
      break;
    }
  }
  const orderDependent = !rules.skipUnreadableKeys && firstUnreadable >= 0 && rings.some((j) => j.pgp?.fluxOk === true);
  if (okAt >= 0 && keyId) return { ok: true, keyId, ...(orderDependent ? { orderDependent } : {}) };
  if (readError && (!rules.skipUnreadableKeys || !attempted)) return { ok: false, error: wrap(readError), ...(orderDependent ? { orderDependent } : {}) };
  return { ok: false, error: wrap(`unable to verify payload with any of the given key rings${rules.noMatchingKeySuffix ? ': no matching key' : ''}`) };
}

/** Errors sshsig returns as shared values: errors.Join lists each once (pkg/git appendUniqueSentinel). */
const SENTINELS = new Set(['public key does not match', 'namespace does not match', 'crypto/rsa: verification error']);

function fluxSsh(judged: readonly Judged[], what: 'commit' | 'tag'): FluxOutcome {
  const wrap = (e: string): string => `unable to verify Git ${what} SSH signature: ${e}`;
  let readError: string | undefined;
  let attempted = false;
  const errors: string[] = [];
  for (const j of judged) {
    if (j.entry.kind === 'unreadable' && j.entry.as === 'ssh') {
      readError ??= `unable to parse authorized keys: ${j.entry.message}`;
      continue;
    }
    if (j.entry.kind !== 'ssh') continue;
    attempted = true;
    for (const s of j.ssh ?? []) {
      if (s.j.fluxOk) return { ok: true, keyId: s.fingerprint };
      const e = s.j.fluxError ?? 'ssh: signature did not verify';
      if (!(SENTINELS.has(e) && errors.includes(e))) errors.push(e);
    }
  }
  if (!attempted && readError) return { ok: false, error: wrap(readError) };
  return { ok: false, error: wrap(`unable to verify payload with any of the given authorized keys: ${['no matching key', ...errors].join('\n')}`) };
}

function mechanismOf(t: GitSignatureType): Mechanism {
  return t === 'ssh' ? 'git-ssh' : 'git-openpgp';
}

function evidenceOf(mechanism: Mechanism, foundAt: FoundAt, signer: Signer | undefined, attempts: readonly Attempt[], fluxOk: boolean, error?: { code: GitCode; message: string }): SignatureEvidence {
  const verified = attempts.some((a) => a.ok);
  return {
    mechanism,
    foundAt,
    ...(signer ? { signer } : {}),
    verified,
    ...(fluxOk !== verified ? { fluxVerified: fluxOk } : {}),
    attempts,
    ...(error ? { error } : {}),
  };
}

function result(evidence: SignatureEvidence, flux: FluxOutcome): GitObjectResult {
  return {
    evidence,
    verified: evidence.verified,
    fluxOk: flux.ok,
    ...(flux.keyId !== undefined ? { fluxKeyId: flux.keyId } : {}),
    ...(flux.error !== undefined ? { fluxError: flux.error } : {}),
    ...(flux.orderDependent ? { fluxOrderDependent: true } : {}),
  };
}

/**
 * Verifies one commit or annotated tag against the verify Secret's keys, as source-controller does,
 * and records per Secret entry why it did or did not verify. Never throws for bad input.
 */
export async function verifyGitObject(obj: RawGitObject, keys: GitKeyring, o: GitVerifyOptions): Promise<GitObjectResult> {
  const { payload, signature, type } = signedParts(obj);
  const foundAt: FoundAt = { via: obj.type === 'commit' ? 'git-commit' : 'git-tag', digest: `sha1:${obj.id}`, ...(o.tagName !== undefined ? { tag: o.tagName } : {}) };
  const mechanism = mechanismOf(type);
  const what = obj.type;
  const entries = keys.entries;

  // Flux < 1.9 has no dispatch: every signature goes to the OpenPGP reader
  if (!o.rules.sshKeys) {
    if (signature === '') {
      const ev = evidenceOf(mechanism, foundAt, undefined, [secretWide(o, 'git.unsigned', `the ${what} is not signed`)], false);
      return result(ev, { ok: false, error: `unable to verify Git ${what}: unable to verify payload as the provided signature is empty` });
    }
  }

  if (type === 'empty') {
    const ev = evidenceOf(mechanism, foundAt, undefined, [secretWide(o, 'git.unsigned', `the ${what} is not signed`)], false);
    return result(ev, { ok: false, error: 'unsupported signature type: empty' });
  }

  let pgpSig: PgpSignature | undefined;
  let pgpError: string | undefined;
  if (type === 'openpgp') {
    try {
      pgpSig = await readPgpSignature(signature);
    } catch (e) {
      pgpError = e instanceof Error ? e.message : String(e);
    }
  }
  const judge = async (e: Extract<GitKeyEntry, { kind: 'openpgp' }>): Promise<PgpJudgement> =>
    pgpSig ? judgePgp(e.keyring, pgpSig, payload, o.now) : { checks: [failed('signature', 'git.signature-malformed', pgpError ?? 'not an OpenPGP signature')], fluxOk: false };

  if (!o.rules.sshKeys && type !== 'openpgp') {
    // Flux < 1.9 hands SSH, x509 and unknown signatures to go-crypto, which cannot read them
    const code: GitCode = 'git.signature-unsupported';
    const message = type === 'ssh' ? 'an SSH signature: this Flux version verifies OpenPGP signatures only (SSH from source-controller 1.9.0)' : `a ${type} signature, which Flux does not verify`;
    const judged = await pgpAttempts(entries, o, () => Promise.resolve({ checks: [failed('signature', code, message)], fluxOk: false }));
    const flux = fluxPgp(judged, o.rules, what);
    if (type === 'ssh') {
      // our own verdict still checks the signature, with the .sshpub entries read as SSH keys
      const asSsh: GitKeyring = { entries: entries.map((e) => (e.kind === 'unreadable' && e.ssh ? { kind: 'ssh', name: e.name, keys: e.ssh } : e)) };
      const ours = await verifyGitObject(obj, asSsh, { ...o, rules: LATEST_GIT_RULES });
      const { fluxVerified: _ignored, ...rest } = ours.evidence;
      return result({ ...rest, ...(flux.ok !== ours.verified ? { fluxVerified: flux.ok } : {}) }, flux);
    }
    const ev = evidenceOf(mechanism, foundAt, undefined, [secretWide(o, code, message)], false, { code, message });
    return result(ev, flux);
  }

  if (type === 'x509' || type === 'unknown') {
    const message = type === 'x509' ? 'an x509 (gpgsm) signature, which Flux does not verify' : 'a signature of unknown format (neither PGP SIGNATURE nor SSH SIGNATURE armor)';
    const ev = evidenceOf(mechanism, foundAt, undefined, [secretWide(o, 'git.signature-unsupported', message)], false, { code: 'git.signature-unsupported', message });
    return result(ev, { ok: false, error: `unsupported signature type: ${type}` });
  }

  if (type === 'openpgp') {
    const judged = await pgpAttempts(entries, o, judge);
    const rings = judged.filter((j) => j.entry.kind === 'openpgp' || (j.entry.kind === 'unreadable' && j.entry.as === 'openpgp'));
    const flux: FluxOutcome =
      o.rules.sshKeys && rings.length === 0
        ? { ok: false, error: `PGP signature detected but no PGP public keys found in secret (keys with ${PGP_SUFFIX} suffix)` }
        : fluxPgp(judged, o.rules, what);
    const named = judged.find((j) => j.attempt.ok)?.pgp?.signer ?? judged.find((j) => j.pgp?.signer)?.pgp?.signer;
    const signer: Signer | undefined = named
      ? { kind: 'openpgp-key', keyFingerprint: named.signingKeyFingerprint, keyId: named.keyId, userIds: named.userIds, keyAlgorithm: named.algorithm }
      : undefined;
    const attempts = entries.length === 0 ? [secretWide(o, 'git.no-keys', 'the Secret holds no keys')] : judged.map((j) => j.attempt);
    const error = pgpError ? { code: 'git.signature-malformed' as const, message: `the OpenPGP signature cannot be read: ${pgpError}` } : undefined;
    return result(evidenceOf(mechanism, foundAt, signer, attempts, flux.ok, error), flux);
  }

  // SSH, Flux ≥ 1.9
  let sig: SshSignature;
  try {
    sig = parseSshSignature(signature);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code: GitCode = /hash algorithm|signature version/.test(msg) ? 'git.ssh-unsupported' : 'git.signature-malformed';
    const sshKeysThere = entries.some((e2) => e2.kind === 'ssh' || (e2.kind === 'unreadable' && e2.as === 'ssh'));
    const ev = evidenceOf(mechanism, foundAt, undefined, [secretWide(o, code, `the SSH signature cannot be read: ${msg}`)], false, { code, message: msg });
    const error = sshKeysThere
      ? `unable to verify Git ${what} SSH signature: unable to unarmor SSH signature: ${msg}`
      : `SSH signature detected but no SSH public keys found in secret (keys with ${SSH_SUFFIX} suffix)`;
    return result(ev, { ok: false, error });
  }
  const judged = sshAttempts(entries, sig, payload, o);
  const hasSsh = judged.some((j) => j.entry.kind === 'ssh' || (j.entry.kind === 'unreadable' && j.entry.as === 'ssh'));
  const flux: FluxOutcome = hasSsh ? fluxSsh(judged, what) : { ok: false, error: `SSH signature detected but no SSH public keys found in secret (keys with ${SSH_SUFFIX} suffix)` };
  const signer: Signer = { kind: 'ssh-key', keyFingerprint: sig.fingerprint, keyAlgorithm: sig.keyType };
  const attempts = entries.length === 0 ? [secretWide(o, 'git.no-keys', 'the Secret holds no keys')] : judged.map((j) => j.attempt);
  return result(evidenceOf(mechanism, foundAt, signer, attempts, flux.ok), flux);
}

