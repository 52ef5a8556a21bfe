/**
 * Lines the chrome takes, so that the body plus chrome stays shorter than the terminal: a frame as
 * tall as the terminal flickers (ink#450) and a taller one makes ink clear the screen (ink#935).
 */
export const HEADER_LINES = 2;
export const FOOTER_LINES = 2;

export function bodyHeight(rows: number): number {
  return Math.max(1, rows - HEADER_LINES - FOOTER_LINES - 1);
}
