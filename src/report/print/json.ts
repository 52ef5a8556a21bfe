import type { Report } from '../model.js';
import type { PrintOptions } from './options.js';

/** `-o json`: the report as is, keys in the order the audit produced them. */
export function printJson(report: Report, _opts?: PrintOptions): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
