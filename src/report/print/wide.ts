import type { Report } from '../model.js';
import { gitRefText, registryText, refText, runningText, trustText } from './artifact.js';
import { fluxHeaderLine, versionNoteTexts } from './flux.js';
import { layout } from './layout.js';
import type { PrintOptions } from './options.js';
import { fluxCell, messageCell, revisionCell, sortNodes, stateMark } from './state.js';
import { cellText, truncateVisible } from './text.js';

export const wideHeader = ['NAMESPACE', 'KIND', 'NAME', 'REVISION', 'VERIFIED', 'FLUX', 'URL', 'REF', 'RUNNING', 'REGISTRY', 'TRUST', 'REASONS', 'MESSAGE'] as const;

/**
 * `-o wide`: the table plus where the artifact comes from, the digest Flux runs against the one
 * the registry serves now (drift), each with its tag (`6.5.2@sha256:…`, the version a semver range
 * picked), the trust material, and every reason code (the TUI's filter words). Same order and same
 * treatment of problems as the table.
 */
export function printWide(report: Report, opts: PrintOptions): string {
  if (report.nodes.length === 0) return '';
  const p = opts.palette;
  const nodes = sortNodes(report.nodes);
  const rows = nodes.map((n) => [
    n.namespace,
    n.kind,
    n.name,
    revisionCell(n),
    stateMark(n.finding, p),
    fluxCell(n.finding, p),
    n.artifact ? cellText(n.artifact.url) : n.git ? cellText(n.git.url) : '-',
    n.artifact ? refText(n.artifact.ref) : n.git ? gitRefText(n.git.ref) : '-',
    runningText(n) ?? '-',
    registryText(n) ?? '-',
    trustText(n, report.trustOverrides),
    n.finding.reasons.join(',') || '-',
    messageCell(n.finding),
  ]);
  const lines = opts.noHeaders ? rows : [[...wideHeader], ...rows];
  // a node's version notes go on their own lines under its row
  const skip = opts.noHeaders ? 0 : 1;
  const text = layout(lines, opts.width)
    .split('\n')
    .flatMap((line, i) => {
      const n = nodes[i - skip];
      return i >= skip && n ? [line, ...versionNoteTexts(n, p).map((v) => (opts.width === undefined ? `  ${v}` : truncateVisible(`  ${v}`, opts.width)))] : [line];
    });
  const flux = opts.noHeaders ? undefined : fluxHeaderLine(report, p, opts.width);
  return `${[...(flux !== undefined ? [flux] : []), ...text].join('\n')}\n`;
}
