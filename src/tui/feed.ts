import { useEffect, useState } from 'react';
import type { AuditRun } from '../audit/audit.js';
import type { Report } from '../report/model.js';
import { describeError } from '../errors.js';
import type { TuiAction } from './state.js';

/** Polls the running audit about ten times a second while plans finish, then takes the final report. */
export const POLL_MS = 100;

export function useAuditFeed(run: AuditRun, dispatch: (a: TuiAction) => void, onReport: (r: Report) => void): void {
  useEffect(() => {
    let stopped = false;
    let seen = -1;
    const push = (report: Report, completed: number): void => {
      if (stopped) return;
      onReport(report);
      dispatch({ type: 'snapshot', report, completed, total: run.total });
    };
    const poll = (): void => {
      const c = run.completed();
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
