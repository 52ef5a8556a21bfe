import type { ReportNode } from '../model.js';
import type { ReportGitRef, ReportRef } from '../schema.js';
import { registryResolved, resolvedText, runningResolved } from '../resolved.js';
import { cellText, truncateHex } from './text.js';

/** `tag 6.5.0`, `semver >=6.0.0`, `digest sha256:dbdb1097`. */
export function refText(ref: ReportRef): string {
  switch (ref.kind) {
    case 'tag': return `tag ${cellText(ref.tag)}`;
    case 'semver': return `semver ${cellText(ref.constraint)}${ref.filter ? ` (filter ${cellText(ref.filter)})` : ''}`;
    case 'digest': return `digest ${truncateHex(ref.digest)}`;
  }
}

/** `branch main`, `tag v1.0.0`, `semver >=1.0`, `ref refs/pull/1/head`, `commit 0123abcd`: a GitRepository's ref after Flux's precedence. */
export function gitRefText(ref: ReportGitRef): string {
  switch (ref.kind) {
    case 'branch': return `branch ${cellText(ref.branch)}`;
    case 'tag': return `tag ${cellText(ref.tag)}`;
    case 'semver': return `semver ${cellText(ref.constraint)}`;
    case 'name': return `ref ${cellText(ref.name)}`;
    case 'commit': return `commit ${truncateHex(ref.commit)}${ref.branch ? ` on ${cellText(ref.branch)}` : ''}`;
  }
}

/** What Flux runs, with the tag its revision names, hex shortened: `6.5.2@sha256:dbdb1097`. */
export function runningText(n: ReportNode): string | undefined {
  const r = runningResolved(n);
  return r === undefined ? undefined : cellText(resolvedText(r));
}

/** What the ref resolves to at the registry now, with the tag picked; with the drift and what Flux will do about it. */
export function registryText(n: ReportNode): string | undefined {
  const r = registryResolved(n);
  if (r === undefined) return undefined;
  const drift = n.finding.drift;
  const text = cellText(resolvedText(r));
  return drift ? `${text} (drift: next reconcile ${drift.nextReconcile})` : text;
}

/**
 * Which trust material decides the node: the key Secret, the identities, the notation policy, or
 * the flags that replaced them. `-` when the object names none.
 */
export function trustText(n: ReportNode, overrides: readonly string[]): string {
  if (n.finding.reasons.includes('override') && overrides.length > 0) return `flags ${overrides.map(cellText).join(' ')}`;
  if (n.git) return n.git.mode ? `keys ${n.git.verifySecret ?? '?'} (${n.git.mode})` : '-';
  const t = n.trust;
  if (t === undefined) return '-';
  const secret = t.secretRef ? `${t.namespace}/${t.secretRef}` : undefined;
  const template = t.origin === 'helmrelease-template' ? ' (chart template)' : '';
  switch (t.mode) {
    case 'cosign-key':
      return `key ${secret ?? '?'}${template}`;
    case 'cosign-keyless': {
      const ids = t.matchOIDCIdentity;
      const who = ids.length === 0 ? 'any identity' : ids.length === 1 && ids[0] ? `subject ${cellText(ids[0].subject)}` : `${ids.length} identities`;
      return `keyless ${who}${template}`;
    }
    case 'notation':
      return `notation policy ${secret ?? '?'}${template}`;
  }
}
