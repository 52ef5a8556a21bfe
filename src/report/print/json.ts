import type { Report } from '../model.js';
import type { PrintOptions } from './options.js';

/** `-o json`: the report as is, keys in the order the audit produced them. */
export function printJson(report: Report, _opts?: PrintOptions): string {
  return [...jsonChunks(report)].join('');
}

/**
 * The bytes of `JSON.stringify(report, null, 2) + '\n'`, one top-level key or one node at a time, so
 * a report of thousands of nodes is never one string in memory. JSON strings hold no raw newline,
 * so re-indenting a nested value is prefixing each of its lines.
 */
export function* jsonChunks(report: Report): Generator<string> {
  const entries = Object.entries(report).filter(([, v]) => isSerialised(v));
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i] as [string, unknown];
    const comma = i < entries.length - 1 ? ',' : '';
    if (key === 'nodes' && Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let j = 0; j < value.length; j++) {
        yield `    ${indent(JSON.stringify(value[j] ?? null, null, 2), '    ')}${j < value.length - 1 ? ',' : ''}\n`;
      }
      yield `  ]${comma}\n`;
    } else {
      yield `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
    }
  }
  yield '}\n';
}

/** What JSON.stringify writes for an object member (undefined, functions and symbols are left out). */
function isSerialised(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}

function indent(text: string, by: string): string {
  return text.replaceAll('\n', `\n${by}`);
}
