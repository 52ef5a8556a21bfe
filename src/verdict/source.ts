import { shortDigest } from '../graph/revision.js';
import type { GraphNode } from '../graph/types.js';
import { failing, toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { reasonForCode, reasonForTrustProblem } from './codes.js';
import { describeFailure, describeVerified, expiryNote, fluxWouldAccept, passing, unconstrained } from './evidence.js';
import { describeCondition, firstLine, readFlux } from './flux.js';
import { exposedSigningMaterial, fluxKeyRule } from './flux-keys.js';
import type { FluxReading } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { SignatureEvidence } from '../verify/evidence.js';
import type { Drift, Finding, FindingContext, FluxView, PlanOutcome, VerificationOutcome } from './types.js';

/**
 * The verdict for a node with an OCI artifact (OCIRepository, OCI HelmChart, a generated HelmChart).
 * Fail closed: `verified` needs a passing signature on the digest Flux runs, checked against the
 * object's own trust material or explicit flags; everything else is another state with its reason.
 */
export function sourceFinding(node: GraphNode, outcome: PlanOutcome | undefined, ctx: FindingContext): Finding {
  const obj = node.type === 'object' ? node.object : undefined;
  const flux = readFlux(obj);
  const judged = judge(node, outcome, flux, ctx);
  const { cryptoOk } = judged;
  let judgement = judged.judgement;
  const extra: ReasonCode[] = [...(judged.extra ?? [])];
  const suffixes: string[] = [...(judged.suffixes ?? [])];

  if (outcome?.trustFrom === 'flag') {
    extra.push('override');
    suffixes.push(`trust from flags${outcome.overrides && outcome.overrides.length > 0 ? ` ${outcome.overrides.join(' ')}` : ''}, not from spec.verify`);
  }
  const agrees = agreement(node, outcome, flux, cryptoOk);
  let stale = flux.staleBecause !== undefined;
  if (agrees === false) {
    const sv = flux.sourceVerified;
    const laxer = outcome?.running !== undefined && fluxWouldAccept(outcome.running.signatures) !== undefined;
    if (sv?.status === 'True' && !laxer && !stale) {
      // Flux verifies again only when the digest, the generation or a failure says so
      // (ocirepository_controller.go reconcileSource): it checked this digest with earlier material
      stale = true;
      extra.unshift(judgement.primary);
      judgement = {
        state: judgement.state,
        primary: 'stale-verification',
        message: `${judgement.message}; Flux verified this digest earlier (${describeCondition('SourceVerified', sv)}) and does not verify it again until the digest or the spec changes, so today's trust material has not been applied`,
      };
    } else {
      extra.push('flux-disagrees');
      suffixes.push(sv ? `Flux says ${describeCondition('SourceVerified', sv)}` : 'Flux\'s rules accept it (the legacy payload claim is not checked)');
    }
  }
  if (agrees === undefined && outcome?.trustFrom === 'object' && node.trust !== undefined && node.type === 'object' && !hasNoArtifact(node) && flux.sourceVerified === undefined && flux.ready?.status === 'True' && judgement.state !== 'weak' && judgement.state !== 'not-enforced') {
    suffixes.push('Flux has set no SourceVerified for this revision');
  }
  if (flux.staleBecause !== undefined) {
    extra.push('stale-flux-condition');
    suffixes.push(flux.staleBecause);
  }
  const drift = driftOf(node, outcome, flux);
  if (drift) {
    extra.push('drift');
    const sv = flux.sourceVerified;
    const refusedAlready = sv?.status === 'False' && sv.revision === drift.registryDigest;
    if (refusedAlready && (judgement.state === 'verified' || judgement.state === 'weak')) {
      // Flux keeps the artifact it verified and reports Ready=False for the new digest: the
      // object is stuck, not broken, and a green mark beside Ready=False would hide that
      judgement = { ...judgement, primary: judgement.state === 'verified' ? 'update-refused' : judgement.primary };
      suffixes.push(`Flux refused the registry's ${shortDigest(drift.registryDigest ?? '')} and keeps running ${shortDigest(drift.runningDigest ?? '')}: ${firstLine(sv.message ?? '')}`);
      extra.push('update-refused');
    } else {
      const tag = outcome?.registryTag === undefined ? '' : `${outcome.registryTag}@`;
      suffixes.push(`the registry now serves ${tag}${shortDigest(drift.registryDigest ?? '')} (next reconcile: ${drift.nextReconcile})`);
    }
  }
  if (outcome?.registryError && outcome.running !== undefined) {
    extra.push(failing(reasonForCode(outcome.registryError.code)));
    suffixes.push(`the ref could not be resolved now: ${firstLine(outcome.registryError.message)}`);
  }
  if (obj?.suspend === true) extra.push('suspended');

  const view: FluxView = {
    ...(flux.ready ? { ready: flux.ready } : {}),
    ...(flux.sourceVerified ? { sourceVerified: flux.sourceVerified } : {}),
    agrees,
    stale,
  };
  const running = node.running ? { running: { revision: node.running.revision, ...(node.running.digest ? { digest: node.running.digest } : {}) } } : {};
  return toFinding(judgement, extra, suffixes, view, { ...running, ...(drift ? { drift } : {}) });
}

interface Judged {
  readonly judgement: Judgement;
  /** our verdict on the running digest by Flux's rules (keys in its order, its laxer claims): true
   *  accept, false refuse; undefined when there is none or Flux's own verdict varies */
  readonly cryptoOk: boolean | undefined;
  /** reasons and message parts that go with the judgement */
  readonly extra?: readonly ReasonCode[];
  readonly suffixes?: readonly string[];
}

function where(node: GraphNode): string {
  if (node.type === 'object' && node.object.kind === 'OCIRepository') return node.object.url;
  return `chart ${node.type === 'generated-chart' ? node.template.chart : node.type === 'object' && node.object.kind === 'HelmChart' ? node.object.chart : node.name}`;
}

function hasNoArtifact(node: GraphNode): boolean {
  return node.type === 'object' && (node.object.kind === 'OCIRepository' || node.object.kind === 'HelmChart') && node.object.artifact === undefined;
}

/** Flux has reconciled the object at least once: it wrote a Ready or SourceVerified verdict. */
function fluxTried(flux: FluxReading): boolean {
  return flux.sourceVerified !== undefined || (flux.ready !== undefined && flux.ready.status !== 'Unknown');
}

/** What Flux said when it refused, for messages: SourceVerified first, else Ready. */
function fluxRefusal(flux: FluxReading): string {
  const sv = flux.sourceVerified;
  if (sv?.status === 'False') return `Flux: ${firstLine(sv.message ?? sv.reason ?? 'SourceVerified=False')}`;
  return flux.ready ? `Flux says ${describeCondition('Ready', flux.ready)}` : '';
}

function judge(node: GraphNode, outcome: PlanOutcome | undefined, flux: FluxReading, ctx: FindingContext): Judged {
  const none = (state: Judgement['state'], primary: ReasonCode, message: string): Judged => ({ judgement: { state, primary, message }, cryptoOk: undefined });
  if (outcome === undefined) {
    return node.type === 'object' && node.object.suspend
      ? none('pending', 'suspended', 'suspended: Flux does not reconcile it; not verified yet')
      : none('pending', 'pending', 'not verified yet');
  }
  if (outcome.trustFrom !== 'object' && outcome.trustFrom !== 'flag') return none('error', 'check-failed', 'the verification names no trust source');
  if (outcome.trustProblem) {
    const p = outcome.trustProblem;
    return none('error', reasonForTrustProblem(p.code), `${p.secret ? `Secret ${p.secret}: ` : ''}${firstLine(p.message)}`);
  }
  if (outcome.trustFrom === 'object' && node.trust === undefined) {
    return none('not-enforced', 'not-enforced', `no spec.verify: Flux applies whatever is pushed to ${where(node)}`);
  }
  if (hasNoArtifact(node)) return judgeUnstored(node, outcome, flux, ctx);
  const running = outcome.running;
  if (running === undefined) {
    if (outcome.registryError) return none('error', failing(reasonForCode(outcome.registryError.code)), firstLine(outcome.registryError.message));
    return none('pending', 'pending', 'the running digest is not verified yet');
  }
  const fluxDigest = node.running?.digest;
  if (node.type === 'object' && node.object.kind === 'OCIRepository' && fluxDigest === undefined) {
    return none('error', 'check-failed', `status.artifact.revision ${JSON.stringify(node.running?.revision ?? '')} names no manifest digest, so what Flux runs cannot be verified`);
  }
  if (running.digest !== undefined && fluxDigest !== undefined && running.digest !== fluxDigest) {
    return none('error', 'check-failed', `verified ${shortDigest(running.digest)}, but Flux runs ${shortDigest(fluxDigest)}`);
  }
  return withFluxRules(node, outcome, running, judgeRunning(node, running, outcome, ctx));
}

/**
 * A source with no stored artifact. Flux pulls and verifies before it stores, so what the ref
 * resolves to now is what it would run: judged like a running digest. When Flux has tried and
 * refused, that refusal is the finding, with Flux's words beside ours; "not reconciled" is only
 * for objects Flux has not looked at (a GitOps folder read with -f, a controller that is down).
 */
function judgeUnstored(node: GraphNode, outcome: PlanOutcome, flux: FluxReading, ctx: FindingContext): Judged {
  const seen = outcome.next ?? outcome.running;
  const tried = fluxTried(flux);
  const said = fluxRefusal(flux);
  const withSaid = (m: string): string => (said === '' ? m : `${m}; ${said}`);
  const untried = node.type === 'object' && outcome.trustFrom === 'object' && !tried ? `not reconciled${ctx.fromFiles === true ? ' (from files)' : ''}: judged on what the spec resolves to now` : undefined;
  // Flux pulls before it verifies: a registry it cannot reach or authenticate to is what it hits first
  if (outcome.registryError) {
    return { judgement: { state: 'error', primary: failing(reasonForCode(outcome.registryError.code)), message: withSaid(`no artifact stored; ${firstLine(outcome.registryError.message)}`) }, cryptoOk: undefined };
  }
  if (seen === undefined) return { judgement: { state: 'pending', primary: 'not-reconciled', message: withSaid('Flux has stored no artifact yet') }, cryptoOk: undefined };
  const at = `the registry's ${seen.digest ? shortDigest(seen.digest) : 'artifact'}`;
  const j = withFluxRules(node, outcome, seen, judgeRunning(node, seen, outcome, ctx));
  const state = j.judgement.state;
  if (untried !== undefined) {
    return { ...j, extra: [...(j.extra ?? []), 'not-reconciled'], suffixes: [...(j.suffixes ?? []), untried] };
  }
  if (state === 'failed' || state === 'error') {
    return { ...j, judgement: { ...j.judgement, message: withSaid(`no artifact stored; ${at}: ${j.judgement.message}`) } };
  }
  if (flux.sourceVerified?.status === 'True' && flux.ready?.status === 'False') {
    // Flux verified the digest but could not pull or store it (an image with no layers, a bad layer type)
    return {
      ...j,
      judgement: { state: 'error', primary: 'flux-refuses', message: `verified here and by Flux (${j.judgement.message}), but Flux stored no artifact: ${describeCondition('Ready', flux.ready)}`, next: 'read the Ready message: Flux verified the signature but could not pull or unpack the artifact (check spec.layerSelector and the artifact\'s media types)' },
    };
  }
  const refused = flux.sourceVerified?.status === 'False' || flux.ready?.status === 'False';
  if (refused && tried) {
    // we accept what Flux keeps refusing: Flux's rules differ from ours here, and Flux's decide what runs
    return {
      judgement: { state: 'failed', primary: 'flux-refuses', message: `no artifact stored: Flux refuses ${at}, which verifies here (${j.judgement.message}); ${said}` },
      cryptoOk: undefined,
      ...(j.extra ? { extra: j.extra } : {}),
      ...(j.suffixes ? { suffixes: j.suffixes } : {}),
    };
  }
  return { judgement: { state: 'pending', primary: 'not-reconciled', message: `Flux has stored no artifact yet; ${at}: ${j.judgement.message}` }, cryptoOk: undefined };
}

const TEMPLATE_IDENTITY_NEXT = 'a HelmRelease chart template cannot set matchOIDCIdentity: use spec.chartRef to an OCIRepository that sets one, or verify with a key (spec.chart.spec.verify.secretRef)';

/**
 * cosign v3.0.6 as source-controller v1.9.4 calls it (docs/flux-rules.md §3): bundles need exactly
 * one matchOIDCIdentity entry; with none ("can't verify identities without providing at least one
 * identity") or several ("multiple identities are not supported") every bundle is refused, on
 * every reconcile. Legacy `.sig` signatures take any number (none: any identity).
 */
function withKeylessRules(node: GraphNode, running: VerificationOutcome, j: Judged): Judged {
  const t = node.trust;
  if (t?.mode !== 'cosign-keyless' || !running.signatures.some((s) => s.mechanism === 'cosign-bundle')) return j;
  const n = t.matchOIDCIdentity.length;
  if (n === 1) return j;
  const template = t.origin === 'helmrelease-template';
  const because = n === 0
    ? `Flux refuses cosign v3 bundles without a matchOIDCIdentity entry ("can't verify identities without providing at least one identity")${template ? ', and a HelmRelease chart template cannot set one' : ''}`
    : `Flux refuses cosign v3 bundles when matchOIDCIdentity has ${n} entries ("multiple identities are not supported at this time")`;
  const next = n === 0 ? (template ? TEMPLATE_IDENTITY_NEXT : 'add exactly one matchOIDCIdentity entry (issuer and subject, Go regexps) to spec.verify') : 'keep exactly one matchOIDCIdentity entry: join the alternatives into one regexp (a|b)';
  if (j.judgement.state === 'verified' || j.judgement.state === 'weak') {
    return { judgement: { state: 'failed', primary: 'flux-refuses', message: `${j.judgement.message}; but ${because}`, next }, cryptoOk: false };
  }
  return { ...j, suffixes: [...(j.suffixes ?? []), because] };
}

/**
 * Every signature failed because it was made the other way: with a key where the object verifies
 * keyless, or keyless where it verifies with keys. Said as such, with a step the object can express.
 */
function signedOtherWay(node: GraphNode, signatures: readonly SignatureEvidence[]): { message: string; next: string } | undefined {
  const t = node.trust;
  if (t === undefined || t.mode === 'notation' || signatures.length === 0) return undefined;
  const codes = (s: SignatureEvidence): string[] => s.attempts.flatMap((a) => a.checks.filter((c) => !c.ok).map((c) => c.code));
  const template = t.origin === 'helmrelease-template';
  if (t.mode === 'cosign-keyless') {
    const keyMade = signatures.every((s) => s.signer?.kind === 'key' || codes(s).some((c) => c === 'cosign.material-mismatch' || c === 'cosign.certificate-missing'));
    if (!keyMade) return undefined;
    return {
      message: `signed with a key; this object verifies keyless (spec.verify names no secretRef), so no key is tried`,
      next: template
        ? 'set spec.chart.spec.verify.secretRef on the HelmRelease to a Secret holding the signer\'s public key (*.pub), or sign the chart keyless'
        : 'name a Secret with the signer\'s public key (*.pub) in spec.verify.secretRef, or sign keyless and set matchOIDCIdentity',
    };
  }
  const certMade = signatures.every((s) => s.signer?.kind === 'certificate' || codes(s).includes('cosign.material-mismatch'));
  if (!certMade) return undefined;
  return {
    message: `signed keyless (a Fulcio certificate); this object verifies with the keys of Secret ${t.namespace}/${t.secretRef ?? ''}`,
    next: template
      ? 'sign the chart with a key whose public key is in the verify Secret (a HelmRelease chart template cannot verify keyless identities)'
      : 'remove spec.verify.secretRef and set matchOIDCIdentity to the signer\'s identity, or sign with a key whose public key is in the Secret',
  };
}

/**
 * Flux's own rules over the same evidence: the order in which it reads a key Secret, and signing
 * material that should not be in a verify Secret at all. Only for trust the object names.
 */
function withFluxRules(node: GraphNode, outcome: PlanOutcome, running: VerificationOutcome, judged: Judged): Judged {
  const j = outcome.trustFrom === 'object' ? withKeylessRules(node, running, judged) : judged;
  const secret = outcome.trustSecret;
  if (outcome.trustFrom !== 'object' || secret === undefined || node.trust?.mode !== 'cosign-key') return j;
  let out = j;
  const loop = node.type === 'object' && node.object.kind === 'OCIRepository' ? 'oci-repository' : 'helm-chart';
  const rule = fluxKeyRule(loop, secret.id, secret.entries, running.signatures);
  const acceptedHere = j.judgement.state === 'verified' || j.judgement.state === 'weak';
  if (rule?.outcome === 'varies' && acceptedHere) {
    out = { judgement: { state: 'error', primary: 'flux-unstable', message: `${j.judgement.message}; but Flux's verdict varies: ${rule.because}` }, cryptoOk: undefined };
  } else if (rule?.outcome === 'refuse' && acceptedHere) {
    out = { judgement: { state: 'failed', primary: 'flux-refuses', message: `${j.judgement.message}; but Flux refuses it: ${rule.because}` }, cryptoOk: false };
  } else if (rule !== undefined && rule.culprits.length > 0 && !acceptedHere) {
    out = { ...j, suffixes: [...(j.suffixes ?? []), `Secret ${secret.id}: ${rule.because}`] };
  }
  const empty = secret.entries.filter((e) => e.fluxKey && e.kind === 'empty').map((e) => e.name);
  if (empty.length > 0) {
    const note = `Secret ${secret.id} has an empty ${empty.join(', ')}: Flux then verifies keyless with no identity, so a legacy signature by any Fulcio identity passes`;
    out = out.judgement.state === 'verified'
      ? { ...out, judgement: { state: 'weak', primary: 'weak', message: `${out.judgement.message}, but ${note}`, next: `remove the empty ${empty.join(', ')} from Secret ${secret.id}` } }
      : { ...out, suffixes: [...(out.suffixes ?? []), note] };
  }
  const exposed = exposedSigningMaterial(secret.entries);
  if (exposed.length > 0) {
    const note = `Secret ${secret.id} holds signing material (${exposed.join(', ')}): anyone who may read it can sign`;
    out = out.judgement.state === 'verified'
      ? { ...out, judgement: { state: 'weak', primary: 'private-key', message: `${out.judgement.message}, but ${note}` } }
      : { ...out, extra: [...(out.extra ?? []), 'private-key'], suffixes: [...(out.suffixes ?? []), note] };
  }
  return { ...out, extra: [...(j.extra ?? []), ...(out.extra ?? [])].filter((r, i, a) => a.indexOf(r) === i), suffixes: [...new Set([...(j.suffixes ?? []), ...(out.suffixes ?? [])])] };
}

function judgeRunning(node: GraphNode, running: VerificationOutcome, outcome: PlanOutcome, ctx: FindingContext): Judged {
  const level = running.notation?.level;
  if (running.notation?.outcome === 'ignored' && level === 'skip') {
    return {
      judgement: {
        state: 'not-enforced',
        primary: 'not-enforced',
        message: 'the notation trust policy level is skip: Flux applies whatever is pushed, signed or not',
        next: 'set the statement\'s signatureVerification level to strict (or permissive) in the verify Secret\'s trustpolicy.json',
      },
      cryptoOk: undefined,
    };
  }
  if (running.notation?.outcome === 'ignored') {
    const why = running.state === 'verified' ? '' : `: ${describeFailure(running, 'check-failed')}`;
    return { judgement: { state: 'weak', primary: 'weak', message: `notation trust policy level ${level ?? 'skip/audit'}: Flux accepts the artifact without verifying it${why}` }, cryptoOk: false };
  }
  if (running.state === 'error') {
    const primary = failing(reasonForCode(running.code));
    return { judgement: { state: 'error', primary, message: describeFailure(running, primary) }, cryptoOk: undefined };
  }
  if (running.state !== 'verified') {
    const other = outcome.trustFrom === 'object' ? signedOtherWay(node, running.signatures) : undefined;
    if (other) return { judgement: { state: 'failed', primary: 'signing-method', ...other }, cryptoOk: false };
    const primary = failing(reasonForCode(running.code));
    const note = primary === 'expired' ? expiryNote(running.signatures, ctx.now) : '';
    return { judgement: { state: 'failed', primary, message: `${describeFailure(running, primary)}${note}` }, cryptoOk: false };
  }
  if (passing(running.signatures) === undefined) {
    return { judgement: { state: 'failed', primary: 'check-failed', message: 'reported as verified, but no signature passed every check' }, cryptoOk: false };
  }
  const ok = describeVerified(running);
  if (level === 'audit' || level === 'skip') {
    return { judgement: { state: 'weak', primary: 'weak', message: `${ok}, but the trust policy level ${level} would accept an unverified artifact too` }, cryptoOk: true };
  }
  const t = node.trust;
  if (outcome.trustFrom === 'object' && t?.mode === 'cosign-keyless' && t.matchOIDCIdentity.length === 0) {
    const template = t.origin === 'helmrelease-template';
    const why = template ? 'a HelmRelease chart template cannot set matchOIDCIdentity, so any Fulcio identity is accepted' : 'no matchOIDCIdentity: any Fulcio identity is accepted';
    return { judgement: { state: 'weak', primary: 'weak', message: `${ok}, but ${why}`, ...(template ? { next: TEMPLATE_IDENTITY_NEXT } : {}) }, cryptoOk: true };
  }
  if (unconstrained(running.signatures)) {
    return { judgement: { state: 'weak', primary: 'weak', message: `${ok}, but no identity constrained the signer` }, cryptoOk: true };
  }
  return { judgement: { state: 'verified', primary: 'verified', message: ok }, cryptoOk: true };
}

/**
 * Our verdict against Flux's. A False condition naming the registry's new digest is about that
 * digest, not the running one. With no condition, notation trust with Ready=True means Flux
 * accepted without verifying ("Ignored"); a signature Flux's laxer rules pass counts as Flux's yes.
 * Trust from flags is not Flux's trust: no comparison.
 */
function agreement(node: GraphNode, outcome: PlanOutcome | undefined, flux: FluxReading, cryptoOk: boolean | undefined): boolean | undefined {
  if (outcome === undefined || outcome.trustFrom !== 'object' || node.trust === undefined) return undefined;
  const sv = flux.sourceVerified;
  if (outcome.trustProblem) {
    // trust material that is missing or broken stops Flux too; one we merely may not read says nothing
    const stopsFlux = reasonForTrustProblem(outcome.trustProblem.code) !== 'trust-unreadable';
    return stopsFlux && sv?.status === 'False' ? true : undefined;
  }
  if (sv !== undefined && sv.status !== 'Unknown') {
    const fluxOk = sv.status === 'True';
    const runningDigest = node.running?.digest;
    const aboutNext = !fluxOk && sv.revision !== undefined && runningDigest !== undefined && sv.revision !== runningDigest && sv.revision === outcome.registryDigest;
    const ours = aboutNext ? (outcome.next === undefined ? undefined : outcome.next.state === 'verified') : cryptoOk;
    return ours === undefined ? undefined : ours === fluxOk;
  }
  if (hasNoArtifact(node)) return undefined;
  if (node.trust.provider === 'notation' && flux.ready?.status === 'True') return cryptoOk === undefined ? undefined : cryptoOk === false;
  if (cryptoOk === false && outcome.running && fluxWouldAccept(outcome.running.signatures)) return false;
  return undefined;
}

function driftOf(node: GraphNode, outcome: PlanOutcome | undefined, flux: FluxReading): Drift | undefined {
  const runningDigest = node.running?.digest;
  const registryDigest = outcome?.registryDigest;
  if (outcome === undefined || runningDigest === undefined || registryDigest === undefined || registryDigest === runningDigest) return undefined;
  return { runningDigest, registryDigest, nextReconcile: nextReconcile(node, outcome, flux, registryDigest) };
}

/** What Flux will do with the registry's digest, by Flux's rules (which may be laxer than ours). */
function nextReconcile(node: GraphNode, outcome: PlanOutcome, flux: FluxReading, registryDigest: string): Drift['nextReconcile'] {
  if (node.trust === undefined) return 'accepted';
  if (outcome.trustFrom !== 'object') return 'unknown';
  const sv = flux.sourceVerified;
  if (sv?.status === 'False' && sv.revision === registryDigest) return 'refused';
  const next = outcome.next;
  if (next === undefined || (next.digest !== undefined && next.digest !== registryDigest)) return 'unknown';
  if (next.state === 'verified' || next.notation?.outcome === 'ignored' || fluxWouldAccept(next.signatures)) return 'accepted';
  return next.state === 'failed' ? 'refused' : 'unknown';
}

