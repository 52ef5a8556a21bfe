import { parseRevision } from '../graph/revision.js';
import type { GraphNode } from '../graph/types.js';
import type { HelmRelease, Kustomization } from '../kube/types.js';
import { toFinding } from './assemble.js';
import type { Judgement } from './assemble.js';
import { readFlux } from './flux.js';
import type { ReasonCode } from './reasons.js';
import type { Finding, FindingContext, FluxView } from './types.js';

/** What the consumer last applied, most specific first: a deployed OCI digest before a version. */
export function appliedRevisionOf(o: Kustomization | HelmRelease): string | undefined {
  if (o.kind === 'Kustomization') return o.lastAppliedRevision;
  return o.lastRelease?.ociDigest ?? o.lastAttemptedRevisionDigest ?? o.lastAttemptedRevision ?? o.lastAppliedRevision ?? o.lastRelease?.chartVersion;
}

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
 */
export function consumerFinding(node: GraphNode & { readonly type: 'object'; readonly object: Kustomization | HelmRelease }, ctx: FindingContext): Finding {
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

  const view: FluxView = {
    ...(own.ready ? { ready: own.ready } : {}),
    ...(source.flux.sourceVerified ? { sourceVerified: source.flux.sourceVerified } : {}),
    agrees: source.flux.agrees,
    stale: source.flux.stale,
  };
  const matches = applied !== undefined && sameAsSource(applied, source.running);
  const appliedIsVerified = source.state === 'verified' && matches;
  const inherited = source.reasons.slice(1);
  const running = source.running?.digest ?? source.running?.revision;
  const appliedNote = applied === undefined ? '' : matches ? `applied ${applied}` : `applied ${applied}, but ${sourceId} runs ${running ?? 'nothing yet'}`;
  const rest = { ...withApplied, appliedIsVerified, ...(source.drift ? { drift: source.drift } : {}) };

  let j: Judgement;
  if (source.state !== 'verified') {
    j = { state: source.state, primary: source.reasons[0] ?? 'pending', message: `${sourceId}: ${source.message}` };
    if (applied !== undefined && !matches && source.running !== undefined) extra.push('applied-unverified');
  } else if (applied === undefined) {
    j = { state: 'pending', primary: 'not-reconciled', message: `${sourceId} is verified (${source.message}), but nothing has been applied yet` };
  } else if (!matches) {
    // a reconcile in progress may still catch up; a settled consumer runs something we did not verify
    j = { state: own.ready?.status === 'Unknown' ? 'pending' : 'failed', primary: 'applied-unverified', message: `${appliedNote}; only that revision is verified` };
  } else {
    j = { state: 'verified', primary: 'verified', message: `${appliedNote}: ${source.message}` };
  }
  return toFinding(j, [...inherited, ...extra], [], view, rest);
}
