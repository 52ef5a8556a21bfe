import type { Report } from '../report/model.js';
import type { LiveAudit } from './run.js';

/**
 * Assembling a snapshot recomputes every node's finding: a few milliseconds for the demo, hundreds at
 * 5,000 objects. The feed asks for one whenever a plan has finished since its last poll, so at that size
 * the view spent most of the CPU re-assembling reports and starved the audit it was showing (an audit of
 * 5,000 objects took four times as long in the view as printed). Snapshots are therefore paced by their
 * own cost: after one that took `t` ms the next is assembled no sooner than `SHARE × t` ms later; in
 * between the last one is handed out again (the progress counter still moves, it is read apart). When
 * every plan has finished the snapshot is always fresh, and the feed's final report is `done`'s, never
 * one from here.
 */
export const COST_SHARE = 4;

export interface PacedOptions {
  /** milliseconds, monotonic; performance.now unless a test drives it */
  readonly now?: () => number;
}

export function pacedRun(run: LiveAudit, opts: PacedOptions = {}): LiveAudit {
  const now = opts.now ?? (() => performance.now());
  let last: { report: Report; completed: number; next: number } | undefined;
  const snapshot = (): Report => {
    const completed = run.completed();
    // nothing finished since: the same report; not yet time for another: the last one again
    if (last && (last.completed === completed || (completed < run.total && now() < last.next))) return last.report;
    const start = now();
    const report = run.snapshot();
    const end = now();
    last = { report, completed, next: end + COST_SHARE * (end - start) };
    return report;
  };
  // the run is a plain object of closures: everything else passes through as it is
  return { ...run, snapshot };
}
