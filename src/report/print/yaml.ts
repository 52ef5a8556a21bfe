import { stringify } from 'yaml';
import type { Report } from '../model.js';
import type { PrintOptions } from './options.js';

/** `-o yaml`: the report as is; long messages stay on one line so that grep finds them whole. */
export function printYaml(report: Report, _opts?: PrintOptions): string {
  return stringify(report, { lineWidth: 0 });
}
