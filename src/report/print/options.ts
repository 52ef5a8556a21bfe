import type { Palette } from '../color.js';

export interface PrintOptions {
  readonly palette: Palette;
  /** table, wide and summary: leave out the header row */
  readonly noHeaders?: boolean;
  /** the terminal's width: messages are shortened to fit; undefined prints them whole */
  readonly width?: number;
}
