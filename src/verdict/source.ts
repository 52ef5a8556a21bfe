import { shortDigest } from '../graph/revision.js';
import type { GraphNode } from '../graph/types.js';
import { failing, toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { reasonForCode, reasonForTrustProblem } from './codes.js';
import { describeFailure, describeVerified, expiryNote, fluxWouldAccept, passing, unconstrained } from './evidence.js';
import { describeCondition, firstLine, readFlux } from './flux.js';
import { signedOtherWay, TEMPLATE_IDENTITY_NEXT, withFluxRules, type Judged } from './flux-rules.js';
import type { FluxReading } from './flux.js';
import type { ReasonCode } from './reasons.js';
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

