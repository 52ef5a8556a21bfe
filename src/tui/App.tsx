import { Box, useApp, useWindowSize } from 'ink';
import { useEffect, useMemo, useReducer, useState } from 'react';
import type { Report } from '../report/model.js';
import type { ClipboardWriter } from './clipboard.js';
import { detailLines, type Line } from './detail.js';
import { copyFocused, openYaml, rerunAudit } from './effects.js';
import { useAuditFeed, useSpinner } from './feed.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { helpLines } from './help.js';
import { useKeyHub } from './input.js';
import { hintsFor } from './keymap.js';
import { bodyHeight } from './layout.js';
import { windowFor } from './rows.js';
import { currentView, initialState, reduce, rowsOf, type TuiState } from './state.js';
import { TextView } from './TextView.js';
import { colorer } from './theme.js';
import { TreeView } from './TreeView.js';
import type { LiveAudit } from './run.js';

export interface AppProps {
  readonly run: LiveAudit;
  readonly rerun: () => Promise<LiveAudit>;
  readonly color: boolean;
  /** writes straight to the terminal (OSC 52) */
  readonly writeTerminal: (s: string) => void;
  /** every report the view shows, so the exit code follows the last one */
  readonly onReport: (r: Report) => void;
  readonly clipboard?: () => Promise<ClipboardWriter>;
  /** --watch: calls back when objects in scope change; returns the unsubscribe */
  readonly subscribe?: (onChange: () => void) => () => void;
  /** the command as the user typed it, for the header */
  readonly title?: string;
}

/** Owns the state and runs the effects keys ask for; the screens below take props only. */
export function App({ run: firstRun, rerun, color, writeTerminal, onReport, clipboard, subscribe, title }: AppProps) {
  const { exit } = useApp();
  const size = useWindowSize();
  const [run, setRun] = useState(firstRun);
  const [state, dispatch] = useReducer(reduce, undefined, (): TuiState => initialState(firstRun.snapshot(), { completed: firstRun.completed(), total: firstRun.total }, size));
  useKeyHub(dispatch);
  useAuditFeed(run, dispatch, onReport);
  useEffect(() => dispatch({ type: 'resize', columns: size.columns, rows: size.rows }), [size.columns, size.rows]);
  // --watch: a change in the cluster re-verifies, as the r key does
  useEffect(() => subscribe?.(() => void rerunAudit(rerun, setRun, dispatch)), [subscribe, rerun]);
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);
  const seq = state.effect?.seq;
  useEffect(() => {
    const e = state.effect;
    if (!e) return;
    if (e.action === 'yaml') openYaml(state, run, dispatch);
    else if (e.action === 'rerun') void rerunAudit(rerun, setRun, dispatch);
    else void copyFocused(state, run, e.action === 'copyDigest' ? 'digest' : e.action === 'copyCommand' ? 'command' : 'reference', writeTerminal, dispatch, clipboard);
  }, [seq]);
  const spinner = useSpinner(state.completed < state.total || state.rerunning || state.report.summary.pending > 0);
  const c = useMemo(() => colorer(color), [color]);
  const nodes = useMemo(() => new Map(state.report.nodes.map((n) => [n.id, n])), [state.report]);
  const view = currentView(state);
  const height = bodyHeight(state.rows);

  let body;
  if (view.kind === 'tree') {
    const rows = rowsOf(state);
    const w = windowFor(rows.length, state.cursor, state.top, height);
    const empty = state.report.nodes.length === 0 ? 'no Flux objects in scope' : 'nothing matches (esc clears the filter, ctrl-z shows all, :all resets)';
    body = <TreeView rows={rows.slice(w.start, w.end)} nodes={nodes} cursor={state.cursor - w.start} spinnerFrame={spinner} width={state.columns} height={height} emptyText={empty} color={c} />;
  } else {
    const node = view.kind === 'help' ? undefined : nodes.get(view.id);
    const lines: Line[] = view.kind === 'help' ? helpLines() : view.kind === 'yaml' ? view.lines.map((l) => [{ text: l }]) : node ? detailLines(node, state.report) : [[{ text: 'this object is gone from the report', tone: 'muted' }]];
    body = <TextView lines={lines} scroll={view.scroll} height={height} color={c} />;
  }
  return (
    <Box flexDirection="column" width={state.columns}>
      <Header title={title ?? 'kubectl verify'} report={state.report} completed={state.completed} total={state.total} rerunning={state.rerunning} spinnerFrame={spinner} scope={state} color={c} />
      {body}
      <Footer prompt={state.prompt} status={state.status} hints={hintsFor(view.kind === 'tree' ? 'tree' : 'view')} color={c} />
    </Box>
  );
}
