import type { Palette } from '../color.js';
import type { Report } from '../model.js';
import { cellText } from './text.js';

/**
 * What kept objects from being read (RBAC, missing CRDs, unreachable API): printed after the tree
 * and the summary, so that a restricted view never reads as a clean one.
 */
export function problemLines(report: Report, p: Palette): string[] {
  if (report.problems.length === 0) return [];
  const n = report.problems.length;
  return [
    `${n} ${n === 1 ? 'problem' : 'problems'} kept objects from being read:`,
    ...report.problems.map((x) => {
      const where = [x.kind, x.namespace ? `in ${x.namespace}` : undefined].filter(Boolean).join(' ');
      return `  ${p.warn('!')} ${cellText(x.message)} ${p.muted(`[${x.code}${where ? ` · ${where}` : ''}]`)}`;
    }),
  ];
}
