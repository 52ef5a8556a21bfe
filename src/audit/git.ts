import type { GitPlan } from '../graph/types.js';
import type { GitAccess, GitClient, GitRefSpec, RawGitObject, ResolvedGitRef } from '../git/index.js';
import type { GitPlanOutcome, GitVerification } from '../verdict/types.js';
import { LATEST_GIT_RULES, readGitKeys, verifyLikeFlux, type GitFluxResult, type GitFluxRules, type GitKeyring } from '../verify/git/index.js';
import { errorProblem } from '../errors.js';
import { secretProblem, type SecretCache } from './secrets.js';

/**
 * One GitRepository plan: read the access and key Secrets as source-controller does, resolve the ref
 * on the remote now, fetch the commit Flux runs (and the annotated tag a Tag mode verifies), verify
 * them as Flux would, and the remote's commit too when the branch or tag has moved since.
 */
export interface GitRunOptions {
  readonly now: Date;
  readonly client: GitClient;
  /** Flux's rules for the release that runs the object (SSH keys, unreadable keys) */
  readonly rules?: GitFluxRules;
  /** how the keys' origin reads in the evidence: `namespace/secret` by default, `--keys` for flags */
  readonly keysLabel?: string;
}

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));

/** The auth Secret's keys as fluxcd/pkg/git reads them (git/options.go): basic, bearer, SSH identity, CA and client certificate. */
async function accessOf(plan: GitPlan, secrets: SecretCache): Promise<{ access: GitAccess } | { problem: GitPlanOutcome['accessProblem'] }> {
  let access: GitAccess = { url: plan.url };
  if (plan.access.provider !== 'generic') {
    return { problem: { code: 'git-remote.unsupported', message: `spec.provider ${plan.access.provider}: the provider's short-lived credentials cannot be had outside the cluster`, secret: undefined } };
  }
  if (plan.access.secretRef !== undefined) {
    const id = `${plan.access.namespace}/${plan.access.secretRef}`;
    const r = await secrets.secret(plan.access.namespace, plan.access.secretRef);
    if (r.state !== 'found') return { problem: secretProblem(r, id, 'auth') };
    const d = r.data;
    const ca = d['ca.crt'] ?? d['caFile'];
    access = {
      ...access,
      ...(d['username'] ? { username: text(d['username']) ?? '' } : {}),
      ...(d['password'] ? { password: text(d['password']) ?? '' } : {}),
      ...(d['bearerToken'] ? { bearerToken: text(d['bearerToken']) ?? '' } : {}),
      ...(d['identity'] ? { identity: d['identity'] } : {}),
      ...(d['known_hosts'] ? { knownHosts: text(d['known_hosts']) ?? '' } : {}),
      ...(ca ? { caCert: ca } : {}),
      ...(d['tls.crt'] && d['tls.key'] ? { clientCert: d['tls.crt'], clientKey: d['tls.key'] } : {}),
    };
  }
  if (plan.access.proxySecretRef !== undefined) {
    const id = `${plan.access.namespace}/${plan.access.proxySecretRef}`;
    const r = await secrets.secret(plan.access.namespace, plan.access.proxySecretRef);
    if (r.state !== 'found') return { problem: secretProblem(r, id, 'proxy') };
    const address = text(r.data['address']);
    if (address === undefined || address === '') return { problem: { code: 'secret.invalid', message: 'proxy Secret has no address', secret: id } };
    const username = text(r.data['username']);
    const password = text(r.data['password']);
    access = { ...access, proxy: { url: address, ...(username ? { username } : {}), ...(password ? { password } : {}) } };
  }
  return { access };
}

function refSpec(plan: GitPlan): GitRefSpec {
  const r = plan.ref;
  switch (r.kind) {
    case 'commit':
      return { commit: r.commit, ...(r.branch ? { branch: r.branch } : {}) };
    case 'name':
      return { name: r.name };
    case 'tag':
      return { tag: r.tag };
    case 'semver':
      return { semver: r.constraint };
    case 'branch':
      return { branch: r.branch };
  }
}

function verification(commit: string, r: GitFluxResult): GitVerification {
  return {
    commit,
    verified: r.verified,
    flux: { status: r.status, reason: r.reason, message: r.message },
    steps: r.steps.map((s) => ({ target: s.target, verified: s.result.verified, fluxOk: s.result.fluxOk, ...(s.result.fluxKeyId ? { fluxKeyId: s.result.fluxKeyId } : {}), evidence: s.result.evidence })),
  };
}

export interface GitPlanResult {
  readonly outcome: GitPlanOutcome;
}

export async function runGitPlan(plan: GitPlan, secrets: SecretCache, opts: GitRunOptions, signal?: AbortSignal): Promise<GitPlanResult> {
  const rules = opts.rules ?? LATEST_GIT_RULES;
  const got = await accessOf(plan, secrets);
  if ('problem' in got) return { outcome: { ...(got.problem ? { accessProblem: got.problem } : {}) } };
  const access = got.access;

  let remote: ResolvedGitRef | undefined;
  let remoteError: GitPlanOutcome['remoteError'];
  try {
    remote = await opts.client.resolve(access, refSpec(plan), signal);
  } catch (e) {
    remoteError = errorProblem(e);
  }
  const base: GitPlanOutcome = { ...(remote ? { remote } : {}), ...(remoteError ? { remoteError } : {}) };
  const verify = plan.verify;
  if (verify === undefined) return { outcome: base };

  let keys: GitKeyring | undefined;
  let trustProblem: GitPlanOutcome['trustProblem'];
  if (verify.secretRef === undefined) {
    trustProblem = { code: 'secret.missing', message: 'spec.verify names no secretRef' };
  } else {
    const id = `${verify.namespace}/${verify.secretRef}`;
    const r = await secrets.secret(verify.namespace, verify.secretRef);
    if (r.state !== 'found') {
      const p = secretProblem(r, id, 'public keys');
      trustProblem = { code: p.code, message: p.message, secret: id };
    } else {
      keys = await readGitKeys(r.data, rules);
    }
  }
  const unreadable = keys?.entries.flatMap((e) => (e.kind === 'unreadable' ? [e] : [])) ?? [];
  const withTrust: GitPlanOutcome = { ...base, ...(trustProblem ? { trustProblem } : {}), ...(unreadable.length > 0 ? { unreadableKeys: unreadable.map((u) => ({ name: u.name, message: u.message })) } : {}) };
  if (keys === undefined) return { outcome: withTrust };

  // the commit Flux runs; with no stored artifact, what its next reconcile would check out
  const runningCommit = plan.running?.commit ?? remote?.commit;
  const refIsTag = plan.ref.kind === 'tag' || plan.ref.kind === 'semver' || (plan.ref.kind === 'name' && plan.ref.name.startsWith('refs/tags/'));
  const tagFor = async (commit: string): Promise<{ name: string; object?: string } | undefined> => {
    if (!refIsTag) return undefined;
    // the tag object Flux verified is not in its status: the remote's tag stands for it while it still peels to that commit
    if (remote?.tag && remote.commit === commit) return remote.tag;
    const name = plan.running?.refName?.replace(/^refs\/tags\//, '');
    if (name === undefined) return undefined;
    // a semver range that moved on to a newer tag: the tag Flux runs is still on the remote, look it up by name
    const again = await opts.client.resolve(access, { tag: name }, signal).catch(() => undefined);
    return again?.tag && again.commit === commit ? again.tag : { name };
  };

  const run = async (commit: string): Promise<GitVerification | { code: string; message: string }> => {
    try {
      const tag = await tagFor(commit);
      const ids = [commit, ...(tag?.object ? [tag.object] : [])];
      const objects = await opts.client.fetchObjects(access, ids, signal);
      const byId = new Map<string, RawGitObject>(objects.map((o) => [o.id, o]));
      const commitObject = byId.get(commit);
      if (commitObject === undefined) return { code: 'git-remote.ref-not-found', message: `commit ${commit} is not on the remote` };
      const tagObject = tag?.object ? byId.get(tag.object) : undefined;
      const r = await verifyLikeFlux({
        mode: verify.mode,
        commit: commitObject,
        ...(tag ? { tag: { name: tag.name, ...(tagObject ? { object: tagObject } : {}) } } : {}),
        refIsTag,
        keys: keys as GitKeyring,
        now: opts.now,
        secretLabel: opts.keysLabel ?? `${verify.namespace}/${verify.secretRef ?? ''}`,
        rules,
      });
      return verification(commit, r);
    } catch (e) {
      return errorProblem(e);
    }
  };
  const running = runningCommit === undefined ? undefined : await run(runningCommit);
  const next = remote !== undefined && runningCommit !== undefined && remote.commit !== runningCommit ? await run(remote.commit) : undefined;
  const asError = (v: GitVerification | { code: string; message: string } | undefined): { code: string; message: string } | undefined => (v !== undefined && 'code' in v ? v : undefined);
  const asVerification = (v: GitVerification | { code: string; message: string } | undefined): GitVerification | undefined => (v !== undefined && 'steps' in v ? v : undefined);
  const runningV = asVerification(running);
  const nextV = asVerification(next);
  const fetchError = asError(running) ?? asError(next);
  return { outcome: { ...withTrust, ...(runningV ? { running: runningV } : {}), ...(nextV ? { next: nextV } : {}), ...(fetchError ? { fetchError } : {}) } };
}
