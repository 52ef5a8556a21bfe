import { shortDigest } from '../graph/revision.js';
import type { GraphNode } from '../graph/types.js';
import { failing, toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { reasonForCode, reasonForTrustProblem } from './codes.js';
import { describeFailure, describeVerified, expiryNote, fluxWouldAccept, passing, unconstrained } from './evidence.js';
import { describeCondition, firstLine, readFlux } from './flux.js';
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
  const { judgement, cryptoOk } = judge(node, outcome, flux, ctx);
  const extra: ReasonCode[] = [];
  const suffixes: string[] = [];

  if (outcome?.trustFrom === 'flag') {
    extra.push('override');
    suffixes.push(`trust from flags${outcome.overrides && outcome.overrides.length > 0 ? ` ${outcome.overrides.join(' ')}` : ''}, not from spec.verify`);
  }
  const agrees = agreement(node, outcome, flux, cryptoOk);
  const disagreeing = agrees === false;
  if (disagreeing) {
    extra.push('flux-disagrees');
    const sv = flux.sourceVerified;
    suffixes.push(sv ? `Flux says ${describeCondition('SourceVerified', sv)}` : 'Flux\'s rules accept it (the legacy payload claim is not checked)');
  }
  if (agrees === undefined && outcome?.trustFrom === 'object' && node.trust !== undefined && node.type === 'object' && !hasNoArtifact(node) && flux.sourceVerified === undefined && flux.ready?.status === 'True') {
    suffixes.push('Flux has set no SourceVerified for this revision');
  }
  if (flux.staleBecause !== undefined) {
    extra.push('stale-flux-condition');
    suffixes.push(flux.staleBecause);
  }
  const drift = driftOf(node, outcome, flux);
  if (drift) {
    extra.push('drift');
    suffixes.push(`the registry now serves ${shortDigest(drift.registryDigest ?? '')} (next reconcile: ${drift.nextReconcile})`);
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
    stale: flux.staleBecause !== undefined,
  };
  const running = node.running ? { running: { revision: node.running.revision, ...(node.running.digest ? { digest: node.running.digest } : {}) } } : {};
  return toFinding(judgement, extra, suffixes, view, { ...running, ...(drift ? { drift } : {}) });
}

interface Judged {
  readonly judgement: Judgement;
  /** the cryptographic result on the running digest, as Flux would see it; undefined when there is none */
  readonly cryptoOk: boolean | undefined;
}

function where(node: GraphNode): string {
  if (node.type === 'object' && node.object.kind === 'OCIRepository') return node.object.url;
  return `chart ${node.type === 'generated-chart' ? node.template.chart : node.type === 'object' && node.object.kind === 'HelmChart' ? node.object.chart : node.name}`;
}

function hasNoArtifact(node: GraphNode): boolean {
  return node.type === 'object' && (node.object.kind === 'OCIRepository' || node.object.kind === 'HelmChart') && node.object.artifact === undefined;
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
  if (hasNoArtifact(node)) {
    // Flux runs nothing yet; what its next reconcile would get decides, so a refusal Flux keeps
    // hitting (wrong key, no signature, registry down) is shown as that failure, not as "pending"
    const seen = outcome.next ?? outcome.running;
    const ready = flux.ready ? `; Flux says ${describeCondition('Ready', flux.ready)}` : '';
    // Flux pulls before it verifies: a registry it cannot reach or authenticate to is what it hits first
    if (outcome.registryError) {
      return none('error', failing(reasonForCode(outcome.registryError.code)), `no artifact stored; ${firstLine(outcome.registryError.message)}${ready}`);
    }
    if (seen && seen.state !== 'verified') {
      const primary = failing(reasonForCode(seen.code));
      const state = seen.state === 'error' ? 'error' : 'failed';
      return { judgement: { state, primary, message: `no artifact stored; the registry's ${seen.digest ? shortDigest(seen.digest) : 'artifact'}: ${describeFailure(seen, primary)}` }, cryptoOk: state === 'failed' ? false : undefined };
    }
    return none('pending', 'not-reconciled', `Flux has stored no artifact yet${ready}`);
  }
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
  return judgeRunning(node, running, outcome, ctx);
}

function judgeRunning(node: GraphNode, running: VerificationOutcome, outcome: PlanOutcome, ctx: FindingContext): Judged {
  const level = running.notation?.level;
  if (running.notation?.outcome === 'ignored') {
    const why = running.state === 'verified' ? '' : `: ${describeFailure(running, 'check-failed')}`;
    return { judgement: { state: 'weak', primary: 'weak', message: `notation trust policy level ${level ?? 'skip/audit'}: Flux accepts the artifact without verifying it${why}` }, cryptoOk: false };
  }
  if (running.state === 'error') {
    const primary = failing(reasonForCode(running.code));
    return { judgement: { state: 'error', primary, message: describeFailure(running, primary) }, cryptoOk: undefined };
  }
  if (running.state !== 'verified') {
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
    const why = t.origin === 'helmrelease-template' ? 'a HelmRelease chart template cannot set matchOIDCIdentity, so any Fulcio identity is accepted' : 'no matchOIDCIdentity: any Fulcio identity is accepted';
    return { judgement: { state: 'weak', primary: 'weak', message: `${ok}, but ${why}` }, cryptoOk: true };
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

