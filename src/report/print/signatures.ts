import type { Palette } from '../color.js';
import type { Attempt, Check, ReportSignature, TrustRef } from '../schema.js';
import { cellText, truncateHex } from './text.js';

/** A line under a source in the tree, with lines of its own (one per key tried, when several were). */
export interface DetailLine {
  readonly text: string;
  readonly children: readonly string[];
}

// as verdict/ names them in messages, so that the tree and the message read alike
const MECHANISM: Record<ReportSignature['mechanism'], string> = { 'cosign-bundle': 'cosign bundle', 'cosign-legacy': 'cosign legacy', 'notation-jws': 'notation JWS', 'notation-cose': 'notation COSE', 'git-openpgp': 'OpenPGP', 'git-ssh': 'SSH' };

const TRUST_WORD: Record<TrustRef['kind'], string> = { key: 'key', identity: 'identity', 'trusted-root': 'root', 'trust-policy': 'policy', certificate: 'certificate' };

/**
 * `SHA256:9c1fa2b3…`: enough to tell keys apart; the full value is in -o json. An OpenPGP v4
 * fingerprint reads as its key ID (the last 16 hex), the name Flux's SourceVerified and gpg give it.
 */
export function shortFingerprint(fp: string): string {
  if (/^[0-9A-F]{40}$/.test(fp)) return fp.slice(-16);
  const m = /^(SHA256:)?(.{8}).{4,}$/.exec(fp);
  return m ? `${m[1] ?? ''}${m[2] ?? ''}…` : fp;
}

function trustLabel(t: TrustRef, p: Palette): string {
  return `${TRUST_WORD[t.kind]} ${cellText(t.label)}${t.fingerprint ? ` ${p.muted(shortFingerprint(t.fingerprint))}` : ''}`;
}

function failure(c: Check, p: Palette): string {
  return `${p.bad('✘')} ${cellText(c.check)}: ${cellText(c.message)} ${p.muted(`[${c.code}]`)}`;
}

function attemptText(a: Attempt, p: Palette): string {
  const failing = a.checks.find((c) => !c.ok);
  const verdict = a.ok ? p.ok('✔') : failing ? failure(failing, p) : p.bad('✘');
  return a.ok ? `${verdict} ${trustLabel(a.trust, p)}` : `${trustLabel(a.trust, p)} ${verdict}`;
}

/** Who signed, as Flux names them: the certificate's identity, the OpenPGP user ID and key ID, the SSH key. */
function signerWho(sg: ReportSignature['signer']): string | undefined {
  switch (sg?.kind) {
    case 'certificate':
      return sg.san ?? sg.subject;
    case 'openpgp-key':
      return sg.keyId === undefined ? sg.userIds?.[0] : `${sg.userIds?.[0] ? `${sg.userIds[0]} ` : ''}(${sg.keyId})`;
    case 'ssh-key':
      return sg.keyFingerprint === undefined ? undefined : `SSH key ${shortFingerprint(sg.keyFingerprint)}`;
    default:
      return undefined;
  }
}

/** The signer: established when the signature verified, otherwise only claimed. */
function signerText(s: ReportSignature): string {
  const who = signerWho(s.signer);
  if (who === undefined) return '';
  return s.verified ? ` · signed by ${cellText(who)}` : ` · claims to be signed by ${cellText(who)}, not verified`;
}

/**
 * `signature cosign bundle (referrers-api) ✔ key apps/cosign-pub · cosign.pub SHA256:9c1fa2b3…`;
 * a failure names the check that failed; several keys tried are listed one a line below.
 */
export function signatureLines(sigs: readonly ReportSignature[], p: Palette, lead = 'signature'): DetailLine[] {
  return sigs.map((s) => {
    const where = truncateHex([s.foundAt.via, s.foundAt.tag].filter(Boolean).join(' '));
    const head = `${lead} ${MECHANISM[s.mechanism]} (${where})`;
    const flux = s.fluxVerified !== undefined && s.fluxVerified !== s.verified ? ` ${p.warn(`(Flux ${s.fluxVerified ? 'accepts' : 'rejects'} it)`)}` : '';
    const by = signerText(s);
    if (s.error) return { text: `${head} ${p.bad('✘')} ${cellText(s.error.message)} ${p.muted(`[${s.error.code}]`)}${by}${flux}`, children: [] };
    const passed = s.attempts.find((a) => a.ok);
    if (passed) return { text: `${head} ${attemptText(passed, p)}${by}${flux}`, children: [] };
    const only = s.attempts.length === 1 ? s.attempts[0] : undefined;
    if (only) return { text: `${head} ${attemptText(only, p)}${by}${flux}`, children: [] };
    const tried = s.attempts.length === 0 ? 'not checked against any trust material' : `${s.attempts.length} tried, none verifies`;
    return { text: `${head} ${p.bad('✘')} ${tried}${by}${flux}`, children: s.attempts.map((a) => attemptText(a, p)) };
  });
}
