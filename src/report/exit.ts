import type { Report } from './model.js';

/**
 * Which findings make `kubectl verify` exit 1. The default counts everything that is not verified
 * (failed, error, not-enforced, weak, pending) plus objects that could not be read; `--fail-on`
 * narrows or widens it (`drift`, `flux-disagrees` and `behind` are opt-in: the running digest can be
 * fine; `behind` is a consumer running a verified revision that is not its source's latest, which a
 * suspended object does by design, and applied content that does not verify is `failed` anyway;
 * `flux-version` is a node that the source-controller of `report.flux` would decide differently).
 */
export const failOnClasses = ['failed', 'error', 'not-enforced', 'weak', 'pending', 'unverifiable', 'drift', 'flux-disagrees', 'behind', 'flux-version', 'unreadable'] as const;
export type FailOnClass = (typeof failOnClasses)[number];

// not `unverifiable`: no spec.verify changes it, so by default it would fail every fleet with a Bucket
export const defaultFailOn: readonly FailOnClass[] = ['failed', 'error', 'not-enforced', 'weak', 'pending', 'unreadable'];

/** 0 nothing selected is present; 1 findings; 3 when nothing could be read at all. */
export function exitCodeFor(report: Report, failOn: readonly FailOnClass[] = defaultFailOn): 0 | 1 | 3 {
  if (report.nodes.length === 0 && report.problems.length > 0) return 3;
  const on = new Set(failOn);
  if (on.has('unreadable') && report.problems.length > 0) return 1;
  for (const n of report.nodes) {
    const f = n.finding;
    if (f.state === 'failed' && on.has('failed')) return 1;
    if (f.state === 'error' && on.has('error')) return 1;
    if (f.state === 'not-enforced' && on.has('not-enforced')) return 1;
    if (f.state === 'weak' && on.has('weak')) return 1;
    if (f.state === 'pending' && on.has('pending')) return 1;
    if (f.state === 'unverifiable' && on.has('unverifiable')) return 1;
    if (on.has('drift') && f.reasons.includes('drift')) return 1;
    if (on.has('behind') && f.reasons.includes('behind')) return 1;
    if (on.has('flux-version') && f.reasons.includes('flux-version')) return 1;
    if (on.has('flux-disagrees') && (f.flux.agrees === false || f.reasons.includes('flux-disagrees'))) return 1;
  }
  return 0;
}
