import type { RunningRevision } from './types.js';

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A manifest digest as Flux writes one, or undefined when `text` is not one. */
export function asDigest(text: string): string | undefined {
  return DIGEST.test(text) ? text : undefined;
}

/**
 * Reads an OCIRepository `status.artifact.revision`: `<tag>@sha256:<hex>`, `sha256:<hex>` (ref.digest),
 * or the pre-RFC-0005 `<tag>/<hex>`, which fluxcd/pkg TransformLegacyRevision rewrites when there is
 * no `:` at all. Anything else keeps only the text: no digest is ever guessed.
 */
export function parseRevision(revision: string): RunningRevision {
  const at = revision.lastIndexOf('@');
  if (at >= 0) {
    const digest = asDigest(revision.slice(at + 1));
    const tag = revision.slice(0, at);
    return digest === undefined ? { revision } : { revision, ...(tag === '' ? {} : { tag }), digest };
  }
  const digest = asDigest(revision);
  if (digest !== undefined) return { revision, digest };
  if (revision !== '' && !revision.includes(':')) {
    const slash = revision.lastIndexOf('/');
    const hex = revision.slice(slash + 1);
    if (SHA256_HEX.test(hex)) {
      const tag = slash > 0 ? revision.slice(0, slash) : '';
      return { revision, ...(tag === '' || tag === 'HEAD' ? {} : { tag }), digest: `sha256:${hex}` };
    }
  }
  return { revision };
}

/** `sha256:1f2e3d4c…` for messages; the full value stays in the data. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : `${digest.slice(0, colon + 13)}…`;
}
