import { parseRevision } from '../graph/revision.js';
import type { Condition, FluxObject } from '../kube/types.js';
import type { FluxCondition } from './types.js';

/**
 * What Flux itself says about an object: Ready, and SourceVerified with the revision its message
 * names, so that a condition left over from another revision or generation is recognised (§4.5).
 */
export interface FluxReading {
  readonly ready?: FluxCondition;
  readonly sourceVerified?: FluxCondition & { readonly revision?: string };
  /** why SourceVerified does not describe what Flux runs; undefined when it does (or is absent) */
  readonly staleBecause?: string;
}

const VERIFIED_REVISION = /^verified signature of (?:revision|version) (\S+)$/;
const DIGEST_IN_MESSAGE = /@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})\b/;

function pick(c: Condition | undefined): FluxCondition | undefined {
  if (c === undefined) return undefined;
  return { status: c.status, ...(c.reason === undefined ? {} : { reason: c.reason }), ...(c.message === undefined ? {} : { message: c.message }) };
}

/** The revision a SourceVerified message names: the one verified, or the digest reference that failed. */
export function revisionInMessage(status: Condition['status'], message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  if (status === 'True') return VERIFIED_REVISION.exec(message.trim())?.[1];
  return DIGEST_IN_MESSAGE.exec(message)?.[1];
}

/** Does the revision named by a True SourceVerified equal the stored artifact's? */
function sameRevision(kind: FluxObject['kind'], named: string, stored: string): boolean {
  if (named === stored) return true;
  // HelmChart revisions gain `+<generation>` with valuesFiles; the message names the chart version
  if (kind === 'HelmChart') return stored.startsWith(`${named}+`);
  const a = parseRevision(named).digest;
  const b = parseRevision(stored).digest;
  return a !== undefined && a === b;
}

export function readFlux(o: FluxObject | undefined): FluxReading {
  if (o === undefined) return {};
  const ready = pick(o.conditions.find((c) => c.type === 'Ready'));
  const sv = o.conditions.find((c) => c.type === 'SourceVerified');
  if (sv === undefined) return { ...(ready ? { ready } : {}) };
  const revision = revisionInMessage(sv.status, sv.message);
  const sourceVerified = { ...(pick(sv) as FluxCondition), ...(revision === undefined ? {} : { revision }) };
  let staleBecause: string | undefined;
  const stored = 'artifact' in o ? o.artifact?.revision : undefined;
  if (sv.status === 'True' && revision !== undefined && stored !== undefined && !sameRevision(o.kind, revision, stored)) {
    staleBecause = `SourceVerified=True names revision ${revision}, but Flux runs ${stored}`;
  } else if (sv.observedGeneration !== undefined && o.generation !== undefined && sv.observedGeneration !== o.generation) {
    staleBecause = `SourceVerified was set for generation ${sv.observedGeneration}, the object is at generation ${o.generation}`;
  }
  return { ...(ready ? { ready } : {}), sourceVerified, ...(staleBecause ? { staleBecause } : {}) };
}

export function describeCondition(type: string, c: FluxCondition | undefined): string {
  if (c === undefined) return `no ${type} condition`;
  return `${type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${firstLine(c.message)}` : ''}`;
}

export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}
