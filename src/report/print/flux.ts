import type { Palette } from '../color.js';
import type { Report, ReportNode } from '../model.js';
import { cellText, truncateVisible } from './text.js';

/**
 * The Flux version the version rules were read at (docs/flux-rules.md "Version rules"): one line above
 * the printed views when it is known, and each node's notes under it (wide, tree).
 */
export function fluxHeaderLine(report: Report, p: Palette, width?: number): string | undefined {
  const f = report.flux;
  if (f?.version === undefined) return undefined;
  const running = f.running !== undefined && f.running !== f.version ? `; the cluster runs v${f.running}` : '';
  const text = `Flux: source-controller v${f.version} (${cellText(f.detail ?? f.from)}${running})`;
  return p.muted(width === undefined ? text : truncateVisible(text, width));
}

/** `⚑ cosign-bundle: source-controller v1.7.4 finds no cosign v3 bundle: …`, one per note. */
export function versionNoteTexts(n: ReportNode, p: Palette): string[] {
  return (n.finding.versionNotes ?? []).map((v) => `${p.warn('⚑')} ${p.muted(`${v.rule}:`)} ${cellText(v.message)}`);
}
