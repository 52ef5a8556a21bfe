import type { Report } from '../model.js';
import { printJson } from './json.js';
import type { PrintOptions } from './options.js';
import { printSummary } from './summary.js';
import { printTable } from './table.js';
import { printTree } from './tree.js';
import { printWide } from './wide.js';
import { printYaml } from './yaml.js';

export type { PrintOptions } from './options.js';

export const printFormats = ['table', 'wide', 'tree', 'json', 'yaml', 'summary'] as const;
export type PrintFormat = (typeof printFormats)[number];

/** One pure function per format: the report in, the text to print out. */
export function printReport(format: PrintFormat, report: Report, opts: PrintOptions): string {
  switch (format) {
    case 'table': return printTable(report, opts);
    case 'wide': return printWide(report, opts);
    case 'tree': return printTree(report, opts);
    case 'json': return printJson(report, opts);
    case 'yaml': return printYaml(report, opts);
    case 'summary': return printSummary(report, opts);
  }
}
