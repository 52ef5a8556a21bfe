import type { Report, ReportNode } from '../report/model.js';
import { registryResolved, type Resolved } from '../report/resolved.js';
import { REASONS } from '../verdict/reasons.js';
import type { Attempt, FluxCondition, FoundAt, ReportRef, ReportSignature } from '../report/schema.js';
import { gitRefText, refText, runningDigest } from './format.js';
import { glyphOf, toneOf, verdictText, type Tone } from './theme.js';

/**
 * The drill-down of one node as lines of toned segments: pure, so it is tested and scrolled without
 * ink. Digests are whole here (the tree shortens them); every signature is listed with where it was
 * found, each key or identity tried and the check that decided it.
 */
export interface Segment {
  readonly text: string;
  readonly tone?: Tone;
  readonly bold?: boolean;
}
export type Line = readonly Segment[];

const LABEL_WIDTH = 10;
const t = (text: string, tone?: Tone, bold?: boolean): Segment => ({ text, ...(tone ? { tone } : {}), ...(bold ? { bold } : {}) });
// a label longer than the column ("signatures found") still keeps a space before its value
const field = (label: string, ...rest: Segment[]): Line => [t(`  ${label.length >= LABEL_WIDTH ? `${label} ` : label.padEnd(LABEL_WIDTH)}`, 'muted'), ...rest];

const WHERE: Record<FoundAt['via'], string> = {
  'referrers-api': 'OCI 1.1 referrers API',
  'referrers-tag': 'referrers tag fallback',
  'sig-tag': 'cosign .sig tag',
  layout: 'OCI image layout',
  file: 'file',
  'git-commit': 'Git commit object',
  'git-tag': 'Git tag object',
};

const MECHANISM: Record<ReportSignature['mechanism'], string> = {
  'cosign-bundle': 'cosign bundle',
  'cosign-legacy': 'cosign legacy',
  'notation-jws': 'notation JWS',
  'notation-cose': 'notation COSE',
  'git-openpgp': 'OpenPGP',
  'git-ssh': 'SSH',
};

function condition(name: string, c: FluxCondition | undefined): string {
  if (!c) return `${name} not set`;
  return `${name}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `  "${c.message}"` : ''}`;
}

function fluxLines(node: ReportNode): Line[] {
  const f = node.finding.flux;
  const agree: Segment =
    f.agrees === true ? t('✔ we agree', 'ok') : f.agrees === false ? t('⚠ we disagree', 'warning') : t('(Flux gives no verdict to compare)', 'muted');
  const lines: Line[] = [field('Flux', t(condition('Ready', f.ready)))];
  if (node.trust || f.sourceVerified) lines.push(field('', t(condition('SourceVerified', f.sourceVerified)), t('   '), agree));
  else lines.push(field('', agree));
  if (f.stale) lines.push(field('', t('SourceVerified describes another revision or generation than the one Flux runs', 'warning')));
  return lines;
}

function trustLines(node: ReportNode, report: Report): Line[] {
  if (report.trustOverrides.length > 0) return [field('trust', t(`from flags: ${report.trustOverrides.join(' ')}`, 'info'), t('  (replacing what the object names)', 'muted'))];
  const tr = node.trust;
  if (!tr) return node.artifact ? [field('trust', t('none: no spec.verify, Flux applies whatever is pushed', 'warning'))] : [];
  const parts = [`${tr.provider}`, tr.mode === 'cosign-key' ? 'keys' : tr.mode === 'cosign-keyless' ? 'keyless' : 'trust policy'];
  if (tr.secretRef) parts.push(`Secret ${tr.namespace}/${tr.secretRef}`);
  if (tr.trustedRootSecretRef) parts.push(`trusted root Secret ${tr.namespace}/${tr.trustedRootSecretRef}`);
  if (tr.origin === 'helmrelease-template') parts.push('(from the HelmRelease chart template)');
  const lines: Line[] = [field('trust', t(parts.join(' · ')))];
  for (const id of tr.matchOIDCIdentity) lines.push(field('', t(`identity issuer ${id.issuer} · subject ${id.subject}`)));
  return lines;
}

function attemptLine(a: Attempt): Line {
  const decisive = a.checks.find((c) => !c.ok);
  const who = `${a.trust.kind} ${a.trust.label}${a.trust.fingerprint ? `  ${a.trust.fingerprint}` : ''}`;
  if (a.ok) return [t(`        ${who}   `), t('✔ all checks passed', 'ok'), t(`  (${a.checks.map((c) => c.check).join(', ')})`, 'muted')];
  if (!decisive) return [t(`        ${who}   `), t('✘ not verified', 'failed')];
  return [t(`        ${who}   `), t(`✘ ${decisive.check}: ${decisive.message}`, 'failed'), t(`  [${decisive.code}]`, 'muted')];
}

/**
 * Where signatures were looked for, as far as the signatures show it. A bundle that was read means
 * the cosign `.sig` tag was not: cosign reads legacy signatures only when no bundle can be read.
 */
function lookedIn(sigs: readonly ReportSignature[]): Line[] {
  const bundleRead = sigs.find((s) => s.mechanism === 'cosign-bundle' && s.error === undefined);
  if (!bundleRead) return [];
  return [field('looked in', t(WHERE[bundleRead.foundAt.via]), t('; cosign .sig tag not read: bundles were found, and cosign reads legacy signatures only when there are none', 'muted'))];
}

function signatureLines(title: string, sigs: readonly ReportSignature[]): Line[] {
  if (sigs.length === 0) return [field(title, t('none found', 'muted'))];
  const lines: Line[] = [...lookedIn(sigs), [t(`  ${title}`, 'muted')]];
  sigs.forEach((s, i) => {
    const at = [WHERE[s.foundAt.via], s.foundAt.tag ? `tag ${s.foundAt.tag}` : '', s.foundAt.digest ?? ''].filter(Boolean).join('  ');
    lines.push([t(`   ${String(i + 1).padStart(2)}  `), t(s.verified ? '✔' : '✘', s.verified ? 'ok' : 'failed'), t(` ${MECHANISM[s.mechanism]}   `), t(at, 'muted')]);
    if (s.signer) {
      const sg = s.signer;
      const alg = sg.keyAlgorithm ? ` ${sg.keyAlgorithm}` : '';
      const who =
        sg.kind === 'key'
          ? `key ${sg.keyFingerprint ?? '(unknown)'}${alg}`
          : sg.kind === 'openpgp-key'
            ? // the key ID is the one Flux's SourceVerified names; the fingerprint is the signing (sub)key's, as gpg prints it
              `OpenPGP key ${sg.keyId ?? '(unknown)'}${sg.userIds && sg.userIds.length > 0 ? ` · ${sg.userIds.join(' · ')}` : ''}${sg.keyFingerprint ? ` · signing key ${sg.keyFingerprint}` : ''}${alg}`
            : sg.kind === 'ssh-key'
              ? `SSH key ${sg.keyFingerprint ?? '(unknown)'}${alg}`
              : `certificate ${[sg.subject, sg.san, sg.issuer ? `issuer ${sg.issuer}` : '', sg.notAfter ? `valid until ${sg.notAfter}` : ''].filter(Boolean).join(' · ')}`;
      // only a signature that verified establishes its signer; otherwise this is what it claims
      lines.push([t(s.verified ? `        signer ${who}` : `        claims to be signed by ${who}, not verified`, 'muted')]);
    }
    if (s.fluxVerified !== undefined && s.fluxVerified !== s.verified) {
      lines.push([t(`        ⚠ Flux ${s.fluxVerified ? 'accepts' : 'rejects'} this signature; cosign's rules ${s.verified ? 'accept' : 'reject'} it`, 'warning')]);
    }
    if (s.error) lines.push([t(`        ✘ ${s.error.message}`, 'failed'), t(`  [${s.error.code}]`, 'muted')]);
    for (const a of s.attempts) lines.push(attemptLine(a));
  });
  return lines;
}

/** How the ref resolved, naming the tag picked: `semver >=6.0.0 <7 → 6.5.2 (sha256:…)`, `tag 6.5.2 → sha256:…`. */
function resolution(ref: ReportRef, r: Resolved): string {
  if (ref.kind === 'digest') return r.digest;
  const picked = ref.kind === 'semver' && r.tag !== undefined ? `${r.tag} (${r.digest})` : r.digest;
  return `${refText(ref)} → ${picked}`;
}

function driftLine(node: ReportNode): Line[] {
  const a = node.artifact;
  if (!a) return [];
  const d = node.finding.drift;
  const reg = registryResolved(node);
  if (!reg) return [field('registry', t('not resolved', 'muted'))];
  const running = runningDigest(node);
  if (!running || running === reg.digest) return [field('registry', t(resolution(a.ref, reg)), t('  (no drift)', 'muted'))];
  const next = d?.nextReconcile ?? 'unknown';
  const tone: Tone = next === 'accepted' ? 'info' : next === 'refused' ? 'failed' : 'warning';
  return [field('registry', t(resolution(a.ref, reg)), t(`  moved on: next reconcile ${next === 'unknown' ? 'unknown' : `${next}`}`, tone))];
}

/** Where the source-controller the rules were read at decides this node differently (docs/flux-rules.md "Version rules"). */
function versionLines(node: ReportNode, report: Report): Line[] {
  const notes = node.finding.versionNotes ?? [];
  if (notes.length === 0) return [];
  const f = report.flux;
  const at = f?.version !== undefined ? `source-controller v${f.version}${f.from === 'flag' ? ' (--flux-version)' : f.from === 'crd-label' ? ' (inferred from the CRD label)' : ''}` : '';
  const lines: Line[] = [[t('  Flux version', 'muted'), t(at ? `   ${at}` : '', 'muted')]];
  for (const n of notes) lines.push([t('    ⚑ ', 'warning'), t(n.message, 'warning'), t(`  [${n.rule}, as the finding from v${n.from}]`, 'muted')]);
  return lines;
}

export function detailLines(node: ReportNode, report: Report): Line[] {
  const f = node.finding;
  const lines: Line[] = [[t(`${node.kind} ${node.namespace}/${node.name}`, undefined, true), t('   '), t(`${glyphOf(f)} ${verdictText(f)}`, toneOf(f), true)]];
  if (node.type !== 'object') lines.push(field('', t(node.type === 'dangling' ? 'referenced but not found' : 'generated by a HelmRelease chart template; not in the input', 'warning')));
  const a = node.artifact;
  if (a) {
    const what = a.chart ? `chart ${a.chart.name} ${a.chart.version}` : refText(a.ref);
    lines.push(field('source', t(a.url), t(`   ${what}`)));
    const running = runningDigest(node);
    const revision = f.running?.revision ?? a.running?.revision;
    lines.push(field('running', t(revision ? `${revision}` : 'nothing yet'), ...(running && !revision?.includes(running) ? [t(`  ${running}`)] : [])));
  }
  const g = node.git;
  if (g) {
    lines.push(field('source', t(g.url), t(`   ${gitRefText(g.ref)}`)));
    lines.push(field('running', t(g.running?.revision ?? 'nothing yet')));
    if (g.remoteError) lines.push(field('remote', t(g.remoteError.message, 'failed'), t(`  [${g.remoteError.code}]`, 'muted')));
    else if (g.remoteCommit) {
      const moved = f.drift !== undefined;
      const tag = g.remoteTag ? `${g.remoteTag.name}${g.remoteTag.object ? ` (tag object ${g.remoteTag.object})` : ' (lightweight)'} → ` : '';
      const next = f.drift?.nextReconcile ?? 'unknown';
      lines.push(field('remote', t(`${tag}commit ${g.remoteCommit}`), moved ? t(`  moved on: next reconcile ${next}`, next === 'accepted' ? 'info' : next === 'refused' ? 'failed' : 'warning') : t('  (no drift)', 'muted')));
    }
    lines.push(field('verify', g.mode ? t(`mode ${g.mode}, keys Secret ${g.verifySecret ?? '?'}`) : t('none: Flux applies whatever is pushed', 'warning')));
  }
  if (f.appliedRevision) lines.push(field('applied', t(f.appliedRevision), t(f.appliedIsVerified === false ? '  (not the revision we verified)' : '', 'warning')));
  lines.push(...driftLine(node));
  lines.push(...fluxLines(node));
  lines.push(...trustLines(node, report));
  lines.push(field('finding', t(f.message, toneOf(f))));
  if (f.reasons.length > 0) lines.push(field('reasons', t(f.reasons.map((r) => `${r} (${REASONS[r].label})`).join(', '), 'muted')));
  for (const n of node.notes) lines.push(field('note', t(n.message, 'muted')));
  lines.push(...versionLines(node, report));
  // without a mode audit/ fetches no commit: "none found" would claim a look that was not taken
  if (g && g.mode === undefined && node.signatures.length === 0) lines.push(field('signatures', t('not checked: without spec.verify Flux verifies no commit', 'muted')));
  else if (a || g) {
    lines.push(...signatureLines('signatures found', node.signatures));
    if (node.nextSignatures) lines.push(...signatureLines(g ? "signatures of the remote's commit" : "signatures of the registry's digest", node.nextSignatures));
  }
  const uses = node.sourceIds.length > 0 ? `uses ${node.sourceIds.join(', ')}` : '';
  const usedBy = node.consumerIds.length > 0 ? `used by ${node.consumerIds.join(', ')}` : '';
  if (uses || usedBy) lines.push(field('graph', t([uses, usedBy].filter(Boolean).join(' · '), 'muted')));
  const primary = f.reasons[0];
  // an unverifiable node's step is its own (what to move to, which inputs to verify), and so is a Git source's (the suspend/resume that re-verifies)
  const next = primary && f.state !== 'unverifiable' && !g ? REASONS[primary].next : f.next;
  lines.push(field('next', t(next, 'accent'), t('   [c] copy the equivalent verify command', 'muted')));
  return lines;
}

/** Plain text of a line, for tests and captures. */
export function lineText(l: Line): string {
  return l.map((s) => s.text).join('');
}
