/** The signed payload: {targetArtifact} must describe exactly the manifest that was verified. */
import { fail } from './codes.js';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export function parsePayload(bytes: Uint8Array): Descriptor {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (e) {
    return fail('notation.envelope-invalid', `payload: expected JSON, found a parse error (${(e as Error).message})`);
  }
  const t = typeof v === 'object' && v !== null ? (v as { targetArtifact?: unknown }).targetArtifact : undefined;
  if (typeof t !== 'object' || t === null) return fail('notation.envelope-invalid', 'payload: expected an object with targetArtifact, found none');
  const { mediaType, digest, size } = t as Record<string, unknown>;
  if (typeof mediaType !== 'string' || typeof digest !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return fail('notation.envelope-invalid', 'payload: expected targetArtifact with string mediaType, string digest and integer size, found another shape');
  }
  return { mediaType, digest, size };
}

/** mediaType, digest and size must all be equal, as oras content.Equal compares them. */
export function checkTarget(signed: Descriptor, target: Descriptor): void {
  const diffs: string[] = [];
  if (signed.digest !== target.digest) diffs.push(`digest: expected ${target.digest}, found ${signed.digest}`);
  if (signed.mediaType !== target.mediaType) diffs.push(`mediaType: expected ${target.mediaType}, found ${signed.mediaType}`);
  if (signed.size !== target.size) diffs.push(`size: expected ${target.size}, found ${signed.size}`);
  if (diffs.length > 0) fail('notation.payload-mismatch', `payload targetArtifact names another artifact; ${diffs.join('; ')}`);
}
