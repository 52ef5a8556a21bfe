import type { GitRepository } from '../kube/types.js';
import type { GitPlanRef, GitRunning } from './types.js';

/**
 * A GitRepository as a verification plan: the ref with source-controller's precedence applied, the
 * mode as Flux reads it, the commit Flux runs. Pure: nothing is fetched here.
 */
export interface GitPlanInput {
  readonly url: string;
  readonly ref: GitPlanRef;
  readonly access: { readonly namespace: string; readonly provider: string; readonly secretRef?: string; readonly proxySecretRef?: string };
  readonly verify?: GitPlanVerify;
  readonly running?: GitRunning;
}

export interface GitPlanVerify {
  /** Flux's mode: `head` read as HEAD (GitRepositoryVerification.GetMode), anything invalid as HEAD */
  readonly mode: 'HEAD' | 'Tag' | 'TagAndHEAD';
  /** as written, when it differs from `mode` (`head`) */
  readonly written?: string;
  readonly namespace: string;
  readonly secretRef?: string;
}

const SHA1 = /^[0-9a-f]{40}$/;

/** pkg/git's clone precedence (gogit.Client.clone): commit > name > tag > semver > branch, and `master` when nothing is set. */
export function gitRef(o: GitRepository): GitPlanRef {
  const r = o.ref ?? {};
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';
  if (set(r.commit)) return { kind: 'commit', commit: r.commit, ...(set(r.branch) ? { branch: r.branch } : {}) };
  if (set(r.name)) return { kind: 'name', name: r.name };
  if (set(r.tag)) return { kind: 'tag', tag: r.tag };
  if (set(r.semver)) return { kind: 'semver', constraint: r.semver };
  return { kind: 'branch', branch: set(r.branch) ? r.branch : 'master' };
}

/**
 * The mode source-controller verifies with, or undefined when it verifies nothing: no spec.verify, or
 * an empty mode (verifySignature returns early on `Mode == ""`, source-controller v1.9.x
 * gitrepository_controller.go).
 */
export function gitVerify(o: GitRepository): GitPlanVerify | undefined {
  const v = o.verify;
  if (v === undefined || v.mode === '') return undefined;
  const mode = v.mode === 'Tag' || v.mode === 'TagAndHEAD' || v.mode === 'HEAD' ? v.mode : 'HEAD';
  return { mode, ...(v.mode === mode ? {} : { written: v.mode }), namespace: o.namespace, ...(v.secretRef === undefined ? {} : { secretRef: v.secretRef }) };
}

/**
 * Reads a GitRepository revision: `<ref>@sha1:<hex>` (branch, tag or an absolute ref name),
 * `sha1:<hex>` (a commit ref), and the pre-RFC-0005 `<branch>/<hex>` and `HEAD/<hex>` that
 * fluxcd/pkg/git's SplitRevision still accepts. No commit is guessed from anything else.
 */
export function parseGitRevision(revision: string): GitRunning {
  const at = revision.lastIndexOf('@');
  const tail = at >= 0 ? revision.slice(at + 1) : revision;
  if (tail.startsWith('sha1:') && SHA1.test(tail.slice(5))) {
    const refName = at > 0 ? revision.slice(0, at) : undefined;
    return { revision, commit: tail.slice(5), ...(refName ? { refName } : {}) };
  }
  const slash = revision.lastIndexOf('/');
  if (at < 0 && slash > 0 && SHA1.test(revision.slice(slash + 1))) {
    const refName = revision.slice(0, slash);
    return { revision, commit: revision.slice(slash + 1), ...(refName === 'HEAD' ? {} : { refName }) };
  }
  return { revision };
}

export function gitPlanInput(o: GitRepository): GitPlanInput {
  const verify = gitVerify(o);
  return {
    url: o.url,
    ref: gitRef(o),
    access: {
      namespace: o.namespace,
      provider: o.provider,
      ...(o.secretRef === undefined ? {} : { secretRef: o.secretRef }),
      ...(o.proxySecretRef === undefined ? {} : { proxySecretRef: o.proxySecretRef }),
    },
    ...(verify ? { verify } : {}),
    ...(o.artifact ? { running: parseGitRevision(o.artifact.revision) } : {}),
  };
}

/**
 * A consumer that applied another commit than its GitRepository runs (suspended, or not reconciled since
 * the branch moved): that commit is verified with the repository's keys, as appliedPlan does for an OCI
 * digest. None when the repository verifies nothing: there are no keys to judge the commit with.
 */
export function gitAppliedPlan(source: GitPlanInput, applied: string): GitPlanInput | undefined {
  const running = parseGitRevision(applied);
  if (source.verify === undefined || running.commit === undefined || running.commit === source.running?.commit) return undefined;
  return { ...source, running };
}

/** The ref as people write it, for plan ids and messages. */
export function describeGitRef(r: GitPlanRef): string {
  switch (r.kind) {
    case 'commit':
      return r.branch ? `${r.branch}@${r.commit.slice(0, 12)}` : r.commit.slice(0, 12);
    case 'name':
      return r.name;
    case 'tag':
      return r.tag;
    case 'semver':
      return r.constraint;
    case 'branch':
      return r.branch;
  }
}
