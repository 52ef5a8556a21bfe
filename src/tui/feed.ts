import { useEffect, useRef, useState } from 'react';
import type { Report } from '../report/model.js';
import { describeError } from '../errors.js';
import type { LiveAudit } from './run.js';
import type { TuiAction } from './state.js';

/** Polls the running audit about ten times a second while plans finish, then takes the final report. */
export const POLL_MS = 100;
/**
 * A re-audit (the r key, a -w change) keeps the rows as they are for this long unless it is done by
 * then: under -w most plans are taken from the previous audit and it ends at once, and painting every
 * row pending in between would make the tree flicker on each change in the cluster.
 */
export const HOLD_MS = 300;

/** What changed in the problems between two reports, as one footer line; undefined when nothing did. */
export function problemNews(before: ReadonlySet<string>, after: ReadonlySet<string>): { readonly text: string; readonly tone: 'info' | 'error' } | undefined {
  const more = (n: number): string => (n > 1 ? ` (+${n - 1} more)` : '');
  const appeared = [...after].filter((m) => !before.has(m));
  if (appeared.length > 0) return { text: `${appeared[0] ?? ''}${more(appeared.length)}`, tone: 'error' };
  const gone = [...before].filter((m) => !after.has(m));
  if (gone.length > 0) return { text: `resolved: ${gone[0] ?? ''}${more(gone.length)}`, tone: 'info' };
  return undefined;
}

/** What the feed reads of a running audit: the view's one description of it (run.ts) without the YAML pane's part. */
export type FeedRun = Pick<LiveAudit, 'total' | 'completed' | 'snapshot' | 'done'>;

export function useAuditFeed(run: FeedRun, dispatch: (a: TuiAction) => void, onReport: (r: Report) => void): void {
  // the problems of the last report shown, across runs: one that appears while watching (a watch that
  // fails, an object that cannot be read) is said once in the footer, and so is its end
  const shownProblems = useRef<ReadonlySet<string> | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    let seen = -1;
    const rerun = shownProblems.current !== undefined;
    const startedAt = Date.now();
    const push = (report: Report, completed: number): void => {
      if (stopped) return;
      onReport(report);
      dispatch({ type: 'snapshot', report, completed, total: run.total });
      const now = new Set(report.problems.map((p) => p.message));
      const news = shownProblems.current ? problemNews(shownProblems.current, now) : undefined;
      shownProblems.current = now;
      if (news) dispatch({ type: 'status', ...news });
    };
    const poll = (): void => {
      const c = run.completed();
      if (rerun && c < run.total && Date.now() - startedAt < HOLD_MS) return;
      // assembling a snapshot recomputes every finding: only when a plan has finished since
      if (c !== seen) {
        seen = c;
        push(run.snapshot(), c);
      }
      if (c >= run.total) clearInterval(timer);
    };
    const timer = setInterval(poll, POLL_MS);
    poll();
    run.done.then(
      (report) => {
        clearInterval(timer);
        push(report, run.total);
      },
      (e: unknown) => {
        clearInterval(timer);
        if (!stopped) dispatch({ type: 'status', text: `verification stopped: ${describeError(e)}`, tone: 'error' });
      },
    );
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [run, dispatch, onReport]);
}

/** A frame counter for spinners, ticking only while something is running. */
export function useSpinner(active: boolean): number {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setFrame((f) => f + 1), POLL_MS);
    return () => clearInterval(t);
  }, [active]);
  return frame;
}
