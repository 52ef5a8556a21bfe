import type { Palette } from '../color.js';
import type { Report, ReportNode } from '../model.js';
import { registryIsNews } from '../resolved.js';
import { gitRefText, registryText, refText, runningText, trustText } from './artifact.js';
import type { PrintOptions } from './options.js';
import { fluxHeaderLine, versionNoteTexts } from './flux.js';
import { problemLines } from './problems.js';
import { signatureLines, type DetailLine } from './signatures.js';
import { compareNodes, stateWithReason } from './state.js';
import { cellText, truncateVisible, visibleWidth } from './text.js';

/** flux tree's glyphs */
const TEE = '├── ';
const ELBOW = '└── ';
const PIPE = '│   ';
const SPACE = '    ';

/** A node's line: id, verdict and message, the verdict aligned across the whole tree. */
interface NodeLine {
  readonly kind: 'node';
  readonly lead: string;
  readonly id: string;
  readonly verdict: string;
  readonly message: string;
}
type Line = NodeLine | { readonly kind: 'detail'; readonly text: string };

type Item = { readonly node: string } | { readonly detail: DetailLine };

/**
 * `-o tree`: consumers above the sources they use, with flux tree's glyphs. Under each source:
 * its artifact (`→ 6.5.2@sha256:…`, the tag beside the digest), trust, the registry's tag and
 * digest when they differ from the running ones, and every signature with the check that decided
 * it. A source several consumers use appears under each; roots come problems first.
 * `report.problems` follow the tree.
 */
export function printTree(report: Report, opts: PrintOptions): string {
  const p = opts.palette;
  const byId = new Map(report.nodes.map((n) => [n.id, n]));
  const lines: Line[] = [];
  const seen = new Set<string>();

  const walk = (id: string, lead: string, rest: string, path: ReadonlySet<string>): void => {
    const n = byId.get(id);
    seen.add(id);
    if (n === undefined) {
      lines.push({ kind: 'node', lead, id, verdict: p.muted('? not in the report'), message: '' });
      return;
    }
    if (path.has(id)) {
      lines.push({ kind: 'node', lead, id, verdict: p.muted('↺ cycle'), message: '' });
      return;
    }
    lines.push({ kind: 'node', lead, id, verdict: stateWithReason(n.finding, p), message: cellText(n.finding.message) });
    const notes = versionNoteTexts(n, p).map((text) => ({ detail: { text, children: [] } }));
    const items: Item[] = [...details(n, report, p).map((d) => ({ detail: d })), ...notes, ...n.sourceIds.map((s) => ({ node: s }))];
    const inner = new Set(path).add(id);
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      const here = rest + (last ? ELBOW : TEE);
      const below = rest + (last ? SPACE : PIPE);
      if ('node' in item) {
        walk(item.node, here, below, inner);
        return;
      }
      lines.push({ kind: 'detail', text: here + item.detail.text });
      item.detail.children.forEach((c, j) => lines.push({ kind: 'detail', text: below + (j === item.detail.children.length - 1 ? ELBOW : TEE) + c }));
    });
  };

  const roots = report.nodes.filter((n) => n.consumerIds.length === 0).sort(compareNodes);
  for (const r of roots) walk(r.id, '', '', new Set());
  // a cycle has no root: its nodes still print, never silently dropped
  for (const n of [...report.nodes].sort(compareNodes)) if (!seen.has(n.id)) walk(n.id, '', '', new Set());

  const column = Math.max(0, ...lines.map((l) => (l.kind === 'node' ? visibleWidth(l.lead + l.id) : 0)));
  const text = lines.map((l) => (l.kind === 'detail' ? l.text : `${l.lead}${l.id}${' '.repeat(column - visibleWidth(l.lead + l.id))}  ${l.verdict}${l.message ? `  ${l.message}` : ''}`));
  const problems = problemLines(report, p);
  const flux = opts.noHeaders || text.length === 0 ? undefined : fluxHeaderLine(report, p);
  const out = [...(flux !== undefined ? [flux] : []), ...text, ...(text.length > 0 && problems.length > 0 ? [''] : []), ...problems];
  const fitted = opts.width === undefined ? out : out.map((l) => truncateVisible(l, opts.width ?? 0));
  return fitted.length === 0 ? '' : `${fitted.join('\n')}\n`;
}

/** What the tree says about a source before its own sources: artifact, trust, drift, signatures. */
function details(n: ReportNode, report: Report, p: Palette): DetailLine[] {
  const out: DetailLine[] = [];
  // consumers inherit their source's reasons and drift: the source's lines say it once, where it happens
  if (n.artifact === undefined && n.trust === undefined && n.git === undefined && n.signatures.length === 0) return out;
  const line = (text: string): DetailLine => ({ text, children: [] });
  const a = n.artifact;
  const g = n.git;
  if (g) {
    const running = g.running ? cellText(g.running.revision) : p.muted('nothing stored yet');
    out.push(line(`git ${cellText(g.url)} ${gitRefText(g.ref)} → ${running}`));
    if (n.finding.drift) out.push(line(`remote now ${registryText(n) ?? ''}`));
    if (g.remoteError) out.push(line(`remote ${p.bad(cellText(g.remoteError.message))}`));
  }
  if (a) {
    const running = runningText(n) ?? (a.running ? cellText(a.running.revision) : p.muted('nothing stored yet'));
    const chart = a.chart ? ` chart ${cellText(a.chart.name)}` : '';
    out.push(line(`artifact ${cellText(a.url)}${chart} ${refText(a.ref)} → ${running}`));
  }
  const trust = trustText(n, report.trustOverrides);
  if (trust !== '-') out.push(line(`trust ${trust}`));
  const reg = a && registryIsNews(n) ? registryText(n) : undefined;
  if (reg !== undefined) out.push(line(`registry now ${reg}`));
  out.push(...signatureLines(n.signatures, p));
  if (n.signatures.length === 0 && n.finding.reasons.includes('no-signature')) out.push(line(`signature ${p.muted('none found')}`));
  if (n.nextSignatures) {
    out.push(...signatureLines(n.nextSignatures, p, 'next signature'));
    if (n.nextSignatures.length === 0) out.push(line(`next signature ${p.muted('none found')}`));
  }
  return out;
}
