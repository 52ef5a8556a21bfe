import type { Palette } from '../color.js';
import type { ReportNode } from '../model.js';
import { REASONS, type Severity } from '../../verdict/reasons.js';
import type { Finding, FindingState } from '../schema.js';
import { cellText } from './text.js';

/**
 * How a finding's state reads in every printer: a glyph and a word, coloured by severity. The
 * severity is the state's own, raised by the primary reason's (from the one reason table), so a
 * pending consumer that applies an unverified revision shows as a warning, not as calm grey.
 */
const STATES: Record<FindingState, { readonly glyph: string; readonly word: string; readonly severity: Severity; readonly order: number }> = {
  failed: { glyph: '✘', word: 'failed', severity: 'error', order: 0 },
  error: { glyph: '✘', word: 'error', severity: 'error', order: 1 },
  weak: { glyph: '!', word: 'weak', severity: 'warning', order: 2 },
  'not-enforced': { glyph: '!', word: 'not enforced', severity: 'warning', order: 3 },
  pending: { glyph: '…', word: 'pending', severity: 'info', order: 4 },
  // a warning of its own: no spec.verify can fix it, so it gets its own glyph instead of `!`
  unverifiable: { glyph: '?', word: 'unverifiable', severity: 'warning', order: 5 },
  unsupported: { glyph: '-', word: 'unsupported', severity: 'info', order: 6 },
  verified: { glyph: '✔', word: 'verified', severity: 'ok', order: 7 },
};

const RANK: Record<Severity, number> = { ok: 0, info: 1, warning: 2, error: 3 };

export function severityOf(f: Finding): Severity {
  const own = STATES[f.state].severity;
  const primary = f.reasons[0];
  const reason = primary === undefined ? own : REASONS[primary].severity;
  return RANK[reason] > RANK[own] ? reason : own;
}

export function paint(p: Palette, severity: Severity, s: string): string {
  switch (severity) {
    case 'ok': return p.ok(s);
    case 'info': return p.muted(s);
    case 'warning': return p.warn(s);
    case 'error': return p.bad(s);
  }
}

/** `✘ failed`, coloured. */
export function stateMark(f: Finding, p: Palette): string {
  const s = STATES[f.state];
  return paint(p, severityOf(f), `${s.glyph} ${s.word}`);
}

/** The primary reason's label when it says more than the state word (`wrong key`, not `verified`). */
export function reasonLabel(f: Finding): string | undefined {
  const primary = f.reasons[0];
  if (primary === undefined) return undefined;
  const label = REASONS[primary].label;
  return label === STATES[f.state].word ? undefined : label;
}

/** The message as one line, led by the reason label: `wrong key: no signature verifies with …`. */
export function messageCell(f: Finding): string {
  const label = reasonLabel(f);
  const text = cellText(f.message);
  return label === undefined ? text : `${label}: ${text}`;
}

/**
 * Flux's own verdict: SourceVerified when Flux set it, else Ready; `≠` when it differs from ours,
 * `(stale)` when the condition describes another revision than the one running.
 */
export function fluxCell(f: Finding, p: Palette): string {
  const sv = f.flux.sourceVerified;
  const ready = f.flux.ready;
  const parts = [sv ? `SourceVerified=${sv.status}` : ready ? `Ready=${ready.status}` : '-'];
  if (f.flux.agrees === false) parts.push(p.warn('≠'));
  if (f.flux.stale) parts.push(p.muted('(stale)'));
  return parts.join(' ');
}

/** What the node runs (sources) or applied (consumers), hex shortened. */
export function revisionCell(n: ReportNode): string {
  const f = n.finding;
  return cellText(f.running?.revision ?? f.appliedRevision ?? n.artifact?.running?.revision ?? '-');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Problems first (failed, error, weak, not enforced, pending, unverifiable, unsupported, verified), then namespace, kind, name. */
export function compareNodes(a: ReportNode, b: ReportNode): number {
  return STATES[a.finding.state].order - STATES[b.finding.state].order || compare(a.namespace, b.namespace) || compare(a.kind, b.kind) || compare(a.name, b.name);
}

export function sortNodes(nodes: readonly ReportNode[]): ReportNode[] {
  return [...nodes].sort(compareNodes);
}

/** `✘ failed · wrong key`, coloured as one: the tree's verdict column. */
export function stateWithReason(f: Finding, p: Palette): string {
  const s = STATES[f.state];
  const label = reasonLabel(f);
  return paint(p, severityOf(f), `${s.glyph} ${s.word}${label === undefined ? '' : ` · ${label}`}`);
}
