import { stringify } from 'yaml';

/**
 * The object as it was read, as YAML lines. Secrets are never read into `raw` (only the Flux objects
 * are), so nothing secret can show here; managedFields are dropped as kubectl does by default.
 */
export function yamlLines(raw: unknown): string[] {
  if (raw === undefined || raw === null) return ['# not in the input: this node stands for a referenced or generated object'];
  const copy = typeof raw === 'object' && !Array.isArray(raw) ? withoutManagedFields(raw as Record<string, unknown>) : raw;
  return stringify(copy, { lineWidth: 0 }).trimEnd().split('\n');
}

function withoutManagedFields(o: Record<string, unknown>): Record<string, unknown> {
  const meta = o.metadata;
  if (!meta || typeof meta !== 'object') return o;
  const { managedFields: _drop, ...rest } = meta as Record<string, unknown>;
  return { ...o, metadata: rest };
}
