import type { IBufferCell, Terminal } from '@xterm/headless';

/**
 * A picture of a headless terminal's screen as SVG, for the README: what the buffer holds, cell by
 * cell, with the colours and styles xterm parsed. Same buffer, same bytes (no clock, no randomness),
 * so the pictures can be checked in and compared by a test.
 */

export interface TerminalTheme {
  readonly background: string;
  readonly foreground: string;
  /** the 16 palette colours: black, red, green, yellow, blue, magenta, cyan, white, then the bright ones */
  readonly ansi: readonly string[];
}

/**
 * VS Code's dark terminal colours: a common dark theme, and its grey (the muted text: references,
 * labels, hints) stays readable when a README scales the picture down.
 */
export const DARK_THEME: TerminalTheme = {
  background: '#1e1e1e',
  foreground: '#cccccc',
  ansi: ['#000000', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#e5e5e5', '#666666', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#e5e5e5'],
};

export interface SvgOptions {
  /** read by screen readers and shown as a tooltip */
  readonly title?: string;
  readonly theme?: TerminalTheme;
}

export const FONT_FAMILY = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
const FONT_SIZE = 14;
// a cell is 0.6em wide, as in most monospace fonts; textLength pins every run to its cells for the rest
const CELL_W = 8.4;
const LINE_H = 18;
const PAD = 12;

interface TextStyle {
  readonly fg: string;
  readonly classes: string;
}

interface Run {
  readonly col: number;
  cells: number;
  text: string;
  readonly style: TextStyle;
  /** a single character that must stay on its own cell */
  readonly own: boolean;
}

const num = (n: number): string => String(Math.round(n * 100) / 100);
const hex = (rgb: number): string => `#${rgb.toString(16).padStart(6, '0')}`;

const CUBE = [0, 0x5f, 0x87, 0xaf, 0xd7, 0xff] as const;

/** xterm's 256 colours: the theme's 16, a 6×6×6 cube, then 24 greys */
export function paletteColor(n: number, theme: TerminalTheme = DARK_THEME): string {
  if (n < 16) return theme.ansi[n] ?? theme.foreground;
  if (n < 232) {
    const i = n - 16;
    const level = (k: number): number => CUBE[k] ?? 0;
    return hex((level(Math.floor(i / 36)) << 16) | (level(Math.floor(i / 6) % 6) << 8) | level(i % 6));
  }
  const g = 8 + (n - 232) * 10;
  return hex((g << 16) | (g << 8) | g);
}

function fgOf(c: IBufferCell, theme: TerminalTheme): string | undefined {
  if (c.isFgRGB()) return hex(c.getFgColor());
  if (c.isFgPalette()) return paletteColor(c.getFgColor(), theme);
  return undefined;
}

function bgOf(c: IBufferCell, theme: TerminalTheme): string | undefined {
  if (c.isBgRGB()) return hex(c.getBgColor());
  if (c.isBgPalette()) return paletteColor(c.getBgColor(), theme);
  return undefined;
}

/** The colours a cell is painted with, inverse applied; an undefined background is the terminal's. */
function colours(c: IBufferCell, theme: TerminalTheme): { fg: string; bg: string | undefined } {
  const fg = fgOf(c, theme);
  const bg = bgOf(c, theme);
  return c.isInverse() ? { fg: bg ?? theme.background, bg: fg ?? theme.foreground } : { fg: fg ?? theme.foreground, bg };
}

function classesOf(c: IBufferCell): string {
  const flags: [number, string][] = [
    [c.isBold(), 'b'],
    [c.isDim(), 'd'],
    [c.isItalic(), 'i'],
    [c.isUnderline(), 'u'],
    [c.isStrikethrough(), 's'],
  ];
  return flags
    .filter(([on]) => on)
    .map(([, k]) => k)
    .join(' ');
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch);
}

/** Renders the visible screen of the active buffer. */
export function terminalSvg(term: Terminal, options: SvgOptions = {}): string {
  const theme = options.theme ?? DARK_THEME;
  const buffer = term.buffer.active;
  const cell = buffer.getNullCell();
  const width = PAD * 2 + term.cols * CELL_W;
  const height = PAD * 2 + term.rows * LINE_H;
  const rects: string[] = [];
  const texts: string[] = [];

  for (let row = 0; row < term.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    if (!line) continue;
    const top = PAD + row * LINE_H;
    const runs: Run[] = [];
    let bgRun: { col: number; cells: number; bg: string } | undefined;
    const closeBg = (): void => {
      if (bgRun) rects.push(`<rect x="${num(PAD + bgRun.col * CELL_W)}" y="${num(top)}" width="${num(bgRun.cells * CELL_W)}" height="${LINE_H}" fill="${bgRun.bg}"/>`);
      bgRun = undefined;
    };
    for (let col = 0; col < term.cols; col++) {
      const c = line.getCell(col, cell);
      if (!c) break;
      const w = c.getWidth();
      if (w === 0) continue; // the right half of a wide character, drawn with its left half
      const { fg, bg } = colours(c, theme);
      if (bg && bgRun && bg === bgRun.bg && bgRun.col + bgRun.cells === col) bgRun.cells += w;
      else {
        closeBg();
        if (bg) bgRun = { col, cells: w, bg };
      }
      const ch = c.isInvisible() ? ' ' : c.getChars() || ' ';
      const style = { fg, classes: classesOf(c) };
      // anything beyond ASCII (tree lines, ✔, ✘, wide characters) may come from a fallback font with
      // another advance: it gets a run of its own, so it sits on its cell and cannot push its neighbours
      const own = ch.length !== 1 || ch > '~' || w !== 1;
      const last = runs.at(-1);
      if (!own && last && !last.own && last.style.fg === style.fg && last.style.classes === style.classes && last.col + last.cells === col) {
        last.text += ch;
        last.cells += 1;
      } else {
        runs.push({ col, cells: w, text: ch, style, own });
      }
    }
    closeBg();
    for (const r of runs) {
      const lead = r.text.length - r.text.trimStart().length;
      const text = r.text.trim();
      if (!text) continue;
      const cells = r.own ? r.cells : text.length;
      const x = PAD + (r.col + lead) * CELL_W;
      const cls = r.style.classes ? ` class="${r.style.classes}"` : '';
      texts.push(`<text x="${num(x)}" y="${num(top + FONT_SIZE)}" textLength="${num(cells * CELL_W)}" fill="${r.style.fg}"${cls}>${escapeXml(text)}</text>`);
    }
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}" xml:space="preserve">`,
    ...(options.title ? [`<title>${escapeXml(options.title)}</title>`] : []),
    '<style>text{white-space:pre}.b{font-weight:bold}.d{opacity:.5}.i{font-style:italic}.u{text-decoration:underline}.s{text-decoration:line-through}.u.s{text-decoration:underline line-through}</style>',
    `<rect width="100%" height="100%" rx="6" fill="${theme.background}"/>`,
    ...rects,
    ...texts,
    '</svg>',
    '',
  ].join('\n');
}
