import type { Report } from '../report/model.js';
import { detailLines } from './detail.js';
import { helpLines } from './help.js';
import { lookupKey, type KeyAction } from './keymap.js';
import { bodyHeight } from './layout.js';
import { nodesToRows, windowFor, type RowQuery, type TreeRow } from './rows.js';

/**
 * All of the view's state, changed only by `reduce` over the `TuiAction` union: no ink here, so it
 * is tested alone. Side effects (copy, re-verify, quit, YAML from the audit) happen in the hub and
 * come back as actions.
 */
export type View =
  | { readonly kind: 'tree' }
  | { readonly kind: 'detail'; readonly id: string; readonly scroll: number }
  | { readonly kind: 'yaml'; readonly id: string; readonly lines: readonly string[]; readonly scroll: number }
  | { readonly kind: 'help'; readonly scroll: number };

export interface Prompt {
  readonly mode: 'filter' | 'command';
  readonly text: string;
}

export interface Status {
  readonly text: string;
  readonly tone: 'info' | 'error';
}

/** Work a key asked for that the reducer cannot do itself; the view runs it and reports back. */
export interface EffectRequest {
  readonly action: 'yaml' | 'rerun' | 'copyDigest' | 'copyCommand' | 'copyReference';
  /** a new number for every request, so the same key twice runs twice */
  readonly seq: number;
}

export interface TuiState extends RowQuery {
  readonly report: Report;
  readonly completed: number;
  readonly total: number;
  /** the view stack; the tree is always at the bottom */
  readonly views: readonly View[];
  readonly cursor: number;
  /** the row under the cursor, so that it stays selected when a refresh reorders the tree */
  readonly selected?: string | undefined;
  readonly top: number;
  readonly prompt?: Prompt | undefined;
  readonly status?: Status | undefined;
  readonly columns: number;
  readonly rows: number;
  readonly quit: boolean;
  readonly rerunning: boolean;
  readonly effect?: EffectRequest | undefined;
}

export type Move = 'up' | 'down' | 'pageUp' | 'pageDown' | 'top' | 'bottom';

export type TuiAction =
  /** a key from the hub: `name` as keyName() gives it, `text` when a prompt may take it as typed text */
  | { readonly type: 'key'; readonly name: string; readonly input: string; readonly text: boolean }
  | { readonly type: 'snapshot'; readonly report: Report; readonly completed: number; readonly total: number }
  | { readonly type: 'resize'; readonly columns: number; readonly rows: number }
  | { readonly type: 'move'; readonly to: Move }
  | { readonly type: 'expand' }
  | { readonly type: 'collapse' }
  | { readonly type: 'toggle' }
  | { readonly type: 'open-detail' }
  | { readonly type: 'open-yaml'; readonly id: string; readonly lines: readonly string[] }
  | { readonly type: 'open-help' }
  | { readonly type: 'back' }
  | { readonly type: 'clear-filter' }
  | { readonly type: 'prompt-open'; readonly mode: Prompt['mode'] }
  | { readonly type: 'prompt-input'; readonly text: string }
  | { readonly type: 'prompt-backspace' }
  | { readonly type: 'prompt-cancel' }
  | { readonly type: 'prompt-submit' }
  | { readonly type: 'problems' }
  | { readonly type: 'status'; readonly text: string; readonly tone?: Status['tone'] }
  | { readonly type: 'rerun-start' }
  | { readonly type: 'quit' };

export function initialState(report: Report, progress: { completed: number; total: number }, size: { columns: number; rows: number }): TuiState {
  return {
    report,
    completed: progress.completed,
    total: progress.total,
    views: [{ kind: 'tree' }],
    cursor: 0,
    top: 0,
    filter: '',
    collapsed: new Set(),
    problemsOnly: false,
    columns: size.columns,
    rows: size.rows,
    quit: false,
    rerunning: false,
  };
}

export function currentView(s: TuiState): View {
  return s.views[s.views.length - 1] ?? { kind: 'tree' };
}

// one-entry cache: the reducer and the components ask for the same rows many times per frame
let cache: { report: Report; filter: string; collapsed: ReadonlySet<string>; problemsOnly: boolean; namespace?: string | undefined; kind?: string | undefined; rows: TreeRow[] } | undefined;

export function rowsOf(s: TuiState): TreeRow[] {
  const c = cache;
  if (c && c.report === s.report && c.filter === s.filter && c.collapsed === s.collapsed && c.problemsOnly === s.problemsOnly && c.namespace === s.namespace && c.kind === s.kind) return c.rows;
  const rows = nodesToRows(s.report, s);
  cache = { report: s.report, filter: s.filter, collapsed: s.collapsed, problemsOnly: s.problemsOnly, namespace: s.namespace, kind: s.kind, rows };
  return rows;
}

/** Lines of the text view on top (detail, YAML, help), for scrolling. */
export function viewLineCount(s: TuiState, v: View): number {
  if (v.kind === 'yaml') return v.lines.length;
  if (v.kind === 'help') return helpLines().length;
  if (v.kind === 'detail') {
    const node = s.report.nodes.find((n) => n.id === v.id);
    return node ? detailLines(node, s.report).length : 0;
  }
  return rowsOf(s).length;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Cursor moved to `cursor`: the window follows it and the selection is remembered by key. */
function placeCursor(s: TuiState, cursor: number): TuiState {
  const rows = rowsOf(s);
  const c = clamp(cursor, 0, Math.max(0, rows.length - 1));
  const { start } = windowFor(rows.length, c, s.top, bodyHeight(s.rows));
  return { ...s, cursor: c, top: start, selected: rows[c]?.key };
}

/** After the rows changed under the cursor, find the selected row again (or keep the index). */
function reanchor(s: TuiState, resetToTop = false): TuiState {
  if (resetToTop) return placeCursor({ ...s, top: 0 }, 0);
  const rows = rowsOf(s);
  const i = s.selected ? rows.findIndex((r) => r.key === s.selected) : -1;
  const placed = placeCursor(s, i >= 0 ? i : s.cursor);
  // nothing chosen yet: the first frame is painted while every node is pending, and the cursor stays
  // on the top row (problems first) as findings arrive instead of following the row first while pending
  return s.selected ? placed : { ...placed, selected: undefined };
}

function moveBy(to: Move, current: number, count: number, page: number): number {
  switch (to) {
    case 'up': return current - 1;
    case 'down': return current + 1;
    case 'pageUp': return current - page;
    case 'pageDown': return current + page;
    case 'top': return 0;
    case 'bottom': return count - 1;
  }
}

function replaceTop(s: TuiState, v: View): TuiState {
  return { ...s, views: [...s.views.slice(0, -1), v] };
}

function setCollapsed(s: TuiState, fold: (row: TreeRow, set: Set<string>) => void): TuiState {
  const row = rowsOf(s)[s.cursor];
  if (!row) return s;
  const next = new Set(s.collapsed);
  fold(row, next);
  return reanchor({ ...s, collapsed: next });
}

function runCommand(s: TuiState, text: string): TuiState {
  const [cmd = '', ...args] = text.trim().split(/\s+/);
  const arg = args.join(' ');
  switch (cmd) {
    case 'q': case 'q!': case 'quit': return { ...s, quit: true };
    case 'ns': case 'namespace':
      return reanchor({ ...s, namespace: arg === '' || arg === '*' || arg === 'all' ? undefined : arg, status: { text: arg ? `namespace ${arg}` : 'all namespaces', tone: 'info' } }, true);
    case 'kind':
      return reanchor({ ...s, kind: arg === '' || arg === 'all' ? undefined : arg, status: { text: arg ? `kind ${arg}` : 'all kinds', tone: 'info' } }, true);
    case 'all':
      return reanchor({ ...s, namespace: undefined, kind: undefined, filter: '', problemsOnly: false, status: { text: 'showing everything', tone: 'info' } }, true);
    case '': return s;
    default: return { ...s, status: { text: `unknown command :${cmd} (try :ns NAME, :kind KIND, :all, :q)`, tone: 'error' } };
  }
}

const MOVES: Partial<Record<KeyAction, Move>> = { up: 'up', down: 'down', pageUp: 'pageUp', pageDown: 'pageDown', top: 'top', bottom: 'bottom' };
const SIMPLE: Partial<Record<KeyAction, TuiAction>> = {
  quit: { type: 'quit' }, help: { type: 'open-help' }, command: { type: 'prompt-open', mode: 'command' }, filter: { type: 'prompt-open', mode: 'filter' },
  problems: { type: 'problems' }, expand: { type: 'expand' }, collapse: { type: 'collapse' }, toggle: { type: 'toggle' },
  open: { type: 'open-detail' }, back: { type: 'back' }, clearFilter: { type: 'clear-filter' },
};

/** Keys are decided here, against the latest state, so fast typing never meets a stale prompt. */
function onKey(s: TuiState, a: Extract<TuiAction, { type: 'key' }>): TuiState {
  if (s.prompt) {
    if (a.name === 'esc') return reduce(s, { type: 'prompt-cancel' });
    if (a.name === 'enter') return reduce(s, { type: 'prompt-submit' });
    if (a.name === 'backspace') return reduce(s, s.prompt.text === '' ? { type: 'prompt-cancel' } : { type: 'prompt-backspace' });
    if (a.name === 'ctrl-c') return reduce(s, { type: 'quit' });
    return a.text ? reduce(s, { type: 'prompt-input', text: a.input }) : s;
  }
  const action = lookupKey(currentView(s).kind === 'tree' ? 'tree' : 'view', a.name);
  if (!action) return s;
  const move = MOVES[action];
  if (move) return reduce(s, { type: 'move', to: move });
  const simple = SIMPLE[action];
  if (simple) return reduce(s, simple);
  if (action === 'yaml' || action === 'rerun' || action === 'copyDigest' || action === 'copyCommand' || action === 'copyReference') {
    return { ...s, effect: { action, seq: (s.effect?.seq ?? 0) + 1 } };
  }
  return s;
}

const RERUN_STATUS: Status = { text: 're-verifying…', tone: 'info' };

export function reduce(s: TuiState, a: TuiAction): TuiState {
  switch (a.type) {
    case 'key':
      return onKey(s, a);
    case 'snapshot':
      // the re-run's own footer line goes with it; any other message stays until the user moves on
      return reanchor({ ...s, report: a.report, completed: a.completed, total: a.total, rerunning: false, status: s.status === RERUN_STATUS ? undefined : s.status });
    case 'resize':
      return reanchor({ ...s, columns: a.columns, rows: a.rows });
    case 'move': {
      const v = currentView(s);
      const page = Math.max(1, bodyHeight(s.rows) - 1);
      if (v.kind === 'tree') return placeCursor(s, moveBy(a.to, s.cursor, rowsOf(s).length, page));
      const max = Math.max(0, viewLineCount(s, v) - bodyHeight(s.rows));
      return replaceTop(s, { ...v, scroll: clamp(moveBy(a.to, v.scroll, max + 1, page), 0, max) });
    }
    case 'expand':
      return setCollapsed(s, (row, set) => set.delete(row.key));
    case 'collapse':
      return setCollapsed(s, (row, set) => {
        // on a leaf or a folded row, left goes to the parent as in a file tree
        if (row.hasChildren && row.expanded) set.add(row.key);
      });
    case 'toggle':
      return setCollapsed(s, (row, set) => (set.has(row.key) ? set.delete(row.key) : set.add(row.key)));
    case 'open-detail': {
      const row = rowsOf(s)[s.cursor];
      return row ? { ...s, views: [...s.views, { kind: 'detail', id: row.id, scroll: 0 }] } : s;
    }
    case 'open-yaml':
      return { ...s, views: [...s.views, { kind: 'yaml', id: a.id, lines: a.lines, scroll: 0 }] };
    case 'open-help':
      return currentView(s).kind === 'help' ? { ...s, views: s.views.slice(0, -1) } : { ...s, views: [...s.views, { kind: 'help', scroll: 0 }] };
    case 'back':
      return s.views.length > 1 ? { ...s, views: s.views.slice(0, -1), status: undefined } : s;
    case 'clear-filter':
      return s.filter ? reanchor({ ...s, filter: '', status: undefined }) : s;
    case 'prompt-open':
      return { ...s, prompt: { mode: a.mode, text: a.mode === 'filter' ? s.filter : '' }, status: undefined };
    case 'prompt-input':
    case 'prompt-backspace': {
      if (!s.prompt) return s;
      const text = a.type === 'prompt-input' ? s.prompt.text + a.text : [...s.prompt.text].slice(0, -1).join('');
      const next = { ...s, prompt: { ...s.prompt, text } };
      // the filter narrows the tree as it is typed, as k9s does
      return s.prompt.mode === 'filter' ? reanchor({ ...next, filter: text }, true) : next;
    }
    case 'prompt-cancel':
      if (!s.prompt) return s;
      return s.prompt.mode === 'filter' ? reanchor({ ...s, prompt: undefined, filter: '' }, true) : { ...s, prompt: undefined };
    case 'prompt-submit': {
      if (!s.prompt) return s;
      const p = s.prompt;
      const closed = { ...s, prompt: undefined };
      return p.mode === 'filter' ? closed : runCommand(closed, p.text);
    }
    case 'problems': {
      const problemsOnly = !s.problemsOnly;
      return reanchor({ ...s, problemsOnly, status: { text: problemsOnly ? 'problems only' : 'all findings', tone: 'info' } }, true);
    }
    case 'status':
      return { ...s, status: { text: a.text, tone: a.tone ?? 'info' } };
    case 'rerun-start':
      return { ...s, rerunning: true, status: RERUN_STATUS };
    case 'quit':
      return { ...s, quit: true };
  }
}
