import { appliedRevisionOf } from '../graph/plan.js';
import { parseRevision } from '../graph/revision.js';
import type { GraphNode, PlanTrust } from '../graph/types.js';
import type { HelmRelease, Kustomization } from '../kube/types.js';
import { failing, toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { reasonForCode, reasonForTrustProblem } from './codes.js';
import { describeFailure, describeVerified, expiryNote, passing, unconstrained } from './evidence.js';
import { describeCondition, firstLine, readFlux } from './flux.js';
import type { FluxReading } from './flux.js';
import { REASONS } from './reasons.js';
import type { ReasonCode } from './reasons.js';
import type { Finding, FindingContext, FluxView, GitPlanOutcome, PlanOutcome } from './types.js';
import { judgeGitApplied } from './git.js';
import { parseGitRevision } from '../graph/git.js';

export { appliedRevisionOf };

type ConsumerNode = GraphNode & { readonly type: 'object'; readonly object: Kustomization | HelmRelease };

/**
 * Is `applied` the revision the source runs? Digests are compared when both sides name one;
 * otherwise chart versions, where the HelmChart may add `+<generation>` (valuesFiles).
 */
export function sameAsSource(applied: string, source: Finding['running']): boolean {
  if (source === undefined) return false;
  const a = parseRevision(applied).digest;
  if (a !== undefined && source.digest !== undefined) return a === source.digest;
  const rev = source.revision;
  if (rev === undefined) return false;
  return applied === rev || rev.startsWith(`${applied}+`);
}

/**
 * Kustomizations and HelmReleases inherit the verdict of the source they use (neither controller
 * looks at SourceVerified, §6.6), then say whether what they applied is the revision we verified.
 * A consumer that applied another digest than its source runs has a plan of its own for that digest
 * (`outcome`): it is judged on what it applied, not on what it might apply next.
 */
export function consumerFinding(node: ConsumerNode, ctx: FindingContext, outcome?: PlanOutcome, git?: GitPlanOutcome): Finding {
  const o = node.object;
  const own = readFlux(o);
  const sourceId = node.sourceIds[0];
  const source = ctx.sourceFindings?.[0];
  const applied = appliedRevisionOf(o);
  const extra: ReasonCode[] = o.suspend ? ['suspended'] : [];
  const baseView: FluxView = { ...(own.ready ? { ready: own.ready } : {}), agrees: undefined, stale: false };
  const withApplied = applied === undefined ? {} : { appliedRevision: applied };

  if (sourceId === undefined) {
    return toFinding({ state: 'error', primary: 'dangling-ref', message: `${o.kind} ${o.namespace}/${o.name} names no source` }, extra, [], baseView, withApplied);
  }
  const missing = node.notes.find((n) => n.code === 'graph.source-missing');
  if (source === undefined && missing !== undefined) {
    return toFinding({ state: 'error', primary: 'dangling-ref', message: missing.message }, extra, [], baseView, withApplied);
  }
  if (source === undefined) {
    return toFinding({ state: 'pending', primary: 'pending', message: `waiting for the verdict on ${sourceId}` }, extra, [], baseView, withApplied);
  }

  const matches = applied !== undefined && sameAsSource(applied, source.running);
  const running = source.running?.digest ?? source.running?.revision;
  // the applied digest has a plan of its own; without trust material there is nothing to judge it on
  const ownTrust = outcome?.trustFrom === 'flag' || node.trust !== undefined;
  if (applied !== undefined && !matches && node.planId !== undefined && (outcome === undefined || ownTrust)) {
    return appliedFinding(node, { applied, sourceId, source, running, own, extra, baseView }, outcome, ctx);
  }
  // a commit other than the one its GitRepository runs, verified with that repository's keys
  if (applied !== undefined && !matches && node.gitPlanId !== undefined) {
    return appliedFinding(node, { applied, sourceId, source, running, own, extra, baseView }, undefined, ctx, judgeGitApplied(git) ?? null);
  }

  const view: FluxView = {
    ...(own.ready ? { ready: own.ready } : {}),
    ...(source.flux.sourceVerified ? { sourceVerified: source.flux.sourceVerified } : {}),
    agrees: source.flux.agrees,
    stale: source.flux.stale,
  };
  const appliedIsVerified = source.state === 'verified' && matches;
  const inherited = source.reasons.slice(1);
  const appliedNote = applied === undefined ? '' : matches ? `applied ${applied}` : `applied ${applied}, but ${sourceId} runs ${running ?? 'nothing yet'}`;
  const rest = { ...withApplied, appliedIsVerified, ...(source.drift ? { drift: source.drift } : {}) };

  let j: Judgement;
  if (source.state === 'unverifiable') {
    // nothing to compare: no Flux release verifies what it applies, whatever revision that is; its
    // source's next step (move to a signed OCI artifact, verify upstream) is the consumer's too
    j = { state: 'unverifiable', primary: 'unverifiable', message: `its source ${sourceId} cannot be verified by Flux: ${source.message}`, next: source.next };
  } else if (source.state !== 'verified') {
    j = { state: source.state, primary: source.reasons[0] ?? 'pending', message: `${sourceId}: ${source.message}` };
    if (applied !== undefined && !matches && source.running !== undefined) extra.push('applied-unverified');
  } else if (applied === undefined && own.ready === undefined && o.conditions.length === 0) {
    // never reconciled (a GitOps folder read with -f): it will apply what its source verifies now
    j = { state: 'verified', primary: 'verified', message: `not reconciled${ctx.fromFiles === true ? ' (from files)' : ''}: it will apply what ${sourceId} resolves to, ${source.message}` };
    extra.push('not-reconciled');
  } else if (applied === undefined) {
    j = { state: 'pending', primary: 'not-reconciled', message: `${sourceId} is verified (${source.message}), but nothing has been applied yet` };
  } else if (!matches) {
    // a reconcile in progress may still catch up; a settled consumer runs something we did not verify
    const state = own.ready?.status === 'Unknown' ? 'pending' : 'failed';
    const why = parseRevision(applied).digest === undefined && parseGitRevision(applied).commit === undefined
      ? 'cannot verify an applied chart version: Flux records no digest for it, and a tag can be moved'
      : `only ${running ?? 'that revision'} is verified`;
    j = { state, primary: 'applied-unverified', message: `${appliedNote}; ${why}` };
  } else {
    j = { state: 'verified', primary: 'verified', message: `${appliedNote}: ${source.message}` };
  }
  return toFinding(j, [...inherited, ...extra], [], view, rest);
}

interface Behind {
  readonly applied: string;
  readonly sourceId: string;
  readonly source: Finding;
  /** what the source runs: its digest, else its revision */
  readonly running: string | undefined;
  readonly own: FluxReading;
  readonly extra: ReasonCode[];
  readonly baseView: FluxView;
}

/**
 * A consumer judged on the digest it applied. Verified content one revision behind is `behind`
 * (its state stays that of what it runs); applied content that does not verify is a failure.
 * Fail closed: verified needs a passing signature on the applied digest itself.
 */
function appliedFinding(node: ConsumerNode, b: Behind, outcome: PlanOutcome | undefined, ctx: FindingContext, gitJudged?: AppliedJudgement | null): Finding {
  const o = node.object;
  const sourceText = `${b.sourceId} runs ${b.running ?? 'nothing yet'}${b.source.state === 'verified' ? '' : ` (${b.source.state}: ${REASONS[b.source.reasons[0] ?? 'pending'].label})`}`;
  const why = o.suspend
    ? `${o.kind} is suspended, so Flux applies nothing new until it is resumed`
    : b.own.ready?.status === 'False'
      ? `its last reconcile did not apply it: ${describeCondition('Ready', b.own.ready)}`
      : 'not reconciled since its source moved';
  const suffixes: string[] = [];
  const extra = [...b.extra];
  if (outcome?.trustFrom === 'flag') {
    extra.push('override');
    suffixes.push(`trust from flags${outcome.overrides && outcome.overrides.length > 0 ? ` ${outcome.overrides.join(' ')}` : ''}, not from spec.verify`);
  }
  const rest = (appliedIsVerified: boolean) => ({ appliedRevision: b.applied, appliedIsVerified });

  // gitJudged: undefined for an OCI digest, null while the applied commit is not verified yet
  const judged = gitJudged === undefined ? (outcome === undefined ? undefined : judgeApplied(outcome, node.running?.digest, node.trust, ctx)) : (gitJudged ?? undefined);
  if (judged === undefined) {
    return toFinding({ state: 'pending', primary: 'pending', message: `verifying ${b.applied}, the revision it applied; ${sourceText}` }, extra, [], b.baseView, rest(false));
  }
  const j = judged;
  if (j.contentVerified) {
    // what runs is verified content: say so, and that it is behind
    const state = j.state;
    const primary: ReasonCode = state === 'verified' ? 'behind' : j.primary;
    const f = toFinding({ state, primary, message: `applied ${b.applied}, ${j.message}; ${sourceText}; ${why}` }, [...(primary === 'behind' ? [] : ['behind' as const]), ...extra], suffixes, b.baseView, rest(state === 'verified'));
    return primary === 'behind' ? { ...f, next: nextStep(o) } : f;
  }
  const verdict = j.state === 'failed' ? 'which does not verify' : j.state === 'error' ? 'which could not be verified' : j.state === 'weak' ? 'which Flux accepts unverified' : 'not verified yet';
  return toFinding({ state: j.state, primary: j.primary, message: `applied ${b.applied}, ${verdict}: ${j.message}; ${sourceText}; ${why}` }, ['applied-unverified', ...extra], suffixes, b.baseView, rest(false));
}

/** The one command that brings the consumer to its source's revision. */
function nextStep(o: Kustomization | HelmRelease): string {
  const kind = o.kind.toLowerCase();
  return o.suspend
    ? `resume it (flux resume ${kind} ${o.name} -n ${o.namespace}) so that it applies the revision its source runs`
    : `reconcile it (flux reconcile ${kind} ${o.name} -n ${o.namespace} --with-source) so that it applies the revision its source runs`;
}

interface AppliedJudgement extends Judgement {
  /** a signature on the applied digest passed every check (the state may still be weak) */
  readonly contentVerified: boolean;
}

/** The verdict on the applied digest, by the rules a source's running digest is judged by. */
function judgeApplied(outcome: PlanOutcome, appliedDigest: string | undefined, trust: PlanTrust | undefined, ctx: FindingContext): AppliedJudgement {
  const no = (state: Judgement['state'], primary: ReasonCode, message: string): AppliedJudgement => ({ state, primary, message, contentVerified: false });
  if (outcome.trustFrom !== 'object' && outcome.trustFrom !== 'flag') return no('error', 'check-failed', 'the verification names no trust source');
  if (outcome.trustProblem) {
    const p = outcome.trustProblem;
    return no('error', reasonForTrustProblem(p.code), `${p.secret ? `Secret ${p.secret}: ` : ''}${firstLine(p.message)}`);
  }
  const r = outcome.running;
  if (r === undefined) {
    if (outcome.registryError) return no('error', failing(reasonForCode(outcome.registryError.code)), firstLine(outcome.registryError.message));
    return no('pending', 'pending', 'the registry gave no result for it');
  }
  if (r.digest !== undefined && appliedDigest !== undefined && r.digest !== appliedDigest) return no('error', 'check-failed', `verified ${r.digest}, not the applied ${appliedDigest}`);
  if (r.notation?.outcome === 'ignored') return no('weak', 'weak', `notation trust policy level ${r.notation.level ?? 'skip/audit'}: Flux accepts it without verifying it`);
  if (r.state === 'error') {
    const primary = failing(reasonForCode(r.code));
    return no('error', primary, describeFailure(r, primary));
  }
  if (r.state !== 'verified') {
    const primary = failing(reasonForCode(r.code));
    return no('failed', primary, `${describeFailure(r, primary)}${primary === 'expired' ? expiryNote(r.signatures, ctx.now) : ''}`);
  }
  if (passing(r.signatures) === undefined) return no('failed', 'check-failed', 'reported as verified, but no signature passed every check');
  const ok = describeVerified(r);
  const weak = (why: string): AppliedJudgement => ({ state: 'weak', primary: 'weak', message: `${ok}, but ${why}`, contentVerified: true });
  const level = r.notation?.level;
  if (level === 'audit' || level === 'skip') return weak(`the trust policy level ${level} would accept an unverified artifact too`);
  if (outcome.trustFrom === 'object' && trust?.mode === 'cosign-keyless' && trust.matchOIDCIdentity.length === 0) return weak('no matchOIDCIdentity: any Fulcio identity is accepted');
  if (unconstrained(r.signatures)) return weak('no identity constrained the signer');
  return { state: 'verified', primary: 'verified', message: ok, contentVerified: true };
}
