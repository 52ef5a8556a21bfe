import { shortDigest } from '../graph/revision.js';
import type { GraphNode } from '../graph/types.js';
import type { GitRepository } from '../kube/types.js';
import type { Check, SignatureEvidence } from '../verify/evidence.js';
import { parseSourceVerifiedMessage } from '../verify/git/index.js';
import { failing, toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { reasonForCode, reasonForTrustProblem } from './codes.js';
import { describeCondition, firstLine, readFlux } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { Drift, Finding, FluxView, GitPlanOutcome, GitVerification } from './types.js';

/**
 * The verdict for a GitRepository: its commit (and, in the Tag modes, its annotated tag) verified
 * with the keys of spec.verify.secretRef as source-controller verifies them (docs/flux-rules.md,
 * "Git"), compared with the SourceVerified Flux wrote, and the remote's commit when the branch or
 * tag has moved since. Fail closed: `verified` needs every object the mode names to pass.
 */
export function gitFinding(node: GraphNode, outcome: GitPlanOutcome | undefined): Finding {
  const obj = node.type === 'object' && node.object.kind === 'GitRepository' ? node.object : undefined;
  const flux = readFlux(obj);
  const sv = flux.sourceVerified;
  const extra: ReasonCode[] = [];
  const suffixes: string[] = [];
  const running = obj?.artifact?.revision;
  const runningCommit = outcome?.running?.commit;
  let judgement = judge(obj, outcome);
  const ours = outcome?.running?.verified;

  // what SourceVerified says, against ours on the same commit
  let agrees: boolean | undefined;
  let stale = false;
  if (sv !== undefined && sv.status !== 'Unknown' && ours !== undefined && obj?.verify !== undefined) {
    const named = sv.status === 'True' ? parseSourceVerifiedMessage(sv.message ?? '').commit?.id : undefined;
    const aboutNext = sv.status === 'False' && outcome?.next !== undefined && (sv.message ?? '').includes(outcome.next.commit);
    const oursThere = aboutNext ? outcome?.next?.verified : ours;
    agrees = oursThere === undefined ? undefined : oursThere === (sv.status === 'True');
    if (agrees === false && sv.status === 'True' && (named === undefined || named === runningCommit)) {
      // source-controller verifies again only on a new commit or a wider mode (requiresVerification):
      // a True written with earlier keys, or before a key expired, stands until then
      stale = true;
      extra.unshift(judgement.primary);
      judgement = {
        state: judgement.state,
        primary: 'stale-verification',
        message: `${judgement.message}; Flux verified this commit earlier (${describeCondition('SourceVerified', sv)}) and verifies again only when the commit or the verification mode changes, so today's keys have not been applied`,
        next: `flux suspend source git ${obj.name} -n ${obj.namespace} && flux resume source git ${obj.name} -n ${obj.namespace} (or push a new commit): Flux checks the commit again with today's keys`,
      };
    } else if (agrees === false) {
      extra.push('flux-disagrees');
      suffixes.push(`Flux says ${describeCondition('SourceVerified', sv)}`);
    }
  }
  if (flux.staleBecause !== undefined && !stale) {
    extra.push('stale-flux-condition');
    suffixes.push(flux.staleBecause);
  }

  const drift = driftOf(obj, outcome);
  if (drift) {
    extra.push('drift');
    const refused = sv?.status === 'False' && outcome?.next !== undefined && (sv.message ?? '').includes(outcome.next.commit);
    const where = outcome?.remote?.tag?.name ?? outcome?.remote?.refName ?? 'the ref';
    if (refused && judgement.state === 'verified') {
      judgement = { ...judgement, primary: 'update-refused' };
      extra.push('update-refused');
      suffixes.push(`Flux refused ${where} at ${shortDigest(drift.registryDigest ?? '')} and keeps running ${shortDigest(drift.runningDigest ?? '')}: ${firstLine(sv.message ?? '')}`);
    } else {
      suffixes.push(`the remote's ${where} is now at ${shortDigest(drift.registryDigest ?? '')} (next reconcile: ${drift.nextReconcile})`);
    }
  }
  if (outcome?.remoteError && outcome.running !== undefined) {
    extra.push(failing(reasonForCode(outcome.remoteError.code)));
    suffixes.push(`the ref could not be resolved now: ${firstLine(outcome.remoteError.message)}`);
  }
  if (outcome?.unreadableKeys && outcome.unreadableKeys.length > 0) {
    suffixes.push(`Secret entries that are not keys (source-controller ≥ 1.9 skips them): ${outcome.unreadableKeys.map((u) => u.name).join(', ')}`);
  }
  if (obj?.suspend === true) extra.push('suspended');

  const view: FluxView = { ...(flux.ready ? { ready: flux.ready } : {}), ...(sv ? { sourceVerified: sv } : {}), agrees, stale };
  const commit = runningCommit ?? outcome?.remote?.commit;
  const runningField = running !== undefined || commit !== undefined ? { running: { ...(running !== undefined ? { revision: running } : {}), ...(commit ? { digest: `sha1:${commit}` } : {}) } } : {};
  const f = toFinding(judgement, extra, suffixes, view, { ...runningField, ...(drift ? { drift } : {}) });
  // the drift reason's own step speaks of digests; a moved branch or tag is a commit to look at
  if (drift && f.reasons.find((r) => r !== 'verified') === 'drift') {
    const commit = drift.registryDigest?.replace(/^sha1:/, '') ?? '';
    const refused = drift.nextReconcile === 'refused';
    return { ...f, next: refused ? `the remote's commit ${commit.slice(0, 12)} does not verify with today's keys: find out who pushed it (git log ${commit.slice(0, 12)}) before Flux's next reconcile refuses it` : `check commit ${commit.slice(0, 12)} (git verify-commit ${commit.slice(0, 12)}) before Flux's next reconcile applies it` };
  }
  return f;
}

function judge(obj: GitRepository | undefined, outcome: GitPlanOutcome | undefined): Judgement {
  if (obj?.verify === undefined) return { state: 'not-enforced', primary: 'not-enforced', message: `no spec.verify: Flux applies whatever is pushed to ${obj?.url ?? 'the repository'}`, next: 'set spec.verify (mode HEAD, and a Secret with the signers\' OpenPGP keys as *.asc or SSH keys as *.sshpub)' };
  if (obj.verify.mode === '') {
    return { state: 'not-enforced', primary: 'not-enforced', message: 'spec.verify.mode is empty: source-controller verifies nothing (verifySignature returns early on an empty mode)', next: 'set spec.verify.mode to HEAD (or Tag / TagAndHEAD for tag refs)' };
  }
  if (outcome === undefined) return obj.suspend ? { state: 'pending', primary: 'suspended', message: 'suspended: Flux does not reconcile it; not verified yet' } : { state: 'pending', primary: 'pending', message: 'not verified yet' };
  return judgeOutcome(outcome);
}

/**
 * A commit a consumer applied, judged as its GitRepository's own commit would be; `contentVerified` when
 * every object the mode names passed (docs/flux-rules.md §8 and §10).
 */
export function judgeGitApplied(outcome: GitPlanOutcome | undefined): (Judgement & { readonly contentVerified: boolean }) | undefined {
  if (outcome === undefined) return undefined;
  const j = judgeOutcome(outcome);
  return { ...j, contentVerified: j.state === 'verified' };
}

function judgeOutcome(outcome: GitPlanOutcome): Judgement {
  if (outcome.accessProblem) {
    const p = outcome.accessProblem;
    return { state: 'error', primary: failing(p.code.startsWith('git-remote.') ? reasonForCode(p.code) : 'remote-auth'), message: `${p.secret ? `Secret ${p.secret}: ` : ''}${firstLine(p.message)}` };
  }
  if (outcome.trustProblem) {
    const p = outcome.trustProblem;
    return { state: 'error', primary: reasonForTrustProblem(p.code), message: `${p.secret ? `Secret ${p.secret}: ` : ''}${firstLine(p.message)}` };
  }
  const v = outcome.running;
  if (v === undefined) {
    const e = outcome.fetchError ?? outcome.remoteError;
    if (e) return { state: 'error', primary: failing(reasonForCode(e.code)), message: firstLine(e.message) };
    return { state: 'pending', primary: 'not-reconciled', message: 'Flux has stored no artifact yet and the remote gave no commit' };
  }
  if (v.flux.reason === 'InvalidVerificationMode') {
    return { state: 'failed', primary: 'flux-refuses', message: `${v.flux.message}: Flux stalls on this object`, next: 'use mode HEAD for a branch or commit ref, or point spec.ref at a tag' };
  }
  if (v.verified) return { state: 'verified', primary: 'verified', message: describeVerified(v) };
  const failed = v.steps.find((s) => !s.verified);
  const check = failed ? firstFailing(failed.evidence) : undefined;
  const primary = failing(check ? reasonForCode(check.code) : 'check-failed');
  return { state: 'failed', primary, message: `${failed?.target ?? 'commit'} ${failed?.target === 'tag' ? tagLabel(failed.evidence) : v.commit.slice(0, 12)}: ${check?.message ?? v.flux.message}` };
}

function firstFailing(e: SignatureEvidence): Check | undefined {
  // the attempt that got furthest names the real reason (an expired key beats "not this key")
  const attempts = [...e.attempts].sort((a, b) => b.checks.filter((c) => c.ok).length - a.checks.filter((c) => c.ok).length);
  for (const a of attempts) {
    const c = a.checks.find((x) => !x.ok);
    if (c) return c;
  }
  return undefined;
}

function tagLabel(e: SignatureEvidence): string {
  return e.foundAt.tag ?? 'tag';
}

function describeVerified(v: GitVerification): string {
  return v.steps
    .map((s) => {
      const signer = s.evidence.signer;
      const who = signer?.userIds?.[0] ?? s.evidence.attempts.find((a) => a.ok)?.trust.label ?? 'a key in the Secret';
      const what = s.target === 'tag' ? `tag ${tagLabel(s.evidence)}` : `commit ${v.commit.slice(0, 12)}`;
      return `${what} signed by ${who}${s.fluxKeyId ? ` (${s.fluxKeyId})` : ''}`;
    })
    .join(', ');
}

function driftOf(obj: GitRepository | undefined, outcome: GitPlanOutcome | undefined): Drift | undefined {
  const runningCommit = outcome?.running?.commit;
  const remote = outcome?.remote?.commit;
  if (obj?.artifact === undefined || runningCommit === undefined || remote === undefined || remote === runningCommit) return undefined;
  const next = outcome?.next;
  const nextReconcile: Drift['nextReconcile'] = obj.verify === undefined || obj.verify.mode === '' ? 'accepted' : next === undefined ? 'unknown' : next.flux.status === 'True' ? 'accepted' : 'refused';
  return { runningDigest: `sha1:${runningCommit}`, registryDigest: `sha1:${remote}`, nextReconcile };
}
