import type { ReportNode } from './model.js';

/**
 * A digest with the tag that led to it, named as Flux names a revision: `6.5.2@sha256:…`. Every view
 * that shows a digest shows its tag beside it, so that a semver range never hides which version was
 * picked, neither the one Flux runs nor the one the registry would give it now.
 */
export interface Resolved {
  /** absent for a digest ref, or a revision that names no tag */
  readonly tag?: string;
  readonly digest: string;
}

/** Helm pushes chart version `1.0.0+abc` under the tag `1.0.0_abc`. */
function isChartVersion(tag: string, version: string): boolean {
  return tag === version || tag.replaceAll('_', '+') === version;
}

/**
 * What Flux runs: the digest of `status.artifact.revision` with the tag Flux recorded there. A
 * HelmChart's revision is a chart version without a digest; Flux pulls that version's tag on every
 * reconcile, so the registry's digest is the running one when the registry's pick is that version.
 */
export function runningResolved(n: ReportNode): Resolved | undefined {
  const g = n.git;
  // a GitRepository runs what status.artifact names, and nothing before Flux stored one (the commit checked then is the remote's)
  if (g) return g.running?.commit === undefined ? undefined : { ...gitRefName(g.running.revision, g.running.commit), digest: `sha1:${g.running.commit}` };
  const a = n.artifact;
  const digest = n.finding.running?.digest ?? a?.running?.digest ?? n.finding.drift?.runningDigest;
  if (digest !== undefined) return { ...(a?.running?.tag ? { tag: a.running.tag } : {}), digest };
  if (a?.chart && a.running && a.registryDigest && a.registryTag && isChartVersion(a.registryTag, a.running.revision)) return { tag: a.registryTag, digest: a.registryDigest };
  return undefined;
}

/** What the ref resolves to at the registry now, with the tag resolution picked. */
export function registryResolved(n: ReportNode): Resolved | undefined {
  const a = n.artifact;
  // a GitRepository's "registry" is the remote: the commit its ref resolves to now
  const g = n.git;
  if (g) {
    if (g.remoteCommit === undefined) return undefined;
    // the name the ref resolved under, as Flux writes it in a revision: the tag picked, or the branch
    const r = g.ref;
    const tag = g.remoteTag?.name ?? (r.kind === 'tag' ? r.tag : r.kind === 'branch' ? r.branch : r.kind === 'name' ? r.name : undefined);
    return { ...(tag !== undefined ? { tag } : {}), digest: `sha1:${g.remoteCommit}` };
  }
  const digest = a?.registryDigest ?? n.finding.drift?.registryDigest;
  if (digest === undefined) return undefined;
  return { ...(a?.registryTag && a.registryDigest === digest ? { tag: a.registryTag } : {}), digest };
}

/** The ref name of a Git revision (`main@sha1:<hex>`, and the legacy `main/<hex>`); none for `sha1:<hex>`. */
function gitRefName(revision: string, commit: string): { tag?: string } {
  for (const sep of ['@sha1:', '/']) {
    if (revision.endsWith(`${sep}${commit}`) && revision.length > sep.length + commit.length) return { tag: revision.slice(0, -(sep.length + commit.length)) };
  }
  return {};
}

/** `6.5.2@sha256:…`, Flux's revision form; the digest alone when no tag is known. */
export function resolvedText(r: Resolved): string {
  return r.tag === undefined ? r.digest : `${r.tag}@${r.digest}`;
}

/**
 * The registry's answer is worth a line of its own: nothing runs yet, or it names another tag than
 * the running one (a semver range that moved on, even to the same content).
 */
export function registryIsNews(n: ReportNode): boolean {
  const reg = registryResolved(n);
  if (reg === undefined) return false;
  const run = runningResolved(n);
  return n.finding.drift !== undefined || run === undefined || run.digest !== reg.digest || run.tag !== reg.tag;
}
