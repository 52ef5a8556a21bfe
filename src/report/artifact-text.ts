import type { Palette } from './color.js';
import type { ReportSignature } from './schema.js';
import type { ArtifactResult } from './schema-artifact.js';

/**
 * The text form of `kubectl verify artifact`: the verdict on the first line (scripts and people
 * read that first), then the digest, where signatures were looked for, and every signature with
 * each key or identity tried and the check that decided it.
 */
export function formatArtifactText(v: ArtifactResult, p: Palette): string {
  const lines: string[] = [];
  const head = v.state === 'verified' ? p.ok('✔ verified') : v.state === 'failed' ? p.bad('✘ not verified') : p.bad('✘ could not verify');
  lines.push(`${head}: ${v.message}${v.state === 'verified' ? '' : p.muted(` [${v.code}]`)}`);
  lines.push(`  reference  ${v.reference}`);
  if (v.resolved) lines.push(`  digest     ${v.resolved.digest}${v.resolved.tag ? p.muted(` (tag ${v.resolved.tag})`) : ''}`);
  const where = [v.discovery.referrers ? `referrers via ${v.discovery.referrers}` : '', v.discovery.sigTag ? `cosign tag ${v.discovery.sigTag}` : ''].filter(Boolean).join(', ');
  // cosign's order: with bundles found the legacy tag is not read; said, so that its absence is not taken for an oversight
  const skipped = v.discovery.sigTagNotRead ? `cosign tag ${v.discovery.sigTagNotRead} not read: bundles were found, and cosign reads legacy signatures only when there are none` : '';
  if (where || skipped) lines.push(`  looked in  ${[where, skipped].filter(Boolean).join('; ')}`);
  if (v.notation) lines.push(`  notation   ${notationText(v.notation)}`);
  for (const problem of v.discovery.problems) lines.push(`  ${p.warn('!')} ${problem.message} ${p.muted(`[${problem.code}]`)}`);
  for (const r of v.discovery.ignored ?? []) lines.push(`  ${p.warn('!')} referrer ${r.digest.slice(0, 19)}… ignored, not known to be a signature: ${r.message} ${p.muted(`[${r.code}]`)}`);
  v.signatures.forEach((s, i) => lines.push(...formatSignature(s, i + 1, p)));
  if (v.signatures.length === 0 && v.state !== 'error') lines.push(`  signatures none found`);
  return `${lines.join('\n')}\n`;
}

/** What is known of notation's policy: the statement and level when one applied, and the outcome. */
function notationText(n: NonNullable<ArtifactResult['notation']>): string {
  return [n.statement !== undefined ? `policy statement ${n.statement}` : '', n.level !== undefined ? `level ${n.level}` : '', n.outcome].filter(Boolean).join(' · ');
}

function signerText(s: NonNullable<ReportSignature['signer']>): string {
  switch (s.kind) {
    case 'key':
      return `key ${s.keyFingerprint ?? ''}`;
    case 'openpgp-key':
      // the primary key ID is what Flux's SourceVerified names; the fingerprint is the key that signed
      return `OpenPGP key ${s.keyId ?? ''}${s.userIds?.[0] ? ` ${s.userIds[0]}` : ''}${s.keyFingerprint ? ` · signing key ${s.keyFingerprint}` : ''}`;
    case 'ssh-key':
      return `SSH key ${s.keyFingerprint ?? ''}`;
    case 'certificate':
      return `certificate ${s.subject ?? s.san ?? ''}${s.issuer ? ` · issuer ${s.issuer}` : ''}`;
  }
}

/** One signature with each key or identity tried; shared with `kubectl verify git`'s text form. */
export function formatSignature(s: ReportSignature, n: number, p: Palette): string[] {
  const mark = s.verified ? p.ok('✔') : p.bad('✘');
  const at = [s.foundAt.via, s.foundAt.tag, s.foundAt.digest?.slice(0, 19)].filter(Boolean).join(' ');
  const out = [`  ${mark} ${n}  ${s.mechanism.replace('-', ' ')}  ${p.muted(at)}`];
  if (s.signer) {
    const who = signerText(s.signer);
    // a signer is established only by a signature that verified; otherwise it is what the signature claims
    out.push(s.verified ? `       signer ${who.trim()}` : `       ${p.muted(`claims to be signed by ${who.trim()}, not verified`)}`);
  }
  if (s.fluxVerified !== undefined && s.fluxVerified !== s.verified) {
    out.push(`       ${p.warn('⚠')} Flux ${s.fluxVerified ? 'accepts' : 'rejects'} this signature; cosign's rules ${s.verified ? 'accept' : 'reject'} it`);
  }
  if (s.error) out.push(`       ${p.bad('✘')} ${s.error.message} ${p.muted(`[${s.error.code}]`)}`);
  for (const a of s.attempts) {
    const failed = a.checks.find((c) => !c.ok);
    const verdict = a.ok ? p.ok('✔ all checks passed') : failed ? `${p.bad('✘')} ${failed.check}: ${failed.message} ${p.muted(`[${failed.code}]`)}` : p.bad('✘');
    out.push(`       ${a.trust.label}${a.trust.fingerprint ? ` ${p.muted(a.trust.fingerprint)}` : ''}  ${verdict}`);
  }
  return out;
}
