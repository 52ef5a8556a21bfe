import { compareVersions, ConstraintError, parseConstraints, parseTagVersion, satisfies, type SemVersion } from '../registry/semver.js';
import { gitRemoteError } from './errors.js';
import type { GitRefSpec, RemoteRef, ResolvedGitRef } from './types.js';

/** What resolution needs from a remote; HTTP and SSH each provide it. */
export interface RefSource {
  /** refs whose names start with one of the prefixes, with annotated tags peeled */
  listRefs(prefixes: readonly string[]): Promise<RemoteRef[]>;
  /** committer time (seconds since the epoch) of each commit; only asked for semver ties */
  commitTimes(ids: readonly string[]): Promise<Map<string, number>>;
  /** throws git-remote.ref-not-found when the remote does not have the commit */
  requireCommit(id: string): Promise<void>;
}

/** go-git's git.DefaultBranch, used when spec.ref is empty. */
export const DEFAULT_BRANCH = 'master';
const TAG_DEREF = '^{}';

const notFound = (msg: string): Error => gitRemoteError('git-remote.ref-not-found', msg);

/**
 * spec.ref resolved the way source-controller v1.9 (fluxcd/pkg/git gogit `Client.clone`) does:
 * commit > name > tag > semver > branch, no ref → branch `master`; the revision is what it writes to
 * status.artifact.revision (`commit.String()`, or `AbsoluteReference()` when spec.ref.name is set).
 */
export async function resolveRefSpec(spec: GitRefSpec | undefined, src: RefSource): Promise<ResolvedGitRef> {
  const ref = spec ?? {};
  if (ref.commit) return resolveCommit(ref.commit, ref, src);
  if (ref.name) return resolveName(ref.name, src);
  if (ref.tag) return resolveTag(ref.tag, src);
  if (ref.semver) return resolveSemver(ref.semver, src);
  return resolveBranch(ref.branch || DEFAULT_BRANCH, src);
}

async function resolveCommit(raw: string, ref: GitRefSpec, src: RefSource): Promise<ResolvedGitRef> {
  const commit = raw.toLowerCase();
  // go-git's plumbing.NewHash pads anything shorter with zeros: a short or odd id never names a commit
  if (!/^[0-9a-f]{40}$/.test(commit)) throw notFound(`commit '${raw}' is not a full 40-hex SHA-1 commit id`);
  let refName: string | undefined;
  if (ref.branch) {
    refName = `refs/heads/${ref.branch}`;
    const refs = await src.listRefs([refName]);
    if (!refs.some((r) => r.name === refName)) throw notFound(`branch '${ref.branch}' is not on the remote`);
  }
  await src.requireCommit(commit);
  if (ref.name) return { commit, refName: ref.name, revision: `${ref.name}@sha1:${commit}` };
  if (refName !== undefined) return { commit, refName, revision: `${shortName(refName)}@sha1:${commit}` };
  return { commit, revision: `sha1:${commit}` };
}

async function resolveName(name: string, src: RefSource): Promise<ResolvedGitRef> {
  if (name.startsWith('/') || name.endsWith('/')) throw notFound(`ref ${name} is invalid; Git refs cannot begin or end with a slash '/'`);
  const bare = name.endsWith(TAG_DEREF) ? name.slice(0, -TAG_DEREF.length) : name;
  const refs = await src.listRefs([bare]);
  const hit = filterRefs(refs, name);
  if (hit === undefined) throw notFound(`unable to resolve ref '${name}' to a specific commit`);
  const revision = (commit: string): string => `${name}@sha1:${commit}`;
  if (name.startsWith('refs/tags/')) {
    const tagRef = refs.find((r) => r.name === bare);
    if (!tagRef) throw notFound(`tag '${bare}' is not on the remote`);
    const commit = tagRef.peeled ?? tagRef.id;
    return { commit, refName: name, tag: tagOf(tagRef), revision: revision(commit) };
  }
  return { commit: hit, refName: name, revision: revision(hit) };
}

/**
 * fluxcd/pkg/git gogit `filterRefs` over a peeled listing: the exact ref, and for a tag (without
 * `^{}`) the peeled commit when there is one.
 */
function filterRefs(refs: readonly RemoteRef[], name: string): string | undefined {
  const isTag = name.startsWith('refs/tags/');
  if (name.endsWith(TAG_DEREF)) {
    const r = refs.find((x) => x.name === name.slice(0, -TAG_DEREF.length));
    return r?.peeled;
  }
  const r = refs.find((x) => x.name === name);
  if (!r) return undefined;
  return isTag ? (r.peeled ?? r.id) : r.id;
}

async function resolveTag(tag: string, src: RefSource): Promise<ResolvedGitRef> {
  const refName = `refs/tags/${tag}`;
  const r = (await src.listRefs([refName])).find((x) => x.name === refName);
  if (!r) throw notFound(`tag '${tag}' is not on the remote`);
  const commit = r.peeled ?? r.id;
  return { commit, refName, tag: tagOf(r), revision: `${shortName(refName)}@sha1:${commit}` };
}

async function resolveSemver(range: string, src: RefSource): Promise<ResolvedGitRef> {
  let constraints;
  try {
    constraints = parseConstraints(range);
  } catch (e) {
    if (e instanceof ConstraintError) throw notFound(`semver parse error: ${e.message}`);
    throw e;
  }
  const tags = (await src.listRefs(['refs/tags/'])).filter((r) => r.name.startsWith('refs/tags/') && !r.name.endsWith(TAG_DEREF));
  const matched: { ref: RemoteRef; v: SemVersion }[] = [];
  for (const ref of tags) {
    const v = parseTagVersion(ref.name.slice('refs/tags/'.length));
    if (v && satisfies(v, constraints)) matched.push({ ref, v });
  }
  if (matched.length === 0) throw notFound(`no match found for semver: ${range}`);
  const best = matched.reduce((a, b) => (compareVersions(a.v, b.v) >= 0 ? a : b));
  let top = matched.filter((m) => compareVersions(m.v, best.v) === 0);
  if (top.length > 1) {
    // Equal versions (build metadata, or `v1.0.0` beside `1.0.0`): Flux takes the latest committer time.
    const times = await src.commitTimes([...new Set(top.map((m) => m.ref.peeled ?? m.ref.id))]);
    const when = (m: (typeof top)[number]): number => times.get(m.ref.peeled ?? m.ref.id) ?? Number.NEGATIVE_INFINITY;
    const latest = Math.max(...top.map(when));
    top = top.filter((m) => when(m) === latest);
    // Flux's order among fully equal candidates comes from a Go map (random); take the last by name so this is stable.
    top.sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  }
  const chosen = (top[top.length - 1] as (typeof top)[number]).ref;
  const commit = chosen.peeled ?? chosen.id;
  return { commit, refName: chosen.name, tag: tagOf(chosen), revision: `${shortName(chosen.name)}@sha1:${commit}` };
}

async function resolveBranch(branch: string, src: RefSource): Promise<ResolvedGitRef> {
  const refName = `refs/heads/${branch}`;
  const r = (await src.listRefs([refName])).find((x) => x.name === refName);
  if (!r) throw notFound(`branch '${branch}' is not on the remote`);
  return { commit: r.id, refName, revision: `${shortName(refName)}@sha1:${r.id}` };
}

function tagOf(r: RemoteRef): { name: string; object?: string } {
  const name = r.name.slice('refs/tags/'.length).replace(/\^\{\}$/, '');
  return r.peeled !== undefined ? { name, object: r.id } : { name };
}

/** fluxcd/pkg/git `Commit.String()`: everything after the second `/` of the reference. */
function shortName(refName: string): string {
  const parts = refName.split('/');
  return parts.length >= 3 ? parts.slice(2).join('/') : refName;
}
