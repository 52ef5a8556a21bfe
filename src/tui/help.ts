import { helpSections, keyLabel } from './keymap.js';
import type { Line } from './detail.js';

/** The `?` screen, generated from the keymap. */
export function helpLines(): Line[] {
  const lines: Line[] = [[{ text: 'keys', bold: true }]];
  for (const s of helpSections()) {
    lines.push([], [{ text: `  ${s.title}`, tone: 'muted' }]);
    for (const r of s.rows) lines.push([{ text: `    ${r.keys.padEnd(16)}`, tone: 'accent' }, { text: r.description }]);
  }
  lines.push([], [{ text: `  ${keyLabel('esc')} or ? to go back`, tone: 'muted' }]);
  return lines;
}
