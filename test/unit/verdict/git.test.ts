// GitRepository verdicts: (Git plan outcome × Flux's SourceVerified) → state and reasons.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, GitRepository } from '../../../src/kube/types.js';
import { findingFor } from '../../../src/verdict/index.js';
import type { GitPlanOutcome, GitVerification } from '../../../src/verdict/index.js';
import type { CheckCode, SignatureEvidence } from '../../../src/verify/evidence.js';
import { cond, gitRepo, helmChart, kustomization, readyTrue, ref } from '../graph/factories.js';
import { nodeIn } from './nodes.js';

const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);
const KEY = '5982D0279C227FFD';
const trueMessage = (commit: string): string => `verified signature of\n\t- commit '${commit}' with key '${KEY}'`;

function evidence(ok: boolean, code: CheckCode = ok ? 'ok' : 'git.no-matching-key'): SignatureEvidence {
  return {
    mechanism: 'git-openpgp',
    foundAt: { via: 'git-commit', digest: `sha1:${C1}` },
    signer: { kind: 'openpgp-key', keyId: KEY, userIds: ['Signer <signer@example.com>'] },
    verified: ok,
    attempts: [{ trust: { kind: 'key', label: 'apps/git-keys · pub.asc', source: 'object' }, ok, checks: [{ check: 'signature', ok, code, message: ok ? 'signature verifies' : `failed: ${code}` }] }],
  };
}

function run(commit: string, ok: boolean, code?: CheckCode, reason = ok ? 'Succeeded' : 'InvalidCommitSignature'): GitVerification {
  return { commit, verified: ok, flux: { status: ok ? 'True' : 'False', reason, message: ok ? trueMessage(commit) : `signature verification of commit '${commit}' failed` }, steps: [{ target: 'commit', verified: ok, fluxOk: ok, ...(ok ? { fluxKeyId: KEY } : {}), evidence: evidence(ok, code) }] };
}

const signedRepo = (over: Partial<GitRepository> = {}, conditions: Condition[] = [readyTrue()]): GitRepository =>
  gitRepo('repo', { verify: { mode: 'HEAD', secretRef: 'git-keys' }, artifact: { revision: `main@sha1:${C1}` }, conditions, ...over });

function judge(repo: GitRepository, outcome: GitPlanOutcome | undefined) {
  const node = nodeIn([repo], 'GitRepository/apps/repo');
  assert.ok(node.gitPlanId, 'the GitRepository has a Git plan');
  return findingFor(node, undefined, { now: new Date('2026-06-01T00:00:00Z') }, outcome);
}

const remote = (commit: string): GitPlanOutcome['remote'] => ({ commit, refName: 'refs/heads/main', revision: `main@sha1:${commit}` });

describe('findingFor: GitRepository', () => {
  it('verified when the commit Flux runs verifies, and agrees with a True SourceVerified naming it', () => {
    const f = judge(signedRepo({}, [readyTrue(), cond('SourceVerified', 'True', 'Succeeded', trueMessage(C1))]), { remote: remote(C1), running: run(C1, true) });
    assert.equal(f.state, 'verified');
    assert.deepEqual(f.reasons, ['verified']);
    assert.equal(f.flux.agrees, true);
    assert.match(f.message, new RegExp(`commit ${C1.slice(0, 12)} signed by Signer <signer@example.com> \\(${KEY}\\)`));
    assert.deepEqual(f.running, { revision: `main@sha1:${C1}`, digest: `sha1:${C1}` });
  });

  it('failed with the reason of the failing check; agrees with a False SourceVerified', () => {
    const f = judge(signedRepo({}, [cond('SourceVerified', 'False', 'InvalidCommitSignature', `signature verification of commit '${C1}' failed: …`)]), { remote: remote(C1), running: run(C1, false, 'git.no-matching-key') });
    assert.equal(f.state, 'failed');
    assert.equal(f.reasons[0], 'wrong-key');
    assert.equal(f.flux.agrees, true);
  });

  it('an unsigned commit is no-signature; an expired key is expired', () => {
    assert.equal(judge(signedRepo(), { remote: remote(C1), running: run(C1, false, 'git.unsigned') }).reasons[0], 'no-signature');
    assert.equal(judge(signedRepo(), { remote: remote(C1), running: run(C1, false, 'git.key-expired') }).reasons[0], 'expired');
  });

  it('stale verification: Flux said True for this commit, today\'s keys reject it', () => {
    const f = judge(signedRepo({}, [readyTrue(), cond('SourceVerified', 'True', 'Succeeded', trueMessage(C1))]), { remote: remote(C1), running: run(C1, false, 'git.no-matching-key') });
    assert.equal(f.state, 'failed');
    assert.deepEqual(f.reasons.slice(0, 2), ['stale-verification', 'wrong-key']);
    assert.equal(f.flux.stale, true);
    assert.match(f.next, /flux suspend source git repo -n apps && flux resume source git repo -n apps/);
  });

  it('drift: the branch moved to a commit Flux would refuse', () => {
    const f = judge(signedRepo({}, [readyTrue(), cond('SourceVerified', 'True', 'Succeeded', trueMessage(C1))]), { remote: remote(C2), running: run(C1, true), next: run(C2, false, 'git.no-matching-key') });
    assert.equal(f.state, 'verified');
    assert.ok(f.reasons.includes('drift'));
    assert.deepEqual(f.drift, { runningDigest: `sha1:${C1}`, registryDigest: `sha1:${C2}`, nextReconcile: 'refused' });
    assert.match(f.message, /the remote's refs\/heads\/main is now at sha1:bbbbbbbbbbbb… \(next reconcile: refused\)/);
  });

  it('update refused: Flux already said False about the remote\'s new commit', () => {
    const f = judge(signedRepo({}, [cond('Ready', 'False', 'InvalidCommitSignature', 'x'), cond('SourceVerified', 'False', 'InvalidCommitSignature', `signature verification of commit '${C2}' failed: no matching key`)]), { remote: remote(C2), running: run(C1, true), next: run(C2, false) });
    assert.equal(f.reasons[0], 'update-refused');
    assert.equal(f.flux.agrees, true);
  });

  it('no spec.verify, or an empty mode: not enforced', () => {
    assert.equal(judge(gitRepo('repo'), undefined).state, 'not-enforced');
    const empty = judge(signedRepo({ verify: { mode: '', secretRef: 'git-keys' } }), { remote: remote(C1) });
    assert.equal(empty.state, 'not-enforced');
    assert.match(empty.message, /mode is empty: source-controller verifies nothing/);
  });

  it('Tag mode on a branch: Flux stalls (flux-refuses)', () => {
    const f = judge(signedRepo({ verify: { mode: 'Tag', secretRef: 'git-keys' } }), { remote: remote(C1), running: { ...run(C1, false), flux: { status: 'False', reason: 'InvalidVerificationMode', message: "cannot verify tag object's signature if a tag reference is not specified" }, steps: [] } });
    assert.equal(f.state, 'failed');
    assert.equal(f.reasons[0], 'flux-refuses');
  });

  it('a keys Secret that is missing is trust-missing; an auth Secret that is missing is remote-auth; an unreachable remote is remote-error', () => {
    assert.equal(judge(signedRepo(), { trustProblem: { code: 'secret.not-found', message: 'public keys Secret not found', secret: 'apps/git-keys' } }).reasons[0], 'trust-missing');
    assert.equal(judge(signedRepo(), { accessProblem: { code: 'secret.not-found', message: 'auth Secret not found', secret: 'apps/auth' } }).reasons[0], 'remote-auth');
    const down = judge(signedRepo(), { remoteError: { code: 'git-remote.unreachable', message: 'connect ECONNREFUSED' }, fetchError: { code: 'git-remote.unreachable', message: 'connect ECONNREFUSED' } });
    assert.equal(down.state, 'error');
    assert.equal(down.reasons[0], 'remote-error');
  });

  it('a HelmChart built from a GitRepository takes its verdict, and says spec.verify is ignored there', () => {
    const repo = signedRepo();
    const repoFinding = judge(repo, { remote: remote(C1), running: run(C1, false, 'git.unsigned') });
    const chart = helmChart('c', { sourceRef: ref('GitRepository', 'repo'), verify: { provider: 'cosign', secretRef: 'k', matchOIDCIdentity: [] } });
    const f = findingFor(nodeIn([chart, repo], 'HelmChart/apps/c'), undefined, { now: new Date('2026-06-01T00:00:00Z'), sourceFindings: [repoFinding] });
    assert.equal(f.state, 'failed');
    assert.equal(f.reasons[0], 'no-signature');
    assert.match(f.message, /built from GitRepository apps\/repo: it is as verified as the commit that repository runs; its spec\.verify is ignored/);
  });

  it('a Kustomization that applied another commit is judged on that commit: behind when it verifies, applied-unverified when not', () => {
    const repo = signedRepo();
    const applied = `main@sha1:${C2}`;
    const k = kustomization('k', ref('GitRepository', 'repo'), { lastAppliedRevision: applied, suspend: true, conditions: [readyTrue()] });
    const node = nodeIn([k, repo], 'Kustomization/apps/k');
    assert.ok(node.gitPlanId, 'the consumer has a Git plan for the commit it applied');
    const repoFinding = judge(repo, { remote: remote(C1), running: run(C1, true) });
    const ctx = { now: new Date('2026-06-01T00:00:00Z'), sourceFindings: [repoFinding] };
    const ok = findingFor(node, undefined, ctx, { remote: remote(C1), running: run(C2, true) });
    assert.equal(ok.state, 'verified');
    assert.equal(ok.reasons[0], 'behind');
    assert.equal(ok.appliedIsVerified, true);
    assert.match(ok.next, /flux resume kustomization k -n apps/);
    const bad = findingFor(node, undefined, ctx, { remote: remote(C1), running: run(C2, false, 'git.unsigned') });
    assert.equal(bad.state, 'failed');
    assert.equal(bad.reasons[0], 'no-signature');
    assert.ok(bad.reasons.includes('applied-unverified'));
    assert.equal(findingFor(node, undefined, ctx, undefined).state, 'pending', 'not verified yet');
    // a repository that verifies nothing has no keys to judge the applied commit with
    const open = gitRepo('repo', { artifact: { revision: `main@sha1:${C1}` } });
    assert.equal(nodeIn([k, open], 'Kustomization/apps/k').gitPlanId, undefined);
  });

  it('an object that does not hash to its id is tampered', () => {
    const f = judge(signedRepo(), { fetchError: { code: 'git-remote.object-mismatch', message: 'object does not match its id' } });
    assert.equal(f.reasons[0], 'tampered');
  });
});
