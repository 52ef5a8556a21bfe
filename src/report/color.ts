/**
 * Colour that respects NO_COLOR (https://no-color.org), --color and whether the stream is a terminal.
 * Semantic tokens, so every printer uses the same colour for the same meaning.
 */
export type ColorMode = 'auto' | 'always' | 'never';

export interface Palette {
  readonly ok: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly muted: (s: string) => string;
  readonly bold: (s: string) => string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string): string => s;

export function useColor(mode: ColorMode, isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return isTTY && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

export function palette(enabled: boolean): Palette {
  if (!enabled) return { ok: plain, bad: plain, warn: plain, muted: plain, bold: plain };
  return { ok: wrap(32, 39), bad: wrap(31, 39), warn: wrap(33, 39), muted: wrap(2, 22), bold: wrap(1, 22) };
}
