import { truncateVisible, visibleWidth } from './text.js';

/** Columns are separated by at least this many spaces, as kubectl's and flux's tables are. */
const GAP = 3;
/** A message keeps at least this many columns however narrow the terminal: a stub says nothing. */
const MIN_LAST = 20;

/**
 * Pads columns to their widest cell, measuring without colour codes; no borders, left-aligned.
 * With a terminal width, only the last column (the message) is shortened to fit.
 */
export function layout(rows: readonly (readonly string[])[], width?: number): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (i < r.length - 1 ? (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))) : undefined));
  return rows
    .map((r) => {
      let offset = 0;
      return r
        .map((c, i) => {
          if (i < r.length - 1) {
            const w = widths[i] ?? 0;
            offset += w + GAP;
            return c + ' '.repeat(w - visibleWidth(c) + GAP);
          }
          return width === undefined ? c : truncateVisible(c, Math.max(width - offset, MIN_LAST));
        })
        .join('')
        .trimEnd();
    })
    .join('\n');
}
