import type { Report, ReportNode } from '../model.js';
import type { Palette } from '../color.js';

/**
 * `-o table`, in the manner of `flux get`: tab-padded columns, no borders, left-aligned header,
 * hex shortened to 8 characters as flux's TruncateHex does. Problems first, then by namespace/kind/name.
 */
const STATE_ORDER: Record<string, number> = { failed: 0, error: 1, weak: 2, 'not-enforced': 3, pending: 4, unsupported: 5, verified: 6 };

export function truncateHex(s: string): string {
  return s.replace(/\b([0-9a-f]{40,128})\b/g, (h) => h.slice(0, 8));
}

function revisionOf(n: ReportNode): string {
  const f = n.finding;
  return truncateHex(f.running?.revision ?? f.appliedRevision ?? n.artifact?.running?.revision ?? '-');
}

function verifiedColumn(n: ReportNode, p: Palette): string {
  const s = n.finding.state;
  const label = s === 'verified' ? '✔ verified' : s === 'failed' ? '✘ failed' : s === 'error' ? '✘ error' : s === 'weak' ? '! weak' : s === 'not-enforced' ? '! not enforced' : s === 'pending' ? '… pending' : '- unsupported';
  return s === 'verified' ? p.ok(label) : s === 'failed' || s === 'error' ? p.bad(label) : s === 'weak' || s === 'not-enforced' ? p.warn(label) : p.muted(label);
}

function fluxColumn(n: ReportNode): string {
  const sv = n.finding.flux.sourceVerified;
  if (sv) return `SourceVerified=${sv.status}`;
  const ready = n.finding.flux.ready;
  return ready ? `Ready=${ready.status}` : '-';
}

export function sortNodes(nodes: readonly ReportNode[]): ReportNode[] {
  return [...nodes].sort(
    (a, b) => (STATE_ORDER[a.finding.state] ?? 9) - (STATE_ORDER[b.finding.state] ?? 9) || a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

// built from a string so the escape character is explicit and the lint rule on control characters holds
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Pads columns to their widest cell, measuring without colour codes. */
export function layout(rows: readonly (readonly string[])[]): string {
  const visible = (s: string): number => [...stripAnsi(s)].length;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - visible(c) + 3))).join('').trimEnd()).join('\n');
}

export function formatTable(report: Report, p: Palette, opts: { noHeaders?: boolean } = {}): string {
  const header = ['NAMESPACE', 'KIND', 'NAME', 'REVISION', 'VERIFIED', 'FLUX', 'MESSAGE'];
  const rows = sortNodes(report.nodes).map((n) => [n.namespace, n.kind, n.name, revisionOf(n), verifiedColumn(n, p), fluxColumn(n), truncateHex(n.finding.message)]);
  const lines = opts.noHeaders ? rows : [header, ...rows];
  return lines.length === 0 ? '' : `${layout(lines)}\n`;
}
