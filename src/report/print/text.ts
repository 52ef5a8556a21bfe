/**
 * Text helpers shared by the printers. Everything printed from the report may come from the
 * cluster or a registry (condition messages, certificate subjects), so it is made one line and
 * stripped of control characters before it reaches a terminal.
 */

const ESC = String.fromCharCode(27);
// built from strings so that the escape character is explicit and the lint rule on control characters holds
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');
const ANSI_HERE = new RegExp(`${ESC}\\[[0-9;]*m`, 'y');
const CONTROL = new RegExp(`[${String.fromCharCode(0)}-${String.fromCharCode(31)}${String.fromCharCode(127)}-${String.fromCharCode(159)}]`, 'g');

/** Cuts any hex run of 40–128 characters to 8, as flux's TruncateHex does: `6.5.0@sha256:dbdb1097`. */
export function truncateHex(s: string): string {
  return s.replace(/\b([0-9a-f]{40,128})\b/g, (h) => h.slice(0, 8));
}

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Columns a cell takes on a terminal: code points without colour codes. */
export function visibleWidth(s: string): number {
  return [...stripAnsi(s)].length;
}

/** One line of untrusted text: whitespace runs become one space, other control characters `?`. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').replace(CONTROL, '?').trim();
}

/** Text for a cell: one line, hex shortened. */
export function cellText(s: string): string {
  return truncateHex(oneLine(s));
}

/**
 * Shortens to `max` visible columns with a trailing `…`. Colour codes are copied whole, never cut,
 * and a cut inside a coloured span ends with a reset so that the colour does not leak to the next line.
 */
export function truncateVisible(s: string, max: number): string {
  if (visibleWidth(s) <= max) return s;
  if (max <= 0) return '';
  let out = '';
  let seen = 0;
  let styled = false;
  let i = 0;
  while (i < s.length && seen < max - 1) {
    ANSI_HERE.lastIndex = i;
    const m = ANSI_HERE.exec(s);
    if (m) {
      out += m[0];
      styled = true;
      i += m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(s.codePointAt(i) ?? 0);
    out += ch;
    seen++;
    i += ch.length;
  }
  return `${out.trimEnd()}…${styled ? `${ESC}[0m` : ''}`;
}
