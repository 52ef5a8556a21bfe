import { stringify } from 'yaml';
import type { Palette } from '../color.js';
import type { Report } from '../model.js';
import { formatTable } from './table.js';

export const printFormats = ['table', 'json', 'yaml'] as const;
export type PrintFormat = (typeof printFormats)[number];

export interface PrintOptions {
  readonly palette: Palette;
  readonly noHeaders?: boolean;
}

/** One pure function per format: the report in, the text to print out. */
export function printReport(format: PrintFormat, report: Report, opts: PrintOptions): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'yaml':
      return stringify(report);
    case 'table':
      return formatTable(report, opts.palette, opts.noHeaders ? { noHeaders: true } : {});
  }
}
