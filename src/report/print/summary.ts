import type { Palette } from '../color.js';
import type { Report } from '../model.js';
import type { FindingState, Summary } from '../schema.js';
import { fluxHeaderLine } from './flux.js';
import { layout } from './layout.js';
import type { PrintOptions } from './options.js';
import { problemLines } from './problems.js';

export const summaryHeader = ['NAMESPACE', 'KIND', 'TOTAL', 'VERIFIED', 'FAILED', 'NOT-ENFORCED', 'WEAK', 'ERRORS', 'PENDING', 'UNVERIFIABLE', 'UNSUPPORTED', 'COVERAGE'] as const;

const FIELD: Record<FindingState, keyof Summary> = {
  verified: 'verified',
  failed: 'failed',
  'not-enforced': 'notEnforced',
  weak: 'weak',
  error: 'errors',
  pending: 'pending',
  unsupported: 'unsupported',
  unverifiable: 'unverifiable',
};

const empty = (): Record<keyof Summary, number> => ({ verified: 0, failed: 0, notEnforced: 0, weak: 0, errors: 0, pending: 0, unsupported: 0, unverifiable: 0 });

/**
 * Coverage answers "can I trust what this cluster runs?": verified out of everything but `unsupported`
 * (kinds this plugin does not judge yet). Unverifiable sources and their consumers count against it: no
 * Flux release checks what they run, so they are not trusted. Rounded down so that 199 of 200 never
 * reads as 100%; `-` when nothing counts.
 */
export function coverage(s: Summary): string {
  const total = s.verified + s.failed + s.notEnforced + s.weak + s.errors + s.pending + s.unverifiable;
  return total === 0 ? '-' : `${Math.floor((100 * s.verified) / total)}%`;
}

function cells(s: Summary, p: Palette): string[] {
  const n = (v: number, paint: (x: string) => string): string => (v === 0 ? '0' : paint(String(v)));
  const total = s.verified + s.failed + s.notEnforced + s.weak + s.errors + s.pending + s.unverifiable + s.unsupported;
  return [String(total), n(s.verified, p.ok), n(s.failed, p.bad), n(s.notEnforced, p.warn), n(s.weak, p.warn), n(s.errors, p.bad), n(s.pending, p.muted), n(s.unverifiable, p.warn), n(s.unsupported, p.muted), coverage(s)];
}

/**
 * `-o summary`: how much of the fleet is verified, per namespace and kind, then the report's own
 * totals; then what could not be read, so that a restricted view never reads as full coverage.
 */
export function printSummary(report: Report, opts: PrintOptions): string {
  const p = opts.palette;
  const groups = new Map<string, { readonly namespace: string; readonly kind: string; readonly counts: Record<keyof Summary, number> }>();
  for (const node of report.nodes) {
    const key = `${node.namespace}\u0000${node.kind}`;
    const g = groups.get(key) ?? { namespace: node.namespace, kind: node.kind, counts: empty() };
    g.counts[FIELD[node.finding.state]]++;
    groups.set(key, g);
  }
  const rows = [...groups.keys()]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => groups.get(k))
    .filter((g) => g !== undefined)
    .map((g) => [g.namespace, g.kind, ...cells(g.counts, p)]);
  const total = ['TOTAL', '', ...cells(report.summary, p)];
  const table = layout(opts.noHeaders ? [...rows, total] : [[...summaryHeader], ...rows, total]);
  const problems = problemLines(report, p);
  const flux = opts.noHeaders ? undefined : fluxHeaderLine(report, p);
  return `${[...(flux !== undefined ? [flux] : []), table, ...(problems.length > 0 ? ['', ...problems] : [])].join('\n')}\n`;
}
