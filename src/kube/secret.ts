import { isRecord } from './read.js';
import type { SecretResult } from './types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A Secret object (from the API or a file) as a SecretResult: `data` decoded from base64 to bytes and
 * `stringData` (files only; the API server folds it into data) taken as UTF-8, overriding data keys as
 * the API server does. Messages name keys, never values.
 */
export function decodeSecret(obj: unknown, label: string): SecretResult {
  if (!isRecord(obj)) return { state: 'error', message: `Secret ${label} is not an object` };
  const type = typeof obj['type'] === 'string' && obj['type'] !== '' ? obj['type'] : 'Opaque';
  const out: Record<string, Uint8Array> = {};
  const data = obj['data'];
  if (data !== undefined && data !== null) {
    if (!isRecord(data)) return { state: 'error', message: `Secret ${label}: data is not a mapping` };
    for (const [key, value] of Object.entries(data)) {
      if (value === null || value === undefined) {
        out[key] = new Uint8Array();
        continue;
      }
      const text = typeof value === 'string' ? value.replace(/\s+/g, '') : undefined;
      if (text === undefined || text.length % 4 !== 0 || !BASE64.test(text)) {
        return { state: 'error', message: `Secret ${label}: data key "${key}" is not valid base64` };
      }
      out[key] = new Uint8Array(Buffer.from(text, 'base64'));
    }
  }
  const stringData = obj['stringData'];
  if (stringData !== undefined && stringData !== null) {
    if (!isRecord(stringData)) return { state: 'error', message: `Secret ${label}: stringData is not a mapping` };
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value !== 'string') return { state: 'error', message: `Secret ${label}: stringData key "${key}" is not a string` };
      out[key] = new Uint8Array(Buffer.from(value, 'utf8'));
    }
  }
  return { state: 'found', type, data: out };
}

/** imagePullSecrets of a ServiceAccount object: the names, in order. */
export function pullSecretNames(obj: unknown): string[] {
  if (!isRecord(obj) || !Array.isArray(obj['imagePullSecrets'])) return [];
  return obj['imagePullSecrets'].flatMap((r: unknown) => (isRecord(r) && typeof r['name'] === 'string' && r['name'] !== '' ? [r['name']] : []));
}
