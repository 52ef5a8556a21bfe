import type { Report } from '../model.js';
import { fluxHeaderLine } from './flux.js';
import { layout } from './layout.js';
import type { PrintOptions } from './options.js';
import { fluxCell, messageCell, revisionCell, sortNodes, stateMark } from './state.js';

export const tableHeader = ['NAMESPACE', 'KIND', 'NAME', 'REVISION', 'VERIFIED', 'FLUX', 'MESSAGE'] as const;

/**
 * `-o table`, in the manner of `flux get`: padded columns, no borders, left-aligned header, hex
 * shortened to 8 characters. Problems first. `report.problems` are not rows: the CLI warns about
 * them on stderr, so stdout stays one row per object.
 */
export function printTable(report: Report, opts: PrintOptions): string {
  // as kubectl get: no objects prints nothing, not a lone header (the CLI says so on stderr)
  if (report.nodes.length === 0) return '';
  const p = opts.palette;
  const rows = sortNodes(report.nodes).map((n) => [n.namespace, n.kind, n.name, revisionCell(n), stateMark(n.finding, p), fluxCell(n.finding, p), messageCell(n.finding)]);
  const lines = opts.noHeaders ? rows : [[...tableHeader], ...rows];
  const flux = opts.noHeaders ? undefined : fluxHeaderLine(report, p, opts.width);
  return `${flux !== undefined ? `${flux}\n` : ''}${layout(lines, opts.width)}\n`;
}
